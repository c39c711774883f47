#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A child process started with `posix_spawn`, for the fault and signal tests: unlike `Foundation.Process`
/// it gives the pid for `kill`, the child's own resource usage from `wait4` (its peak RSS), and a clean
/// signal state (default dispositions, nothing blocked) whatever the test runner set up.
struct Child {
    let pid: pid_t

    /// How the child ended.
    struct Outcome {
        /// The exit code, or `nil` when a signal killed it.
        var exitCode: Int32?
        /// The signal that killed it.
        var signal: Int32?
        /// Peak resident set size as `wait4` reports it. Includes this (the spawning) process's memory:
        /// `posix_spawn` uses `vfork`, and the kernel charges the shared memory to the child until its
        /// `exec`. `HostileInputTests.measured` uses GNU time for a true figure.
        var maxResidentBytes: Int
        var standardError: String
        var standardOutput: String

        /// `sluice: error: …` lines on stderr.
        var errorLines: [String] { standardError.split(separator: "\n").map(String.init).filter { $0.hasPrefix("sluice:") } }
    }

    private let stdoutPath: String
    private let stderrPath: String

    /// Starts `arguments[0]` (an absolute path) with `arguments`, stdin from `stdin` (default /dev/null),
    /// stdout and stderr captured in files (stderr optionally to an already open descriptor).
    init(_ arguments: [String], stdin: String = "/dev/null", stdinDescriptor: Int32? = nil, stdoutDescriptor: Int32? = nil,
         stderrDescriptor: Int32? = nil, environment: [String: String] = [:]) throws {
        let scratch = FileManager.default.temporaryDirectory.path
        let tag = UUID().uuidString
        stdoutPath = "\(scratch)/sluice-child-\(tag).out"
        stderrPath = "\(scratch)/sluice-child-\(tag).err"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdinDescriptor {
            posix_spawn_file_actions_adddup2(&actions, stdinDescriptor, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        }
        if let stdoutDescriptor {
            posix_spawn_file_actions_adddup2(&actions, stdoutDescriptor, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        if let stderrDescriptor {
            posix_spawn_file_actions_adddup2(&actions, stderrDescriptor, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        self.pid = pid
    }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) { kill(pid, signal) }

    /// Whether the child has exited (without reaping it).
    var hasExited: Bool {
        var info = siginfo_t()
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info._sifields._sigchld.si_pid == pid
    }

    /// Waits for the child and collects what it printed.
    func wait() -> Outcome {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
        let exited = status & 0x7F == 0
        let standardOutput = TestSupport.readText(stdoutPath)
        let standardError = TestSupport.readText(stderrPath)
        unlink(stdoutPath)
        unlink(stderrPath)
        return Outcome(
            exitCode: exited ? (status >> 8) & 0xFF : nil, signal: exited ? nil : status & 0x7F,
            maxResidentBytes: Int(usage.ru_maxrss) * 1024, standardError: standardError,
            standardOutput: standardOutput)
    }

    /// Waits at most `seconds` (a guard against a hang, not a measurement); kills it with SIGKILL after that
    /// and returns nil.
    func wait(atMost seconds: Double) -> Outcome? {
        let deadline = Date().addingTimeInterval(seconds)
        while !hasExited {
            if Date() > deadline {
                send(SIGKILL)
                _ = wait()
                return nil
            }
            usleep(2_000)
        }
        return wait()
    }

    /// Runs to completion.
    static func run(_ arguments: [String], stdin: String = "/dev/null", environment: [String: String] = [:]) throws -> Outcome {
        try Child(arguments, stdin: stdin, environment: environment).wait()
    }

    /// Runs `body` with the process numbers, in base 36 as hidden temporary names spell them, of a process
    /// that has exited (its number is free once it is reaped) and of one that lives until `body` returns.
    static func withDeadAndLiveProcess<T>(_ body: (_ dead: String, _ live: String) throws -> T) throws -> T {
        let exited = try Child(["/bin/true"])
        _ = exited.wait()
        let sleeper = try Child(["/bin/sleep", "60"])
        defer {
            sleeper.send(SIGKILL)
            _ = sleeper.wait()
        }
        return try body(String(exited.pid, radix: 36), String(sleeper.pid, radix: 36))
    }
}

/// Paths and scratch space for tests that run the `sluice` executable.
enum TestSupport {
    /// The `sluice` built next to the test bundle (the test target depends on it).
    static let sluice: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("sluice").path
    }()

    static var isRoot: Bool { geteuid() == 0 }

    /// Whether this process (and so the `sluice` built with it) runs under ThreadSanitizer or
    /// AddressSanitizer (`swift test --sanitize=…`).
    static let isSanitized: Bool = {
        let me = dlopen(nil, RTLD_NOW)
        return dlsym(me, "__tsan_init") != nil || dlsym(me, "__asan_init") != nil
    }()

    /// A fresh directory (mode 0755, so an unprivileged child can enter it), removed by `body`'s end.
    static func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
        var template = Array("\(FileManager.default.temporaryDirectory.path)/sluice-hardening-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
        let path = String(cString: made)
        chmod(path, 0o755)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    /// Deterministic, moderately compressible bytes (text-like with noise).
    static func data(count: Int, seed: UInt64 = 42) -> [UInt8] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8](repeating: 0, count: count)
        let words = Array("sluice chunk frame trailer footer header nonce digest window worker ".utf8)
        var i = 0
        while i < count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            if state >> 60 == 0 {
                bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
                i += 1
            } else {
                let start = Int(state >> 40) % (words.count - 8)
                for j in 0..<8 where i < count {
                    bytes[i] = words[start + j]
                    i += 1
                }
            }
        }
        return bytes
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A small text file's contents ("" when it cannot be read), with plain `read(2)`: Foundation's
    /// `String(contentsOfFile:)` leaks its buffer here, which LeakSanitizer reports under `--sanitize=address`.
    static func readText(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += block[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Names in `directory`, hidden ones included.
    static func contents(of directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Leftover temporary outputs (`.NAME.sluice-XXXX.tmp`) in `directory`.
    static func temporaryFiles(in directory: String) -> [String] {
        contents(of: directory).filter { $0.hasPrefix(".") && $0.contains(".sluice-") && $0.hasSuffix(".tmp") }
    }

    /// A pipe whose ends are close-on-exec, made atomically (`pipe2`, which Swift's Glibc module does not
    /// declare), so that a child another test spawns meanwhile cannot inherit them.
    static func pipe() throws -> (read: Int32, write: Int32) {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
        let pipe2 = unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "pipe2"), to: Pipe2.self)
        var ends: [Int32] = [0, 0]
        guard pipe2(&ends, O_CLOEXEC) == 0 else { throw POSIXError(.EMFILE) }
        return (ends[0], ends[1])
    }

    /// Whether an executable exists at `path`.
    static func hasTool(_ path: String) -> Bool { access(path, X_OK) == 0 }
}
