import Foundation
import Testing
@testable import Sluice

/// What can be tested of deploy/k8s/sluice-job.yaml without a cluster: the shipped Indexed Job's own
/// arguments, run once per completion index with JOB_COMPLETION_INDEX set (as Kubernetes sets it),
/// shard the tree exactly as `--shard i/N` does, every file once.
@Suite struct KubernetesJobTests {
    static let job = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/k8s/sluice-job.yaml")

    @Test func theIndexedJobsArgumentsGiveEveryFileOnceInTheSameShardsAsExplicitShards() throws {
        let yaml = try String(contentsOf: Self.job, encoding: .utf8)
        #expect(yaml.contains("completionMode: Indexed"))
        let completions = try #require(yaml.firstMatch(of: /\n  completions: (\d+)\n/).flatMap { Int($0.1) })
        let argsLine = try #require(yaml.firstMatch(of: /args: (\[.*\])\n/)?.1)
        var args = try #require(try JSONSerialization.jsonObject(with: Data(argsLine.utf8)) as? [String])
        let shards = try #require(args.firstIndex(of: "--shards").map { Int(args[$0 + 1]) } ?? nil)
        #expect(shards == completions, "completions and --shards must agree")
        #expect(args.contains("auto"))

        let scratch = try Scratch()
        try ShardTests.makeTree(scratch, files: 30)
        args = args.map { $0.replacingOccurrences(of: "/data", with: scratch.root) }
        var seen = Set<String>()
        for index in 0..<completions {
            let pod = try BatchTesting.cli(args + ["-q"], environment: ["JOB_COMPLETION_INDEX": "\(index)"])
            #expect(pod.status == 0, "\(pod.stderr)")
            let explicit = try BatchTesting.cli(["pack", scratch.path("in"), "-o", scratch.path("x"), "--shard", "\(index)/\(shards)", "-q"])
            #expect(explicit.status == 0)
            let files = try ManifestMergeTests.paths(scratch.path("out.shard-\(index)-of-\(shards).jsonl"))
            #expect(files == (try ManifestMergeTests.paths(scratch.path("x.shard-\(index)-of-\(shards).jsonl"))))
            for file in files { #expect(seen.insert(file).inserted, "\(file) in two pods") }
        }
        #expect(seen == Set(scratch.files(under: "in")))
    }
}
