import Testing
@testable import Sluice

/// `Header` encode and decode, and the decoder's validation of every field (docs/format.md, "Header"
/// and "Decoding rules" 1–2).
@Suite struct HeaderTests {
    typealias Field = SlcLayout.HeaderField

    static let metadata = FileMetadata(
        size: 123_456, mode: 0o755, modificationSeconds: -86_400, modificationNanoseconds: 999_999_999, name: "données.txt")

    static func header(
        _ codec: CodecSettings, cipher: Cipher = .none, checksum: ChecksumKind = .xxh3, chunkSize: Int = 65536,
        keyBlock: KeyBlock? = nil, metadata: FileMetadata? = HeaderTests.metadata
    ) -> Header {
        Header(codec: codec, cipher: cipher, checksum: checksum, chunkSize: chunkSize, keyBlock: keyBlock, metadata: metadata)
    }

    /// Replaces the header length and the XXH3 tag of an unencrypted header body, so that only the
    /// field under test can make the decoder reject it.
    static func retagged(_ body: [UInt8]) -> [UInt8] {
        var body = body
        body.setLittleEndian(UInt16(body.count + 8), at: Field.length.lowerBound)
        var tag = [UInt8](repeating: 0, count: 8)
        tag.setLittleEndian(XXH3.hash64(body), at: 0)
        return body + tag
    }

    /// A valid unencrypted header without its tag, to edit.
    static func body(metadata: FileMetadata? = HeaderTests.metadata, codec: CodecSettings? = nil) throws -> [UInt8] {
        Array(try header(codec ?? CodecSettings(.zstd), metadata: metadata).encoded(keys: nil).dropLast(8))
    }

    // MARK: Round trips

    @Test(arguments: [true, false], [Codec.store, .lz4, .lz4hc, .zstd, .brotli])
    func roundTripWithoutCipher(withMetadata: Bool, codec: Codec) throws {
        let header = Self.header(try CodecSettings(codec), metadata: withMetadata ? Self.metadata : nil)
        let bytes = try header.encoded(keys: nil)
        #expect(try Header.decode(bytes) == header)
        #expect(try Header.length(fromPrefix: Array(bytes.prefix(12))) == bytes.count)
    }

    @Test(arguments: [true, false], [Harness.key, Harness.passphrase])
    func roundTripWithKeyBlock(withMetadata: Bool, key: KeySource) throws {
        let (block, keys) = try FileKeys.create(source: key, cipher: .chacha20poly1305, cost: Harness.cheapCost)
        let header = Self.header(
            try CodecSettings(.brotli, level: 7, window: 18), cipher: .chacha20poly1305, checksum: .none,
            keyBlock: block, metadata: withMetadata ? Self.metadata : nil)
        let bytes = try header.encoded(keys: keys)
        let decoded = try Header.decode(bytes)
        #expect(decoded == header)
        try decoded.authenticate(bytes, keys: keys)
        // Another file's keys do not authenticate it.
        let (_, otherKeys) = try FileKeys.create(source: key, cipher: .chacha20poly1305, cost: Harness.cheapCost)
        #expect(Outcome { try decoded.authenticate(bytes, keys: otherKeys) } == .rejected(.corrupt))
    }

    @Test func unknownSizeIsAllOnes() throws {
        var metadata = Self.metadata
        metadata.size = nil
        let bytes = try Self.header(try CodecSettings(.zstd), metadata: metadata).encoded(keys: nil)
        #expect(bytes.littleEndian(at: 25, as: UInt64.self) == UInt64.max)
        #expect(try Header.decode(bytes).metadata?.size == nil)
    }

    // MARK: Layout

