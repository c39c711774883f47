import Foundation
import SystemPackage
import Testing
@testable import Sluice

@Suite struct BatchFailureTests {
    @Test func keepsGoingAfterAFailedFile() throws {
        let scratch = try Scratch()
        for index in 0..<20 { try scratch.text("in/f\(index).txt", lines: 20, seed: index) }
        // Tests run as root, so a chmod 000 file would still be readable: block an output instead, with a
        // directory where the file has to go.
        try scratch.directory("out/f3.txt.slc")
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(report.filesFailed == 1)
        #expect(report.filesOK == 19)
        #expect(log.failures.count == 1)
        #expect(log.failures.first?.0 == scratch.path("in/f3.txt"))
        #expect(log.failures.first?.1.code == .outputExists)
    }

    @Test func aFileDeletedMidRunFailsAloneAndLeavesNothing() throws {
        let scratch = try Scratch()
        for index in 0..<50 { try scratch.text("in/f\(index).txt", lines: 20, seed: index) }
        let victim = scratch.path("in/f17.txt")
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { options in
            options.beforeOpening = { path in if path.string == victim { unlink(victim) } }
        }
        #expect(report.filesFailed == 1)
        #expect(report.filesOK == 49)
        #expect(log.failures.first?.1.message.contains("vanished") == true)
        #expect(!scratch.exists("out/f17.txt.slc"))
        #expect(!scratch.files(under: "out").contains { $0.contains(".sluice-") })
    }

    @Test func corruptSlcFailsAloneOnUnpack() throws {
        let scratch = try Scratch()
        for index in 0..<10 { try scratch.text("in/f\(index).txt", lines: 50, seed: index) }
        _ = try BatchTesting.pack(scratch.path("in"), to: scratch.path("packed"))
        var bytes = scratch.contents("packed/f4.txt.slc")!
        bytes[bytes.count / 2] ^= 0x55
        try scratch.file("packed/f4.txt.slc", bytes)
        try scratch.file("packed/junk.slc", Array("not a sluice file at all".utf8))
        try scratch.file("packed/truncated.slc", Array(scratch.contents("packed/f5.txt.slc")!.prefix(40)))
        let (report, log) = try BatchTesting.unpack(scratch.path("packed"), to: scratch.path("back"))
        #expect(report.filesOK == 9)
        #expect(report.filesFailed == 3)
        #expect(log.failures.allSatisfy { $0.1.code == .corrupt })
        #expect(!scratch.exists("back/f4.txt"))
        #expect(!scratch.exists("back/junk"))
        #expect(scratch.files(under: "back").count == 9)
    }

    @Test func failFastStopsAtTheFirstFailure() throws {
        let scratch = try Scratch()
        for index in 0..<300 { try scratch.text("in/d\(index % 3)/f\(index).txt", lines: 5, seed: index) }
        let (report, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { options in
            options.failFast = true
            options.beforeOpening = { path in
                if path.lastComponent?.string == "f0.txt" { unlink(path.string) }
            }
        }
        #expect(report.filesFailed == 1)
        #expect(report.stoppedEarly)
        #expect(report.filesOK < 299)
    }

    @Test func unsafeNamesNeverLeaveTheOutputTree() throws {
        let scratch = try Scratch()
        // `..slc` and `...slc` would unpack to `.` and `..`.
        try scratch.text("src/x.txt", lines: 10)
        _ = try BatchTesting.pack(scratch.path("src"), to: scratch.path("packed"))
        let image = scratch.contents("packed/x.txt.slc")!
        try scratch.file("packed/..slc", image)
        try scratch.file("packed/...slc", image)
        try scratch.file("packed/sub/...slc", image)
        let (report, log) = try BatchTesting.unpack(scratch.path("packed"), to: scratch.path("out/back"))
        #expect(report.filesOK == 1)
        #expect(report.filesFailed == 3)
        #expect(log.failures.allSatisfy { $0.1.message.contains("no safe output name") })
        #expect(scratch.files(under: "out") == ["back/x.txt"])
        #expect(!scratch.exists("out/back.sluice"))
    }

    @Test func refusesToWriteThroughASymlinkedOutputDirectory() throws {
        let scratch = try Scratch()
        try scratch.text("in/sub/a.txt", lines: 10)
        try scratch.text("in/b.txt", lines: 10)
        try scratch.directory("elsewhere")
        try scratch.directory("out")
        #expect(symlink(scratch.path("elsewhere"), scratch.path("out/sub")) == 0)
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(report.filesOK == 1)
        #expect(log.failures.first?.1.message.contains("symbolic link") == true)
        #expect(scratch.files(under: "elsewhere").isEmpty)
    }

    @Test func rejectsAFileAsInputDirectory() throws {
        let scratch = try Scratch()
        try scratch.text("file.txt", lines: 1)
        #expect(throws: SluiceError.self) { try BatchTesting.pack(scratch.path("file.txt"), to: scratch.path("out")) }
    }
}

@Suite struct BatchSwapTests {
    @Test func aFifoSwappedInAfterTheWalkFailsWithoutBlocking() throws {
        let scratch = try Scratch()
        for index in 0..<5 { try scratch.text("in/f\(index).txt", lines: 10, seed: index) }
        let victim = scratch.path("in/f2.txt")
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { options in
            options.beforeOpening = { path in
                if path.string == victim {
                    unlink(victim)
                    mkfifo(victim, 0o644)
                }
            }
        }
        #expect(report.filesOK == 4)
        #expect(report.filesFailed == 1)
        #expect(log.failures.first?.1.message.contains("no longer a regular file") == true)
    }
}
