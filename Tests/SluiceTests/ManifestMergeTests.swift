import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `sluice manifest merge`, `--retry-failed`, `--shard auto` and their error paths, through the CLI.
@Suite struct ManifestMergeTests {
    static func sluice(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try BatchTesting.cli(arguments, environment: environment)
    }

    static func paths(_ path: String) throws -> [String] {
        try ShardTests.read(path).0.map(\.path.string).sorted()
    }

    @Test func mergeReportsMissingAndFailedAndRetryRerunsOnlyThose() throws {
        let scratch = try Scratch()
        try ShardTests.makeTree(scratch, files: 40)
        // Find a file of shard 0 and block its output, so that it fails.
        let victim = try #require(scratch.files(under: "in").first { try! Shard(index: 0, count: 4).contains(FilePath($0), packing: true) })
        try scratch.directory("out/\(victim).slc")
        for index in 0..<4 {
            let run = try Self.sluice(["pack", scratch.path("in"), "-o", scratch.path("out"), "--shard", "\(index)/4", "-q"])
            #expect(run.status == (index == 0 ? 1 : 0), "\(run.stderr)")
            #expect(scratch.exists("out.shard-\(index)-of-4.jsonl"), "the default manifest beside OUT")
        }
        // Shard 2's task "died": its manifest never appeared.
        let lost = try Self.paths(scratch.path("out.shard-2-of-4.jsonl"))
        try FileManager.default.removeItem(atPath: scratch.path("out.shard-2-of-4.jsonl"))
        let inputs = [0, 1, 3].map { scratch.path("out.shard-\($0)-of-4.jsonl") }
        let merge = try Self.sluice(["manifest", "merge"] + inputs + ["-o", scratch.path("merged.jsonl")])
        #expect(merge.status == 1)
        #expect(merge.stderr.contains("1 of 4 shards missing: 2"), "\(merge.stderr)")
        #expect(merge.stderr.contains("failed: \(victim)"))
        let (entries, totals) = try ShardTests.read(scratch.path("merged.jsonl"))
        #expect(totals?.kind == .merge && totals?.missing == [2] && totals?.filesFailed == 1)
        #expect(entries.filter { $0.status == .failed }.map(\.path.string) == [victim])

        // The retry reruns the failed file and every file of shard 2, and nothing else.
        try FileManager.default.removeItem(atPath: scratch.path("out/\(victim).slc"))
        let retry = try Self.sluice([
            "pack", scratch.path("in"), "-o", scratch.path("out"), "--retry-failed", scratch.path("merged.jsonl"), "-q",
        ])
        #expect(retry.status == 0, "\(retry.stderr)")
        let retried = try ShardTests.read(scratch.path("out.retry.jsonl"))
        #expect(retried.0.map(\.path.string).sorted() == (lost + [victim]).sorted())
        #expect(retried.0.filter { $0.path.string == victim }.map(\.status) == [.ok])
        #expect(retried.1?.covers == [2] && retried.1?.retry == true)
        let final = try Self.sluice(["manifest", "merge", scratch.path("merged.jsonl"), scratch.path("out.retry.jsonl"), "-o", scratch.path("final.jsonl")])
        #expect(final.status == 0, "\(final.stderr)")
        let (all, closing) = try ShardTests.read(scratch.path("final.jsonl"))
        #expect(closing?.missing == [] && closing?.filesFailed == 0)
        #expect(all.count == scratch.files(under: "in").count)
        #expect(Set(all.map(\.path.string)).count == all.count)
        let back = try Self.sluice(["unpack", scratch.path("out"), "-o", scratch.path("back"), "-q"])
        #expect(back.status == 0)
        BatchRoundTripTests.expectSameTree(scratch, "in", "back")
    }

