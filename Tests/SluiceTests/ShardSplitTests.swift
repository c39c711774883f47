import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `--shard-split`: a file larger than the threshold packed in chunk ranges by several shards and
/// assembled into one `.slc` (docs/scale-out.md, *Large files*), through the CLI.
@Suite struct ShardSplitTests {
    static let split = ["--shard-split", "256K", "--chunk-size", "64K"]

    /// The small-file tree of ``ShardTests``, a compressible file of six ranges (the last one short) and
    /// an incompressible one of three (packed with the store codec in every shard alike), and one of
    /// exactly the threshold (not split).
    static func makeTree(_ scratch: Scratch) throws {
        try ShardTests.makeTree(scratch, files: 20)
        try scratch.text("in/big/huge.log", lines: 23_000)
        var generator = SystemRandomNumberGenerator()
        try scratch.file("in/random.bin", (0..<(600 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try scratch.file("in/exact.bin", [UInt8](repeating: 7, count: 256 << 10))
    }

    static func pack(_ scratch: Scratch, shard: Int, to output: String = "sharded", _ extra: [String] = []) throws -> (status: Int32, stderr: String) {
        let run = try BatchTesting.cli(["pack", scratch.path("in"), "-o", scratch.path(output), "--shard", "\(shard)/4", "-q"] + split + extra)
        return (run.status, run.stderr)
    }

    static func parts(_ entries: [ManifestEntry], _ path: String) -> [ManifestEntry] {
        entries.filter { $0.path.string == path && $0.range != nil }
    }

    @Test func largeFilesAreSplitAcrossShardsAndAssembledByteForByte() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        let huge = try #require(scratch.contents("in/big/huge.log"))
        #expect(huge.count > 5 * (256 << 10) && huge.count < 6 * (256 << 10))
        let whole = try BatchTesting.cli(["pack", scratch.path("in"), "-o", scratch.path("whole"), "--chunk-size", "64K", "-q"])
        #expect(whole.status == 0, "\(whole.stderr)")
        // A part left by a task that died (garbage under a part's name) is not taken as done.
        let key = Array("big/huge.log".utf8)
        let home = Shard.index(ofKey: key, count: 4)
        try scratch.file("sharded/big/.huge.log.slc.sluice-part-0-of-6.tmp", Array("not a part".utf8))
        for index in 0..<4 {
            let run = try Self.pack(scratch, shard: index)
            #expect(run.status == 0, "\(run.stderr)")
        }
        // The assembly comes before the directories get their mtimes: the last shard leaves them mirrored.
        let directory = BatchTesting.stamp(scratch.path("sharded/big")), source = BatchTesting.stamp(scratch.path("in/big"))
        #expect(directory?.seconds == source?.seconds && directory?.nanoseconds == source?.nanoseconds)
        // The union of the shards is byte for byte the unsharded pack, and no part is left.
        #expect(scratch.files(under: "sharded") == scratch.files(under: "whole"))
        for file in scratch.files(under: "whole") {
            #expect(scratch.contents("sharded/\(file)") == scratch.contents("whole/\(file)"), "\(file)")
        }
        let manifests = (0..<4).map { scratch.path("sharded.shard-\($0)-of-4.jsonl") }
        let entries = try manifests.flatMap { try ShardTests.read($0).0 }
        // Each range in exactly one shard, the one its index says: round the shards from the file's own.
        for (path, count) in [("big/huge.log", 6), ("random.bin", 3)] {
            let parts = Self.parts(entries, path)
            #expect(parts.map { $0.range! }.sorted() == Array(0..<count), "\(path)")
            let base = Shard.index(ofKey: Array(path.utf8), count: 4)
            for part in parts {
                #expect(part.ranges == count && part.status == .ok && part.shard == (base + part.range!) % 4)
                #expect(part.output?.string.contains(".sluice-part-\(part.range!)-of-\(count).tmp") == true)
            }
            #expect(Set(parts.map(\.shard)).count == min(count, 4), "the ranges of \(path) spread over the shards")
            let assembled = entries.filter { $0.path.string == path && $0.range == nil }
            #expect(assembled.count == 1 && assembled.first?.status == .ok && assembled.first?.ranges == count)
            #expect(assembled.first?.digest == ManifestWriter.digest(of: FilePath(scratch.path("sharded/\(path).slc"))))
        }
        #expect(Shard.index(ofKey: key, count: 4) == home)
        #expect(Self.parts(entries, "exact.bin").isEmpty, "a file of exactly the threshold is not split")
        let merge = try BatchTesting.cli(["manifest", "merge"] + manifests + ["-o", scratch.path("merged.jsonl")])
        #expect(merge.status == 0, "\(merge.stderr)")
        let back = try BatchTesting.cli(["unpack", scratch.path("sharded"), "-o", scratch.path("back"), "-q"])
        #expect(back.status == 0, "\(back.stderr)")
        BatchRoundTripTests.expectSameTree(scratch, "in", "back")
        // Rerunning a shard (a scheduler's retry) finds everything up to date and writes nothing.
        let before = BatchTesting.stamp(scratch.path("sharded/big/huge.log.slc"))?.nanoseconds
        let again = try Self.pack(scratch, shard: home, ["--manifest", scratch.path("again.jsonl")])
        #expect(again.status == 0)
        let rerun = try ShardTests.read(scratch.path("again.jsonl"))
        #expect(rerun.1?.filesOK == 0 && rerun.0.allSatisfy { $0.status == .upToDate || $0.status == .skipped })
        #expect(BatchTesting.stamp(scratch.path("sharded/big/huge.log.slc"))?.nanoseconds == before)
    }

    @Test func aDeadShardLeavesTheFileUnassembledAndItsRetryCompletesIt() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        // Shard 2 "died" before writing anything: every file with a range in it stays in parts.
        for index in [0, 1, 3] { #expect(try Self.pack(scratch, shard: index).status == 0) }
        #expect(!scratch.exists("sharded/big/huge.log.slc"))
        #expect(scratch.exists("sharded/big/.huge.log.slc.sluice-part-0-of-6.tmp") || scratch.exists("sharded/big/.huge.log.slc.sluice-part-1-of-6.tmp"))
        let manifests = [0, 1, 3].map { scratch.path("sharded.shard-\($0)-of-4.jsonl") }
        let merge = try BatchTesting.cli(["manifest", "merge"] + manifests + ["-o", scratch.path("merged.jsonl")])
        #expect(merge.status == 1)
        let (merged, totals) = try ShardTests.read(scratch.path("merged.jsonl"))
        #expect(totals?.missing == [2])
        let unassembled = merged.filter { $0.status == .failed }
        // The split files (over 256 KiB) with a range in shard 2.
        let sizes = ["big/huge.log", "large.log", "random.bin"].map { ($0, BatchTesting.stamp(scratch.path("in/\($0)"))!.size) }
        let waiting = sizes.filter { path, size in
            (0..<SplitRange.count(fileSize: size, rangeSize: 256 << 10)).contains {
                SplitRange.shard(ofKey: Array(path.utf8), range: $0, shards: 4) == 2
            }
        }.map(\.0)
        #expect(waiting.contains("big/huge.log"))
        #expect(unassembled.map(\.path.string).sorted() == waiting)
        #expect(unassembled.allSatisfy { $0.message?.contains("not assembled") == true })
        // The scheduler reruns task 2 only: it packs its ranges, finds every part and assembles.
        let retry = try Self.pack(scratch, shard: 2, ["--retry-failed", scratch.path("merged.jsonl")])
        #expect(retry.status == 0, "\(retry.stderr)")
        let final = try BatchTesting.cli(["manifest", "merge", scratch.path("merged.jsonl"), scratch.path("sharded.retry-2-of-4.jsonl"), "-o", scratch.path("final.jsonl")])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try ShardTests.read(scratch.path("final.jsonl")).0.allSatisfy { $0.status != .failed })
        #expect(!scratch.files(under: "sharded").contains { $0.contains(".sluice-part-") })
        let back = try BatchTesting.cli(["unpack", scratch.path("sharded"), "-o", scratch.path("back"), "-q"])
        #expect(back.status == 0, "\(back.stderr)")
        BatchRoundTripTests.expectSameTree(scratch, "in", "back")
    }

    @Test func encryptedAndOptionsThatCannotSplitPackFilesWhole() throws {
        let scratch = try Scratch()
        try scratch.text("in/big.log", lines: 23_000)
        try scratch.file("key", (0..<32).map { UInt8($0) })
        for index in 0..<4 {
            let run = try Self.pack(scratch, shard: index, ["--key-file", scratch.path("key")])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let entries = try (0..<4).flatMap { try ShardTests.read(scratch.path("sharded.shard-\($0)-of-4.jsonl")).0 }
        #expect(entries.filter { $0.status == .ok }.map(\.path.string) == ["big.log"])
        #expect(entries.allSatisfy { $0.range == nil && $0.ranges == nil })
        // --shard-split is for a sharded pack.
        let alone = try BatchTesting.cli(["pack", scratch.path("in"), "-o", scratch.path("x"), "--shard-split", "1M"])
        #expect(alone.status == 64 && alone.stderr.contains("--shard-split goes with --shard"), "\(alone.stderr)")
    }

    @Test func partsThatDoNotBelongTogetherAreRefused() throws {
        let scratch = try Scratch()
        try scratch.text("in/big.log", lines: 23_000)
        let source = FilePath(scratch.path("in/big.log"))
        let size = try #require(BatchTesting.stamp(source.string)?.size)
        var options = try BatchTesting.packOptions()
        let range = { SplitRange(index: $0, count: SplitRange.count(fileSize: size, rangeSize: 256 << 10), size: 256 << 10) }
        let count = range(0).count
        let status = try #require(try FileSystem.status(ofPath: source))
        let parts = (0..<count).map { FilePath(scratch.path("part-\($0)")) }
        for index in 0..<count {
            // The level differs in one part: its header differs, and the assembly refuses it.
            options.codec = try CodecSettings(.zstd, level: index == 1 ? 5 : 3)
            _ = try SplitAssembly.pack(source, range: range(index), to: parts[index], options: options, chunkSize: 64 << 10)
            #expect(SplitAssembly.partIsCurrent(parts[index], range: range(index), source: status))
        }
        let output = FilePath(scratch.path("out.slc"))
        #expect(throws: SluiceError.self) { try SplitAssembly.assemble(parts, to: output, overwrite: false, mode: 0o644) }
        // A missing range (parts out of order) and a missing final part are refused too.
        #expect(throws: SluiceError.self) { try SplitAssembly.assemble([parts[0]], to: output, overwrite: false, mode: 0o644) }
        #expect(!scratch.exists("out.slc"))
        // A part is current only for its range's length and its source's size and mtime.
        #expect(!SplitAssembly.partIsCurrent(parts[0], range: range(count - 1), source: status))
        var touched = status
        touched.modificationNanoseconds = (status.modificationNanoseconds + 1) % 1_000_000_000
        #expect(!SplitAssembly.partIsCurrent(parts[0], range: range(0), source: touched))
    }
}
