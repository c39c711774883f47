/// The one error type the library throws: a category a program can act on, a sentence a person can
/// read, and the underlying cause when there is one.
///
/// The CLI maps ``Code`` to its documented exit codes in one place (`ExitCode+SluiceError.swift`).
public struct SluiceError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, CaseIterable {
        /// The caller asked for something impossible (bad option, level out of range, same input and output).
        case invalidArgument
        /// The key or passphrase does not open this file (the key-check value did not match).
        case wrongKey
        /// The input is not a `.slc` file, is truncated, or failed a checksum or authentication.
        case corrupt
        /// Reading or writing failed (permission, missing file, disk full, …).
        case io
        /// The output exists and `force` was not given.
        case outputExists
        /// A signal or cancellation stopped the work.
        case interrupted
        /// A C library reported an error Sluice did not expect.
        case library
    }

    /// The category: what a program (and the CLI's exit code) acts on.
    public var code: Code
    /// One sentence for a person, naming the file or option at fault.
    public var message: String
    /// The error underneath (an `Errno`, another ``SluiceError``), when there is one.
    public var cause: (any Error & Sendable)?

    /// An error of `code` saying `message`, keeping `cause`.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, followed by the cause when there is one.
    public var description: String {
        if let cause { return "\(message): \(cause)" }
        return message
    }

    package static func corrupt(_ message: String) -> SluiceError { SluiceError(.corrupt, message) }
    package static func invalid(_ message: String) -> SluiceError { SluiceError(.invalidArgument, message) }
}