    @Test func retryOfOneShardTakesOnlyThatShard() throws {
        let scratch = try Scratch()
        try ShardTests.makeTree(scratch, files: 30)
        for index in [0, 2] {
            #expect(try Self.sluice(["pack", scratch.path("in"), "-o", scratch.path("out"), "--shard", "\(index)/3", "-q"]).status == 0)
        }
        let merge = try Self.sluice([
            "manifest", "merge", scratch.path("out.shard-0-of-3.jsonl"), scratch.path("out.shard-2-of-3.jsonl"),
            scratch.path("out.shard-1-of-3.jsonl"), "-o", scratch.path("m.jsonl"),
        ])
        #expect(merge.status == 1)
        #expect(merge.stderr.contains("out.shard-1-of-3.jsonl: cannot open"), "an absent manifest is reported")
        #expect(merge.stderr.contains("1 of 3 shards missing: 1"))
        // Slurm's retry of task 1 alone: SLURM_ARRAY_TASK_COUNT is 1, --shards says 3.
        let retry = try Self.sluice(
            ["pack", scratch.path("in"), "-o", scratch.path("out"), "--shard", "auto", "--shards", "3", "--retry-failed", scratch.path("m.jsonl"), "-q"],
            environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "1"])
        #expect(retry.status == 0, "\(retry.stderr)")
        let entries = try ShardTests.read(scratch.path("out.retry-1-of-3.jsonl")).0
        #expect(!entries.isEmpty && entries.allSatisfy { $0.shard == 1 && $0.status == .ok })
        // Retrying shard 0 of that merge has nothing to do.
        let none = try Self.sluice(
            ["pack", scratch.path("in"), "-o", scratch.path("out"), "--shard", "0/3", "--retry-failed", scratch.path("m.jsonl"), "-q"])
        #expect(none.status == 0)
        #expect(try ShardTests.read(scratch.path("out.retry-0-of-3.jsonl")).0.isEmpty)
    }

    /// The Kubernetes contract: an Indexed Job's pod i (JOB_COMPLETION_INDEX=i, --shard auto --shards N)
    /// takes the same files as `--shard i/N` and as Slurm's task i.
    @Test func jobCompletionIndexGivesTheSameShardsAsSlurmAndExplicit() throws {
        let scratch = try Scratch()
        try ShardTests.makeTree(scratch, files: 30)
        for index in 0..<3 {
            let explicit = try Self.sluice(["pack", scratch.path("in"), "-o", scratch.path("a"), "--shard", "\(index)/3", "-q"])
            let kubernetes = try Self.sluice(
                ["pack", scratch.path("in"), "-o", scratch.path("k"), "--shard", "auto", "--shards", "3", "-q"],
                environment: ["JOB_COMPLETION_INDEX": "\(index)"])
            let slurm = try Self.sluice(
                ["pack", scratch.path("in"), "-o", scratch.path("s"), "--shard", "auto", "-q"],
                environment: ["SLURM_ARRAY_TASK_ID": "\(index)", "SLURM_ARRAY_TASK_COUNT": "3"])
            #expect(explicit.status == 0 && kubernetes.status == 0 && slurm.status == 0, "\(kubernetes.stderr) \(slurm.stderr)")
            let expected = try Self.paths(scratch.path("a.shard-\(index)-of-3.jsonl"))
            #expect(!expected.isEmpty)
            #expect(try Self.paths(scratch.path("k.shard-\(index)-of-3.jsonl")) == expected)
            #expect(try Self.paths(scratch.path("s.shard-\(index)-of-3.jsonl")) == expected)
        }
        #expect(scratch.files(under: "k") == scratch.files(under: "in").map { $0 + ".slc" })
    }

    @Test func badOptionsAndBadManifestsAreOneLineErrors() throws {
        let scratch = try Scratch()
        try ShardTests.makeTree(scratch, files: 6)
        let input = scratch.path("in"), out = scratch.path("out")
        func expectUsage(_ arguments: [String], environment: [String: String] = [:], _ message: String) throws {
            let run = try Self.sluice(arguments, environment: environment)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(run.stderr)")
        }
        try expectUsage(["pack", input, "-o", out, "--shard", "4/4"], "shard 4 is not one of 0…3")
        try expectUsage(["pack", input, "-o", out, "--shard", "x"], "--shard takes I/N")
        try expectUsage(["pack", input, "-o", out, "--shard", "auto"], "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX")
        try expectUsage(["pack", input, "-o", out, "--shard", "auto"], environment: ["JOB_COMPLETION_INDEX": "0"], "needs --shards N")
        try expectUsage(["pack", input, "-o", out, "--shards", "4"], "--shards goes with --shard auto")
        try expectUsage(["pack", scratch.path("in/empty"), "--shard", "0/2"], "take a directory")
        try expectUsage(["pack", input, "-o", out, "--dry-run", "--manifest", scratch.path("m")], "--dry-run writes no manifest")
        try expectUsage(["pack", input, "-o", ".", "--shard", "0/2"], "give --manifest FILE")
        try expectUsage(["pack", input, "-o", out, "--shard", "auto", "--shards", "0"], "--shards must be 1")
        let noRoom = try Self.sluice(["pack", input, "-o", out, "--shard", "0/2", "--manifest", scratch.path("no/such/dir/m.jsonl")])
        #expect(noRoom.status == 74 && noRoom.stderr.contains("cannot create a temporary file"), "\(noRoom.stderr)")
        try FileManager.default.removeItem(atPath: out)
        #expect(!scratch.exists("out"))

        #expect(try Self.sluice(["pack", input, "-o", out, "--shard", "0/2", "-q"]).status == 0)
        #expect(try Self.sluice(["pack", input, "-o", scratch.path("out3"), "--shard", "0/3", "-q"]).status == 0)
        // A shard manifest is not a merged one.
        let notMerged = try Self.sluice(["pack", input, "-o", out, "--retry-failed", scratch.path("out.shard-0-of-2.jsonl")])
        #expect(notMerged.status == 65 && notMerged.stderr.contains("is not a merged manifest"))
        // Different shard counts cannot be merged.
        let mixed = try Self.sluice([
            "manifest", "merge", scratch.path("out.shard-0-of-2.jsonl"), scratch.path("out3.shard-0-of-3.jsonl"), "-o", scratch.path("x.jsonl"),
        ])
        #expect(mixed.status == 64 && mixed.stderr.contains("one of 3 shards, the others of 2"), "\(mixed.stderr)")
        #expect(!scratch.exists("x.jsonl"))
        // A retry's shard count must be the merge's.
        #expect(try Self.sluice(["manifest", "merge", scratch.path("out.shard-0-of-2.jsonl"), "-o", scratch.path("m2.jsonl"), "-q"]).status == 1)
        try expectUsage(["pack", input, "-o", out, "--shard", "0/3", "--retry-failed", scratch.path("m2.jsonl")], "does not match the 2 shards")
        // A manifest cut short, or not JSON: reported by name and line; its shard counts as missing.
        let text = try String(contentsOfFile: scratch.path("out.shard-0-of-2.jsonl"), encoding: .utf8)
        try scratch.file("cut.jsonl", Array(text.split(separator: "\n").dropLast().joined(separator: "\n").utf8) + [0x0A])
        try scratch.file("junk.jsonl", Array("{\"type\":\"file\"}\n".utf8))
        try scratch.file("nonl.jsonl", Array(text.utf8.dropLast()))
        for (name, message) in [("cut.jsonl", "no closing record"), ("junk.jsonl", "line 1: a file record without a path"), ("nonl.jsonl", "cut short (no newline)")] {
            let run = try Self.sluice(["manifest", "merge", scratch.path(name), "-o", scratch.path("y.jsonl"), "--shards", "2"])
            #expect(run.status == 1, "\(name)")
            #expect(run.stderr.contains(message) && run.stderr.contains("2 of 2 shards missing"), "\(name): \(run.stderr)")
        }
        try expectUsage(["manifest", "merge", scratch.path("nothing.jsonl"), "-o", scratch.path("z.jsonl")], "no manifest could be read")
        // The same shard twice: every file is listed as done twice.
        let twice = try Self.sluice([
            "manifest", "merge", scratch.path("out.shard-0-of-2.jsonl"), scratch.path("out.shard-0-of-2.jsonl"), "-o", scratch.path("t.jsonl"),
        ])
        let done = try ShardTests.read(scratch.path("out.shard-0-of-2.jsonl")).0.count
        #expect(twice.status == 1 && twice.stderr.contains("\(done) files listed as done in two manifests"), "\(twice.stderr)")
        try expectUsage(["manifest", "merge", scratch.path("m2.jsonl"), "-o", scratch.path("m2.jsonl")], "is also an input")
        #expect(!scratch.files(under: "").contains { $0.hasSuffix(".tmp") }, "no temporary file left")
    }
}
