import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// Unpacking a seekable zstd file to a new file writes each frame at its offset as soon as it is
/// decoded (``PositionalOutput``): the result is byte-identical, keeps its holes (a trailing one
/// included), and a damaged frame in the middle leaves neither the output nor a temporary file.
@Suite struct StandardPositionalUnpackTests {
    static let chunk = 64 << 10

    /// 40 chunks: text, random, and every fifth one zeros, the last one too (a trailing hole).
    static let original: [UInt8] = (0..<40).flatMap { index -> [UInt8] in
        if index % 5 == 4 || index == 39 { return DataKind.zeros.bytes(count: chunk) }
        return (index % 2 == 0 ? DataKind.text : DataKind.random).bytes(count: chunk, seed: UInt64(index))
    }

    private func packed(in dir: FilePath) throws -> FilePath {
        let input = dir.appending("in"), packed = dir.appending("in.zst")
        try Self.original.withUnsafeBytes { bytes in
            let file = try FileDescriptor.open(input, .writeOnly, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
            defer { try? file.close() }
            _ = try file.writeAll(bytes)
        }
        var options = PackOptions(codec: try CodecSettings(.zstd))
        options.format = .zstd
        options.chunkSize = Self.chunk
        _ = try Pipeline.packFile(input, to: .file(packed, overwrite: false), options: options)
        #expect(try Pipeline.inspectStandard(packed)?.access == "seek table")
        return packed
    }

    @Test(arguments: [true, false]) func framesLandAtTheirOffsets(_ sparse: Bool) throws {
        try withTemporaryDirectory { dir in
            let packed = try packed(in: dir)
            let out = dir.appending("out")
            let report = try Pipeline.unpackFile(
                packed, to: .file(out, overwrite: false), key: { _ in nil }, workers: 2, policy: OutputPolicy(sparse: sparse))
            #expect(report.plainBytes == UInt64(Self.original.count))
            #expect(try readFile(out) == Self.original)
            // 9 of the 40 chunks are zeros: with holes the file takes about the other 31. (The bound leaves
            // room for blocks the file system allocates ahead under load; seen once in a full parallel run.)
            if sparse {
                #expect(try allocatedBytes(out) <= 35 * Self.chunk)
            } else {
                #expect(try allocatedBytes(out) >= Self.original.count)
            }
        }
    }

    @Test func aDamagedFrameLeavesNothing() throws {
        try withTemporaryDirectory { dir in
            let packed = try packed(in: dir)
            var bytes = try readFile(packed)
            // The middle of the file is inside a frame of random data (stored nearly as is): the frame's
            // checksum, or the seek table's, no longer matches.
            bytes[bytes.count / 2] ^= 0x55
            let file = try FileDescriptor.open(packed, .writeOnly, options: [.truncate])
            _ = try file.closeAfter { try file.writeAll(bytes) }
            let out = dir.appending("out")
            #expect(Outcome { _ = try Pipeline.unpackFile(packed, to: .file(out, overwrite: false), key: { _ in nil }, workers: 2) }
                == .rejected(.corrupt))
            #expect(!FileManager.default.fileExists(atPath: out.string))
            #expect(TestSupport.temporaryFiles(in: dir.string).isEmpty)
        }
    }
}
