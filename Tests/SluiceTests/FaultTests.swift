#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Sluice
import SystemPackage
import Testing

/// Full disks, unreadable inputs, unwritable directories: the CLI run as a child process must print one
/// error line, exit 74 (docs/cli.md), leave neither an output nor a temporary file, and leave the
/// source as it was.
@Suite struct FaultTests {
    /// The outcome every fault must have.
    static func expectCleanFailure(_ outcome: Child.Outcome, in directory: String, output: String,
                                   source: String, sourceBytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.exitCode == 74, "exit \(String(describing: outcome.exitCode)), signal \(String(describing: outcome.signal)): \(outcome.standardError)",
                sourceLocation: sourceLocation)
        #expect(outcome.errorLines.count == 1 && outcome.errorLines.first?.hasPrefix("sluice: error: ") == true,
                "stderr: \(outcome.standardError)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: output), "partial output left at \(output)", sourceLocation: sourceLocation)
        #expect(TestSupport.temporaryFiles(in: directory).isEmpty, "temporary files left", sourceLocation: sourceLocation)
        #expect((try? TestSupport.read(source)) == sourceBytes, "the source changed", sourceLocation: sourceLocation)
    }

    /// `RLIMIT_FSIZE` (`ulimit -f`) with SIGXFSZ ignored, so a write past the limit fails with EFBIG the
    /// way a full disk fails with ENOSPC.
    @Test(arguments: ["pack", "unpack"])
    func fileTooLarge(_ command: String) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let original = TestSupport.data(count: 3 << 20)
            let packed = "\(directory)/data.slc"
            try TestSupport.write(original, to: "\(directory)/data")
            // Random-ish data: the .slc is as large as the input, so both directions cross a 1 MiB limit.
            try TestSupport.write((0..<(3 << 20)).map { _ in UInt8.random(in: 0...255) }, to: "\(directory)/noise")
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", "--codec", "store", "\(directory)/noise", "-o", packed]).exitCode == 0)
            let (source, output) = command == "pack" ? ("\(directory)/noise", "\(directory)/out.slc") : (packed, "\(directory)/out")
            let sourceBytes = try TestSupport.read(source)
            let script = "ulimit -f 1024; trap '' XFSZ; exec \"$@\""
            var arguments = ["/bin/sh", "-c", script, "sh", TestSupport.sluice, command]
            if command == "pack" { arguments += ["--chunk-size", "64K"] }
            let outcome = try Child.run(arguments + [source, "-o", output])
            Self.expectCleanFailure(outcome, in: directory, output: output, source: source, sourceBytes: sourceBytes)
            #expect(outcome.standardError.contains("File too large"), "\(outcome.standardError)")
        }
    }

    /// A real ENOSPC: a 1 MiB tmpfs mounted in a private mount namespace (`unshare -m`, root only), which
    /// vanishes with the child. The shell reports sluice's exit code and what the directory holds.
    @Test(.enabled(if: TestSupport.isRoot && TestSupport.hasTool("/usr/bin/unshare")), arguments: ["pack", "unpack"])
    func diskFull(_ command: String) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let noise = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255) }
            try TestSupport.write(noise, to: "\(directory)/noise")
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", "--codec", "store", "\(directory)/noise"]).exitCode == 0)
            let source = command == "pack" ? "\(directory)/noise" : "\(directory)/noise.slc"
            let sourceBytes = try TestSupport.read(source)
            let full = "\(directory)/full"
            try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: false)
            let script = """
                mount -t tmpfs -o size=1m sluice-test "$1" || { echo "no tmpfs"; exit 0; }
                "$2" "$3" "$4" -o "$1/out" 2>"$1/../stderr"; echo "exit $?"; ls -A "$1"
                """
            let outcome = try Child.run(["/usr/bin/unshare", "-m", "/bin/sh", "-c", script, "sh", full, TestSupport.sluice, command, source])
            let report = outcome.standardOutput.split(separator: "\n").map(String.init)
            try #require(report.first != "no tmpfs", "tmpfs could not be mounted here")
            let stderr = TestSupport.readText("\(directory)/stderr")
            #expect(report == ["exit 74"], "sluice's exit and what it left: \(report); stderr: \(stderr)")
            #expect(stderr.contains("No space left on device"), "\(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
            #expect(try TestSupport.read(source) == sourceBytes)
        }
    }

    /// Tests run as root, whom mode bits do not stop; `setpriv` runs the child as `nobody` instead.
    @Test(.enabled(if: TestSupport.isRoot && TestSupport.hasTool("/usr/bin/setpriv")))
    func permissionDenied() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", TestSupport.sluice]
            let secret = "\(directory)/secret"
            let bytes = TestSupport.data(count: 200_000)
            try TestSupport.write(bytes, to: secret)
            chmod(secret, 0o600)
            // The input cannot be read.
            let writable = "\(directory)/writable"
            try FileManager.default.createDirectory(atPath: writable, withIntermediateDirectories: false)
            chmod(writable, 0o777)
            var outcome = try Child.run(nobody + ["pack", secret, "-o", "\(writable)/secret.slc"])
            Self.expectCleanFailure(outcome, in: writable, output: "\(writable)/secret.slc", source: secret, sourceBytes: bytes)
            #expect(outcome.standardError.contains("permission denied"), "\(outcome.standardError)")

            // The output directory cannot be written, for pack and for unpack.
            let readable = "\(directory)/readable"
            try TestSupport.write(bytes, to: readable)
            chmod(readable, 0o644)
            let locked = "\(directory)/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            chmod(locked, 0o755)
            outcome = try Child.run(nobody + ["pack", readable, "-o", "\(locked)/readable.slc"])
            Self.expectCleanFailure(outcome, in: locked, output: "\(locked)/readable.slc", source: readable, sourceBytes: bytes)
            #expect(outcome.standardError.contains("Permission denied"), "\(outcome.standardError)")

            #expect(try Child.run([TestSupport.sluice, "pack", "-q", readable, "-o", "\(directory)/readable.slc"]).exitCode == 0)
            chmod("\(directory)/readable.slc", 0o644)
            let packed = try TestSupport.read("\(directory)/readable.slc")
            outcome = try Child.run(nobody + ["unpack", "\(directory)/readable.slc", "-o", "\(locked)/readable"])
            Self.expectCleanFailure(outcome, in: locked, output: "\(locked)/readable", source: "\(directory)/readable.slc",
                                    sourceBytes: packed)

            // A directory in the middle of the output path cannot be entered.
            let closed = "\(directory)/closed"
            try FileManager.default.createDirectory(atPath: "\(closed)/inner", withIntermediateDirectories: true)
            chmod("\(closed)/inner", 0o777)
            chmod(closed, 0o700)
            outcome = try Child.run(nobody + ["pack", readable, "-o", "\(closed)/inner/readable.slc"])
            #expect(outcome.exitCode == 74, "\(outcome.standardError)")
            #expect(outcome.errorLines.count == 1, "\(outcome.standardError)")
            #expect(TestSupport.contents(of: "\(closed)/inner").isEmpty)
        }
    }
}

