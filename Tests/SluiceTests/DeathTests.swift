#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Sluice
import SystemPackage
import Testing

/// Every way a run of the real `sluice` can be ended from outside, the tool started the way a shell
/// starts it (default dispositions, nothing blocked, limits inherited through `sh -c 'ulimit …; exec …'`):
/// each signal whose default action ends a process, a reader of `-c` that goes away (SIGPIPE), a file-size
/// limit (SIGXFSZ), a CPU-time limit (SIGXCPU), and SIGKILL at random moments. Afterwards nothing is under
/// the output's name unless complete, no temporary file is left (or, where the file system has no
/// `O_TMPFILE` and SIGKILL left one, the next run removes it), and the source is untouched.
@Suite(.serialized) struct DeathTests {
    /// The signals whose default action ends the process and that someone else sends.
    static let endingSignals: [Int32] = [
        SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT,
        34, 50, 64,  // real-time signals: SIGRTMIN (as glibc numbers it), one between, SIGRTMAX
    ]

    enum Output: String, CaseIterable, Sendable {
        /// The output is an anonymous `O_TMPFILE` file until it is complete.
        case anonymous
        /// `O_TMPFILE` fails (the fault shim), as on a file system without it: a hidden named file.
        case named
    }

    /// A directory with a 1 MiB `input`, and the environment for `output`.
    static func setUp(_ directory: String, _ output: Output) throws -> [String: String] {
        try TestSupport.write(TestSupport.data(count: 1 << 20), to: "\(directory)/input")
        return output == .named ? try FaultShim.environment("tmpfile", EOPNOTSUPP, path: directory) : [:]
    }

    /// A slow pack (brotli-11) of `input` to `out`.
    static func slowPack(_ directory: String) -> [String] {
        [TestSupport.sluice, "pack", "-q", "--codec", "brotli", "-l", "11", "--chunk-size", "64K", "\(directory)/input", "-o", "\(directory)/out"]
    }