    /// Every field at the offset and in the encoding docs/format.md gives it.
    @Test func layoutWithoutCipher() throws {
        let bytes = try Self.header(try CodecSettings(.zstd, level: -5), chunkSize: 1 << 20).encoded(keys: nil)
        let name = Array("données.txt".utf8)
        #expect(bytes.count == 25 + 26 + name.count + 8)
        #expect(Array(bytes[Field.magic]) == [0x89, 0x53, 0x4C, 0x43, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(bytes.littleEndian(at: 8, as: UInt16.self) == 1)
        #expect(Int(bytes.littleEndian(at: 10, as: UInt16.self)) == bytes.count)
        #expect(bytes[Field.codec] == 3)
        #expect(bytes[Field.window] == 0)
        #expect(Array(bytes[Field.level]) == [0xFB, 0xFF, 0xFF, 0xFF])  // −5, signed little-endian
        #expect(bytes[Field.cipher] == 0)
        #expect(bytes[Field.checksum] == 1)
        #expect(bytes.littleEndian(at: 20, as: UInt32.self) == 1 << 20)
        #expect(bytes[Field.flags] == 1)
        // Metadata block right after the fixed part (no key block without a cipher).
        #expect(bytes.littleEndian(at: 25, as: UInt64.self) == 123_456)
        #expect(bytes.littleEndian(at: 33, as: UInt32.self) == 0o755)
        #expect(bytes.littleEndian(at: 37, as: Int64.self) == -86_400)
        #expect(bytes.littleEndian(at: 45, as: UInt32.self) == 999_999_999)
        #expect(Int(bytes.littleEndian(at: 49, as: UInt16.self)) == name.count)
        #expect(Array(bytes[51..<51 + name.count]) == name)
        // The tag: XXH3-64 of everything before it, little-endian.
        #expect(bytes.littleEndian(at: bytes.count - 8, as: UInt64.self) == XXH3.hash64(Array(bytes.dropLast(8))))
    }

    @Test func layoutWithKeyBlock() throws {
        let (block, keys) = try FileKeys.create(source: Harness.passphrase, cipher: .aes256gcm, cost: ScryptCost(logN: 11))
        let bytes = try Self.header(try CodecSettings(.brotli, level: 9, window: 20), cipher: .aes256gcm, checksum: .sha256, keyBlock: block, metadata: nil)
            .encoded(keys: keys)
        #expect(bytes.count == 25 + 52 + 32)
        #expect(bytes[Field.codec] == 4)
        #expect(bytes[Field.window] == 20)
        #expect(bytes[Field.cipher] == 1)
        #expect(bytes[Field.checksum] == 2)
        #expect(bytes[Field.flags] == 0)
        #expect(Array(bytes[Field.kdf...Field.scryptP]) == [1, 11, 8, 1])
        #expect(Array(bytes[Field.salt]) == block.salt)
        #expect(Array(bytes[Field.keyCheck]) == keys.keyCheck)
        // The tag: HMAC-SHA-256 with the header key over everything before it.
        let body = Array(bytes.dropLast(32))
        #expect(Array(bytes.suffix(32)) == (try body.withUnsafeBytes { try LibCrypto.hmacSHA256(key: keys.headerKey, $0) }))

        let (fileBlock, fileKeys) = try FileKeys.create(source: Harness.key, cipher: .aes256gcm, cost: .default)
        let keyFileHeader = try Self.header(try CodecSettings(.zstd), cipher: .aes256gcm, keyBlock: fileBlock, metadata: nil).encoded(keys: fileKeys)
        #expect(Array(keyFileHeader[Field.kdf...Field.scryptP]) == [2, 0, 0, 0])
    }

    // MARK: Validation (each case has a correct tag, so only the field itself can be the reason)

