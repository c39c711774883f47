#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Sluice
import Synchronization
import SystemPackage

/// Terminal output and input: error lines, prompts without echo.
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
    /// Read once, before ``BinaryOutputGuard`` may put a pipe in its place.
    static let standardOutputIsTerminal = isatty(1) == 1
    static var standardInputIsTerminal: Bool { isatty(0) == 1 }

    /// Writes `message` and a newline to stderr.
    static func printError(_ message: String) { emit(message + "\n") }

    /// Writes `text` to stderr as is, retrying short writes.
    static func emit(_ text: String) {
        var text = text
        _ = text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: 2) }
    }

    /// Writes `text` to standard output with `write(2)`, unbuffered (not through `print`'s buffer, whose
    /// failures are silent): a reader that went away (`sluice list A | head -1`) ends the run through
    /// ``reportingErrors(input:_:)`` with exit 141 and no message; any other failure is its one error line.
    static func output(_ text: String) throws {
        var text = text
        try text.withUTF8 { try output(UnsafeRawBufferPointer($0)) }
    }

    /// Writes `line` and a newline to standard output from where a failure cannot be thrown (a run's event
    /// callbacks): the first failure is kept, later lines are dropped, and ``reportingErrors(input:_:)``
    /// ends the run with it when the command returns (exit 141 for a reader that went away).
    static func outputLine(_ line: String) {
        guard lostOutput.load(ordering: .relaxed) == 0 else { return }
        var text = line + "\n"
        if let failure = text.withUTF8({ writeAll(UnsafeRawBufferPointer($0), to: 1) }) {
            _ = lostOutput.compareExchange(expected: 0, desired: failure.rawValue, ordering: .relaxed)
        }
    }

    /// Throws the failure ``outputLine(_:)`` kept, if any.
    static func checkOutput() throws {
        let code = lostOutput.load(ordering: .relaxed)
        if code != 0 { throw SluiceError(.io, "cannot write to standard output", cause: Errno(rawValue: code)) }
    }

    private static let lostOutput = Atomic<Int32>(0)

    /// Writes `bytes` to standard output, as the text is written above.
    static func output(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try output($0) }
    }

    private static func output(_ bytes: UnsafeRawBufferPointer) throws {
        if let failure = writeAll(bytes, to: 1) { throw SluiceError(.io, "cannot write to standard output", cause: failure) }
    }

    /// Writes `bytes` to `fd`, retrying short writes and `EINTR`; the error that stopped it, if any.
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Errno? {
        var rest = bytes
        while !rest.isEmpty {
            let written = write(fd, rest.baseAddress, rest.count)
            if written < 0 {
                if errno == EINTR { continue }
                return Errno(rawValue: errno)
            }
            rest = UnsafeRawBufferPointer(rebasing: rest[written...])
        }
        return nil
    }

    /// The one line a failure prints.
    static func error(_ message: String) { printError("sluice: error: \(message)") }

    static func warning(_ message: String) { printError("sluice: warning: \(message)") }

    /// One byte from `fd`, retrying `EINTR`; `nil` at the end or on an error. (Stopping at an `EINTR`
    /// instead would silently cut a passphrase short, and the file would be sealed with the prefix.)
    static func readByte(_ fd: Int32) -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = read(fd, &byte, 1)
            if count == 1 { return byte }
            if count < 0, errno == EINTR { continue }
            return nil
        }
    }

    /// Reads a line from the controlling terminal with echo off, as bytes (no decoding); `nil` when there
    /// is no terminal. Reads at most `limit` + 1 bytes, so an over-long line shows as one.
    static func readSecret(prompt: String, limit: Int) -> [UInt8]? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        // Echo off before the prompt shows: what is typed after seeing it must not be flushed.
        guard tcsetattr(fd, TCSAFLUSH, &silent) == 0 else { return nil }
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            _ = write(fd, "\n", 1)
        }
        return readLine(fd, limit: limit)
    }

    /// The bytes of one line of `fd` without its `\n` (or `\r\n`), reading at most `limit` + 1 bytes.
    static func readLine(_ fd: Int32, limit: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count <= limit, let byte = readByte(fd), byte != UInt8(ascii: "\n") {
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }
}
