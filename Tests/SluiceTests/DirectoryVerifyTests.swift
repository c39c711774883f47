import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `sluice verify DIR [--shard I/N]`: every `.slc` file of a tree decoded and checked, nothing written
/// (``BatchOptions/Operation/verify``).
@Suite struct DirectoryVerifyTests {
    /// The packed tree of ``ShardTests/makeTree(_:files:)`` (small files, one over the small-file limit).
    private func packedTree() throws -> Scratch {
        let scratch = try Scratch()
        try ShardTests.makeTree(scratch)
        let (report, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(report.filesFailed == 0)
        return scratch
    }

    private func verify(_ scratch: Scratch, _ configure: (inout BatchOptions) -> Void = { _ in }) throws -> (BatchReport, EventLog) {
        var options = BatchOptions(operation: .verify)
        configure(&options)
        return try BatchTesting.run(scratch.path("out"), options)
    }

    /// The paths a run reported as verified, relative to the tree.
    private func verified(_ log: EventLog, _ scratch: Scratch) -> [String] {
        log.all.compactMap { event -> String? in
            guard case .processed(let source, _, _, _) = event else { return nil }
            return String(source.string.dropFirst(scratch.path("out/").count))
        }.sorted()
    }

    @Test func everyPackedFileIsVerifiedAndNothingIsWritten() throws {
        let scratch = try packedTree()
        let before = scratch.files(under: "out")
        let (report, log) = try verify(scratch) { $0.reportEachFile = true }
        #expect(report.filesFailed == 0)
        #expect(report.filesOK == before.count)
        #expect(verified(log, scratch) == before)
        #expect(report.bytesOut > report.bytesIn)  // plaintext decoded from the .slc bytes read
        #expect(scratch.files(under: "out") == before)
        // A file that is not a .slc is passed over.
        try scratch.text("out/notes.txt", lines: 3)
        #expect(try verify(scratch).0.filesOK == before.count)
    }

    /// The shards' verified files are the tree's, each in exactly one shard, the same split as pack's.
    @Test func shardsPartitionTheTree() throws {
        let scratch = try packedTree()
        let all = scratch.files(under: "out")
        var union: [String] = []
        for index in 0..<3 {
            let shard = try Shard(index: index, count: 3)
            let (report, log) = try verify(scratch) {
                $0.reportEachFile = true
                $0.selection = try? ShardSelection(shard: shard, retry: nil)
            }
            #expect(report.filesFailed == 0)
            let files = verified(log, scratch)
            #expect(files.allSatisfy { shard.contains(FilePath($0), packing: false) })
            #expect(files.allSatisfy { shard.contains(FilePath(String($0.dropLast(4))), packing: true) })
            union += files
        }
        #expect(union.sorted() == all)
    }

    /// A damaged small file and a damaged large one are each reported (65's error) and the others
    /// still verified.
    @Test func damagedFilesAreReportedAndTheOthersGoOn() throws {
        let scratch = try packedTree()
        let all = scratch.files(under: "out")
        for damaged in ["out/d0/e0/f0.txt.slc", "out/large.log.slc"] {
            var bytes = try #require(scratch.contents(damaged))
            bytes[bytes.count / 2] ^= 0x40
            _ = try scratch.file(damaged, bytes)
        }
        let (report, log) = try verify(scratch)
        #expect(report.filesFailed == 2)
        #expect(report.filesOK == all.count - 2)
        let failures = log.failures.sorted { $0.0 < $1.0 }
        #expect(failures.map(\.0) == [scratch.path("out/d0/e0/f0.txt.slc"), scratch.path("out/large.log.slc")])
        #expect(failures.allSatisfy { $0.1.code == .corrupt }, "\(failures)")
    }

    /// An encrypted tree needs its key; a wrong one fails every file for the key.
    @Test func encryptedTreesNeedTheirKey() throws {
        let scratch = try Scratch()
        try scratch.text("in/a.txt", lines: 50)
        try scratch.text("in/b/c.txt", lines: 70)
        let key = KeySource.keyFile(Array(repeating: 7, count: 32))
        var pack = try BatchTesting.packOptions()
        pack.cipher = .aes256gcm
        pack.key = key
        var options = BatchOptions(operation: .pack(pack))
        options.output = FilePath(scratch.path("out"))
        #expect(try BatchTesting.run(scratch.path("in"), options).0.filesFailed == 0)
        #expect(try verify(scratch) { $0.key = { key } }.0.filesOK == 2)
        let wrong = try verify(scratch) { $0.key = { KeySource.keyFile(Array(repeating: 8, count: 32)) } }
        #expect(wrong.0.filesFailed == 2)
        #expect(wrong.1.failures.allSatisfy { $0.1.code == .wrongKey })
    }

    /// Verifying writes nothing, so what would write is refused before anything runs.
    @Test func optionsThatWriteAreRefused() throws {
        let scratch = try packedTree()
        let refusals: [(inout BatchOptions) -> Void] = [
            { $0.output = FilePath(scratch.path("elsewhere")) },
            { $0.manifest = FilePath(scratch.path("m.jsonl")) },
            { $0.removeSource = true },
            { $0.selection = try? ShardSelection(shard: nil, retry: RetryList(shards: 2, missing: [1], failed: [])) },
        ]
        for configure in refusals {
            #expect(throws: SluiceError.self) { try verify(scratch, configure) }
        }
        #expect(!scratch.exists("elsewhere"))
        #expect(!scratch.exists("m.jsonl"))
    }

    /// The command: a directory with `--shard`, the summary line, exit 1 for a damaged file, and
    /// `--shard` refused for a single file (64).
    @Test func theCommandVerifiesADirectoryShardByShard() throws {
        let scratch = try packedTree()
        let all = scratch.files(under: "out").count
        var total = 0
        for index in 0..<2 {
            let run = try BatchTesting.cli(["verify", scratch.path("out"), "--shard", "\(index)/2"])
            #expect(run.status == 0, "\(run)")
            let counted = try #require(run.stdout.firstMatch(of: /OK \((\d+) files verified, 0 failed/)).1
            total += Int(counted)!
        }
        #expect(total == all)
        let auto = try BatchTesting.cli(
            ["verify", scratch.path("out"), "--shard", "auto", "--shards", "2"], environment: ["JOB_COMPLETION_INDEX": "1"])
        #expect(auto.status == 0, "\(auto)")
        #expect(try BatchTesting.cli(["verify", scratch.path("out/empty.slc"), "--shard", "0/2"]).status == 64)
        var bytes = try #require(scratch.contents("out/large.log.slc"))
        bytes[bytes.count / 3] ^= 1
        _ = try scratch.file("out/large.log.slc", bytes)
        let damaged = try BatchTesting.cli(["verify", scratch.path("out")])
        #expect(damaged.status == 1, "\(damaged)")
        #expect(damaged.stdout.contains("FAILED (\(all - 1) files verified, 1 failed"), "\(damaged)")
        #expect(damaged.stderr.contains("large.log.slc"), "\(damaged)")
    }
}
