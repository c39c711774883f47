/// Where the secret for an encrypted file comes from.
public enum KeySource: Sendable {
    /// A passphrase: its bytes exactly as given (never decoded or cut), stretched with scrypt.
    case passphrase([UInt8])
    /// The 32 bytes of a key file (`sluice keygen`), used without stretching.
    case keyFile([UInt8])
    /// age X25519 identities (`-i FILE`): any one whose recipient a file lists opens it.
    case identities([AgeIdentity])
    /// age X25519 recipients (`-r`, `-R`): a new file's key is wrapped for each of them.
    case recipients([AgeRecipient])

    /// The longest passphrase accepted, in bytes; a longer one is an error, never cut.
    public static let maxPassphraseLength = 65536
}

/// scrypt's cost: N = 2^logN, memory = 128 · r · N bytes (logN 17, r 8: 128 MiB, about 0.3 s here).
public struct ScryptCost: Hashable, Sendable {
    /// log₂ of scrypt's N, the CPU and memory cost.
    public var logN: Int
    /// scrypt's block size parameter.
    var r: Int
    /// scrypt's parallelisation parameter.
    var p: Int

    /// The cost used when packing without `--kdf-cost`.
    public static let `default` = ScryptCost(logN: 17)
    /// The costs a new file may use.
    public static let packRange = 10...22
    /// The costs a decoder considers at all, whatever limit it is given: 2^30 already needs 1 TiB, and
    /// above 2^53 the memory cannot even be computed in 64 bits.
    static let decodableRange = 1...30

    /// A cost of N = 2^`logN` with block size `r` and parallelism `p`.
    public init(logN: Int, r: Int = 8, p: Int = 1) {
        self.logN = logN
        self.r = r
        self.p = p
    }

    /// Memory scrypt needs at this cost.
    var memory: ByteCount { .bytes(128 * r * (1 << logN)) }
}

/// The key block of the header (see docs/format.md, "Key block").
struct KeyBlock: Equatable, Sendable {
    enum Derivation: UInt8, Sendable {
        case scrypt = 1
        case keyFile = 2
        /// A random file key wrapped for each age X25519 recipient (header flags bit 2).
        case recipients = 3
    }

    var derivation: Derivation
    var cost: ScryptCost?
    var salt: [UInt8]
    var keyCheck: [UInt8]
    /// Whether a ``KeyContext`` is bound into the key derivation (header flags bit 1).
    var hasContext = false
    /// One age X25519 stanza per recipient (KDF 3 only): each wraps the file key (``RecipientBlock``).
    var stanzas: [AgeStanza] = []

    static let saltSize = 32
    static let keyCheckSize = 16
    static let encodedSize = 4 + saltSize + keyCheckSize
}

/// The per-file keys derived from the master key and the header's salt with HKDF-SHA-256.
///
/// Their buffers are wiped (`OPENSSL_cleanse`) when the last reference goes; see docs/security.md
/// ("Keys in memory"). `@unchecked Sendable`: the arrays are written only at creation and by `deinit`,
/// when no other reference exists.
final class FileKeys: @unchecked Sendable {
    private(set) var payloadKey: [UInt8]
    private(set) var headerKey: [UInt8]
    private(set) var keyCheck: [UInt8]

    private init(payloadKey: [UInt8], headerKey: [UInt8], keyCheck: [UInt8]) {
        self.payloadKey = payloadKey
        self.headerKey = headerKey
        self.keyCheck = keyCheck
    }

    deinit {
        LibCrypto.cleanse(&payloadKey)
        LibCrypto.cleanse(&headerKey)
        LibCrypto.cleanse(&keyCheck)
    }

    /// HKDF-SHA-256 with info = `"sluice v1 " ‖ label ‖ cipher id`, followed by SHA-256(context) when
    /// the file is bound to a context (docs/format.md, "Keys"); without one, exactly as version 1 always did.
    static func derive(master: [UInt8], salt: [UInt8], cipher: Cipher, context: KeyContext? = nil) throws -> FileKeys {
        KeyMemory.holdingKeys()
        let contextDigest = try context?.digest() ?? []
        func expand(_ label: String, _ count: Int) throws -> [UInt8] {
            try LibCrypto.hkdfSHA256(
                key: master, salt: salt, info: Array("sluice v1 \(label)".utf8) + [cipher.id] + contextDigest, count: count)
        }
        return FileKeys(
            payloadKey: try expand("payload key", 32),
            headerKey: try expand("header key", 32),
            keyCheck: try expand("key check", KeyBlock.keyCheckSize))
    }

