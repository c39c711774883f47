import ArgumentParser
import SystemPackage
import Sluice

/// The exit codes `sluice` documents (docs/cli.md, "Exit codes"), following BSD `sysexits.h` where
/// one fits.
enum ExitCodes {
    static let success: Int32 = 0
    /// Something failed that has no code of its own (in batch mode: some files failed).
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    /// Not a `.slc` file, truncated, corrupted, or tampered with.
    static let corrupt: Int32 = 65
    /// A C library reported an unexpected error.
    static let software: Int32 = 70
    /// The output exists and `--force` was not given.
    static let outputExists: Int32 = 73
    /// Reading or writing failed: missing file, permission denied, disk full.
    static let io: Int32 = 74
    /// The key or passphrase does not open the file, or none was given.
    static let wrongKey: Int32 = 77
    static let interrupted: Int32 = 130
    /// The reader of standard output went away (`sluice -c … | head`): 128 + SIGPIPE, what a shell
    /// reports for a tool SIGPIPE killed; nothing is printed.
    static let brokenPipe: Int32 = 141
    static let terminated: Int32 = 143

    static func code(for error: SluiceError) -> Int32 {
        switch error.code {
        case .invalidArgument: usage
        case .wrongKey: wrongKey
        case .corrupt: corrupt
        case .io: io
        case .outputExists: outputExists
        case .interrupted: interrupted
        case .library: software
        }
    }
}

/// Runs `body`; a ``SluiceError`` becomes one line on stderr and its documented exit code. With the
/// `input` a command reads, a file Sluice cannot read is described ("… it looks like gzip data").
func reportingErrors<T>(input: String? = nil, _ body: () throws -> T) throws -> T {
    do {
        let result = try body()
        try Terminal.checkOutput()
        return result
    } catch let error as SluiceError where error.isBrokenPipe {
        throw ExitCode(ExitCodes.brokenPipe)
    } catch let error as SluiceError {
        var error = input.map { ForeignInput.explaining(error, input: $0) } ?? error
        // One of several inputs: its line names it.
        if let current = ManyInputs.current, !error.message.contains(current) {
            error = SluiceError(error.code, "\(current): \(error.message)", cause: error.cause)
        } else if let input, [.corrupt, .wrongKey].contains(error.code) {
            // A damaged file or a key that does not open it: the line names the file, whichever layer
            // refused it (a codec's words, "zstd decompression failed: …", know no path).
            let name = input == "-" ? "stdin" : input
            if !error.message.contains(name) { error = SluiceError(error.code, "\(name): \(error.message)", cause: error.cause) }
        }
        Terminal.error(error.description)
        throw ExitCode(ExitCodes.code(for: error))
    }
}

extension SluiceError {
    /// Whether a write failed because the reader of a pipe went away (`EPIPE`), directly or underneath.
    var isBrokenPipe: Bool {
        var cause: (any Error)? = self
        while let current = cause {
            if let errno = current as? Errno { return errno == .brokenPipe }
            cause = (current as? SluiceError)?.cause
        }
        return false
    }
}
