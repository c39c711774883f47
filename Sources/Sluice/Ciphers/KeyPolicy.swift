/// The kind of secret a caller holds, or a file's key block was made for.
public enum KeyKind: String, Sendable, CaseIterable {
    /// A passphrase, stretched with scrypt.
    case passphrase
    /// A 32-byte key file (`sluice keygen`).
    case keyFile = "key file"

    /// The kind of `source`.
    public init(_ source: KeySource) {
        switch source {
        case .passphrase: self = .passphrase
        case .keyFile: self = .keyFile
        }
    }

    /// The kind of secret that opens a file key wrapped this way.
    init(_ wrapping: KeyWrapping) {
        switch wrapping {
        case .passphrase: self = .passphrase
        case .keyFile: self = .keyFile
        }
    }
}

/// What a caller's key supply demands of a file's header before anything else of the file is used:
/// the single rule against downgrades (docs/security.md, "No unencrypted file when a key is given").
///
/// A caller that was given a key, a passphrase or an identity expects an encrypted file, and one
/// encrypted for that kind of secret. An unencrypted header is only checked by XXH3, which anyone can
/// recompute, so such a file is refused (``SluiceError/Code/wrongKey``, exit 77) unless the caller
/// explicitly accepts unencrypted files; a header made for another kind of secret is always refused.
/// Every read path checks this where a file is opened, whatever its format
/// (``ContainerKind/open(_:keys:limits:requireKey:)``), through ``DecodeLimits/keys``: before the key is
/// asked for or derived, and again once the header is read.
public struct KeyPolicy: Equatable, Sendable {
    /// The kind of secret the caller was given; `nil` when none was (a prompt may still be offered
    /// for an encrypted file).
    public var given: KeyKind?
    /// Accept a file without a cipher although a secret was given (`--allow-unencrypted`).
    public var allowUnencrypted: Bool

    /// No secret given: any file is admitted here (an encrypted one then needs a key to open).
    public static let noKey = KeyPolicy(given: nil)

    public init(given: KeyKind?, allowUnencrypted: Bool = false) {
        self.given = given
        self.allowUnencrypted = allowUnencrypted
    }

    /// The policy for a caller holding `source` (`nil`: none).
    public init(for source: KeySource?, allowUnencrypted: Bool = false) {
        self.init(given: source.map(KeyKind.init), allowUnencrypted: allowUnencrypted)
    }

    /// Admits or refuses a file whose header lists `wrappings` (empty: the file is not encrypted), as
    /// its format read them (``FormatReader/keyWrappings``, ``KeyRequest/wrappings``).
    ///
    /// - Throws: ``SluiceError/Code/wrongKey`` when a secret was given and the file is not encrypted
    ///   (without ``allowUnencrypted``) or is encrypted for no wrapping that kind of secret opens.
    public func admit(_ wrappings: [KeyWrapping]) throws {
        guard let given else { return }
        guard let first = wrappings.first else {
            if allowUnencrypted { return }
            throw SluiceError(
                .wrongKey,
                "refusing an unencrypted file although a \(given.rawValue) was given (it may be a forgery; --allow-unencrypted accepts it)")
        }
        guard wrappings.contains(where: { KeyKind($0) == given }) else {
            throw SluiceError(.wrongKey, "this file was encrypted with a \(KeyKind(first).rawValue), not a \(given.rawValue)")
        }
    }
}
