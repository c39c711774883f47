import Foundation
import Testing
@testable import Sluice

@Suite struct BatchCLITests {
    @Test func packAndUnpackADirectoryEndToEnd() throws {
        let scratch = try Scratch()
        for index in 0..<25 { try scratch.text("in/d\(index % 5)/f\(index).txt", lines: 40, seed: index) }
        let packed = try BatchTesting.cli(["pack", scratch.path("in"), "-o", scratch.path("out")])
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(packed.stderr.contains("packed 25 files, 0 skipped, 0 failed"))
        let unpacked = try BatchTesting.cli(["unpack", scratch.path("out"), "-o", scratch.path("back"), "-q"])
        #expect(unpacked.status == 0)
        #expect(unpacked.stderr.isEmpty)
        BatchRoundTripTests.expectSameTree(scratch, "in", "back")
    }

    @Test func jsonLogHasFailuresAndSummaryAndExitsOne() throws {
        let scratch = try Scratch()
        for index in 0..<10 { try scratch.text("in/f\(index).txt", lines: 40, seed: index) }
        try scratch.directory("out/f2.txt.slc")
        let run = try BatchTesting.cli([
            "pack", scratch.path("in"), "-o", scratch.path("out"), "--log-format", "json", "--progress-interval", "0.05",
        ])
        #expect(run.status == 1)
        let records = run.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(records.count == run.stdout.split(separator: "\n").count, "every line is a JSON object")
        let failures = records.filter { $0["type"] as? String == "failure" }
        #expect(failures.count == 1)
        #expect(failures.first?["path"] as? String == scratch.path("in/f2.txt"))
        #expect(failures.first?["code"] as? String == "outputExists")
        let summary = try #require(records.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["files_ok"] as? Int == 9)
        #expect(summary["files_failed"] as? Int == 1)
        #expect(summary["operation"] as? String == "pack")
    }

    @Test func dryRunListsAndFailFastStops() throws {
        let scratch = try Scratch()
        try scratch.text("in/a.txt", lines: 10)
        try scratch.text("in/b.txt", lines: 10, seed: 1)
        let dry = try BatchTesting.cli(["pack", scratch.path("in"), "-o", scratch.path("out"), "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stderr.contains("would pack \(scratch.path("in/a.txt")) → \(scratch.path("out/a.txt.slc"))"))
        #expect(!scratch.exists("out"))

        try scratch.directory("blocked/a.txt.slc")
        try scratch.directory("blocked/b.txt.slc")
        let fast = try BatchTesting.cli(["pack", scratch.path("in"), "-o", scratch.path("blocked"), "--fail-fast", "--io-tokens", "1"])
        #expect(fast.status == 1)
        #expect(fast.stderr.contains("stopped at the first failure"))
    }

    @Test func aFileInputStillTakesTheSingleFilePath() throws {
        let scratch = try Scratch()
        try scratch.text("one.txt", lines: 10)
        let run = try BatchTesting.cli(["pack", scratch.path("one.txt")])
        #expect(run.status == 0)
        #expect(scratch.exists("one.txt.slc"))
    }
}