    /// Waits until `child` blocked its signals and has its output open (an anonymous file, or the hidden name).
    static func waitUntilWriting(_ child: Child, in directory: String) throws {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !child.hasExited {
            let status = TestSupport.readText("/proc/\(child.pid)/status")
            let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }.flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) } ?? 0
            if blocked & (1 << (UInt64(SIGTERM) - 1)) != 0, TestSupport.isWriting(child.pid, in: directory) {
                return
            }
            usleep(2_000)
        }
        throw POSIXError(.ETIMEDOUT)
    }

    /// Every ending signal with an anonymous output; four of them with a hidden name (the clean-up is the
    /// same whatever the signal, so the others add only time).
    static let signalCases: [(Int32, Output)] = endingSignals.map { ($0, .anonymous) } + [SIGHUP, SIGINT, SIGQUIT, SIGXCPU].map { ($0, .named) }

    @Test(arguments: signalCases)
    func endingSignalCleansUp(_ signal: Int32, _ output: Output) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let environment = try Self.setUp(directory, output)
            let child = try Child(Self.slowPack(directory), environment: environment)
            try Self.waitUntilWriting(child, in: directory)
            child.send(signal)
            let outcome = try #require(child.wait(atMost: 60), "no exit after signal \(signal)")
            #expect(outcome.exitCode == 128 + signal, "signal \(signal): exit \(String(describing: outcome.exitCode)), killed by \(String(describing: outcome.signal))")
            #expect(outcome.standardError == "sluice: interrupted\n", "\(outcome.standardError)")
            #expect(TestSupport.contents(of: directory) == ["input"])
        }
    }

    /// `sluice pack -c … | head -c 64K`: the reader goes away; sluice ends quietly with 141, as tools that
    /// SIGPIPE kills are reported by a shell.
    @Test(arguments: ["pack", "unpack"])
    func readerOfStandardOutputGoesAway(_ command: String) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let bytes = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
            try TestSupport.write(bytes, to: "\(directory)/input")
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", "--codec", "store", "\(directory)/input"]).exitCode == 0)
            let source = command == "pack" ? "\(directory)/input" : "\(directory)/input.slc"
            let ends = try TestSupport.pipe()
            let child = try Child([TestSupport.sluice, command, "-c", "--codec", "store", source].filter { command == "pack" || ($0 != "--codec" && $0 != "store") },
                                  stdoutDescriptor: ends.write)
            close(ends.write)
            var block = [UInt8](repeating: 0, count: 64 << 10)
            var got = 0
            while got < block.count {
                let count = block.withUnsafeMutableBytes { read(ends.read, $0.baseAddress! + got, $0.count - got) }
                if count <= 0 { break }
                got += count
            }
            close(ends.read)
            let outcome = try #require(child.wait(atMost: 60))
            #expect(got == block.count)
            #expect(outcome.exitCode == 141, "exit \(String(describing: outcome.exitCode)), killed by \(String(describing: outcome.signal))")
            #expect(outcome.standardError.isEmpty, "\(outcome.standardError)")
            #expect(TestSupport.temporaryFiles(in: directory).isEmpty)
        }
    }

    /// `sluice list A | head -1` on an archive whose listing is larger than a pipe holds, `list --json`
    /// likewise, and `inspect` of three files into a pipe already closed: exit 141, nothing on stderr
    /// (no error line, no summary of the inputs). Before: `list` died of a Foundation `try!` on EPIPE
    /// (a stack trace), `inspect`'s `print` lost its lines silently and exited 0.
    @Test(arguments: ["list", "list --json", "inspect"])
    func readerOfAListingGoesAway(_ command: String) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let tree = "\(directory)/tree"
            mkdir(tree, 0o755)
            for index in 0..<1500 { try TestSupport.write([UInt8(index & 0xff)], to: "\(tree)/member-with-a-name-long-enough-to-fill-pipes-\(index)") }
            let pack = try Child.run([TestSupport.sluice, "pack", "-q", "--archive", tree, "-o", "\(directory)/a.tar.slc"])
            try #require(pack.exitCode == 0, "\(pack.standardError)")
            try TestSupport.write(TestSupport.data(count: 100_000), to: "\(directory)/f")
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", "\(directory)/f"]).exitCode == 0)
            let ends = try TestSupport.pipe()
            var got = 0
            let child: Child
            if command == "inspect" {
                close(ends.read)  // `| head -0`: gone before anything is written
                child = try Child([TestSupport.sluice, "inspect", "\(directory)/f.slc", "\(directory)/f.slc", "\(directory)/f.slc"], stdoutDescriptor: ends.write)
                close(ends.write)
            } else {
                child = try Child([TestSupport.sluice] + command.split(separator: " ").map(String.init) + ["\(directory)/a.tar.slc"], stdoutDescriptor: ends.write)
                close(ends.write)
                // `| head -1`: one line read, then the reader is gone.
                var byte: UInt8 = 0
                while read(ends.read, &byte, 1) == 1 {
                    got += 1
                    if byte == UInt8(ascii: "\n") { break }
                }
                close(ends.read)
                #expect(got > 10)
            }
            let outcome = try #require(child.wait(atMost: 60))
            #expect(outcome.exitCode == 141, "exit \(String(describing: outcome.exitCode)), killed by \(String(describing: outcome.signal))")
            #expect(outcome.standardError.isEmpty, "\(outcome.standardError)")
        }
    }

    /// The other lines sluice writes on stdout, into a pipe already closed (`| head -0`): `verify`'s OK
    /// line (a file, a directory, an archive), `keygen -y`, an archive's `--dry-run` listing and a directory
    /// pack's JSON log. Exit 141 and nothing on stderr. Lines written while files are processed do not stop
    /// the run: the JSON-logged pack still writes every output. Before: `print`'s buffered write failed
    /// silently and each exited 0.
    @Test(arguments: ["verify file", "verify directory", "verify archive", "keygen -y", "dry-run", "json log"])
    func readerOfOtherOutputGoesAway(_ what: String) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let tree = "\(directory)/tree"
            mkdir(tree, 0o755)
            for index in 0..<3 { try TestSupport.write(TestSupport.data(count: 10_000 + index), to: "\(tree)/file-\(index)") }
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", "--archive", tree, "-o", "\(directory)/a.tar.slc"]).exitCode == 0)
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", tree, "-o", "\(directory)/packed"]).exitCode == 0)
            #expect(try Child.run([TestSupport.sluice, "keygen", "--identity", "-o", "\(directory)/me.txt"]).exitCode == 0)
            let arguments: [String] = switch what {
            case "verify file": ["verify", "\(directory)/packed/file-0.slc"]
            case "verify directory": ["verify", "\(directory)/packed"]
            case "verify archive": ["verify", "\(directory)/a.tar.slc"]
            case "keygen -y": ["keygen", "-y", "\(directory)/me.txt"]
            case "dry-run": ["pack", "--archive", tree, "-o", "\(directory)/b.tar.slc", "--dry-run"]
            default: ["pack", tree, "-o", "\(directory)/logged", "--log-format", "json"]
            }
            let ends = try TestSupport.pipe()
            close(ends.read)
            let child = try Child([TestSupport.sluice] + arguments, stdoutDescriptor: ends.write)
            close(ends.write)
            let outcome = try #require(child.wait(atMost: 60))
            #expect(outcome.exitCode == 141, "\(what): exit \(String(describing: outcome.exitCode)), killed by \(String(describing: outcome.signal))")
            #expect(outcome.standardError.isEmpty, "\(outcome.standardError)")
            if what == "json log" { #expect(TestSupport.contents(of: "\(directory)/logged").sorted() == ["file-0.slc", "file-1.slc", "file-2.slc"]) }
            if what == "dry-run" { #expect(!FileManager.default.fileExists(atPath: "\(directory)/b.tar.slc")) }
        }
    }

    /// SIGKILL while an archive's extractor writes a large member leaves its hidden
    /// `.NAME.sluice-PID-TAG.tmp` (the extractor writes named temporaries); the next extraction into that
    /// tree removes it and other dead writers' leftovers, and keeps a live writer's and a locked one.
    @Test func killedExtractorsLeftoversAreRemovedByTheNextRun() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let tree = "\(directory)/tree"
            mkdir(tree, 0o755)
            let big = TestSupport.data(count: 48 << 20)
            try TestSupport.write(big, to: "\(tree)/big")
            try TestSupport.write([1, 2, 3], to: "\(tree)/small")
            let pack = try Child.run([TestSupport.sluice, "pack", "-q", "--codec", "store", "--archive", tree, "-o", "\(directory)/a.tar.slc"])
            try #require(pack.exitCode == 0, "\(pack.standardError)")
            let out = "\(directory)/out"
            let members = out + tree  // the archive names members by the path given, without its leading /
            let unpack = [TestSupport.sluice, "unpack", "-q", "\(directory)/a.tar.slc", "-o", out]
            // Killed once its temporary file exists (the member is published soon after: a few tries).
            func bigsTemporary() -> Bool { TestSupport.temporaryFiles(in: members).contains { $0.hasPrefix(".big.") } }
            var left: [String] = []
            var killed: pid_t = 0
            for _ in 0..<8 where !left.contains(where: { $0.hasPrefix(".big.") }) {
                try? FileManager.default.removeItem(atPath: out)
                let child = try Child(unpack)
                let deadline = Date().addingTimeInterval(60)
                while Date() < deadline, !child.hasExited, !bigsTemporary() { usleep(500) }
                child.send(SIGKILL)
                _ = child.wait()
                killed = child.pid
                left = TestSupport.temporaryFiles(in: members)
            }
            try #require(left.contains { $0.hasPrefix(".big.") }, "no temporary file caught in 8 kills")
            #expect(left.allSatisfy { $0.contains(".sluice-\(String(killed, radix: 36))-") }, "\(left)")
            // Other leftovers: a dead writer's in the target's root and in the tree (another output's name),
            // a live writer's, and one whose writer still holds its lock.
            try Child.withDeadAndLiveProcess { dead, alive in
                let live = ".small.sluice-\(alive)-x1.tmp"
                let locked = ".small.sluice-\(dead)-x2.tmp"
                for name in ["\(out)/.other.sluice-\(dead)-x3.tmp", "\(members)/.else.sluice-\(dead)-x4.tmp", "\(members)/\(live)", "\(members)/\(locked)"] {
                    try TestSupport.write([1], to: name)
                }
                let holder = open("\(members)/\(locked)", O_RDONLY | O_CLOEXEC)
                defer { close(holder) }
                #expect(flock(holder, LOCK_EX | LOCK_NB) == 0)
                let next = try Child.run(unpack + ["--force"])
                #expect(next.exitCode == 0, "\(next.standardError)")
                #expect(TestSupport.temporaryFiles(in: out).isEmpty)
                #expect(TestSupport.temporaryFiles(in: members) == [live, locked].sorted())
                #expect(try TestSupport.read("\(members)/big") == big)
            }
        }
    }

    /// `ulimit -f` with SIGXFSZ at its default (it would kill the process): the write fails with EFBIG
    /// instead, one line, exit 74, nothing left.
    @Test(arguments: Output.allCases)
    func fileSizeLimit(_ output: Output) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let environment = try Self.setUp(directory, output)
            try TestSupport.write((0..<(3 << 20)).map { _ in UInt8.random(in: 0...255) }, to: "\(directory)/input")
            let outcome = try Child.run(["/bin/sh", "-c", "ulimit -f 1024; exec \"$@\"", "sh", TestSupport.sluice, "pack", "--codec", "store",
                                         "--chunk-size", "64K", "\(directory)/input", "-o", "\(directory)/out"], environment: environment)
            #expect(outcome.exitCode == 74, "exit \(String(describing: outcome.exitCode)), killed by \(String(describing: outcome.signal))")
            #expect(outcome.errorLines.count == 1 && outcome.standardError.contains("File too large") && outcome.standardError.contains("\(directory)/out"),
                    "\(outcome.standardError)")
            #expect(TestSupport.contents(of: directory) == ["input"])
        }
    }

    /// `ulimit -S -t 1`: past a second of CPU the kernel sends SIGXCPU; exit 152, nothing left.
    @Test(arguments: Output.allCases)
    func cpuTimeLimit(_ output: Output) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let environment = try Self.setUp(directory, output)
            let outcome = try Child.run(["/bin/sh", "-c", "ulimit -S -t 1; exec \"$@\"", "sh"] + Self.slowPack(directory), environment: environment)
            #expect(outcome.exitCode == 128 + SIGXCPU, "exit \(String(describing: outcome.exitCode)), killed by \(String(describing: outcome.signal))")
            #expect(TestSupport.contents(of: directory) == ["input"])
        }
    }

    static let killsPerScenario = 6

    /// SIGKILL at random moments of pack and unpack: the output is absent or complete; with anonymous
    /// files nothing else is ever left; with hidden names the leftovers are removed by the next run.
    @Test(arguments: ["pack", "unpack"], Output.allCases)
    func killedAtRandomMoments(_ command: String, _ output: Output) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let environment = try Self.setUp(directory, output)
            let original = try TestSupport.read("\(directory)/input")
            let arguments: [String]
            if command == "pack" {
                arguments = Self.slowPack(directory)
            } else {
                let big = (0..<24).flatMap { _ in original }
                try TestSupport.write(big, to: "\(directory)/big")
                #expect(try Child.run([TestSupport.sluice, "pack", "-q", "--codec", "store", "--chunk-size", "256K", "\(directory)/big",
                                       "-o", "\(directory)/input.slc"]).exitCode == 0)
                unlink("\(directory)/big")
                arguments = [TestSupport.sluice, "unpack", "-q", "\(directory)/input.slc", "-o", "\(directory)/out"]
            }
            let inputs = TestSupport.contents(of: directory)
            func outputIsComplete() throws -> Bool {
                if command == "unpack" { return try TestSupport.read("\(directory)/out") == (0..<24).flatMap { _ in original } }
                let back = "\(directory)/../back-\(getpid())"
                defer { unlink(back) }
                let outcome = try Child.run([TestSupport.sluice, "unpack", "-q", "\(directory)/out", "-o", back])
                return try outcome.exitCode == 0 && TestSupport.read(back) == original
            }
            let began = Date()
            let clean = try Child.run(arguments, environment: environment)
            let length = Date().timeIntervalSince(began)
            try #require(clean.exitCode == 0, "\(clean.standardError)")
            #expect(TestSupport.contents(of: directory) == (inputs + ["out"]).sorted())
            unlink("\(directory)/out")
            var leftovers = 0
            for run in 0..<Self.killsPerScenario {
                let child = try Child(arguments, environment: environment)
                usleep(useconds_t(Double.random(in: 0.02...0.95) * length * 1_000_000))
                child.send(SIGKILL)
                _ = child.wait()
                if FileManager.default.fileExists(atPath: "\(directory)/out") {
                    #expect(try outputIsComplete(), "run \(run): a partial output under the final name")
                    unlink("\(directory)/out")
                }
                let left = TestSupport.temporaryFiles(in: directory)
                if output == .anonymous { #expect(left.isEmpty, "run \(run): \(left)") }
                leftovers += left.count
            }
            // The next run removes what the killed ones left, and succeeds.
            let next = try Child.run(arguments, environment: environment)
            #expect(next.exitCode == 0, "\(next.standardError)")
            #expect(TestSupport.contents(of: directory) == (inputs + ["out"]).sorted())
            print("SIGKILL \(command) \(output): \(Self.killsPerScenario) kills, \(leftovers) hidden files left, all removed by the next run")
        }
    }
}
