import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `--shard I/N`: the split of a tree by path hash (docs/scale-out.md).
@Suite struct ShardTests {
    /// A tree with nested directories, a file over the small-file limit, an empty file and odd names.
    static func makeTree(_ scratch: Scratch, files: Int = 60) throws {
        for index in 0..<files { try scratch.text("in/d\(index % 4)/e\(index % 3)/f\(index).txt", lines: 20 + index, seed: index) }
        try scratch.text("in/large.log", lines: 40_000)
        try scratch.file("in/empty", [])
        try scratch.text("in/name with spaces and ünïcode.txt", lines: 5)
        // A quote and a backslash: escaped in the manifest, so the merge parses such lines in full.
        try scratch.text("in/d1/quote\"and\\back.txt", lines: 7)
    }

    static func options(_ scratch: Scratch, shard: Shard?, manifest: String?) throws -> (inout BatchOptions) -> Void {
        let selection = try shard.map { try ShardSelection(shard: $0, retry: nil) }
        return { options in
            options.selection = selection
            options.manifest = manifest.map { FilePath(scratch.path($0)) }
        }
    }

    /// The entries of a manifest, and its closing record.
    static func read(_ path: String) throws -> ([ManifestEntry], ManifestTotals?) {
        var entries: [ManifestEntry] = []
        var totals: ManifestTotals?
        try ManifestReader.read(FilePath(path)) { record in
            switch record {
            case .file(let entry): entries.append(entry)
            case .totals(let last): totals = last
            }
        }
        return (entries, totals)
    }

    @Test func xxh3KnownAnswerAndStableAssignment() throws {
        // XXH3_64bits of the empty input, seed 0 (xxHash's sanity vectors): the hash the split rests on.
        #expect(XXH3.hash64([UInt8]()) == 0x2D06_8005_38D3_94C2)
        #expect(Shard.index(ofKey: [], count: 1 << 20) == Int(0x2D06_8005_38D3_94C2 % UInt64(1 << 20)))
        // The same path falls in the same shard however it is spelled to the walker, and unpacking
        // drops `.slc` first, so a file and its packed form fall together.
        for count in [1, 2, 3, 4, 7, 1000] {
            for path in ["a", "d0/e1/f17.txt", "x y/ü.bin", "deep/er/still/file"] {
                let key = Array(path.utf8)
                let expected = Int(XXH3.hash64(key) % UInt64(count))
                #expect(Shard.index(ofKey: key, count: count) == expected)
                let shard = try Shard(index: expected, count: count)
                #expect(shard.contains(FilePath(path), packing: true))
                #expect(shard.contains(FilePath(path + ".slc"), packing: false))
                if count > 1 {
                    #expect(!(try Shard(index: (expected + 1) % count, count: count)).contains(FilePath(path), packing: true))
                }
            }
        }
    }

