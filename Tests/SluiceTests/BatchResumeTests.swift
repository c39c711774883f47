import Foundation
import SystemPackage
import Testing
@testable import Sluice

@Suite struct BatchResumeTests {
    @Test func reRunSkipsWhatIsDoneAndFinishesTheRest() throws {
        let scratch = try Scratch()
        for index in 0..<30 { try scratch.text("in/d\(index % 3)/f\(index).txt", lines: 30, seed: index) }
        try scratch.text("in/large.txt", lines: 60000)
        let (first, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(first.filesOK == 31)

        // An interrupted run: some outputs missing.
        try FileManager.default.removeItem(atPath: scratch.path("out/d1/f4.txt.slc"))
        try FileManager.default.removeItem(atPath: scratch.path("out/large.txt.slc"))
        let (second, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(second.filesOK == 2)
        #expect(second.skipped[.upToDate] == 29)
        #expect(log.failures.isEmpty)

        // A changed source is not up to date: an error without --force, replaced with it.
        try scratch.text("in/d0/f0.txt", lines: 31)
        let (third, thirdLog) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(third.filesFailed == 1)
        #expect(thirdLog.failures.first?.1.code == .outputExists)
        let (forced, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { $0.overwrite = true }
        #expect(forced.filesOK == 1)
        #expect(forced.skipped[.upToDate] == 30)

        // A damaged output is not up to date either.
        let damaged = scratch.path("out/d2/f5.txt.slc")
        let bytes = scratch.contents("out/d2/f5.txt.slc")!
        try scratch.file("out/d2/f5.txt.slc", Array(bytes.dropLast(10)))
        let (repaired, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { $0.overwrite = true }
        #expect(repaired.filesOK == 1)
        #expect(try Pipeline.verifyFile(FilePath(damaged), key: { _ in nil }).plainBytes > 0)

        // --no-skip-existing with --force redoes everything.
        let (all, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { options in
            options.existing = .check
            options.overwrite = true
        }
        #expect(all.filesOK == 31)
    }

    @Test func unpackResumesToo() throws {
        let scratch = try Scratch()
        for index in 0..<12 { try scratch.text("in/f\(index).txt", lines: 30, seed: index) }
        _ = try BatchTesting.pack(scratch.path("in"), to: scratch.path("packed"))
        _ = try BatchTesting.unpack(scratch.path("packed"), to: scratch.path("back"))
        try FileManager.default.removeItem(atPath: scratch.path("back/f7.txt"))
        let (again, _) = try BatchTesting.unpack(scratch.path("packed"), to: scratch.path("back"))
        #expect(again.filesOK == 1)
        #expect(again.skipped[.upToDate] == 11)
        #expect(scratch.contents("back/f7.txt") == scratch.contents("in/f7.txt"))
    }
}

@Suite struct BatchRemoveSourceTests {
    @Test func aResumedRunStillRemovesSourcesWhoseOutputsWereDone() throws {
        let scratch = try Scratch()
        for index in 0..<8 { try scratch.text("in/f\(index).txt", lines: 30, seed: index) }
        // The first run wrote every output but stopped before its removal round (as if killed).
        _ = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        try FileManager.default.removeItem(atPath: scratch.path("out/f3.txt.slc"))
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { $0.removeSource = true }
        #expect(log.failures.isEmpty, "\(log.failures)")
        #expect(report.filesOK == 1)
        #expect(report.skipped[.upToDate] == 7)
        #expect(scratch.files(under: "in").isEmpty)
        #expect(scratch.files(under: "out").count == 8)
    }

    @Test func aSourceChangedAfterPackingIsKept() throws {
        let scratch = try Scratch()
        try scratch.text("in/a.txt", lines: 30)
        try scratch.text("in/b.txt", lines: 30, seed: 1)
        let target = scratch.path("in/a.txt")
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { options in
            options.removeSource = true
            options.reportEachFile = true
        }
        #expect(report.filesOK == 2)
        #expect(log.failures.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: target))

        // Pack again, and change a source between its packing and the removal round.
        try scratch.text("in2/c.txt", lines: 30)
        let victim = scratch.path("in2/c.txt")
        let changer = EventLog()
        var options = BatchOptions(operation: .pack(try BatchTesting.packOptions()))
        options.output = FilePath(scratch.path("out2"))
        options.removeSource = true
        options.reportEachFile = true
        let result = try Batch.run(FilePath(scratch.path("in2")), options: options) { event in
            changer.record(event)
            if case .processed = event { try? "changed\n".write(toFile: victim, atomically: false, encoding: .utf8) }
        }
        #expect(result.filesFailed == 1)
        #expect(result.filesOK == 0)
        #expect(FileManager.default.fileExists(atPath: victim))
        #expect(changer.failures.first?.1.description.contains("changed after it was read") == true)
    }
}
