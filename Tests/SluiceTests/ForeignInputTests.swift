import Foundation
import SystemPackage
import Testing
@testable import Sluice
@testable import SluiceBench

/// Input that is not a `.slc` file at all, and `.slc` files crafted to make the decoder allocate or
/// compute without bound. Each crafted file keeps valid check values wherever the format lets an
/// attacker recompute them, so that only the limit under test can reject it.
@Suite struct ForeignInputTests {
    typealias Field = SlcLayout.HeaderField

    private func decodeOutcome(_ bytes: [UInt8], key: KeySource? = nil) -> Outcome {
        Outcome { _ = try Harness.unpack(bytes, key: key) }
    }

    @Test func foreignFiles() throws {
        let random = DataKind.random.bytes(count: 10_000)
        #expect(decodeOutcome([]) == .rejected(.corrupt), "empty")
        #expect(decodeOutcome([0x89, 0x53, 0x4C, 0x43, 0x0D]) == .rejected(.corrupt), "5 bytes")
        #expect(decodeOutcome(Array(random.prefix(5))) == .rejected(.corrupt), "5 random bytes")
        #expect(decodeOutcome(random) == .rejected(.corrupt), "random bytes")
        #expect(decodeOutcome(Array("just some text\n".utf8)) == .rejected(.corrupt), "text")
        // The magic alone does not make a file.
        #expect(decodeOutcome([0x89, 0x53, 0x4C, 0x43, 0x0D, 0x0A, 0x1A, 0x0A] + random) == .rejected(.corrupt), "magic + random")
        for viaPipe in [false, true] {
            #expect(Outcome { _ = try Harness.unpack([], key: nil, viaPipe: viaPipe) } == .rejected(.corrupt))
            #expect(Outcome { _ = try Harness.unpack(random, key: nil, viaPipe: viaPipe) } == .rejected(.corrupt))
        }
    }

    /// A real zstd file (made by the `zstd` tool) is not mistaken for a `.slc` file: the engine opens it
    /// through zstd's reader (docs/formats.md) and decodes it, from a file and from a pipe; `inspect`
    /// refuses it, since a single frame cannot be located ahead, and `unpackFile` reads it.
    @Test func zstdFileIsNotTakenForSlc() throws {
        try withTemporaryDirectory { directory in
            let plain = directory.appending("plain.txt")
            let text = DataKind.text.bytes(count: 50_000)
            try writeFile(plain, text)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
            process.arguments = ["-q", plain.string, "-o", directory.appending("plain.txt.zst").string]
            try process.run()
            process.waitUntilExit()
            let zstdFile = try readFile(directory.appending("plain.txt.zst"))
            #expect(Array(zstdFile.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD], "zstd's own magic")
            for viaPipe in [false, true] {
                let (bytes, report) = try Harness.unpack(zstdFile, key: nil, viaPipe: viaPipe)
                #expect(bytes == text)
                #expect(report.info.format == .zstd)
            }
            #expect(Outcome { _ = try Pipeline.inspect(directory.appending("plain.txt.zst")) } == .rejected(.invalidArgument))
            #expect(try Pipeline.inspectStandard(directory.appending("plain.txt.zst"))?.format == .zstd)
            let out = directory.appending("out")
            _ = try Pipeline.unpackFile(directory.appending("plain.txt.zst"), to: .file(out, overwrite: false), key: { _ in nil })
            #expect(try readFile(out) == text)
        }
    }

    /// A header alone, a header with a frame and no trailer: each stops short of a complete file.
    @Test func headerOnly() throws {
        let packed = try Harness.packed(DataKind.text.bytes(count: 5000), .zstd)
        let layout = try SlcLayout(packed)
        #expect(decodeOutcome(Array(packed[layout.header])) == .rejected(.corrupt))
    }

    /// A file packed without a cipher, with its header rewritten by `edit` and re-tagged.
    private func withEditedHeader(_ edit: (inout [UInt8]) -> Void) throws -> [UInt8] {
        let packed = try Harness.packed(DataKind.text.bytes(count: 3 * Harness.chunkSize), .zstd)
        let layout = try SlcLayout(packed)
        var body = Array(packed[0..<layout.headerLength - 8])
        edit(&body)
        return HeaderTests.retagged(body) + packed[layout.headerLength...]
    }

