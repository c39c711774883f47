/// A whole age v1 file in memory: what the tests, the conformance vectors and small inputs use. Large
/// inputs go through the parallel pipeline, which uses the same header, stanza and STREAM code.
enum AgeFile {
    /// Who can open a file: X25519 identities and/or a passphrase.
    struct Unlock: Sendable {
        var identities: [AgeIdentity] = []
        var passphrase: [UInt8]?
        /// Largest scrypt work factor accepted (`--max-kdf-cost`).
        var maxWorkFactor = DecodeLimits().maxScryptLogN
    }

    /// Who a new file is for: X25519 recipients, or a passphrase.
    enum Lock: Sendable {
        case recipients([AgeRecipient])
        case passphrase([UInt8], workFactor: Int)
    }

    /// The header for a new file with this file key.
    static func header(for lock: Lock, fileKey: [UInt8]) throws -> [UInt8] {
        let stanzas: [AgeStanza]
        switch lock {
        case .recipients(let recipients):
            guard !recipients.isEmpty else { throw SluiceError.invalid("an age file needs at least one recipient") }
            stanzas = try recipients.map { try AgeStanza.x25519(wrapping: fileKey, for: $0) }
        case .passphrase(let passphrase, let workFactor):
            stanzas = [try AgeStanza.scrypt(wrapping: fileKey, passphrase: passphrase, workFactor: workFactor)]
        }
        return try AgeHeader.encode(stanzas: stanzas, fileKey: fileKey)
    }

    /// Encrypts `plaintext`; `fileKey` and `nonce` are fresh random values unless given (tests).
    static func encrypt(
        _ plaintext: [UInt8], to lock: Lock, armored: Bool = false, fileKey: [UInt8]? = nil, nonce: [UInt8]? = nil
    ) throws -> [UInt8] {
        let fileKey = try fileKey ?? LibCrypto.randomBytes(Age.fileKeySize)
        let nonce = try nonce ?? LibCrypto.randomBytes(Age.nonceSize)
        let binary = try header(for: lock, fileKey: fileKey) + nonce
            + payload(plaintext, key: try AgeKeySchedule.payloadKey(fileKey, nonce: nonce))
        guard armored else { return binary }
        var encoder = AgeArmor.Encoder()
        return binary.withUnsafeBytes { encoder.add($0) } + encoder.finish()
    }

    /// The STREAM payload of `plaintext` (without the nonce).
    static func payload(_ plaintext: [UInt8], key: [UInt8]) throws -> [UInt8] {
        var sealed = [UInt8](repeating: 0, count: Int(AgeStream.sealedSize(plainSize: UInt64(plaintext.count))))
        let context = try AEADContext()
        try plaintext.withUnsafeBytes { plain in
            try sealed.withUnsafeMutableBytes { sealed in
                try AgeStream.seal(plain, into: sealed, firstChunk: 0, isFinal: true, key: key, context: context)
            }
        }
        return sealed
    }

    /// What a file's bytes hold once any armor is removed, its header parsed.
    struct Opened {
        var header: AgeHeader
        var fileKey: [UInt8]
        var nonce: [UInt8]
        /// The sealed STREAM chunks.
        var payload: ArraySlice<UInt8>
    }

    /// Removes armor, parses and authenticates the header, and unwraps the file key.
    static func open(_ file: [UInt8], with unlock: Unlock) throws -> Opened {
        var binary = file
        if AgeArmor.isArmored(file) {
            var decoder = AgeArmor.Decoder()
            binary = try file.withUnsafeBytes { try decoder.add($0) } + decoder.finish()
        }
        guard let header = try AgeHeader.parse(binary) else { throw Age.Failure.header.error("the header is truncated") }
        let fileKey = try AgeStanza.unwrap(
            header.stanzas, identities: unlock.identities, passphrase: unlock.passphrase,
            maxWorkFactor: unlock.maxWorkFactor)
        try header.authenticate(fileKey: fileKey)
        guard binary.count >= header.length + Age.nonceSize else {
            throw Age.Failure.header.error("the payload nonce is missing or short")
        }
        let nonce = Array(binary[header.length..<(header.length + Age.nonceSize)])
        return Opened(header: header, fileKey: fileKey, nonce: nonce, payload: binary[(header.length + Age.nonceSize)...])
    }

    /// Decrypts a whole file.
    ///
    /// - Throws: ``SluiceError``: ``SluiceError/Code/wrongKey`` when nothing given opens it,
    ///   ``SluiceError/Code/corrupt`` (an ``Age/Failure``) for anything malformed or changed.
    static func decrypt(_ file: [UInt8], with unlock: Unlock) throws -> [UInt8] {
        let opened = try open(file, with: unlock)
        let key = try AgeKeySchedule.payloadKey(opened.fileKey, nonce: opened.nonce)
        var plaintext = [UInt8](repeating: 0, count: opened.payload.count)
        let size = try opened.payload.withUnsafeBytes { sealed in
            try plaintext.withUnsafeMutableBytes { plain in
                try AgeStream.open(sealed, into: plain, firstChunk: 0, isFinal: true, key: key, context: try AEADContext())
            }
        }
        return Array(plaintext.prefix(size))
    }
}