/// Inputs that change under the packer: truncated, grown, rewritten in place or deleted while it reads
/// them. The library reads with read(2) (no mmap, so no SIGBUS); a change of size, or of mtime, is an
/// I/O error and no output is published. The changes are made from the progress callback, after the
/// first chunk was written, so they land mid-run every time.
@Suite struct ChangingInputTests {
    enum Change: String, CaseIterable, Sendable {
        case truncatedToAQuarter, truncatedToZero, truncatedMidChunk, grown, rewrittenInPlace, deleted
    }

    @Test(arguments: Change.allCases)
    func packNoticesOrCompletes(_ change: Change) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let input = "\(directory)/input"
            let output = "\(directory)/input.slc"
            let original = TestSupport.data(count: 64 * 4096)
            try TestSupport.write(original, to: input)
            var options = PackOptions(codec: try CodecSettings(.zstd))
            options.chunkSize = 4096
            options.workers = 2
            var changed = false
            let result = Result {
                try Pipeline.packFile(FilePath(input), to: .file(FilePath(output), overwrite: false), options: options,
                                      progress: { _ in
                    guard !changed else { return }
                    changed = true
                    let fd = open(input, O_WRONLY)
                    defer { close(fd) }
                    switch change {
                    case .truncatedToAQuarter: ftruncate(fd, off_t(original.count / 4))
                    case .truncatedToZero: ftruncate(fd, 0)
                    case .truncatedMidChunk: ftruncate(fd, off_t(original.count - 4096 - 100))
                    case .grown: _ = [UInt8](repeating: 1, count: 10).withUnsafeBytes { pwrite(fd, $0.baseAddress, 10, off_t(original.count)) }
                    case .rewrittenInPlace:
                        // Same size, different bytes near the end, and a visible new mtime.
                        usleep(10_000)
                        _ = [UInt8](repeating: 1, count: 10).withUnsafeBytes { pwrite(fd, $0.baseAddress, 10, off_t(original.count - 10)) }
                    case .deleted: unlink(input)
                    }
                })
            }
            #expect(changed)
            switch (change, result) {
            case (.deleted, .success):
                // The open descriptor still reads the whole, unchanged file: the output is complete.
                let report = try Pipeline.unpackFile(FilePath(output), to: .file(FilePath("\(directory)/back"), overwrite: false),
                                                     key: { _ in nil })
                #expect(report.plainBytes == UInt64(original.count))
                #expect(try TestSupport.read("\(directory)/back") == original)
            case (.deleted, .failure(let error)):
                Issue.record("packing a deleted file failed: \(error)")
            case (_, .success):
                Issue.record("\(change) was not noticed")
            case (_, .failure(let error)):
                let error = try #require(error as? SluiceError)
                #expect(error.code == .io, "\(error)")
                #expect(error.message.contains("changed"), "\(error)")
                #expect(!FileManager.default.fileExists(atPath: output))
                #expect(TestSupport.temporaryFiles(in: directory).isEmpty)
            }
        }
    }
}

