/// The original file's name, size, permissions and modification time, kept in the header so that
/// unpack can restore them.
public struct FileMetadata: Equatable, Sendable {
    /// Plaintext size, when it was known before packing (not for stdin).
    public var size: UInt64?
    /// Permission bits (`st_mode & 0o7777`).
    public var mode: UInt32
    /// Modification time: seconds since the epoch.
    public var modificationSeconds: Int64
    /// Modification time: the nanoseconds part.
    public var modificationNanoseconds: UInt32
    /// Base name of the original file; empty for stdin.
    public var name: String

    init(size: UInt64?, mode: UInt32, modificationSeconds: Int64, modificationNanoseconds: UInt32, name: String) {
        self.size = size
        self.mode = mode
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
        self.name = name
    }

    static let maxNameLength = 4096
}

/// What a decoder accepts before it allocates or computes anything on a file's say-so.
public struct DecodeLimits: Sendable {
    /// Largest scrypt cost (log₂ N) accepted; 20 = 1 GiB of memory with r = 8.
    public var maxScryptLogN: Int = 20
    /// What the caller's secret demands of the header (no unencrypted file when a key is given).
    var keys: KeyPolicy = .noKey

    /// Limits accepting scrypt costs up to 2^`maxScryptLogN` and keys as `keys` allows.
    public init(maxScryptLogN: Int = 20, keys: KeyPolicy = .noKey) {
        self.maxScryptLogN = maxScryptLogN
        self.keys = keys
    }
}

/// The header of a `.slc` file (docs/format.md, "Header"): everything needed to decode the frames.
struct Header: Equatable, Sendable {
    var codec: CodecSettings
    var cipher: Cipher
    var checksum: ChecksumKind
    /// Plaintext bytes per frame (the final frame may hold fewer).
    var chunkSize: Int
    var keyBlock: KeyBlock?
    var metadata: FileMetadata?

    static let magic: [UInt8] = [0x89, 0x53, 0x4C, 0x43, 0x0D, 0x0A, 0x1A, 0x0A]
    static let version: UInt16 = 1
    /// Magic, version and header length: enough to know how much more to read.
    static let prefixSize = 12
    /// Chunk sizes a file may declare.
    static let chunkSizes = 4096...(256 << 20)

    init(codec: CodecSettings, cipher: Cipher, checksum: ChecksumKind, chunkSize: Int,
         keyBlock: KeyBlock?, metadata: FileMetadata?) {
        self.codec = codec
        self.cipher = cipher
        self.checksum = checksum
        self.chunkSize = chunkSize
        self.keyBlock = keyBlock
        self.metadata = metadata
    }

    /// Bytes of the stored-payload check in each frame header: 4 without a cipher, none with one (the
    /// AEAD tag covers the stored bytes).
    var payloadCheckSize: Int { cipher == .none ? 4 : 0 }

    /// Where the plaintext checksum starts in a frame.
    var checksumOffset: Int { FrameHeader.fixedSize + payloadCheckSize }

    /// Bytes before each frame's payload: stored length, plain length, flags, payload check, checksum.
    var frameHeaderSize: Int { checksumOffset + checksum.frameSize }

    /// The largest stored length a valid frame can declare.
    var maxStoredSize: Int { codec.codec.bound(chunkSize) + cipher.tagSize }

    /// Bytes of the header or trailer tag.
    var tagSize: Int { cipher == .none ? 8 : 32 }

    /// The KDF recorded in the header, for `inspect`.
    var keyDerivation: String? {
        guard let keyBlock else { return nil }
        let context = keyBlock.hasContext ? ", bound to a context" : ""
        switch keyBlock.derivation {
        case .keyFile: return "key file" + context
        case .recipients:
            let count = keyBlock.stanzas.count
            return "age \(AgeStanza.x25519Type) recipients (\(count) stanza\(count == 1 ? "" : "s"))" + context
        case .scrypt:
            let cost = keyBlock.cost ?? .default
            return "scrypt (log2 N = \(cost.logN), r = \(cost.r), p = \(cost.p), \(cost.memory))" + context
        }
    }

