import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// Directories keep their mode and mtime through a pack → unpack round trip, as files do: the packed
/// tree's directories carry them, and unpacking puts them back.
@Suite struct BatchDirectoryMetadataTests {
    static let stamps: [(path: String, mode: Int, seconds: Int, nanoseconds: Int)] = [
        ("in", 0o750, 1_400_000_000, 1),
        ("in/a", 0o700, 1_500_000_000, 222_222_222),
        ("in/a/b", 0o755, 1_550_000_000, 333_333_333),
        ("in/empty", 0o711, 1_600_000_000, 444_444_444),
        ("in/big", 0o770, 1_650_000_000, 555_555_555),
    ]

    /// A tree with nested, empty and large-file directories, each with its own mode and mtime (set last:
    /// writing the files changes them).
    static func makeTree(_ scratch: Scratch) throws {
        try scratch.text("in/top.txt", lines: 20)
        try scratch.text("in/a/one.txt", lines: 20, seed: 1)
        try scratch.text("in/a/b/two.txt", lines: 20, seed: 2)
        try scratch.directory("in/empty")
        try scratch.text("in/big/large.txt", lines: 60000, seed: 3)
        for stamp in stamps.reversed() {
            chmod(scratch.path(stamp.path), mode_t(stamp.mode))
            BatchTesting.setModification(scratch.path(stamp.path), seconds: stamp.seconds, nanoseconds: stamp.nanoseconds)
        }
    }

    static func expectStamps(_ scratch: Scratch, root: String) {
        for stamp in stamps {
            let path = root + stamp.path.dropFirst(2)
            let found = BatchTesting.stamp(scratch.path(path))
            #expect(found?.mode == UInt32(stamp.mode), "\(path): mode \(String(found?.mode ?? 0, radix: 8))")
            #expect(found?.seconds == stamp.seconds && found?.nanoseconds == stamp.nanoseconds, "\(path): mtime")
        }
    }

    @Test func roundTripKeepsDirectoryModesAndTimes() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        let (packed, packLog) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(packed.filesFailed == 0, "\(packLog.failures)")
        Self.expectStamps(scratch, root: "out")
        let (unpacked, unpackLog) = try BatchTesting.unpack(scratch.path("out"), to: scratch.path("back"))
        #expect(unpacked.filesFailed == 0, "\(unpackLog.failures)")
        Self.expectStamps(scratch, root: "back")
        #expect(scratch.contents("back/a/b/two.txt") == scratch.contents("in/a/b/two.txt"))
    }

    /// `--no-keep-metadata` leaves the output directories as they were made.
    @Test func notWithoutMetadata() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        _ = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out")) { $0.keepMetadata = false }
        #expect(BatchTesting.stamp(scratch.path("out/a"))?.seconds != 1_500_000_000)
    }

    /// An excluded directory is not created and nothing fails for it; an output root inside the input
    /// is neither packed nor given the input's metadata.
    @Test func skipsWhatWasNotMirrored() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        let (report, log) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("in/a/out")) {
            $0.filter.exclude = [Glob("empty")]
        }
        #expect(report.filesFailed == 0, "\(log.failures)")
        #expect(!scratch.exists("in/a/out/empty"))
        #expect(BatchTesting.stamp(scratch.path("in/a/out/a"))?.mode == 0o700)
        #expect(!scratch.exists("in/a/out/a/out"))
    }

    /// A symbolic link planted where an output directory goes is refused, not written through.
    @Test func aLinkInPlaceOfAnOutputDirectoryFails() throws {
        let scratch = try Scratch()
        try Self.makeTree(scratch)
        try scratch.directory("elsewhere")
        try scratch.directory("out")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out/empty"), withDestinationPath: scratch.path("elsewhere"))
        let (report, _) = try BatchTesting.pack(scratch.path("in"), to: scratch.path("out"))
        #expect(report.filesFailed >= 1)
        #expect(BatchTesting.stamp(scratch.path("elsewhere"))?.seconds != 1_600_000_000)
    }
}
