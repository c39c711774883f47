import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `--format zstd|lz4` against the real tools (Debian's `zstd`, `pzstd`, `lz4`, installed by `make deps`):
/// what sluice writes, they read byte for byte; what they write, sluice reads; damaged files fail
/// with exit 65 and leave nothing behind.
@Suite struct StandardInteropTests {
    /// Text with a stretch of random bytes (stored blocks), a few MiB: several frames at 256 KiB chunks.
    static let original = DataKind.text.bytes(count: 2 << 20) + DataKind.random.bytes(count: 300_000) + DataKind.text.bytes(count: 700_001, seed: 9)

    /// Runs `command` with `/bin/sh -c` in `directory`; returns its exit status.
    @discardableResult
    static func shell(_ command: String, in directory: FilePath) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory.string)
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func sluice(_ arguments: [String], in directory: FilePath) throws -> SluiceProcess.Result {
        try SluiceProcess.run(arguments, in: directory)
    }

    // MARK: sluice writes, the tools read

    @Test(arguments: [ContainerKind.zstd, .lz4])
    func toolsReadWhatSluiceWrites(format: ContainerKind) throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("in"), Self.original)
            let packed = try sluice(["pack", "-q", "--format", format.rawValue, "--chunk-size", "256K", "in"], in: dir)
            #expect(packed.status == 0, "\(packed)")
            let name = "in" + format.fileExtension
            let commands = format == .zstd
                ? ["zstd -q -d -c \(name) > out", "zstdcat \(name) > out", "zstd -q -d \(name) -o out -f"]
                : ["lz4 -q -d -c \(name) > out", "lz4 -q -d -f \(name) out"]
            for command in commands {
                try? FileManager.default.removeItem(atPath: dir.appending("out").string)
                #expect(try Self.shell(command, in: dir) == 0, "\(command)")
                #expect(try readFile(dir.appending("out")) == Self.original, "\(command)")
            }
            if format == .zstd {
                #expect(try Self.shell("zstd -q -t in.zst", in: dir) == 0)
                // One data frame per 256 KiB chunk, plus the seek table (a skippable frame).
                #expect(try Self.shell("zstd -l -v in.zst 2>&1 | grep -q 'Zstandard Frames: 12'", in: dir) == 0)
                #expect(try Self.shell("zstd -l -v in.zst 2>&1 | grep -q 'Skippable Frames: 1'", in: dir) == 0)
            } else {
                #expect(try Self.shell("lz4 -q -t in.lz4", in: dir) == 0)
            }
        }
    }

    /// A tar stream packed by sluice unpacks with `tar -I zstd -x`.
    @Test func tarReadsSluiceZstd() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir.appending("tree/sub").string, withIntermediateDirectories: true)
            try writeFile(dir.appending("tree/sub/a.txt"), Self.original)
            try writeFile(dir.appending("tree/b.bin"), DataKind.random.bytes(count: 70_000))
            #expect(try Self.shell("tar -cf tree.tar tree", in: dir) == 0)
            #expect(try sluice(["pack", "-q", "--chunk-size", "128K", "tree.tar", "-o", "tree.tar.zst"], in: dir).status == 0)
            try FileManager.default.createDirectory(atPath: dir.appending("x").string, withIntermediateDirectories: true)
            #expect(try Self.shell("tar -I zstd -xf tree.tar.zst -C x", in: dir) == 0)
            #expect(try readFile(dir.appending("x/tree/sub/a.txt")) == Self.original)
            #expect(try readFile(dir.appending("x/tree/b.bin")) == DataKind.random.bytes(count: 70_000))
        }
    }

    // MARK: the tools write, sluice reads

    static let peerCommands = [
        "zstd -q -1 in -o f.zst", "zstd -q -3 in -o f.zst", "zstd -q -19 in -o f.zst", "zstd -q -T2 in -o f.zst",
        "zstd -q --long=27 in -o f.zst", "zstd -q --rsyncable in -o f.zst", "cat in | zstd -q -c > f.zst",
        "pzstd -q -p 2 in -o f.zst", "zstd -q -c in > f.zst && zstd -q -c --no-check in >> f.zst",
        "lz4 -q in f.lz4", "lz4 -q -BD in f.lz4", "lz4 -q -l in f.lz4", "lz4 -q --content-size -B4 -BX in f.lz4",
        "lz4 -q -c in > f.lz4 && lz4 -q -c -BD in >> f.lz4",
    ]

    @Test(arguments: peerCommands)
    func sluiceReadsWhatToolsWrite(command: String) throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("in"), Self.original)
            #expect(try Self.shell(command, in: dir) == 0)
            let file = command.contains("f.zst") ? "f.zst" : "f.lz4"
            let doubled = command.contains(">>")
            let expected = doubled ? Self.original + Self.original : Self.original
            let unpacked = try sluice(["unpack", "-q", file, "-o", "out"], in: dir)
            #expect(unpacked.status == 0, "\(unpacked)")
            #expect(try readFile(dir.appending("out")) == expected)
            // From a pipe (streamed) and verify.
            let piped = try SluiceProcess.run(["unpack", "-q", "-c", "-"], in: dir, stdin: dir.appending(file))
            #expect(piped.status == 0 && piped.stdout == expected, "\(piped)")
            #expect(try sluice(["verify", "-q", file], in: dir).status == 0)
            // A byte range from the middle.
            let ranged = try sluice(["unpack", "-q", "-c", "--range", "2000000:100000", file], in: dir)
            #expect(ranged.status == 0 && ranged.stdout == Array(expected[2_000_000..<2_100_000]), "\(ranged)")
        }
    }

    /// An LZ4 legacy block of incompressible bytes is stored in more than 4 MiB (LZ4_compressBound of
    /// 8 MiB), more than the stream decoder's input window starts with: decoded front to back from a
    /// regular file (a memory limit too small for two 8 MiB jobs), the window grows to hold it instead of
    /// calling the file truncated.
    @Test func aLegacyBlockLargerThanTheInputWindowIsStreamed() throws {
        try withTemporaryDirectory { dir in
            let original = DataKind.random.bytes(count: 9 << 20)
            try writeFile(dir.appending("in"), original)
            #expect(try Self.shell("lz4 -q -l in f.lz4", in: dir) == 0)
            let report = try Pipeline.unpackFile(
                dir.appending("f.lz4"), to: .file(dir.appending("out"), overwrite: false), key: { _ in nil }, workers: 2,
                memoryLimit: .mebibytes(12))
            #expect(report.statistics == nil, "decoded front to back")
            #expect(try readFile(dir.appending("out")) == original)
        }
    }

    // MARK: damaged files

    enum Damage: String, CaseIterable, Sendable {
        case truncated, bitFlip, lyingTable, tableSize, garbageAfter
    }

    @Test(arguments: [ContainerKind.zstd, .lz4], Damage.allCases)
    func damagedFilesFail(format: ContainerKind, damage: Damage) throws {
        if format == .lz4, damage == .lyingTable || damage == .tableSize { return }
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("in"), Self.original)
            #expect(try sluice(["pack", "-q", "--format", format.rawValue, "--chunk-size", "256K", "in", "-o", "p"], in: dir).status == 0)
            var bytes = try readFile(dir.appending("p"))
            switch damage {
            case .truncated: bytes.removeLast(bytes.count / 3)
            case .bitFlip: bytes[bytes.count / 2] ^= 0x04
            case .garbageAfter: bytes += [0x11, 0x22, 0x33, 0x44, 0x55]
            case .lyingTable:
                // The second entry's plaintext size, one more than it is.
                let entry = bytes.count - 9 - 12 * 11
                bytes.setLittleEndian(bytes.littleEndian(at: entry + 4, as: UInt32.self) + 1, at: entry + 4)
            case .tableSize:
                // The first frame's compressed size, one less: the frames no longer add up to the file.
                let entry = bytes.count - 9 - 12 * 12
                bytes.setLittleEndian(bytes.littleEndian(at: entry, as: UInt32.self) - 1, at: entry)
            }
            try writeFile(dir.appending("bad"), bytes)
            let unpacked = try sluice(["unpack", "bad", "-o", "out"], in: dir)
            #expect(unpacked.status == 65, "\(unpacked)")
            #expect(unpacked.stderrLines.count == 1, "one error line: \(unpacked.stderr)")
            #expect(!exists(dir.appending("out")), "nothing is published")
            #expect(try leftoverTemporaryFiles(in: dir).isEmpty)
            #expect(try sluice(["verify", "-q", "bad"], in: dir).status == 65)
            let piped = try SluiceProcess.run(["unpack", "-q", "-c", "-"], in: dir, stdin: dir.appending("bad"))
            // The stream reader does not read the seek table: a lying table alone still decodes right.
            if damage != .lyingTable, damage != .tableSize { #expect(piped.status == 65, "\(piped)") }
        }
    }

    // MARK: options

    @Test func encryptionIsRefused() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("in"), Self.original)
            try writeFile(dir.appending("k.key"), [UInt8](repeating: 7, count: 32))
            for arguments in [["--format", "zstd", "--cipher", "aes-256-gcm"], ["--format", "lz4", "--key-file", "k.key"],
                              ["-o", "x.zst", "--cipher", "chacha20-poly1305"]] {
                let result = try sluice(["pack", "-q", "in"] + arguments, in: dir)
                #expect(result.status == 64, "\(result)")
                #expect(result.stderrLines.count == 1 && result.stderr.contains("encryption"), "\(result)")
            }
            let wrongCodec = try sluice(["pack", "-q", "in", "--format", "zstd", "--codec", "brotli"], in: dir)
            #expect(wrongCodec.status == 64, "\(wrongCodec)")
            let bigChunk = try sluice(["pack", "-q", "in", "--format", "zstd", "--chunk-size", "256M"], in: dir)
            #expect(bigChunk.status == 64 && bigChunk.stderr.contains("128"), "\(bigChunk)")
            #expect(try directoryListing(dir).sorted() == ["in", "k.key"], "nothing written")
        }
    }

    /// The output name picks the format; inspect reads the seek table without decoding.
    @Test func nameChoosesFormatAndInspectReadsTable() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("in"), Self.original)
            #expect(try sluice(["pack", "-q", "in", "-o", "a.zst", "--chunk-size", "1M"], in: dir).status == 0)
            #expect(try readFile(dir.appending("a.zst")).prefix(4) == [0x28, 0xB5, 0x2F, 0xFD])
            #expect(try sluice(["pack", "-q", "in", "-o", "a.lz4"], in: dir).status == 0)
            #expect(try readFile(dir.appending("a.lz4")).prefix(4) == [0x04, 0x22, 0x4D, 0x18])
            let inspected = try sluice(["inspect", "--json", "a.zst"], in: dir)
            let object = try JSONSerialization.jsonObject(with: Data(inspected.stdout)) as? [String: Any]
            #expect(object?["format"] as? String == "zstd")
            #expect(object?["access"] as? String == "seek table")
            #expect(object?["frames"] as? Int == 3, "3 MiB in 1 MiB chunks")
            #expect(object?["original_size"] as? Int == Self.original.count)
            // unpack strips the extension.
            try FileManager.default.removeItem(atPath: dir.appending("in").string)
            #expect(try sluice(["unpack", "-q", "a.zst"], in: dir).status == 0)
            #expect(try readFile(dir.appending("a")) == Self.original)
        }
    }

    // MARK: fuzz seeds

    static let seedDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    static let seeds = ["zstd", "lz4"].flatMap { folder in
        ((try? FileManager.default.contentsOfDirectory(atPath: seedDirectory.appendingPathComponent(folder).path)) ?? [])
            .sorted().map { "\(folder)/\($0)" }
    }

    @Test func seedsAreThere() { #expect(Self.seeds.count >= 16) }

    /// Every seed of the zstd and lz4 fuzz targets (Tests/Fuzz/corpus/zstd, lz4) is a valid file: the
    /// file reader and the stream reader decode it to the same bytes.
    @Test(arguments: seeds)
    func seedDecodes(_ name: String) throws {
        let path = FilePath(Self.seedDirectory.appendingPathComponent(name).path)
        try withTemporaryDirectory { dir in
            let file = try sluice(["unpack", "-q", path.string, "-o", "out"], in: dir)
            #expect(file.status == 0, "\(file)")
            let streamed = try SluiceProcess.run(["unpack", "-q", "-c", "-"], in: dir, stdin: path)
            #expect(streamed.status == 0, "\(streamed)")
            #expect(try readFile(dir.appending("out")) == streamed.stdout)
        }
    }
}
