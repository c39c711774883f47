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