    /// A 2 GiB chunk size would make every buffer 2 GiB: refused from the header alone.
    @Test(arguments: [UInt32(1) << 31, UInt32.max, UInt32(256 << 20) + 1])
    func hostileChunkSize(chunkSize: UInt32) throws {
        let file = try withEditedHeader { $0.setLittleEndian(chunkSize, at: Field.chunkSize.lowerBound) }
        #expect(decodeOutcome(file) == .rejected(.corrupt))
    }

    /// A header that claims to be 64 KiB long in a small file.
    @Test func hostileHeaderLength() throws {
        var packed = try Harness.packed(DataKind.text.bytes(count: 3000), .zstd)
        packed.setLittleEndian(UInt16.max, at: Field.length.lowerBound)
        #expect(decodeOutcome(packed) == .rejected(.corrupt))
    }

    /// Frame lengths are capped before the payload buffer is allocated: a frame claiming ~4 GiB is
    /// refused by that cap (the message names the stored length), not by running out of input.
    @Test(arguments: [Cipher.none, .aes256gcm])
    func hostileStoredLength(cipher: Cipher) throws {
        var packed = try Harness.packed(DataKind.text.bytes(count: 3 * Harness.chunkSize), .zstd, cipher)
        let layout = try SlcLayout(packed)
        packed.setLittleEndian(UInt32.max - 15, at: layout.frames[0].lowerBound)
        do {
            _ = try Harness.unpack(packed, key: cipher == .none ? nil : Harness.key)
            Issue.record("a 4 GiB frame was accepted")
        } catch let error as SluiceError {
            #expect(error.code == .corrupt)
            #expect(error.message.contains("stored length"), "rejected for another reason: \(error)")
        }
    }

    @Test func hostilePlainLength() throws {
        var packed = try Harness.packed(DataKind.text.bytes(count: 3 * Harness.chunkSize), .zstd)
        let layout = try SlcLayout(packed)
        packed.setLittleEndian(UInt32.max, at: layout.frames[2].lowerBound + 4)
        #expect(decodeOutcome(packed) == .rejected(.corrupt))
    }

    /// scrypt at 2^40 would need 128 TiB: refused from the header, before any key derivation runs
    /// (were it run, it would fail as a library error or not finish, not be `.corrupt`).
    @Test(arguments: [UInt8(40), 21, 255])
    func hostileScryptCost(logN: UInt8) throws {
        var packed = try Harness.pack(DataKind.text.bytes(count: 3000), options: try Harness.options(.zstd, .aes256gcm, key: Harness.passphrase)).bytes
        packed[Field.scryptLogN] = logN
        #expect(decodeOutcome(packed, key: Harness.passphrase) == .rejected(.corrupt))
        // The header is refused before the key is even asked for.
        let file = try ScratchFile(packed)
        var asked = false
        #expect(Outcome { _ = try Pipeline.readHeader(from: file.descriptor, key: { _ in asked = true; return Harness.passphrase }) }
            == .rejected(.corrupt))
        #expect(!asked)
    }

    /// A trailer whose count claims 2^60 chunks, with a recomputed tag, and a footer pointing outside
    /// the file: refused without reading or reserving that much.
    @Test func hostileTrailerAndFooter() throws {
        let packed = try Harness.packed(DataKind.text.bytes(count: 3 * Harness.chunkSize), .zstd)
        let layout = try SlcLayout(packed)
        var trailer = Array(packed[layout.trailer].dropLast(8))
        trailer.setLittleEndian(UInt64(1) << 60, at: 4)
        var tag = [UInt8](repeating: 0, count: 8)
        tag.setLittleEndian(XXH3.hash64(trailer), at: 0)
        let hostileCount = Array(packed[..<layout.trailer.lowerBound]) + trailer + tag + packed[layout.footer]
        #expect(decodeOutcome(hostileCount) == .rejected(.corrupt))

        try withTemporaryDirectory { directory in
            for (offset, value) in [(0, UInt64.max), (8, UInt64.max), (0, UInt64(1) << 62), (8, UInt64(packed.count))] {
                var footer = packed
                footer.setLittleEndian(value, at: layout.footer.lowerBound + offset)
                #expect(decodeOutcome(footer) == .rejected(.corrupt))
                let path = directory.appending("f.slc")
                try writeFile(path, footer)
                #expect(Outcome { _ = try Pipeline.inspect(path) } == .rejected(.corrupt))
            }
            let path = directory.appending("t.slc")
            try writeFile(path, hostileCount)
            #expect(Outcome { _ = try Pipeline.inspect(path) } == .rejected(.corrupt))
        }
    }
}