    @Test func parsingAndEnvironment() throws {
        #expect(try Shard(parsing: "2/8") == Shard(index: 2, count: 8))
        for bad in ["", "1", "4/4", "-1/4", "0/0", "a/b", "1/2/3", "0/2000000"] {
            #expect(throws: SluiceError.self) { try Shard(parsing: bad) }
        }
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"], count: nil) == Shard(index: 3, count: 4))
        // A retry of one task (`sbatch --array=2`): the count comes from --shards.
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "1"], count: 4) == Shard(index: 2, count: 4))
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1"], count: 4) == Shard(index: 1, count: 4))
        #expect(throws: SluiceError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1"], count: nil) }
        #expect(throws: SluiceError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2"], count: nil) }
        #expect(throws: SluiceError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"], count: nil) }
        #expect(throws: SluiceError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4"], count: nil) }
        #expect(throws: SluiceError.self) { try Shard.fromEnvironment([:], count: 4) }
    }

    @Test func unionOfShardsIsTheUnshardedOutputAndNoFileIsInTwo() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        let whole = try BatchTesting.pack(scratch.path("in"), to: scratch.path("whole")).0
        #expect(whole.filesFailed == 0)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("in/d0/link"), withDestinationPath: "e0")
        var seen: [String: Int] = [:]
        var skipped: [String] = []
        var written = 0
        for index in 0..<4 {
            let shard = try Shard(index: index, count: 4)
            let (report, _) = try BatchTesting.pack(
                scratch.path("in"), to: scratch.path("sharded"), configure: try Self.options(scratch, shard: shard, manifest: "m\(index).jsonl"))
            #expect(report.filesFailed == 0)
            written += report.filesOK
            #expect(report.skipped[.otherShard] ?? 0 == whole.filesOK - report.filesOK)
            let (entries, totals) = try Self.read(scratch.path("m\(index).jsonl"))
            #expect(totals?.covers == [index] && totals?.shards == 4 && totals?.filesOK == report.filesOK)
            for entry in entries where entry.status == .skipped {
                #expect(entry.shard == index && entry.message == "symlink")
                skipped.append(entry.path.string)
            }
            for entry in entries where entry.status != .skipped {
                #expect(entry.status == .ok)
                #expect(entry.shard == index)
                #expect(seen.updateValue(index, forKey: entry.path.string) == nil, "\(entry.path) in two shards")
                let output = try #require(entry.output)
                #expect(entry.digest == ManifestWriter.digest(of: FilePath(scratch.path("sharded")).pushing(output)))
                #expect(entry.size == BatchTesting.stamp(scratch.path("in/\(entry.path)"))?.size)
            }
        }
        #expect(written == whole.filesOK)
        #expect(skipped == ["d0/link"], "a link every shard walks past is recorded by one shard")
        #expect(seen.count == whole.filesOK)
        // Unencrypted outputs are deterministic: the union is byte for byte the unsharded run.
        #expect(scratch.files(under: "sharded") == scratch.files(under: "whole"))
        for file in scratch.files(under: "whole") {
            #expect(scratch.contents("sharded/\(file)") == scratch.contents("whole/\(file)"), "\(file)")
        }
        // Unpacking shard i of the packed tree takes exactly the files packing shard i wrote.
        for index in 0..<4 {
            let shard = try Shard(index: index, count: 4)
            let (report, _) = try BatchTesting.unpack(
                scratch.path("sharded"), to: scratch.path("back"), configure: try Self.options(scratch, shard: shard, manifest: "u\(index).jsonl"))
            #expect(report.filesFailed == 0)
            let packed = try Self.read(scratch.path("m\(index).jsonl")).0.filter { $0.status == .ok }.map { $0.path.string + ".slc" }.sorted()
            let unpacked = try Self.read(scratch.path("u\(index).jsonl")).0.map(\.path.string).sorted()
            #expect(packed == unpacked)
        }
        BatchRoundTripTests.expectSameTree(scratch, "in", "back")
        // The restored empty file's digest is XXH3-128 of nothing (xxHash's sanity vector).
        let unpackedEntries = try (0..<4).flatMap { try Self.read(scratch.path("u\($0).jsonl")).0 }
        #expect(unpackedEntries.first { $0.path.string == "empty.slc" }?.digest == "xxh128:99aa06d3014798d86001c324468d497f")
    }

    @Test func rerunningAShardIsIdempotent() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch, files: 20)
        let shard = try Shard(index: 1, count: 3)
        let first = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"), configure: try Self.options(scratch, shard: shard, manifest: "m.jsonl")).0
        let before = try Self.read(scratch.path("m.jsonl")).0
        let stamps = scratch.files(under: "out").map { BatchTesting.stamp(scratch.path("out/\($0)"))?.nanoseconds }
        let again = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"), configure: try Self.options(scratch, shard: shard, manifest: "m.jsonl")).0
        #expect(first.filesOK > 0 && again.filesOK == 0 && again.filesFailed == 0)
        #expect(again.skipped[.upToDate] == first.filesOK)
        let after = try Self.read(scratch.path("m.jsonl")).0
        #expect(after.allSatisfy { $0.status == .upToDate })
        #expect(Set(after.map { "\($0.path) \($0.digest ?? "")" }) == Set(before.map { "\($0.path) \($0.digest ?? "")" }))
        #expect(scratch.files(under: "out").map { BatchTesting.stamp(scratch.path("out/\($0)"))?.nanoseconds } == stamps)
        #expect(!scratch.files(under: "").contains { $0.hasSuffix(".tmp") }, "no temporary file left")
    }

    @Test func manifestLinesRoundTripOddNames() throws {
        var entry = ManifestEntry(path: FilePath(bytes: [0x61, 0xFF, 0x2F, 0x22, 0x0A]), status: .failed)
        entry.message = "quote \" backslash \\ tab \t"
        entry.size = 12
        entry.modification = 1_764_236_400_123_456_789
        entry.shard = 3
        let line = entry.jsonLine
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(record["path_base64"] as? String == "Yf8vIgo=")
        #expect(try ManifestEntry(record: record) == entry)
    }
}