    /// Makes a fresh salt and derives the keys for a new file, bound to `context` when one is given.
    /// For recipients, the master key is a fresh random 16-byte file key wrapped for each of them in an
    /// age X25519 stanza (``RecipientBlock``); it is wiped once the keys are derived.
    static func create(source: KeySource, cipher: Cipher, cost: ScryptCost, context: KeyContext? = nil) throws -> (KeyBlock, FileKeys) {
        let salt = try LibCrypto.randomBytes(KeyBlock.saltSize)
        let derivation: KeyBlock.Derivation
        switch source {
        case .passphrase: derivation = .scrypt
        case .keyFile: derivation = .keyFile
        case .recipients: derivation = .recipients
        case .identities:
            throw SluiceError.invalid("an identity (-i) opens files; a new file is encrypted to recipients (-r, -R)")
        }
        guard ScryptCost.packRange.contains(cost.logN) || derivation != .scrypt else {
            throw SluiceError.invalid("KDF cost \(cost.logN) is outside \(ScryptCost.packRange)")
        }
        var block = KeyBlock(
            derivation: derivation, cost: derivation == .scrypt ? cost : nil, salt: salt, keyCheck: [],
            hasContext: context != nil)
        var master: [UInt8]
        if case .recipients(let recipients) = source {
            guard (1...RecipientBlock.maxStanzas).contains(recipients.count) else {
                throw SluiceError.invalid("a .slc file takes 1 to \(RecipientBlock.maxStanzas) recipients, not \(recipients.count)")
            }
            KeyMemory.holdingKeys()
            master = try LibCrypto.randomBytes(Age.fileKeySize)
            block.stanzas = try recipients.map { try AgeStanza.x25519(wrapping: master, for: $0) }
        } else {
            master = try masterKey(source, for: block)
        }
        defer { LibCrypto.cleanse(&master) }
        let keys = try derive(master: master, salt: salt, cipher: cipher, context: context)
        block.keyCheck = keys.keyCheck
        return (block, keys)
    }

    /// Derives the keys of an existing file and checks them against its key-check value.
    ///
    /// - Throws: ``SluiceError/Code/wrongKey`` when the secret is not this file's, when the kind of
    ///   secret does not match (a passphrase for a key-file file, or the reverse), when the file is bound
    ///   to a context and none is given, or when the context is not the file's (indistinguishable from a
    ///   wrong secret). A context given for a file without one is refused by ``KeyPolicy/admit(_:boundToContext:)``.
    static func open(_ block: KeyBlock, source: KeySource, cipher: Cipher, context: KeyContext? = nil) throws -> FileKeys {
        switch (block.derivation, source) {
        case (.scrypt, .keyFile):
            throw SluiceError(.wrongKey, "this file was encrypted with a passphrase, not a key file")
        case (.keyFile, .passphrase):
            throw SluiceError(.wrongKey, "this file was encrypted with a key file, not a passphrase")
        case (.scrypt, .identities), (.keyFile, .identities), (_, .recipients):
            throw SluiceError(.wrongKey, "no identity matches: this .slc file was encrypted with a \(block.derivation == .scrypt ? "passphrase" : "key file"), not to recipients")
        case (.recipients, .keyFile), (.recipients, .passphrase):
            throw SluiceError(.wrongKey, "no identity matches: this file is encrypted to age recipients; give an identity with -i")
        default:
            break
        }
        if block.hasContext, context == nil {
            throw SluiceError(.wrongKey, "this file was packed with a context: give the same --context to open it")
        }
        var master = try masterKey(source, for: block)
        defer { LibCrypto.cleanse(&master) }
        let keys = try derive(master: master, salt: block.salt, cipher: cipher, context: block.hasContext ? context : nil)
        guard LibCrypto.constantTimeEqual(keys.keyCheck, block.keyCheck) else {
            throw SluiceError(
                .wrongKey, block.hasContext
                    ? "wrong key or passphrase, or wrong --context (this file was packed with a context)"
                    : "wrong key or passphrase")
        }
        return keys
    }

    private static func masterKey(_ source: KeySource, for block: KeyBlock) throws -> [UInt8] {
        switch source {
        case .keyFile(let bytes):
            guard bytes.count == 32 else { throw SluiceError.invalid("a key file holds exactly 32 bytes") }
            return bytes
        case .passphrase(let bytes):
            guard !bytes.isEmpty, bytes.count <= KeySource.maxPassphraseLength else {
                throw SluiceError.invalid("a passphrase holds 1 to \(KeySource.maxPassphraseLength) bytes")
            }
            let cost = block.cost ?? .default
            guard cost.memory.bytes <= Memory.physical else {
                throw SluiceError.invalid("this file's scrypt cost 2^\(cost.logN) needs \(cost.memory), more than this machine's memory")
            }
            return try ScryptGate.shared.withMemory(cost.memory.bytes) {
                try LibCrypto.scrypt(
                    password: bytes, salt: block.salt, n: 1 << UInt64(cost.logN), r: UInt64(cost.r), p: UInt64(cost.p),
                    count: 32)
            }
        case .identities(let identities):
            // The stanzas' sizes were checked when the header was read; a low-order share is corrupt.
            do {
                return try AgeStanza.unwrap(block.stanzas, identities: identities, passphrase: nil, maxWorkFactor: 0)
            } catch let error as SluiceError where error.code == .corrupt {
                throw SluiceError.corrupt("recipient block: \(error.message)")
            }
        case .recipients:
            throw SluiceError.invalid("recipients (public keys) cannot open a file")
        }
    }
}