    /// Serialises the header; `keys` must be given exactly when there is a cipher.
    func encoded(keys: FileKeys?) throws -> [UInt8] {
        var out = ByteWriter(capacity: 256)
        out.append(Header.magic)
        out.append(Header.version)
        out.append(UInt16(0))  // header length, patched below
        out.append(codec.codec.id)
        out.append(UInt8(codec.window))
        out.append(Int32(codec.level))
        out.append(cipher.id)
        out.append(checksum.id)
        out.append(UInt32(chunkSize))
        out.append(
            UInt8(metadata == nil ? 0 : 1) | (keyBlock?.hasContext == true ? 2 : 0)
                | (keyBlock?.derivation == .recipients ? 4 : 0))
        if cipher != .none {
            guard let keyBlock else { throw SluiceError(.library, "an encrypted header needs a key block") }
            out.append(keyBlock.derivation.rawValue)
            let cost = keyBlock.cost
            out.append(UInt8(cost?.logN ?? 0))
            out.append(UInt8(cost?.r ?? 0))
            out.append(UInt8(cost?.p ?? 0))
            out.append(keyBlock.salt)
            out.append(keyBlock.keyCheck)
            if keyBlock.derivation == .recipients { try RecipientBlock.encode(keyBlock.stanzas, into: &out) }
        }
        if let metadata {
            let name = Array(metadata.name.utf8)
            guard name.count <= FileMetadata.maxNameLength else { throw SluiceError.invalid("file name too long") }
            out.append(metadata.size ?? UInt64.max)
            out.append(metadata.mode)
            out.append(metadata.modificationSeconds)
            out.append(metadata.modificationNanoseconds)
            out.append(UInt16(name.count))
            out.append(name)
        }
        var bytes = out.bytes
        let length = bytes.count + tagSize
        bytes[10] = UInt8(length & 0xFF)
        bytes[11] = UInt8(length >> 8)
        bytes += try Header.tag(over: bytes, cipher: cipher, keys: keys)
        return bytes
    }

    /// The check value over `bytes`: XXH3-64 without a cipher, HMAC-SHA-256 with the header key with one.
    static func tag(over bytes: [UInt8], cipher: Cipher, keys: FileKeys?) throws -> [UInt8] {
        if cipher == .none {
            var out = ByteWriter()
            out.append(XXH3.hash64(bytes))
            return out.bytes
        }
        guard let keys else { throw SluiceError(.library, "an encrypted header needs its keys") }
        return try bytes.withUnsafeBytes { try LibCrypto.hmacSHA256(key: keys.headerKey, $0) }
    }

    /// Checks magic and version in the first ``prefixSize`` bytes and returns the full header length.
    static func length(fromPrefix prefix: [UInt8]) throws -> Int {
        guard prefix.count >= prefixSize, Array(prefix[0..<8]) == magic else {
            throw SluiceError.corrupt("not a Sluice file (bad magic)")
        }
        var reader = ByteReader(prefix, offset: 8, what: "header")
        let version: UInt16 = try reader.read()
        guard version == Header.version else {
            throw SluiceError.corrupt("unsupported .slc version \(version) (this sluice reads version \(Header.version))")
        }
        let length = Int(try reader.read(UInt16.self))
        guard length >= 33 else { throw SluiceError.corrupt("header length \(length) is too small") }
        return length
    }