    static let rejectedEdits: [(String, @Sendable (inout [UInt8]) -> Void)] = [
        ("version 2", { $0[8] = 2 }),
        ("version 0", { $0[8] = 0 }),
        ("codec id 5", { $0[Field.codec] = 5 }),
        ("cipher id 3", { $0[Field.cipher] = 3 }),
        ("checksum id 3", { $0[Field.checksum] = 3 }),
        ("no checksum without a cipher", { $0[Field.checksum] = 0 }),
        ("zstd level 23", { $0.setLittleEndian(Int32(23), at: Field.level.lowerBound) }),
        ("zstd level -8", { $0.setLittleEndian(Int32(-8), at: Field.level.lowerBound) }),
        ("zstd level Int32.min", { $0.setLittleEndian(Int32.min, at: Field.level.lowerBound) }),
        ("window set for zstd", { $0[Field.window] = 22 }),
        ("chunk size 4095", { $0.setLittleEndian(UInt32(4095), at: Field.chunkSize.lowerBound) }),
        ("chunk size 0", { $0.setLittleEndian(UInt32(0), at: Field.chunkSize.lowerBound) }),
        ("chunk size 256 MiB + 1", { $0.setLittleEndian(UInt32(256 << 20) + 1, at: Field.chunkSize.lowerBound) }),
        ("chunk size 2^31", { $0.setLittleEndian(UInt32(1) << 31, at: Field.chunkSize.lowerBound) }),
        ("unknown flag bit", { $0[Field.flags] |= 0x02 }),
        ("metadata flag without metadata", { $0.removeSubrange(25...) ; $0[Field.flags] = 1 }),
        ("metadata but no flag", { $0[Field.flags] = 0 }),
        ("mode above 0o7777", { $0.setLittleEndian(UInt32(0o10000), at: 33) }),
        ("nanoseconds 10^9", { $0.setLittleEndian(UInt32(1_000_000_000), at: 45) }),
        ("name longer than stored", { $0.setLittleEndian(UInt16($0.littleEndian(at: 49, as: UInt16.self) + 1), at: 49) }),
        ("name shorter than stored", { $0.setLittleEndian(UInt16($0.littleEndian(at: 49, as: UInt16.self) - 1), at: 49) }),
        ("extra byte", { $0.append(0) }),
    ]

    @Test(arguments: rejectedEdits.map(\.0))
    func rejectsField(edit name: String) throws {
        var body = try Self.body()
        Self.rejectedEdits.first { $0.0 == name }!.1(&body)
        #expect(Outcome { _ = try Header.decode(Self.retagged(body)) } == .rejected(.corrupt))
    }

    @Test(arguments: [
        (Codec.store, 1), (.lz4, 0), (.lz4, 65538), (.lz4hc, 0), (.lz4hc, 13), (.brotli, -1), (.brotli, 12),
    ])
    func rejectsLevel(codec: Codec, level: Int) throws {
        var body = try Self.body(codec: try CodecSettings(codec))
        body.setLittleEndian(Int32(level), at: Field.level.lowerBound)
        #expect(Outcome { _ = try Header.decode(Self.retagged(body)) } == .rejected(.corrupt))
    }

    /// Brotli's window must be 10–24 in the file (0 is not "the default" there, it is invalid).
    @Test(arguments: [0, 9, 25, 255])
    func rejectsBrotliWindow(window: UInt8) throws {
        var body = try Self.body(codec: try CodecSettings(.brotli))
        body[Field.window] = window
        #expect(Outcome { _ = try Header.decode(Self.retagged(body)) } == .rejected(.corrupt))
    }

    /// Chunk sizes at both ends of the allowed range are accepted.
    @Test(arguments: [4096, 256 << 20])
    func acceptsChunkSizeBounds(chunkSize: UInt32) throws {
        var body = try Self.body()
        body.setLittleEndian(chunkSize, at: Field.chunkSize.lowerBound)
        #expect(try Header.decode(Self.retagged(body)).chunkSize == Int(chunkSize))
    }

    @Test(arguments: ["a/b", ".", "..", "nul\u{0}byte"])
    func rejectsMalformedName(name: String) throws {
        var metadata = Self.metadata
        metadata.name = name
        let bytes = try Self.header(try CodecSettings(.zstd), metadata: metadata).encoded(keys: nil)
        #expect(Outcome { _ = try Header.decode(bytes) } == .rejected(.corrupt))
    }

    @Test func rejectsInvalidUTF8Name() throws {
        var metadata = Self.metadata
        metadata.name = "ab"
        var body = Array(try Self.header(try CodecSettings(.zstd), metadata: metadata).encoded(keys: nil).dropLast(8))
        body[body.count - 1] = 0xFF
        #expect(Outcome { _ = try Header.decode(Self.retagged(body)) } == .rejected(.corrupt))
    }

