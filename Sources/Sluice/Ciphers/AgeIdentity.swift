/// An age X25519 recipient: the public half of an ``AgeIdentity``, written `age1…` (Bech32).
///
/// Anyone holding it can encrypt to it; only the identity can decrypt. See docs/security.md,
/// "Recipients".
public struct AgeRecipient: Hashable, Sendable, CustomStringConvertible {
    /// The 32-byte X25519 public key (RFC 7748 u-coordinate).
    let publicKey: [UInt8]

    static let humanReadablePart = "age"

    init(publicKey: [UInt8]) {
        precondition(publicKey.count == 32)
        self.publicKey = publicKey
    }

    /// Parses `age1…`.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when `text` is not an X25519 recipient; a
    ///   post-quantum `age1pq1…` recipient is refused with the reason.
    public init(parsing text: String) throws {
        if text.lowercased().hasPrefix("age1pq1") {
            throw SluiceError.invalid("'\(text.prefix(16))…' is a post-quantum (mlkem768x25519) recipient, which needs ML-KEM; OpenSSL 3.0 has none, so sluice supports X25519 recipients only")
        }
        guard text == text.lowercased(), let (hrp, data) = Bech32.decode(text), hrp == Self.humanReadablePart,
              data.count == 32
        else { throw SluiceError.invalid("'\(text)' is not an age recipient (age1… with 58 Bech32 characters)") }
        self.init(publicKey: data)
    }

    /// The `age1…` form.
    public var description: String { Bech32.encode(hrp: Self.humanReadablePart, publicKey) }
}

/// An age X25519 identity: a private key, written `AGE-SECRET-KEY-1…` (uppercase Bech32), the key
/// `age-keygen` makes. Whoever holds it can decrypt every file made for its ``recipient``.
///
/// The bytes are not wiped when released; see docs/security.md ("Keys in memory").
public struct AgeIdentity: Sendable {
    /// The 32-byte X25519 private key.
    let privateKey: [UInt8]
    /// The matching public key.
    public let recipient: AgeRecipient

    static let humanReadablePart = "AGE-SECRET-KEY-"

    init(privateKey: [UInt8]) throws {
        self.privateKey = privateKey
        self.recipient = AgeRecipient(publicKey: try LibCrypto.x25519PublicKey(privateKey: privateKey))
    }

    /// A new identity from the system's CSPRNG.
    public static func generate() throws -> AgeIdentity {
        try AgeIdentity(privateKey: try LibCrypto.x25519GeneratePrivateKey())
    }

    /// Parses `AGE-SECRET-KEY-1…`.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when `text` is not an X25519 identity; a
    ///   post-quantum `AGE-SECRET-KEY-PQ-1…` identity is refused with the reason.
    init(parsing text: String) throws {
        if text.uppercased().hasPrefix("AGE-SECRET-KEY-PQ-1") {
            throw SluiceError.invalid("a post-quantum (mlkem768x25519) identity needs ML-KEM, which OpenSSL 3.0 lacks; sluice supports X25519 identities only")
        }
        guard let (hrp, data) = Bech32.decode(text), hrp == Self.humanReadablePart.lowercased(), data.count == 32 else {
            throw SluiceError.invalid("not an age identity (AGE-SECRET-KEY-1… with 59 Bech32 characters)")
        }
        try self.init(privateKey: data)
    }

    /// The `AGE-SECRET-KEY-1…` form.
    var encoded: String { Bech32.encode(hrp: Self.humanReadablePart, privateKey, uppercase: true) }
}
