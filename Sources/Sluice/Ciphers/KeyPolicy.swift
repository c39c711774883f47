/// The kind of secret a caller holds, or a file's key block was made for.
public enum KeyKind: String, Sendable, CaseIterable {
    /// A passphrase, stretched with scrypt.
    case passphrase
    /// A 32-byte key file (`sluice keygen`).
    case keyFile = "key file"
    /// age X25519 identities (`-i`), which open a file encrypted to their recipients.
    case identity

    /// The name with its indefinite article, for messages ("a key file", "an identity").
    var withArticle: String { self == .identity ? "an \(rawValue)" : "a \(rawValue)" }

    /// The kind of `source`.
    public init(_ source: KeySource) {
        switch source {
        case .passphrase: self = .passphrase
        case .keyFile: self = .keyFile
        case .identities, .recipients: self = .identity
        }
    }

    /// The kind of secret that opens a file key wrapped this way.
    init(_ wrapping: KeyWrapping) {
        switch wrapping {
        case .passphrase: self = .passphrase
        case .keyFile: self = .keyFile
        case .recipients: self = .identity
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
///
/// The policy also carries the caller's ``KeyContext`` (`--context`): a file not bound to a context is
/// refused when one is given (it was not packed for that purpose), and a format deriving the keys of a
/// file bound to one uses it (an `.slc` file bound to a context without one given is refused there).
public struct KeyPolicy: Equatable, Sendable {
    /// The kind of secret the caller was given; `nil` when none was (a prompt may still be offered
    /// for an encrypted file).
    public var given: KeyKind?
    /// Accept a file without a cipher although a secret was given (`--allow-unencrypted`).
    public var allowUnencrypted: Bool
    /// The context the file must be bound to (`--context`); `nil`: the file must not be bound to one
    /// (checked when its keys are derived).
    public var context: KeyContext?

    /// No secret given: any file is admitted here (an encrypted one then needs a key to open).
    public static let noKey = KeyPolicy(given: nil)

    /// The policy for a caller holding a key of kind `given` (`nil`: none).
    public init(given: KeyKind?, allowUnencrypted: Bool = false, context: KeyContext? = nil) {
        self.given = given
        self.allowUnencrypted = allowUnencrypted
        self.context = context
    }

    /// The policy for a caller holding `source` (`nil`: none).
    public init(for source: KeySource?, allowUnencrypted: Bool = false, context: KeyContext? = nil) {
        self.init(given: source.map(KeyKind.init), allowUnencrypted: allowUnencrypted, context: context)
    }

    /// Admits or refuses a file whose header lists `wrappings` (empty: the file is not encrypted), as
    /// its format read them (``FormatReader/keyWrappings``, ``KeyRequest/wrappings``), and says whether
    /// its keys are bound to a context (``FormatReader/boundToContext``, ``KeyRequest/boundToContext``).
    ///
    /// - Throws: ``SluiceError/Code/wrongKey`` when a secret was given and the file is not encrypted
    ///   (without ``allowUnencrypted``) or is encrypted for no wrapping that kind of secret opens, and
    ///   when a context was given and the file is not bound to one (even with ``allowUnencrypted``).
    public func admit(_ wrappings: [KeyWrapping], boundToContext: Bool) throws {
        if context != nil, !boundToContext {
            throw SluiceError(
                .wrongKey,
                wrappings.isEmpty
                    ? "refusing an unencrypted file although --context was given (only an encrypted file can be bound to a context)"
                    : "this file was packed without a context, but --context was given: it was not packed for that purpose")
        }
        guard let given else { return }
        guard let first = wrappings.first else {
            if allowUnencrypted { return }
            throw SluiceError(
                .wrongKey,
                "refusing an unencrypted file although \(given.withArticle) was given (it may be a forgery; --allow-unencrypted accepts it)")
        }
        guard wrappings.contains(where: { KeyKind($0) == given }) else {
            throw SluiceError(.wrongKey, "this file was encrypted with \(KeyKind(first).withArticle), not \(given.withArticle)")
        }
    }
}
