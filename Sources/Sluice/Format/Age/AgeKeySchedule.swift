/// The keys age derives from a file key with HKDF-SHA-256, and ChaCha20-Poly1305 sealing of small
/// values under them (age v1 spec, "Header" and "Payload").
enum AgeKeySchedule {
    /// The HMAC key of the header: HKDF(file key, salt: empty, info: "header").
    static func headerKey(_ fileKey: [UInt8]) throws -> [UInt8] {
        try LibCrypto.hkdfSHA256(key: fileKey, salt: [], info: Array("header".utf8), count: 32)
    }

    /// The STREAM key: HKDF(file key, salt: the payload nonce, info: "payload").
    static func payloadKey(_ fileKey: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        try LibCrypto.hkdfSHA256(key: fileKey, salt: nonce, info: Array("payload".utf8), count: 32)
    }

    private static let zeroNonce = [UInt8](repeating: 0, count: 12)

    /// ChaCha20-Poly1305 of `plaintext` under `key` with an all-zero nonce (each wrap key is used
    /// once): the ciphertext followed by the 16-byte tag.
    static func seal(_ plaintext: [UInt8], key: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + Age.tagSize)
        try out.withUnsafeMutableBytes { out in
            try plaintext.withUnsafeBytes { source in
                try AEADContext().seal(
                    UnsafeMutableRawBufferPointer(rebasing: out[..<plaintext.count]), from: source,
                    tag: UnsafeMutableRawBufferPointer(rebasing: out[plaintext.count...]), cipher: .chacha20poly1305,
                    key: key, nonce: zeroNonce, authenticating: UnsafeRawBufferPointer(start: nil, count: 0))
            }
        }
        return out
    }

    /// Opens what ``seal(_:key:)`` made; `nil` when the tag does not verify (another recipient's
    /// stanza, or a wrong passphrase).
    static func open(_ sealed: [UInt8], key: [UInt8]) throws -> [UInt8]? {
        guard sealed.count >= Age.tagSize else { return nil }
        var text = Array(sealed.dropLast(Age.tagSize))
        do {
            try text.withUnsafeMutableBytes { text in
                try sealed.suffix(Age.tagSize).withUnsafeBytes { tag in
                    try AEADContext().open(
                        text, tag: tag, cipher: .chacha20poly1305, key: key, nonce: zeroNonce,
                        authenticating: UnsafeRawBufferPointer(start: nil, count: 0))
                }
            }
        } catch let error as SluiceError where error.code == .corrupt {
            return nil
        }
        return text
    }
}
