#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// age identity files and recipients files: one key per line, blank lines and lines starting with `#`
/// ignored — the files `age-keygen` writes and `age -i` / `age -R` read.
public enum IdentityFile {
    /// Identity and recipients files larger than this are refused (a key line is under 100 bytes).
    static let sizeLimit = 1 << 20

    /// Creates a new identity file at `path` as `age-keygen -o` does: `# created:` and
    /// `# public key:` comments, then the `AGE-SECRET-KEY-1…` line; mode 0600, never overwriting.
    ///
    /// - Returns: the new identity.
    /// - Throws: ``SluiceError/Code/outputExists`` when `path` exists; ``SluiceError/Code/io``.
    @discardableResult
    public static func generate(at path: FilePath) throws -> AgeIdentity {
        let identity = try AgeIdentity.generate()
        try KeyFile.createSecret(at: path, contents: Array(text(of: identity).utf8), what: "an identity")
        return identity
    }

    /// The identity-file text for `identity`, as `age-keygen` writes it: the two comment lines and
    /// the key line.
    public static func text(of identity: AgeIdentity) -> String {
        "# created: \(timestamp())\n# public key: \(identity.recipient)\n\(identity.encoded)\n"
    }

    /// Reads every identity in the file at `path`, after checking who can reach it as for a key file
    /// (``SecretFile``, docs/security.md "Key and passphrase files").
    ///
    /// - Parameters:
    ///   - strict: refuse a file other users can reach or someone else owns, instead of warning.
    ///   - warn: receives the one-sentence warning about such a file when not `strict`.
    /// - Throws: ``SluiceError/Code/invalidArgument`` naming the file and line when a line is not an
    ///   X25519 identity, when the file holds none, or when it is exposed and `strict`.
    public static func identities(
        at path: FilePath, strict: Bool = false, warn: (String) -> Void = { _ in }
    ) throws -> [AgeIdentity] {
        var bytes = try SecretFile.read(path, limit: sizeLimit + 1, strict: strict, warn: warn)
        defer { LibCrypto.cleanse(&bytes) }
        guard bytes.count <= sizeLimit else { throw SluiceError.invalid("\(path) is larger than \(sizeLimit) bytes") }
        let lines = try keyLines(of: bytes, at: path)
        let identities = try lines.map { number, line in
            do { return try AgeIdentity(parsing: line) } catch let error as SluiceError {
                throw SluiceError.invalid("\(path) line \(number): \(error.message)")
            }
        }
        guard !identities.isEmpty else { throw SluiceError.invalid("\(path) holds no identity") }
        return identities
    }

    /// Reads every recipient in the file at `path` (`-R`).
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` naming the file and line when a line is not an
    ///   X25519 recipient, or when the file holds none.
    public static func recipients(at path: FilePath) throws -> [AgeRecipient] {
        let recipients = try keyLines(of: FileSystem.readSmallFile(path, limit: sizeLimit), at: path).map { number, line in
            do { return try AgeRecipient(parsing: line) } catch let error as SluiceError {
                throw SluiceError.invalid("\(path) line \(number): \(error.message)")
            }
        }
        guard !recipients.isEmpty else { throw SluiceError.invalid("\(path) holds no recipient") }
        return recipients
    }

    /// The lines of `bytes` (the file at `path`) that hold keys, with their 1-based numbers; a trailing
    /// CR is dropped.
    private static func keyLines(of bytes: [UInt8], at path: FilePath) throws -> [(Int, String)] {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SluiceError.invalid("\(path) is not a text file of age keys")
        }
        // Split the bytes, not the String: "\r\n" is one Character, so a String split on "\n" misses it.
        var lines: [(Int, String)] = []
        for (index, raw) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            lines.append((index + 1, String(decoding: line, as: UTF8.self)))
        }
        return lines
    }

    /// Now as RFC 3339 in local time, as `age-keygen` writes it (`2026-11-27T10:02:03+01:00`, or `Z`).
    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        let offset = parts.tm_gmtoff
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let zone = offset == 0
            ? "Z"
            : "\(offset < 0 ? "-" : "+")\(two(Int32(abs(offset) / 3600))):\(two(Int32(abs(offset) % 3600 / 60)))"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))\(zone)"
    }
}