/// The other side changing under a run: the `.slc` being unpacked is truncated, or the directory the
/// output is being written into disappears. Both must end in a clean error with nothing published.
@Suite struct VanishingTests {
    static func packed(_ directory: String, count: Int = 64 * 4096) throws -> (original: [UInt8], path: String) {
        let input = "\(directory)/input"
        let original = TestSupport.data(count: count)
        try TestSupport.write(original, to: input)
        var options = PackOptions(codec: try CodecSettings(.lz4))
        options.chunkSize = 4096
        _ = try Pipeline.packFile(FilePath(input), to: .file(FilePath("\(input).slc"), overwrite: false), options: options)
        return (original, "\(input).slc")
    }

    @Test func slcTruncatedWhileUnpacked() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let (_, packed) = try Self.packed(directory)
            let output = "\(directory)/back"
            var truncated = false
            do {
                _ = try Pipeline.unpackFile(FilePath(packed), to: .file(FilePath(output), overwrite: false),
                                            key: { _ in nil }, workers: 2, progress: { _ in
                    guard !truncated else { return }
                    truncated = true
                    #expect(truncate(packed, 20_000) == 0)
                })
                Issue.record("unpack of a file truncated under it succeeded")
            } catch let error as SluiceError {
                #expect(error.code == .corrupt, "\(error)")
                #expect(error.message.contains("truncated"), "\(error)")
            }
            #expect(truncated)
            #expect(!FileManager.default.fileExists(atPath: output))
            #expect(TestSupport.temporaryFiles(in: directory).isEmpty)
        }
    }

    @Test(arguments: ["pack", "unpack"])
    func outputDirectoryRemovedDuringTheRun(_ command: String) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let (original, packed) = try Self.packed(directory)
            let target = "\(directory)/target"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
            var removed = false
            // Removes the temporary file and its directory, as an `rm -rf` racing the run would.
            let remove: (UInt64) -> Void = { _ in
                guard !removed else { return }
                removed = true
                for name in TestSupport.contents(of: target) { unlink("\(target)/\(name)") }
                #expect(rmdir(target) == 0)
            }
            do {
                if command == "pack" {
                    var options = PackOptions(codec: try CodecSettings(.zstd))
                    options.chunkSize = 4096
                    _ = try Pipeline.packFile(FilePath("\(directory)/input"), to: .file(FilePath("\(target)/out.slc"), overwrite: false),
                                              options: options, progress: remove)
                } else {
                    _ = try Pipeline.unpackFile(FilePath(packed), to: .file(FilePath("\(target)/out"), overwrite: false),
                                                key: { _ in nil }, progress: remove)
                }
                Issue.record("\(command) into a removed directory succeeded")
            } catch let error as SluiceError {
                #expect(error.code == .io, "\(error)")
            }
            #expect(removed)
            #expect(!FileManager.default.fileExists(atPath: target))
            #expect(try TestSupport.read("\(directory)/input") == original)
        }
    }
}

/// `--force` replaces a regular file, never a device, FIFO or directory: the output is renamed into place,
/// so `unpack -o /dev/null --force` run as root used to put a regular file where /dev/null was. A device
/// or a FIFO is written to directly (as `zstd` and `cat` do: `-o /dev/null` is how people check a file
/// decodes); a directory is refused.
@Suite struct SpecialFileTests {
    @Test(arguments: ["pack", "unpack"], ["fifo", "character device", "directory"])
    func forceDoesNotReplaceIt(_ command: String, _ kind: String) throws {
        if kind == "character device", !TestSupport.isRoot { return }
        try TestSupport.withTemporaryDirectory { directory in
            let input = "\(directory)/input"
            try TestSupport.write(TestSupport.data(count: 10_000), to: input)
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", input]).exitCode == 0)
            let node = "\(directory)/node"
            switch kind {
            case "fifo": #expect(mkfifo(node, 0o644) == 0)
            case "character device": #expect(mknod(node, S_IFCHR | 0o666, dev_t(0x103)) == 0)  // 1,3: a second /dev/null
            default: #expect(mkdir(node, 0o755) == 0)
            }
            // Hold the FIFO open for reading and writing, so the child's open does not wait for a reader;
            // the output (under 64 KiB) fits in the pipe's buffer.
            let holder = kind == "fifo" ? open(node, O_RDWR | O_NONBLOCK) : -1
            defer { if holder >= 0 { close(holder) } }
            let source = command == "pack" ? input : "\(input).slc"
            let outcome = try Child.run([TestSupport.sluice, command, "--force", source, "-o", node])
            #expect(outcome.exitCode == (kind == "directory" ? 64 : 0), "\(outcome.standardError)")
            if kind == "directory" { #expect(outcome.errorLines.count == 1, "\(outcome.standardError)") }
            var st = stat()
            #expect(lstat(node, &st) == 0)
            let type = st.st_mode & S_IFMT
            #expect(type == (kind == "fifo" ? S_IFIFO : kind == "directory" ? S_IFDIR : S_IFCHR), "\(node) was replaced")
            #expect(TestSupport.temporaryFiles(in: directory).isEmpty)
        }
    }
}
