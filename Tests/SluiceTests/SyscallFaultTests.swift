#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Sluice
import SystemPackage
import Testing

/// Faults injected in-process through the syscall seam (``Syscalls``, ``SyscallMocking``), each scoped to
/// the test's own scratch directory: the output of a single-file run is an anonymous file until it is
/// complete, or a hidden name where the file system has no `O_TMPFILE`; EIO on read, write and fsync,
/// ENOSPC, EROFS and a failed link or rename end the run with one `.io` error that names the file, leave
/// no output and no temporary file, and never cost the source (`--remove-source`).
@Suite(.serialized) struct SyscallFaultTests {
    /// A scratch directory with a 1 MiB input `data` and its `.slc`, and the faults of `body` disarmed after it.
    static func withInput(_ body: (String, [UInt8]) throws -> Void) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let bytes = TestSupport.data(count: 1 << 20)
            try TestSupport.write(bytes, to: "\(directory)/data")
            _ = try Pipeline.packFile(FilePath("\(directory)/data"), to: .file(FilePath("\(directory)/data.slc"), overwrite: false),
                                      options: try PackOptions.smallChunks())
            defer { SyscallMocking.disarm(directory) }
            try body(directory, bytes)
        }
    }

    static func pack(_ directory: String, removeSource: Bool = false) throws {
        _ = try Pipeline.packFile(
            FilePath("\(directory)/data"), to: .file(FilePath("\(directory)/out.slc"), overwrite: false),
            options: try PackOptions.smallChunks(), policy: OutputPolicy(removeSource: removeSource))
    }

    static func unpack(_ directory: String, removeSource: Bool = false) throws {
        _ = try Pipeline.unpackFile(FilePath("\(directory)/data.slc"), to: .file(FilePath("\(directory)/out"), overwrite: false),
                                    key: { _ in nil }, policy: OutputPolicy(removeSource: removeSource))
    }

    /// Nothing but the inputs in `directory`: no output, no temporary file, sources as they were.
    static func expectNothingLeft(_ directory: String, source: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(TestSupport.contents(of: directory) == ["data", "data.slc"], sourceLocation: sourceLocation)
        #expect((try? TestSupport.read("\(directory)/data")) == source, "the source changed", sourceLocation: sourceLocation)
    }

    @Test func outputIsAnonymousUntilCommitted() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let output = try AtomicOutputFile(destination: FilePath("\(directory)/out"), overwrite: false)
            #expect(output.temporary == nil)
            try [UInt8]([1, 2, 3]).withUnsafeBytes { try output.descriptor.writeFully($0) }
            #expect(TestSupport.contents(of: directory).isEmpty, "a name appeared before the commit")
            try output.commit(mode: 0o640, modification: nil, sync: true)
            #expect(TestSupport.contents(of: directory) == ["out"])
            #expect(try TestSupport.read("\(directory)/out") == [1, 2, 3])
            // Replacing (--force) goes through a hidden name renamed over the old file.
            let again = try AtomicOutputFile(destination: FilePath("\(directory)/out"), overwrite: true)
            try [UInt8]([4]).withUnsafeBytes { try again.descriptor.writeFully($0) }
            try again.commit(mode: 0o640, modification: nil, sync: false)
            #expect(TestSupport.contents(of: directory) == ["out"])
            #expect(try TestSupport.read("\(directory)/out") == [4])
            // An anonymous file that is discarded leaves nothing.
            let dropped = try AtomicOutputFile(destination: FilePath("\(directory)/other"), overwrite: false)
            dropped.discard()
            #expect(TestSupport.contents(of: directory) == ["out"])
        }
    }

    /// A file system without `O_TMPFILE` (every open with it fails with `EOPNOTSUPP`, as on FUSE): the
    /// hidden, locked name, removed by a discard and published by a commit.
    @Test func withoutAnonymousFilesAHiddenNameIsUsed() throws {
        try TestSupport.withTemporaryDirectory { directory in
            SyscallMocking.inject(.init(call: .open, error: EOPNOTSUPP, pathContaining: directory, flags: Syscalls.temporaryFileFlag))
            defer { SyscallMocking.disarm(directory) }
            let output = try AtomicOutputFile(destination: FilePath("\(directory)/out"), overwrite: false)
            let hidden = try #require(output.temporary?.lastComponent?.string)
            #expect(hidden.hasPrefix(".out.sluice-\(String(getpid(), radix: 36))-") && hidden.hasSuffix(".tmp"))
            #expect(TestSupport.contents(of: directory) == [hidden])
            // Its writer is alive and holds the lock: a clean-up leaves it.
            #expect(!TemporaryFiles.removeIfAbandoned(output.temporary!))
            try [UInt8]([7]).withUnsafeBytes { try output.descriptor.writeFully($0) }
            try output.commit(mode: 0o644, modification: nil, sync: true)
            #expect(TestSupport.contents(of: directory) == ["out"])
            let dropped = try AtomicOutputFile(destination: FilePath("\(directory)/other"), overwrite: false)
            #expect(dropped.temporary != nil)
            dropped.discard()
            #expect(TestSupport.contents(of: directory) == ["out"])
        }
    }

    /// Leftovers of a dead run are removed by the next run beside them; those of a live one, or locked, stay.
    @Test func abandonedTemporaryFilesAreRemovedByTheNextRun() throws {
        try TestSupport.withTemporaryDirectory { directory in try Child.withDeadAndLiveProcess { dead, alive in
            let abandoned = "\(directory)/.out.sluice-\(dead)-x1.tmp"
            let live = "\(directory)/.out.sluice-\(alive)-x2.tmp"
            let locked = "\(directory)/.out.sluice-\(dead)-x3.tmp"
            let otherName = "\(directory)/.else.sluice-\(dead)-x4.tmp"
            for path in [abandoned, live, locked, otherName] { try TestSupport.write([1], to: path) }
            let holder = open(locked, O_RDONLY | O_CLOEXEC)
            defer { close(holder) }
            #expect(flock(holder, LOCK_EX | LOCK_NB) == 0)
            let output = try AtomicOutputFile(destination: FilePath("\(directory)/out"), overwrite: false)
            output.discard()
            #expect(TestSupport.contents(of: directory).sorted() == [live, locked, otherName].map { URL(fileURLWithPath: $0).lastPathComponent }.sorted())
        } }
    }

    enum Direction: String, CaseIterable, Sendable { case pack, unpack }

    /// EIO on the output's writes and fsync, EIO on the input's reads, ENOSPC after some writes, EROFS on
    /// creating the output, EIO on the link and on the rename: `.io`, nothing left, the source kept even
    /// with `--remove-source`.
    @Test(arguments: Direction.allCases)
    func failingStorage(_ direction: Direction) throws {
        let faults: [(String, Syscalls.Call, Int32, Int, Int32)] = [
            ("write EIO", .write, EIO, 0, 0), ("write ENOSPC mid-run", .write, ENOSPC, 3, 0), ("fsync EIO", .fsync, EIO, 0, 0),
            ("read EIO", .read, EIO, 2, 0), ("open EROFS", .open, EROFS, 0, 0), ("link EIO", .link, EIO, 0, 0),
        ]
        for (label, call, error, skip, flags) in faults {
            // fsync runs only when the output must be durable: with --remove-source.
            for removeSource in call == .fsync ? [true] : [false, true] {
                try Self.withInput { directory, bytes in
                    let source = try TestSupport.read("\(directory)/data.slc")
                    // Reads fail on the input; everything else on the output (whose name starts with "out").
                    let scope = call == .read ? "\(directory)/data" : directory
                    SyscallMocking.inject(.init(call: call, error: error, pathContaining: scope, skip: skip, flags: flags))
                    defer { SyscallMocking.disarm(scope) }
                    let thrown = #expect(throws: SluiceError.self, "\(label)") {
                        direction == .pack ? try Self.pack(directory, removeSource: removeSource)
                            : try Self.unpack(directory, removeSource: removeSource)
                    }
                    #expect(thrown?.code == .io, "\(label) \(removeSource): \(String(describing: thrown))")
                    #expect(thrown?.description.contains(Errno(rawValue: error).description) == true, "\(label): \(String(describing: thrown))")
                    // The line names the file: the output, or the input whose read failed.
                    let named = call == .read ? (direction == .pack ? "\(directory)/data" : "\(directory)/data.slc") : "\(directory)/out"
                    #expect(thrown?.message.contains(named) == true, "\(label): \(String(describing: thrown))")
                    SyscallMocking.disarm(scope)
                    Self.expectNothingLeft(directory, source: bytes)
                    #expect(try TestSupport.read("\(directory)/data.slc") == source)
                }
            }
        }
    }

    /// A batch with `--remove-source` on a disk that fills up mid-run: the files whose outputs were not
    /// written fail and keep their sources; the others are removed only after their outputs verified.
    @Test func diskFullMidBatchKeepsEverySourceWhoseOutputIsMissing() throws {
        let scratch = try Scratch()
        var originals: [String: [UInt8]] = [:]
        for index in 0..<24 {
            let bytes = TestSupport.data(count: 20_000 + index * 1000, seed: UInt64(index))
            originals["tree/f\(index)"] = bytes
            try scratch.file("tree/f\(index)", bytes)
        }
        SyscallMocking.inject(.init(call: .write, error: ENOSPC, pathContaining: scratch.path("out"), skip: 10))
        defer { SyscallMocking.disarm(scratch.path("out")) }
        let (report, log) = try BatchTesting.pack(scratch.path("tree"), to: scratch.path("out")) { $0.removeSource = true }
        SyscallMocking.disarm(scratch.path("out"))
        #expect(report.filesFailed > 0 && report.filesFailed < 24, "\(report.filesFailed) failed")
        #expect(log.failures.allSatisfy { $0.1.code == .io && $0.1.description.contains("No space left on device") }, "\(log.failures)")
        for (relative, bytes) in originals {
            let name = String(relative.dropFirst("tree/".count))
            let output = scratch.path("out/\(name).slc")
            if scratch.exists(relative) {
                #expect(scratch.contents(relative) == bytes)
            } else {
                // Removed: its output must be complete.
                let back = scratch.path("back-\(name)")
                _ = try Pipeline.unpackFile(FilePath(output), to: .file(FilePath(back), overwrite: false), key: { _ in nil })
                #expect(try TestSupport.read(back) == bytes, "\(relative) was removed but its output is not it")
            }
            if !FileManager.default.fileExists(atPath: output) { #expect(scratch.exists(relative), "\(relative): neither survived") }
        }
        #expect(TestSupport.temporaryFiles(in: scratch.path("out")).isEmpty)
    }

    /// The sync before sources are removed fails: nothing is removed.
    @Test func failedSyncRemovesNoSource() throws {
        let scratch = try Scratch()
        for index in 0..<6 { try scratch.text("tree/f\(index)", lines: 200, seed: index) }
        SyscallMocking.inject(.init(call: .syncfs, error: EIO, pathContaining: scratch.path("out")))
        defer { SyscallMocking.disarm(scratch.path("out")) }
        #expect(throws: SluiceError.self) {
            _ = try BatchTesting.pack(scratch.path("tree"), to: scratch.path("out")) { $0.removeSource = true }
        }
        SyscallMocking.disarm(scratch.path("out"))
        #expect(scratch.files(under: "tree").count == 6)
    }
}
