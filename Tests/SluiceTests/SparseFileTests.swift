import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// Sparse files (docs/performance.md, "Sparse files"): pack skips the holes of its input and records
/// chunks of zeros cheaply; unpack to a new regular file leaves holes where the plaintext is zeros, in
/// every format sluice reads, a range restore included; `--no-sparse` writes every block; pipes and
/// standard output get every byte.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct SparseFileTests {
    static let size = 24 << 20
    static let megabyte = 1 << 20

    /// A 24 MiB sparse file with ~1% data: holes at both ends, a whole chunk of data, a 4 KiB block in
    /// the middle of a chunk and a block of data that crosses a chunk boundary.
    private func makeSparse(_ path: FilePath, holesAtEnds: Bool = true) throws {
        let file = try FileDescriptor.open(path, .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
        defer { try? file.close() }
        let pieces: [(offset: Int, bytes: [UInt8])] = [
            (holesAtEnds ? 2 * Self.megabyte : 0, DataKind.text.bytes(count: Self.megabyte, seed: 1)),
            (9 * Self.megabyte + 12_288, DataKind.random.bytes(count: 4096, seed: 2)),
            (15 * Self.megabyte - 3000, DataKind.text.bytes(count: 6000, seed: 3)),
            (holesAtEnds ? 20 * Self.megabyte + 1 : Self.size - 100, DataKind.random.bytes(count: 100, seed: 4)),
        ]
        for piece in pieces { _ = try piece.bytes.withUnsafeBytes { try file.writeAll(toAbsoluteOffset: Int64(piece.offset), $0) } }
        try file.resize(to: Int64(Self.size))
    }

    /// 512-byte blocks allocated to the file at `path`.
    private func blocks(_ path: FilePath) throws -> Int64 { Int64(try allocatedBytes(path) / 512) }

    private func run(_ arguments: [String], in dir: FilePath) throws {
        let result = try SluiceProcess.run(arguments, in: dir)
        #expect(result.status == 0, "sluice \(arguments.joined(separator: " ")): \(result)")
    }

    /// The restored file is the source byte for byte and takes about as many blocks (the source's, plus
    /// a few for data that does not fill its blocks).
    private func expectRestored(_ restored: FilePath, like source: FilePath) throws {
        #expect(try readFile(restored) == readFile(source), "\(restored) differs from \(source)")
        let sourceBlocks = try blocks(source), restoredBlocks = try blocks(restored)
        #expect(restoredBlocks <= sourceBlocks + 64, "\(restored): \(restoredBlocks) blocks, the source \(sourceBlocks)")
    }

    static let packings: [[String]] = [
        ["--chunk-size", "1M"],
        ["--chunk-size", "1M", "--codec", "lz4"],
        ["--chunk-size", "1M", "--codec", "store"],
        ["--chunk-size", "1M", "--key-file", "key"],
        ["--format", "zstd"],
        ["--format", "lz4"],
    ]

    @Test(arguments: packings) func roundTripsWithItsHoles(_ packing: [String]) throws {
        try withTemporaryDirectory { dir in
            try makeSparse(dir.appending("x"))
            try writeFile(dir.appending("key"), DataKind.random.bytes(count: 32, seed: 9))
            chmod(dir.appending("key").string, 0o600)
            try run(["pack"] + packing + ["x", "-o", "x.packed"], in: dir)
            let keys = packing.contains("--key-file") ? ["--key-file", "key"] : []
            try run(["unpack"] + keys + ["x.packed", "-o", "y"], in: dir)
            try expectRestored(dir.appending("y"), like: dir.appending("x"))
            // Every chunk of zeros is recorded as a small frame: the packed file is a few % of the input
            // (stored, the zeros are kept as they are).
            guard !packing.contains("store") else { return }
            let packed = try #require(try FileSystem.status(ofPath: dir.appending("x.packed"))).size
            #expect(packed < Self.size / 16, "\(packed) bytes packed")
        }
    }

    /// Data right at the start and the end (no leading or trailing hole), and a file that is one hole.
    @Test func holesAtTheEndsOrEverywhere() throws {
        try withTemporaryDirectory { dir in
            try makeSparse(dir.appending("x"), holesAtEnds: false)
            try run(["pack", "--chunk-size", "1M", "x"], in: dir)
            try run(["unpack", "x.slc", "-o", "y"], in: dir)
            try expectRestored(dir.appending("y"), like: dir.appending("x"))

            let hole = try FileDescriptor.open(dir.appending("h"), .writeOnly, options: [.create], permissions: [.ownerReadWrite])
            try hole.resize(to: Int64(Self.size) + 12_345)
            try hole.close()
            try run(["pack", "--chunk-size", "1M", "h"], in: dir)
            #expect(try #require(try FileSystem.status(ofPath: dir.appending("h.slc"))).size < 64 << 10)
            try run(["unpack", "h.slc", "-o", "g"], in: dir)
            #expect(try #require(try FileSystem.status(ofPath: dir.appending("g"))).size == Self.size + 12_345)
            try expectRestored(dir.appending("g"), like: dir.appending("h"))
        }
    }

    /// `--no-sparse` writes every block; standard output (here a file the shell opened) gets every byte.
    @Test func noSparseAndStandardOutputWriteEveryBlock() throws {
        try withTemporaryDirectory { dir in
            try makeSparse(dir.appending("x"))
            try run(["pack", "--chunk-size", "1M", "x"], in: dir)
            try run(["unpack", "--no-sparse", "x.slc", "-o", "full"], in: dir)
            #expect(try readFile(dir.appending("full")) == readFile(dir.appending("x")))
            #expect(try blocks(dir.appending("full")) * 512 >= Int64(Self.size))
            let shell = try SluiceProcess.shell("\"$SLUICE\" unpack -c x.slc > out && \"$SLUICE\" pack -c < x | \"$SLUICE\" unpack -c > piped", in: dir)
            #expect(shell.status == 0, "\(shell)")
            #expect(try readFile(dir.appending("out")) == readFile(dir.appending("x")))
            #expect(try readFile(dir.appending("piped")) == readFile(dir.appending("x")))
            #expect(try blocks(dir.appending("out")) * 512 >= Int64(Self.size))
        }
    }

    /// A range restore leaves holes too, in `.slc` and standard zstd files.
    @Test(arguments: ["slc", "zstd"]) func rangeRestoreKeepsHoles(_ format: String) throws {
        try withTemporaryDirectory { dir in
            try makeSparse(dir.appending("x"))
            try run(["pack", "--format", format, "--chunk-size", "1M", "x", "-o", "x.packed"], in: dir)
            let start = Self.megabyte + 17, length = 15 * Self.megabyte
            try run(["unpack", "x.packed", "--range", "\(start):\(length)", "-o", "part"], in: dir)
            let whole = try readFile(dir.appending("x"))
            let part = try readFile(dir.appending("part"))
            #expect(part == Array(whole[start..<start + length]))
            #expect(try blocks(dir.appending("part")) <= (1_100_000 + 4096 * 4) / 512 + 64)
        }
    }

    /// A frame of zeros is an ordinary frame: a tampered checksum in one of the reused ones is caught.
    @Test func aDamagedFrameOfZerosIsCaught() throws {
        try withTemporaryDirectory { dir in
            let hole = try FileDescriptor.open(dir.appending("h"), .writeOnly, options: [.create], permissions: [.ownerReadWrite])
            try hole.resize(to: 8 << 20)
            try hole.close()
            try run(["pack", "--chunk-size", "1M", "h"], in: dir)
            var packed = try readFile(dir.appending("h.slc"))
            let layout = try SlcLayout(packed)
            // The checksum field of the fourth frame (after three identical frames of zeros were decoded).
            let frame = layout.frames[3]
            packed[frame.lowerBound + FrameHeader.fixedSize + 4] ^= 1
            try writeFile(dir.appending("bad.slc"), packed)
            let result = try SluiceProcess.run(["unpack", "bad.slc", "-o", "out"], in: dir)
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("frame 3"), "\(result)")
            #expect(!exists(dir.appending("out")))
        }
    }

    /// The hole finder: one `lseek` answers for the chunks up to the next data.
    @Test func theHoleFinderSeesHolesAndData() throws {
        try withTemporaryDirectory { dir in
            try makeSparse(dir.appending("x"))
            let input = try FileDescriptor.open(dir.appending("x"), .readOnly)
            defer { try? input.close() }
            var finder = HoleFinder(input, size: UInt64(Self.size))
            let mib = UInt64(Self.megabyte)
            let holeBlocks = try blocks(dir.appending("x")) * 512 < Int64(Self.size) / 2  // the file system keeps holes
            #expect(finder.isHole(0..<mib) == holeBlocks)
            #expect(finder.isHole(2 * mib..<3 * mib) == false)
            #expect(finder.isHole(3 * mib..<4 * mib) == holeBlocks)
            #expect(finder.isHole(9 * mib..<10 * mib) == false)
            #expect(finder.isHole(22 * mib..<23 * mib) == holeBlocks)
            finder.finish()
            #expect(try input.seek(offset: 0, from: .current) == 0)
        }
    }

    /// Zero blocks are skipped at any alignment; everything else lands where it belongs.
    @Test func sparseOutputSkipsOnlyZeroBlocks() throws {
        try withTemporaryDirectory { dir in
            let file = try FileDescriptor.open(dir.appending("o"), .readWrite, options: [.create], permissions: [.ownerReadWrite])
            defer { try? file.close() }
            var bytes = [UInt8](repeating: 0, count: 64 << 10)
            bytes[5000] = 1
            bytes[40_000] = 2
            bytes[65_535] = 3
            try bytes.withUnsafeBytes { try SparseOutput.write($0, to: file, at: 100) }
            try SparseOutput.write(ZeroRegion.bytes(1 << 20), to: file, at: 100 + (64 << 10))
            try SparseOutput.finish(file, size: 100 + (64 << 10) + (1 << 20))
            let back = try readFile(dir.appending("o"))
            #expect(back.count == 100 + (64 << 10) + (1 << 20))
            #expect(Array(back[100..<100 + (64 << 10)]) == bytes)
            #expect(back[..<100].allSatisfy { $0 == 0 } && back[(100 + (64 << 10))...].allSatisfy { $0 == 0 })
            #expect(try blocks(dir.appending("o")) <= 4 * 4096 / 512)
            #expect(ZeroRegion.isZero(UnsafeRawBufferPointer(start: nil, count: 0)))
            #expect(bytes.withUnsafeBytes { !ZeroRegion.isZero($0) })
        }
    }
}
