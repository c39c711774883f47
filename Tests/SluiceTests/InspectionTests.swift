import SystemPackage
import Testing
@testable import Sluice
@testable import SluiceBench

/// `Pipeline.inspect`: header, footer and index of a seekable file, without a key and without
/// decoding any frame.
@Suite struct InspectionTests {
    @Test(arguments: [Cipher.none, .chacha20poly1305])
    func reportsTheIndex(cipher: Cipher) throws {
        // Two random chunks and a 10-byte tail (raw: neither shrinks), two chunks of zeros between (compressed).
        let data = DataKind.random.bytes(count: 2 * Harness.chunkSize) + DataKind.zeros.bytes(count: 2 * Harness.chunkSize + 10)
        try withTemporaryDirectory { directory in
            let path = directory.appending("x.slc")
            let (packed, report) = try Harness.pack(data, options: try Harness.options(.lz4, cipher))
            try writeFile(path, packed)
            let info = try Pipeline.inspect(path)
            #expect(info.fileSize == UInt64(packed.count))
            #expect(info.chunks == 5)
            #expect(info.plainSize == UInt64(data.count))
            #expect(info.rawChunks == 3)
            #expect(info.rawChunks == report.rawChunks)
            #expect(info.info.codec.codec == .lz4)
            #expect(info.info.cipher == cipher)
            #expect(info.ratio == Double(data.count) / Double(packed.count))
            // Without a key the encrypted index cannot be authenticated, and inspect says so.
            #expect(info.trailerVerified == (cipher == .none))
        }
    }

    /// The index must describe the frames exactly; an unencrypted trailer with a recomputed tag but a
    /// wrong offset or an impossible length is refused.
    @Test func rejectsInconsistentIndex() throws {
        let packed = try Harness.packed(DataKind.text.bytes(count: 3 * Harness.chunkSize), .zstd)
        let layout = try SlcLayout(packed)
        try withTemporaryDirectory { directory in
            for (field, delta) in [(0, Int64(1)), (8, 1), (8, 1 << 20), (12, 1)] {
                var trailer = Array(packed[layout.trailer].dropLast(8))
                let at = 12 + 16 + field  // the second entry
                if field == 0 {
                    trailer.setLittleEndian(trailer.littleEndian(at: at, as: UInt64.self) &+ UInt64(delta), at: at)
                } else {
                    trailer.setLittleEndian(trailer.littleEndian(at: at, as: UInt32.self) &+ UInt32(delta), at: at)
                }
                var tag = [UInt8](repeating: 0, count: 8)
                tag.setLittleEndian(XXH3.hash64(trailer), at: 0)
                let path = directory.appending("bad\(field)-\(delta).slc")
                try writeFile(path, Array(packed[..<layout.trailer.lowerBound]) + trailer + tag + packed[layout.footer])
                #expect(Outcome { _ = try Pipeline.inspect(path) } == .rejected(.corrupt), "entry field \(field) + \(delta)")
                // Decoding front to back compares the index with the frames it saw, and refuses it too.
                #expect(Outcome { _ = try Pipeline.verifyFile(path, key: { _ in nil }) } == .rejected(.corrupt))
            }
        }
    }
}
