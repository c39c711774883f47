/// The X25519 stanza: `-> X25519 <ephemeral share>` and the file key sealed under a key both sides
/// derive from the Diffie-Hellman secret (age v1 spec, "X25519 recipient stanza").
extension AgeStanza {
    static let x25519Type = "X25519"
    private static let x25519Label = Array("age-encryption.org/v1/X25519".utf8)

    /// Wraps `fileKey` for `recipient` with a fresh ephemeral key.
    static func x25519(wrapping fileKey: [UInt8], for recipient: AgeRecipient) throws -> AgeStanza {
        var ephemeral = try LibCrypto.x25519GeneratePrivateKey()
        defer { LibCrypto.cleanse(&ephemeral) }
        let share = try LibCrypto.x25519PublicKey(privateKey: ephemeral)
        guard var secret = try LibCrypto.x25519(privateKey: ephemeral, peer: recipient.publicKey) else {
            throw SluiceError.invalid("recipient \(recipient) is not a usable X25519 public key (low order)")
        }
        defer { LibCrypto.cleanse(&secret) }
        var key = try LibCrypto.hkdfSHA256(key: secret, salt: share + recipient.publicKey, info: x25519Label, count: 32)
        defer { LibCrypto.cleanse(&key) }
        return AgeStanza(
            type: x25519Type, arguments: [Base64.encodeString(share)], body: try AgeKeySchedule.seal(fileKey, key: key))
    }

    /// The file key if this X25519 stanza was made for `identity`; `nil` when it was made for someone
    /// else.
    ///
    /// - Throws: the ``Age/Failure/header`` failure when the stanza is malformed (argument count, share
    ///   or body size, non-canonical Base64, a low-order share).
    func x25519FileKey(for identity: AgeIdentity) throws -> [UInt8]? {
        guard arguments.count == 1 else { throw Age.Failure.header.error("an X25519 stanza takes exactly one argument") }
        guard let share = Base64.decode(Array(arguments[0].utf8), padded: false), share.count == 32 else {
            throw Age.Failure.header.error("the X25519 share is not 32 bytes of canonical Base64")
        }
        guard body.count == Age.fileKeySize + Age.tagSize else {
            throw Age.Failure.header.error("the X25519 stanza body is not \(Age.fileKeySize + Age.tagSize) bytes")
        }
        guard var secret = try LibCrypto.x25519(privateKey: identity.privateKey, peer: share) else {
            throw Age.Failure.header.error("the X25519 share is a low-order point")
        }
        defer { LibCrypto.cleanse(&secret) }
        var key = try LibCrypto.hkdfSHA256(
            key: secret, salt: share + identity.recipient.publicKey, info: Self.x25519Label, count: 32)
        defer { LibCrypto.cleanse(&key) }
        return try AgeKeySchedule.open(body, key: key)
    }
}
