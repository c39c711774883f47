import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// A tree unpack (`sluice unpack DIR`, ``Batch/run``) restores the standard `.zst` and `.lz4` files in
/// it beside the `.slc` ones, written by the peer tools and by Sluice alike (docs/batch.md).
@Suite struct BatchStandardFormatTests {
    static let text = Array((0..<40_000).map { "line \($0) of a batch with standard files\n" }.joined().utf8)

    /// `bytes` compressed by a peer CLI (`zstd -q -c`, `lz4 -q -c`, …) into `output`.
    static func peer(_ tool: String, _ arguments: [String], _ bytes: [UInt8], to output: String) throws {
        let input = output + ".input"
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        defer { try? FileManager.default.removeItem(atPath: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = arguments + (tool == "lz4" ? [input, output] : [input, "-o", output])
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) \(arguments)")
    }

    /// A tree with `.slc`, `.zst` (plain, multi-threaded, seekable from Sluice) and `.lz4` files, small and
    /// large, in subdirectories.
    static func tree(_ scratch: Scratch) throws -> [String: [UInt8]] {
        var expected: [String: [UInt8]] = [:]
        let small = Array(text.prefix(3000))
        let large = text + text
        try scratch.directory("in/sub")
        try peer("zstd", ["-q", "-3", "-f"], small, to: scratch.path("in/small.txt.zst"))
        expected["small.txt"] = small
        try peer("zstd", ["-q", "-T2", "-f"], large, to: scratch.path("in/sub/large.log.zst"))
        expected["sub/large.log"] = large
        try peer("lz4", ["-q", "-f"], small, to: scratch.path("in/small.csv.lz4"))
        expected["small.csv"] = small
        try peer("lz4", ["-q", "-f", "-BD"], large, to: scratch.path("in/sub/linked.bin.lz4"))
        expected["sub/linked.bin"] = large
        var seekable = PackOptions(codec: try CodecSettings(.zstd))
        seekable.format = .zstd
        seekable.chunkSize = 65536
        try scratch.file("seekable.input", large)
        _ = try Pipeline.packFile(
            FilePath(scratch.path("seekable.input")), to: .file(FilePath(scratch.path("in/sub/seekable.dat.zst")), overwrite: false),
            options: seekable)
        expected["sub/seekable.dat"] = large
        try scratch.file("plain.input", small)
        _ = try Pipeline.packFile(
            FilePath(scratch.path("plain.input")), to: .file(FilePath(scratch.path("in/plain.txt.slc")), overwrite: false),
            options: try BatchTesting.packOptions())
        expected["plain.txt"] = small
        return expected
    }

    @Test func aTreeUnpackRestoresZstdAndLZ4Files() throws {
        let scratch = try Scratch()
        let expected = try Self.tree(scratch)
        let (report, log) = try BatchTesting.unpack(scratch.path("in"), to: scratch.path("out"))
        #expect(report.filesFailed == 0, "\(log.all)")
        #expect(report.filesOK == expected.count)
        for (name, bytes) in expected {
            #expect(scratch.contents("out/\(name)") == bytes, "\(name)")
        }
        #expect(Set(scratch.files(under: "out")) == Set(expected.keys))
    }

    @Test func theCLIUnpacksATreeInPlace() throws {
        let scratch = try Scratch()
        let expected = try Self.tree(scratch)
        let result = try BatchTesting.cli(["unpack", scratch.path("in"), "-q"])
        #expect(result.status == 0, "\(result.stderr)")
        for (name, bytes) in expected {
            #expect(scratch.contents("in/\(name)") == bytes, "\(name)")
        }
    }

    /// A damaged `.zst` in a tree is one failed file (exit 1, its name on one line) and leaves no output;
    /// the other files are restored.
    @Test func aDamagedStandardFileFailsAloneAndLeavesNothing() throws {
        let scratch = try Scratch()
        try scratch.directory("in")
        try Self.peer("zstd", ["-q", "-f"], Self.text, to: scratch.path("in/good.txt.zst"))
        try Self.peer("zstd", ["-q", "-f"], Self.text, to: scratch.path("in/bad.txt.zst"))
        var bytes = scratch.contents("in/bad.txt.zst")!
        bytes[bytes.count / 2] ^= 0x21
        try scratch.file("in/bad.txt.zst", bytes)
        let result = try BatchTesting.cli(["unpack", scratch.path("in"), "-o", scratch.path("out"), "-q"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.txt.zst"), "\(result.stderr)")
        #expect(scratch.contents("out/good.txt") == Self.text)
        #expect(!scratch.exists("out/bad.txt"))
        #expect(scratch.files(under: "out") == ["good.txt"])
    }

    /// Sharded unpacking keys a `.zst` or `.lz4` file by its name without the suffix, as a `.slc` one.
    @Test func theShardKeyDropsEveryPackedSuffix() {
        for suffix in [".slc", ".zst", ".lz4"] {
            #expect(Shard.key(of: FilePath("a/b.txt" + suffix), packing: false) == Array("a/b.txt".utf8))
        }
        #expect(Shard.key(of: FilePath("a/b.txt.zst"), packing: true) == Array("a/b.txt.zst".utf8))
        #expect(Shard.key(of: FilePath("a/b.txt.gz"), packing: false) == Array("a/b.txt.gz".utf8))
    }
}