    /// Parses and validates a whole header (the key policy, `limits.keys`, is applied by
    /// ``ContainerKind/open(_:keys:limits:requireKey:)`` for every format).
    ///
    /// Without a cipher the XXH3 tag is checked here; with one, the caller checks the key and then
    /// calls ``authenticate(_:keys:)``.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` for a malformed header, ``SluiceError/Code/wrongKey``
    ///   when the key policy refuses it.
    static func decode(_ bytes: [UInt8], limits: DecodeLimits = DecodeLimits()) throws -> Header {
        let length = try Header.length(fromPrefix: bytes)
        guard bytes.count == length else { throw SluiceError.corrupt("header is truncated") }
        var reader = ByteReader(bytes, offset: prefixSize, what: "header")
        guard let codec = Codec(id: try reader.read()) else { throw SluiceError.corrupt("unknown codec in header") }
        let window = Int(try reader.read(UInt8.self))
        let level = Int(try reader.read(Int32.self))
        guard let cipher = Cipher(id: try reader.read()) else { throw SluiceError.corrupt("unknown cipher in header") }
        guard let checksum = ChecksumKind(id: try reader.read()) else {
            throw SluiceError.corrupt("unknown checksum in header")
        }
        let chunkSize = Int(try reader.read(UInt32.self))
        let flags: UInt8 = try reader.read()
        guard flags & ~7 == 0 else { throw SluiceError.corrupt("unknown header flags") }
        // Bit 1: a context is bound into the key derivation, which only an encrypted file has.
        guard flags & 2 == 0 || cipher != .none else { throw SluiceError.corrupt("context flag set without a cipher") }
        // Bit 2: recipient stanzas follow the key block (KDF 3), which only an encrypted file has.
        guard flags & 4 == 0 || cipher != .none else { throw SluiceError.corrupt("recipients flag set without a cipher") }
        guard chunkSizes.contains(chunkSize) else { throw SluiceError.corrupt("chunk size \(chunkSize) out of range") }
        guard checksum != .none || cipher != .none else {
            throw SluiceError.corrupt("a file without a cipher must carry checksums")
        }
        // CodecSettings reads a brotli window of 0 as "the default"; in a file it is simply invalid.
        guard codec != .brotli || (10...24).contains(window) else {
            throw SluiceError.corrupt("brotli window \(window) out of range")
        }
        let settings: CodecSettings
        do {
            settings = try CodecSettings(codec, level: level, window: codec == .brotli ? window : nil)
        } catch {
            throw SluiceError.corrupt("codec parameters out of range")
        }
        guard codec == .brotli || window == 0 else { throw SluiceError.corrupt("codec window set for \(codec)") }

        var keyBlock: KeyBlock?
        if cipher != .none {
            guard let derivation = KeyBlock.Derivation(rawValue: try reader.read()) else {
                throw SluiceError.corrupt("unknown key derivation in header")
            }
            let logN = Int(try reader.read(UInt8.self))
            let r = Int(try reader.read(UInt8.self))
            let p = Int(try reader.read(UInt8.self))
            var cost: ScryptCost?
            switch derivation {
            case .scrypt:
                guard ScryptCost.decodableRange.contains(logN), r == 8, p == 1 else {
                    throw SluiceError.corrupt("scrypt parameters out of range")
                }
                guard logN <= limits.maxScryptLogN else {
                    throw SluiceError.corrupt(
                        "scrypt cost 2^\(logN) exceeds the limit 2^\(limits.maxScryptLogN) (raise it with --max-kdf-cost)")
                }
                cost = ScryptCost(logN: logN, r: r, p: p)
            case .keyFile, .recipients:
                guard logN == 0, r == 0, p == 0 else { throw SluiceError.corrupt("\(derivation == .keyFile ? "key-file" : "recipients") header has scrypt parameters") }
            }
            guard (derivation == .recipients) == (flags & 4 != 0) else {
                throw SluiceError.corrupt("the recipients flag does not match the key derivation")
            }
            keyBlock = KeyBlock(
                derivation: derivation, cost: cost, salt: try reader.read(count: KeyBlock.saltSize),
                keyCheck: try reader.read(count: KeyBlock.keyCheckSize), hasContext: flags & 2 != 0,
                stanzas: derivation == .recipients ? try RecipientBlock.decode(&reader) : [])
        }

        var metadata: FileMetadata?
        if flags & 1 != 0 {
            let size: UInt64 = try reader.read()
            let mode: UInt32 = try reader.read()
            let seconds: Int64 = try reader.read()
            let nanoseconds: UInt32 = try reader.read()
            let nameLength = Int(try reader.read(UInt16.self))
            guard mode <= 0o7777, nanoseconds < 1_000_000_000, nameLength <= FileMetadata.maxNameLength else {
                throw SluiceError.corrupt("metadata out of range")
            }
            let nameBytes = try reader.read(count: nameLength)
            guard let name = String(validating: nameBytes, as: UTF8.self),
                  !nameBytes.contains(0), !nameBytes.contains(UInt8(ascii: "/")), name != ".", name != ".."
            else { throw SluiceError.corrupt("original name is malformed") }
            metadata = FileMetadata(
                size: size == UInt64.max ? nil : size, mode: mode, modificationSeconds: seconds,
                modificationNanoseconds: nanoseconds, name: name)
        }

        let header = Header(
            codec: settings, cipher: cipher, checksum: checksum, chunkSize: chunkSize, keyBlock: keyBlock,
            metadata: metadata)
        guard reader.remaining == header.tagSize else { throw SluiceError.corrupt("header length does not match its fields") }
        if cipher == .none {
            let body = Array(bytes[0..<length - header.tagSize])
            guard try tag(over: body, cipher: .none, keys: nil) == Array(bytes[(length - header.tagSize)...]) else {
                throw SluiceError.corrupt("header checksum mismatch")
            }
        }
        return header
    }

    /// Verifies the HMAC of an encrypted header, once the key check has passed.
    func authenticate(_ bytes: [UInt8], keys: FileKeys) throws {
        let body = Array(bytes[0..<bytes.count - tagSize])
        let expected = try Header.tag(over: body, cipher: cipher, keys: keys)
        guard LibCrypto.constantTimeEqual(expected, bytes[(bytes.count - tagSize)...]) else {
            throw SluiceError.corrupt("header authentication failed: the header was corrupted or tampered with")
        }
    }
}
