import Foundation
import SystemPackage
import Testing
@testable import Sluice

@Suite struct BatchFilterTests {
    @Test(arguments: [
        ("7d", Int64(604_800)), ("12h", 43_200), ("30m", 1_800), ("45s", 45), ("2w", 1_209_600), ("1d12h", 129_600), ("90", 90),
    ])
    func parsesTimeSpans(text: String, seconds: Int64) {
        #expect(TimeSpan(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "d", "7x", "-1d", "1.5h", "99999999999999999999w"])
    func rejectsTimeSpans(text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test func globsMatchNamesOrRelativePaths() {
        #expect(Glob("*.log").matches(FilePath("a/b/x.log")))
        #expect(!Glob("*.log").matches(FilePath("a/b/x.txt")))
        #expect(Glob("logs/*.gz").matches(FilePath("logs/a.gz")))
        #expect(!Glob("logs/*.gz").matches(FilePath("logs/old/a.gz")))
        #expect(Glob("./logs/*").matches(FilePath("logs/a")))
        #expect(Glob("[ab]?.txt").matches(FilePath("x/a1.txt")))
    }

    @Test func includeExcludeSizeAndAge() throws {
        let scratch = try Scratch()
        try scratch.text("in/keep.txt", lines: 100)
        try scratch.text("in/skip.log", lines: 100)
        try scratch.text("in/cache/inside.txt", lines: 100)
        try scratch.file("in/tiny.txt", [1, 2, 3])
        try scratch.text("in/old.txt", lines: 100)
        BatchTesting.setModification(scratch.path("in/old.txt"), seconds: Int(Date().timeIntervalSince1970) - 10 * 86400, nanoseconds: 0)

        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { options in
            options.filter.include = [Glob("*.txt")]
            options.filter.exclude = [Glob("cache")]
            options.filter.minSize = .bytes(100)
            options.filter.newerThan = TimeSpan(parsing: "7d")
        }
        #expect(report.filesOK == 1)
        #expect(scratch.files(under: "out") == ["keep.txt.slc"])
        #expect(report.skipped[.filtered] == 3)  // skip.log, tiny.txt, old.txt; cache/ is pruned whole
        #expect(log.failures.isEmpty)

        let (older, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("old-only")) { options in
            options.filter.olderThan = TimeSpan(parsing: "7d")
            options.filter.maxSize = .kibibytes(64)
        }
        #expect(older.filesOK == 1)
        #expect(scratch.files(under: "old-only") == ["old.txt.slc"])
    }

    @Test func skipsOrStoresCompressedInput() throws {
        let scratch = try Scratch()
        try scratch.text("in/plain.txt", lines: 200)
        try scratch.text("in/photo.JPG", lines: 200, seed: 1)  // the name decides, not the content
        var random = SystemRandomNumberGenerator()
        try scratch.file("in/noise.bin", (0..<50000).map { _ in UInt8.random(in: 0...255, using: &random) })

        let (skipping, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("skip")) { $0.compressedInput = .skip }
        #expect(skipping.filesOK == 1)
        #expect(Set(log.skips.map(\.1)) == [.compressed, .doesNotShrink])
        #expect(scratch.files(under: "skip") == ["plain.txt.slc"])

        let (storing, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("store")) { $0.compressedInput = .store }
        #expect(storing.filesOK == 3)
        #expect(try Pipeline.inspect(FilePath(scratch.path("store/photo.JPG.slc"))).info.codec.codec == .store)
        #expect(try Pipeline.inspect(FilePath(scratch.path("store/noise.bin.slc"))).info.codec.codec == .store)
        #expect(try Pipeline.inspect(FilePath(scratch.path("store/plain.txt.slc"))).info.codec.codec == .zstd)
    }

    @Test func dryRunWritesNothing() throws {
        let scratch = try Scratch()
        try scratch.text("in/a.txt", lines: 10)
        try scratch.text("in/sub/b.txt", lines: 10, seed: 1)
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { $0.dryRun = true }
        #expect(report.dryRun)
        #expect(report.filesOK == 2)
        #expect(!scratch.exists("out"))
        #expect(Set(log.planned.map(\.1)) == [scratch.path("out/a.txt.slc"), scratch.path("out/sub/b.txt.slc")])
    }
}