    /// Names up to 4096 bytes are written and read; longer ones are refused on both sides.
    @Test func nameLengthLimit() throws {
        var metadata = Self.metadata
        metadata.name = String(repeating: "n", count: 4096)
        let bytes = try Self.header(try CodecSettings(.zstd), metadata: metadata).encoded(keys: nil)
        #expect(try Header.decode(bytes).metadata?.name.count == 4096)

        metadata.name += "n"
        #expect(Outcome { _ = try Self.header(try CodecSettings(.zstd), metadata: metadata).encoded(keys: nil) } == .rejected(.invalidArgument))
        var body = Array(bytes.dropLast(8))
        body.setLittleEndian(UInt16(4097), at: 49)
        body.append(UInt8(ascii: "n"))
        #expect(Outcome { _ = try Header.decode(Self.retagged(body)) } == .rejected(.corrupt))
    }

    @Test func rejectsBadTag() throws {
        var bytes = try Self.header(try CodecSettings(.zstd)).encoded(keys: nil)
        bytes[bytes.count - 1] ^= 0x80
        #expect(Outcome { _ = try Header.decode(bytes) } == .rejected(.corrupt))
    }

    @Test func rejectsBadPrefix() throws {
        let bytes = try Self.header(try CodecSettings(.zstd)).encoded(keys: nil)
        #expect(Outcome { _ = try Header.length(fromPrefix: Array(bytes.prefix(11))) } == .rejected(.corrupt))
        var magic = Array(bytes.prefix(12))
        magic[3] = UInt8(ascii: "X")
        #expect(Outcome { _ = try Header.length(fromPrefix: magic) } == .rejected(.corrupt))
        var short = Array(bytes.prefix(12))
        short.setLittleEndian(UInt16(32), at: 10)
        #expect(Outcome { _ = try Header.length(fromPrefix: short) } == .rejected(.corrupt))
    }

    // MARK: The key block

    /// A valid encrypted header (key file or scrypt) to edit; the decoder checks the key block before any key is known.
    static func encryptedHeader(_ key: KeySource) throws -> [UInt8] {
        let (block, keys) = try FileKeys.create(source: key, cipher: .aes256gcm, cost: Harness.cheapCost)
        return try header(try CodecSettings(.zstd), cipher: .aes256gcm, checksum: .none, keyBlock: block).encoded(keys: keys)
    }

    @Test(arguments: [
        ("KDF 0", Field.kdf, UInt8(0)), ("KDF 3", Field.kdf, 3), ("scrypt log N 0", Field.scryptLogN, 0),
        ("scrypt log N 21 (over the default limit)", Field.scryptLogN, 21), ("scrypt log N 40", Field.scryptLogN, 40),
        ("scrypt r 16", Field.scryptR, 16), ("scrypt p 2", Field.scryptP, 2), ("scrypt p 0", Field.scryptP, 0),
    ])
    func rejectsScryptParameters(what: String, offset: Int, value: UInt8) throws {
        var bytes = try Self.encryptedHeader(Harness.passphrase)
        bytes[offset] = value
        #expect(Outcome { _ = try Header.decode(bytes) } == .rejected(.corrupt), "\(what)")
    }

    @Test(arguments: [Field.scryptLogN, Field.scryptR, Field.scryptP])
    func rejectsScryptParametersOnKeyFileHeader(offset: Int) throws {
        var bytes = try Self.encryptedHeader(Harness.key)
        bytes[offset] = 1
        #expect(Outcome { _ = try Header.decode(bytes) } == .rejected(.corrupt))
    }

    /// The scrypt limit is the decoder's choice: raised, a costlier file's header is accepted.
    @Test func scryptLimitCanBeRaised() throws {
        var bytes = try Self.encryptedHeader(Harness.passphrase)
        bytes[Field.scryptLogN] = 21
        #expect(try Header.decode(bytes, limits: DecodeLimits(maxScryptLogN: 21)).keyBlock?.cost?.logN == 21)
        bytes[Field.scryptLogN] = 17
        #expect(try Header.decode(bytes).keyBlock?.cost?.logN == 17)
    }
}
