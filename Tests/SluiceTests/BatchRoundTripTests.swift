import Foundation
import SystemPackage
import Testing
@testable import Sluice

@Suite struct BatchRoundTripTests {
    /// Nested and empty directories, empty files, odd names, a file large enough for the chunked
    /// path, and an encrypted variant: pack then unpack gives back every byte, mode and mtime.
    static func makeTree(_ scratch: Scratch) throws {
        try scratch.text("in/top.txt", lines: 200)
        try scratch.text("in/a/b/c/deep.txt", lines: 50, seed: 1, mode: 0o600)
        try scratch.text("in/a/sibling.log", lines: 10, seed: 2, mode: 0o755)
        try scratch.file("in/empty-file", [])
        try scratch.directory("in/empty-dir")
        try scratch.directory("in/a/also-empty")
        try scratch.text("in/with space/ünïcödé 名前.txt", lines: 30, seed: 3)
        try scratch.text("in/.hidden/.dotfile", lines: 5, seed: 4)
        try scratch.text("in/..double-dot-name", lines: 5, seed: 5)
        try scratch.text("in/...", lines: 5, seed: 6)
        try scratch.file("in/binary.bin", (0..<70000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) })
        // Over the small-file limit: goes through the chunked pipeline.
        try scratch.text("in/large/big.txt", lines: 60000, seed: 7)
        BatchTesting.setModification(scratch.path("in/top.txt"), seconds: 1_600_000_000, nanoseconds: 123_456_789)
        BatchTesting.setModification(scratch.path("in/large/big.txt"), seconds: 1_500_000_000, nanoseconds: 987_654_321)
    }

    static func expectSameTree(_ scratch: Scratch, _ a: String, _ b: String) {
        let left = scratch.files(under: a)
        let right = scratch.files(under: b)
        #expect(left == right)
        for file in left {
            #expect(scratch.contents("\(a)/\(file)") == scratch.contents("\(b)/\(file)"), "\(file) differs")
            let x = BatchTesting.stamp(scratch.path("\(a)/\(file)"))
            let y = BatchTesting.stamp(scratch.path("\(b)/\(file)"))
            #expect(x?.size == y?.size && x?.mode == y?.mode, "\(file): size or mode differs")
            #expect(x?.seconds == y?.seconds && x?.nanoseconds == y?.nanoseconds, "\(file): mtime differs")
        }
    }

    @Test func roundTripsATree() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        let (packed, packLog) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(packLog.failures.isEmpty, "\(packLog.failures)")
        #expect(packed.filesOK == 10)
        #expect(packed.filesFailed == 0)
        #expect(scratch.exists("out/empty-dir"))
        #expect(scratch.exists("out/a/b/c/deep.txt.slc"))
        #expect(scratch.exists("out/with space/ünïcödé 名前.txt.slc"))
        #expect(scratch.exists("out/large/big.txt.slc"))
        #expect(scratch.files(under: "out").allSatisfy { $0.hasSuffix(".slc") })

        let (unpacked, unpackLog) = try BatchTesting.unpack(scratch.path("out"), to: scratch.path("back"))
        #expect(unpackLog.failures.isEmpty, "\(unpackLog.failures)")
        #expect(unpacked.filesOK == 10)
        Self.expectSameTree(scratch, "in", "back")
        #expect(scratch.exists("back/a/also-empty"))
    }

    @Test func packedFilesAreOrdinarySlcFiles() throws {
        let scratch = try Scratch()
        try scratch.text("in/one.txt", lines: 100)
        _ = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        let report = try Pipeline.verifyFile(FilePath(scratch.path("out/one.txt.slc")), key: { _ in nil })
        #expect(report.plainBytes == UInt64(scratch.contents("in/one.txt")!.count))
        #expect(report.info.metadata?.name == "one.txt")
        // The single-file command reads it back too.
        let output = try Pipeline.unpackFile(
            FilePath(scratch.path("out/one.txt.slc")), to: .file(FilePath(scratch.path("single.txt")), overwrite: false), key: { _ in nil })
        #expect(output.plainBytes == report.plainBytes)
        #expect(scratch.contents("single.txt") == scratch.contents("in/one.txt"))
    }

    @Test(arguments: [Cipher.aes256gcm, .chacha20poly1305])
    func roundTripsEncrypted(cipher: Cipher) throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        let key = KeySource.keyFile((0..<32).map { UInt8($0) })
        var pack = try BatchTesting.packOptions()
        pack.cipher = cipher
        pack.key = key
        var options = BatchOptions(operation: .pack(pack))
        options.output = FilePath(scratch.path("out"))
        let (packed, _) = try BatchTesting.run(scratch.path("in"), options)
        #expect(packed.filesOK == 10)
        let (unpacked, log) = try BatchTesting.unpack(scratch.path("out"), to: scratch.path("back")) { $0.key = { key } }
        #expect(log.failures.isEmpty, "\(log.failures)")
        #expect(unpacked.filesOK == 10)
        Self.expectSameTree(scratch, "in", "back")

        // Without the key, or with another one, every file fails on its own and nothing is written.
        let (noKey, noKeyLog) = try BatchTesting.unpack(scratch.path("out"), to: scratch.path("nokey"))
        #expect(noKey.filesFailed == 10 && noKey.filesOK == 0)
        #expect(noKeyLog.failures.allSatisfy { $0.1.code == .invalidArgument })
        let wrong = KeySource.keyFile([UInt8](repeating: 7, count: 32))
        let (wrongKey, wrongLog) = try BatchTesting.unpack(scratch.path("out"), to: scratch.path("wrong")) { $0.key = { wrong } }
        #expect(wrongKey.filesFailed == 10)
        #expect(wrongLog.failures.allSatisfy { $0.1.code == .wrongKey })
        #expect(scratch.files(under: "wrong").isEmpty)
    }

    @Test(arguments: [Codec.store, .lz4, .lz4hc, .brotli])
    func roundTripsWithEveryCodec(codec: Codec) throws {
        let scratch = try Scratch()
        for index in 0..<40 { try scratch.text("in/d\(index % 4)/f\(index).txt", lines: index * 3, seed: index) }
        var options = BatchOptions(operation: .pack(try BatchTesting.packOptions(codec: codec)))
        options.output = FilePath(scratch.path("out"))
        let (packed, _) = try BatchTesting.run(scratch.path("in"), options)
        #expect(packed.filesOK == 40)
        let (unpacked, _) = try BatchTesting.unpack(scratch.path("out"), to: scratch.path("back"))
        #expect(unpacked.filesOK == 40)
        Self.expectSameTree(scratch, "in", "back")
    }

    @Test func smallSlcWithLargePlaintextTakesTheChunkedPath() throws {
        // 12 MiB of zeros pack into a few KiB: the small-file reader hands it to the chunked path.
        let scratch = try Scratch()
        try scratch.file("in/zeros.bin", [UInt8](repeating: 0, count: 12 << 20))
        try scratch.text("in/small.txt", lines: 10)
        _ = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect((BatchTesting.stamp(scratch.path("out/zeros.bin.slc"))?.size ?? .max) < 64 << 10)
        let (report, log) = try BatchTesting.unpack(scratch.path("out"), to: scratch.path("back"))
        #expect(log.failures.isEmpty)
        #expect(report.filesOK == 2)
        Self.expectSameTree(scratch, "in", "back")
    }

    @Test func packsInPlaceAndUnpacksInPlace() throws {
        let scratch = try Scratch()
        try scratch.text("tree/a.txt", lines: 20)
        try scratch.text("tree/sub/b.txt", lines: 20, seed: 1)
        let original = scratch.contents("tree/sub/b.txt")
        let (packed, _) = try BatchTesting.pack(scratch.path("tree"), to: nil) { $0.removeSource = true }
        #expect(packed.filesOK == 2)
        #expect(scratch.files(under: "tree") == ["a.txt.slc", "sub/b.txt.slc"])
        let (unpacked, _) = try BatchTesting.unpack(scratch.path("tree"), to: nil) { $0.removeSource = true }
        #expect(unpacked.filesOK == 2)
        #expect(scratch.files(under: "tree") == ["a.txt", "sub/b.txt"])
        #expect(scratch.contents("tree/sub/b.txt") == original)
    }

    @Test func outputInsideTheInputIsNotWalked() throws {
        let scratch = try Scratch()
        for index in 0..<10 { try scratch.text("tree/f\(index).txt", lines: 10, seed: index) }
        let (report, _) = try BatchTesting.pack(scratch.path("tree"), to: scratch.path("tree/packed"))
        #expect(report.filesOK == 10)
        #expect(scratch.files(under: "tree/packed").count == 10)
        #expect(!scratch.exists("tree/packed/packed"))
    }
}
