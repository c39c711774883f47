import Foundation
import SystemPackage
import Testing
@testable import Sluice

@Suite struct BatchSymlinkTests {
    static func makeTree(_ scratch: Scratch) throws {
        try scratch.text("in/real/a.txt", lines: 10)
        try scratch.text("outside/b.txt", lines: 10, seed: 1)
        #expect(symlink("real/a.txt", scratch.path("in/link-to-file")) == 0)
        #expect(symlink(scratch.path("outside"), scratch.path("in/link-to-dir")) == 0)
        #expect(symlink("..", scratch.path("in/real/loop")) == 0)  // back to in/
        #expect(symlink("nowhere", scratch.path("in/dangling")) == 0)
        #expect(mkfifo(scratch.path("in/fifo"), 0o644) == 0)
    }

    @Test func linksAreSkippedByDefault() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(report.filesOK == 1)
        #expect(report.skipped[.symlink] == 4)
        #expect(report.skipped[.special] == 1)
        #expect(log.failures.isEmpty)
        #expect(scratch.files(under: "out") == ["real/a.txt.slc"])
    }

    @Test func followingDetectsLoops() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { $0.symlinks = .follow }
        #expect(log.failures.isEmpty, "\(log.failures)")
        #expect(report.skipped[.symlinkLoop] == 1)
        #expect(report.skipped[.danglingSymlink] == 1)
        #expect(report.filesOK == 3)
        #expect(scratch.files(under: "out") == ["link-to-dir/b.txt.slc", "link-to-file.slc", "real/a.txt.slc"])
    }
}
