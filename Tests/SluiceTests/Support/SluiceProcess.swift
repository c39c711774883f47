import Foundation
import SystemPackage

/// Runs the built `sluice` executable as a separate process, the way a user or a script does.
enum SluiceProcess {
    struct Result: CustomStringConvertible {
        var status: Int32
        /// Whether the process ended by a signal (a crash) instead of exiting.
        var crashed: Bool
        var stdout: [UInt8]
        var stderr: String

        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: true) }
        var description: String { "exit \(status)\(crashed ? " (signal)" : ""), stderr: \(stderr.debugDescription)" }
    }

    /// The executable: `$SLUICE_BIN`, or `sluice` next to the test bundle (SwiftPM builds both into the
    /// same directory).
    static let executable: URL? = {
        if let path = ProcessInfo.processInfo.environment["SLUICE_BIN"] { return URL(fileURLWithPath: path) }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ]
        return candidates.map { $0.appendingPathComponent("sluice") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// `setsid` gives the child no controlling terminal, so a missing key can never turn into a
    /// passphrase prompt that waits forever when the tests are run from a terminal.
    static let setsid: URL? = ["/usr/bin/setsid", "/bin/setsid"].map { URL(fileURLWithPath: $0) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    struct NotFound: Error, CustomStringConvertible {
        var description: String { "sluice executable not found next to the test bundle; set SLUICE_BIN" }
    }

    /// Runs `sluice arguments…` in `directory`, with stdin from `stdin` (or empty), extra environment
    /// variables, and stdout and stderr captured in files (so large outputs cannot block a pipe).
    static func run(
        _ arguments: [String], in directory: FilePath, stdin: FilePath? = nil, environment: [String: String] = [:],
        withoutTerminal: Bool = false
    ) throws -> Result {
        guard let executable else { throw NotFound() }
        return try withTemporaryDirectory { captures in
            let outPath = captures.appending("stdout"), errPath = captures.appending("stderr")
            try writeFile(outPath, [])
            try writeFile(errPath, [])
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath.string))
            let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath.string))
            let input: FileHandle
            if let stdin {
                input = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdin.string))
            } else {
                input = FileHandle(forReadingAtPath: "/dev/null")!
            }
            defer {
                try? out.close()
                try? err.close()
                try? input.close()
            }

            let process = Process()
            if withoutTerminal, let setsid {
                process.executableURL = setsid
                process.arguments = ["--wait", executable.path] + arguments
            } else {
                process.executableURL = executable
                process.arguments = arguments
            }
            process.currentDirectoryURL = URL(fileURLWithPath: directory.string)
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardInput = input
            process.standardOutput = out
            process.standardError = err
            try process.run()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal,
                stdout: try readFile(outPath), stderr: String(decoding: try readFile(errPath), as: UTF8.self))
        }
    }

    /// Runs a `/bin/sh` script in `directory` with `$SLUICE` naming the executable: for what a
    /// process's arguments cannot carry (a umask, environment bytes that are not UTF-8, pipes).
    /// Outputs must stay small (under a pipe's 64 KiB): stdout is read to its end, then stderr.
    static func shell(_ script: String, in directory: FilePath) throws -> Result {
        guard let executable else { throw NotFound() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory.string)
        process.environment = ProcessInfo.processInfo.environment.merging(["SLUICE": executable.path]) { $1 }
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal,
            stdout: Array(stdout), stderr: String(decoding: stderr, as: UTF8.self))
    }
}
