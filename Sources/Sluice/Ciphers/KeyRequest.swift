/// What an encrypted file asks for before it can be opened: its format reads the header and lists how
/// the file key is wrapped there, and the caller's ``KeyProvider`` answers with a secret.
///
/// This is the seam between a container format and key handling: a format never prompts or reads key
/// files itself; it asks once, with this request, and unwraps the file key from the answer.
public struct KeyRequest: Sendable {
    /// The format of the file that asks for a key.
    public var format: ContainerKind
    /// The wrappings the header lists; any one of them opens the file.
    public var wrappings: [KeyWrapping]
    /// Whether the header says the file key is bound to a ``KeyContext`` (`--context`).
    public var boundToContext = false
}

/// One way a file key is wrapped in a header.
public enum KeyWrapping: Equatable, Sendable {
    /// A passphrase stretched with scrypt at this cost.
    case passphrase(ScryptCost)
    /// A 32-byte key file (`sluice keygen`).
    case keyFile
    /// age X25519 recipient stanzas, this many: an identity (`-i`) opens the file.
    case recipients(Int)
}

/// Answers a ``KeyRequest`` with the secret to try, or `nil` when there is none.
public typealias KeyProvider = (KeyRequest) throws -> KeySource?
