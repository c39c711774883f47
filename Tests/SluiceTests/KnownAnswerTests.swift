import Testing
@testable import Sluice

/// Published test vectors for every primitive in `Ciphers/LibCrypto.swift` and `Format/Checksum.swift`,
/// and the spec's key schedule (docs/format.md, "Keys") checked against values computed outside Sluice
/// (Python's `cryptography` and `hashlib`).
@Suite struct KnownAnswerTests {
    // MARK: AEAD

    /// Seals with a fresh context and returns ciphertext ‖ tag.
    private func seal(
        _ cipher: Cipher, key: [UInt8], nonce: [UInt8], aad: [UInt8], _ plaintext: [UInt8],
        context: AEADContext? = nil
    ) throws -> [UInt8] {
        var text = plaintext
        var tag = [UInt8](repeating: 0, count: 16)
        let context = try context ?? AEADContext()
        try text.withUnsafeMutableBytes { text in
            try tag.withUnsafeMutableBytes { tag in
                try aad.withUnsafeBytes { aad in
                    try context.seal(text, tag: tag, cipher: cipher, key: key, nonce: nonce, authenticating: aad)
                }
            }
        }
        return text + tag
    }

    /// Opens ciphertext ‖ tag and returns the plaintext.
    private func open(
        _ cipher: Cipher, key: [UInt8], nonce: [UInt8], aad: [UInt8], _ sealed: [UInt8],
        context: AEADContext? = nil
    ) throws -> [UInt8] {
        var text = Array(sealed.dropLast(16))
        let tag = Array(sealed.suffix(16))
        let context = try context ?? AEADContext()
        try text.withUnsafeMutableBytes { text in
            try tag.withUnsafeBytes { tag in
                try aad.withUnsafeBytes { aad in
                    try context.open(text, tag: tag, cipher: cipher, key: key, nonce: nonce, authenticating: aad)
                }
            }
        }
        return text
    }

    /// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16: AES-256, 96-bit IV,
    /// 60-byte plaintext, 20 bytes of AAD (also in the NIST GCM validation suite).
    static let gcm16 = (
        key: [UInt8](hex: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
        iv: [UInt8](hex: "cafebabefacedbaddecaf888"),
        plaintext: [UInt8](hex: """
            d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525\
            b16aedf5aa0de657ba637b39
            """),
        aad: [UInt8](hex: "feedfacedeadbeeffeedfacedeadbeefabaddad2"),
        ciphertext: [UInt8](hex: """
            522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838\
            c5f61e6393ba7a0abcc9f662
            """),
        tag: [UInt8](hex: "76fc6ece0f4e1768cddf8853bb2d551b"))

    @Test func aes256GCMTestCase16() throws {
        let v = Self.gcm16
        let sealed = try seal(.aes256gcm, key: v.key, nonce: v.iv, aad: v.aad, v.plaintext)
        #expect(sealed == v.ciphertext + v.tag)
        #expect(try open(.aes256gcm, key: v.key, nonce: v.iv, aad: v.aad, v.ciphertext + v.tag) == v.plaintext)
    }

    /// Test cases 13 and 14: an all-zero 256-bit key and IV, with an empty and a 16-byte zero plaintext.
    /// The empty one takes the code path where there is nothing to encrypt, only a tag.
    @Test func aes256GCMZeroKeyCases() throws {
        let key = [UInt8](repeating: 0, count: 32), iv = [UInt8](repeating: 0, count: 12)
        #expect(try seal(.aes256gcm, key: key, nonce: iv, aad: [], []) == [UInt8](hex: "530f8afbc74536b9a963b4f1c4cb738b"))
        #expect(try open(.aes256gcm, key: key, nonce: iv, aad: [], [UInt8](hex: "530f8afbc74536b9a963b4f1c4cb738b")) == [])
        #expect(
            try seal(.aes256gcm, key: key, nonce: iv, aad: [], [UInt8](repeating: 0, count: 16))
                == [UInt8](hex: "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"))
    }

    /// RFC 8439 §2.8.2: the AEAD_CHACHA20_POLY1305 example ("Ladies and Gentlemen of the class of '99…").
    static let rfc8439 = (
        key: [UInt8]((0x80...0x9F).map { UInt8($0) }),
        nonce: [UInt8](hex: "070000004041424344454647"),
        aad: [UInt8](hex: "50515253c0c1c2c3c4c5c6c7"),
        plaintext: Array(
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
                .utf8),
        ciphertext: [UInt8](hex: """
            d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b\
            1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc\
            3ff4def08e4b7a9de576d26586cec64b6116
            """),
        tag: [UInt8](hex: "1ae10b594f09e26a7e902ecbd0600691"))

    @Test func chacha20Poly1305RFC8439() throws {
        let v = Self.rfc8439
        #expect(try seal(.chacha20poly1305, key: v.key, nonce: v.nonce, aad: v.aad, v.plaintext) == v.ciphertext + v.tag)
        #expect(try open(.chacha20poly1305, key: v.key, nonce: v.nonce, aad: v.aad, v.ciphertext + v.tag) == v.plaintext)
    }

    /// Any change to ciphertext, tag, AAD or nonce must make `open` fail as `.corrupt`.
    @Test(arguments: [Cipher.aes256gcm, .chacha20poly1305])
    func openRejectsAnyChange(cipher: Cipher) throws {
        let v = Self.gcm16
        let sealed = try seal(cipher, key: v.key, nonce: v.iv, aad: v.aad, v.plaintext)
        for index in [0, 30, sealed.count - 17, sealed.count - 16, sealed.count - 1] {
            var damaged = sealed
            damaged[index] ^= 0x01
            #expect(Outcome { _ = try open(cipher, key: v.key, nonce: v.iv, aad: v.aad, damaged) } == .rejected(.corrupt))
        }
        var aad = v.aad
        aad[0] ^= 0x80
        #expect(Outcome { _ = try open(cipher, key: v.key, nonce: v.iv, aad: aad, sealed) } == .rejected(.corrupt))
        var nonce = v.iv
        nonce[11] ^= 0x01
        #expect(Outcome { _ = try open(cipher, key: v.key, nonce: nonce, aad: v.aad, sealed) } == .rejected(.corrupt))
    }

    /// A worker reuses one context across chunks, ciphers, keys and directions; results must not
    /// depend on what the context did before.
    @Test func reusedContextMatchesFreshOnes() throws {
        let context = try AEADContext()
        let g = Self.gcm16, c = Self.rfc8439
        #expect(try seal(.aes256gcm, key: g.key, nonce: g.iv, aad: g.aad, g.plaintext, context: context) == g.ciphertext + g.tag)
        #expect(try open(.aes256gcm, key: g.key, nonce: g.iv, aad: g.aad, g.ciphertext + g.tag, context: context) == g.plaintext)
        #expect(try seal(.chacha20poly1305, key: c.key, nonce: c.nonce, aad: c.aad, c.plaintext, context: context) == c.ciphertext + c.tag)
        // A failed open must not poison the context for the next chunk.
        var bad = g.ciphertext + g.tag
        bad[0] ^= 1
        #expect(Outcome { _ = try open(.aes256gcm, key: g.key, nonce: g.iv, aad: g.aad, bad, context: context) } == .rejected(.corrupt))
        #expect(try open(.aes256gcm, key: g.key, nonce: g.iv, aad: g.aad, g.ciphertext + g.tag, context: context) == g.plaintext)
        #expect(try seal(.aes256gcm, key: g.key, nonce: g.iv, aad: g.aad, g.plaintext, context: context) == g.ciphertext + g.tag)
    }

    // MARK: Key derivation and MACs

    /// RFC 5869 appendix A, test case 1 (basic) and test case 3 (empty salt and info).
    @Test func hkdfSHA256RFC5869() throws {
        let ikm = [UInt8](repeating: 0x0B, count: 22)
        #expect(
            try LibCrypto.hkdfSHA256(
                key: ikm, salt: (0x00...0x0C).map { UInt8($0) }, info: (0xF0...0xF9).map { UInt8($0) }, count: 42)
                == [UInt8](hex: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"))
        #expect(
            try LibCrypto.hkdfSHA256(key: ikm, salt: [], info: [], count: 42)
                == [UInt8](hex: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"))
    }

    /// RFC 7914 §12: scrypt("password", "NaCl", N = 1024, r = 8, p = 16, 64), and the first vector with
    /// an empty passphrase and salt (the empty passphrase must still be passed as a valid pointer).
    @Test func scryptRFC7914() throws {
        #expect(
            try LibCrypto.scrypt(password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, count: 64)
                == [UInt8](hex: """
                    fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830da\
                    c727afb94a83ee6d8360cbdfa2cc0640
                    """))
        #expect(
            try LibCrypto.scrypt(password: [], salt: [], n: 16, r: 1, p: 1, count: 64)
                == [UInt8](hex: """
                    77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17\
                    e8d3e0fb2e0d3628cf35e20c38d18906
                    """))
    }

    /// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    @Test func hmacSHA256RFC4231() throws {
        let mac = try Array("what do ya want for nothing?".utf8).withUnsafeBytes {
            try LibCrypto.hmacSHA256(key: Array("Jefe".utf8), $0)
        }
        #expect(mac == [UInt8](hex: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
    }

    // MARK: Hashes

    /// FIPS 180-2 appendix B.1: SHA-256("abc"), one-shot and incremental in uneven pieces.
    @Test func sha256FIPS180() throws {
        let expected = [UInt8](hex: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var digest = [UInt8](repeating: 0, count: 32)
        try digest.withUnsafeMutableBytes { out in
            try Array("abc".utf8).withUnsafeBytes { try LibCrypto.sha256($0, into: out.baseAddress!) }
        }
        #expect(digest == expected)
        let stream = try SHA256Stream()
        for piece in ["a", "", "bc"] { Array(piece.utf8).withUnsafeBytes { stream.update($0) } }
        #expect(stream.finish() == expected)
    }

    /// xxHash's own sanity vectors (tests/sanity_test_vectors.h, xxhsum's self-test): XXH3-64 of the
    /// empty input and of "abc", seed 0.
    @Test func xxh3_64() {
        #expect(XXH3.hash64([]) == 0x2D06_8005_38D3_94C2)
        #expect(XXH3.hash64(Array("abc".utf8)) == 0x78AF_5F94_892F_3950)
    }

    /// XXH3-128 of the empty input and of "abc" in canonical (big-endian) form, as `xxh128sum` prints them.
    @Test func xxh3_128Stream() throws {
        #expect(try XXH3Stream().finish() == [UInt8](hex: "99aa06d3014798d86001c324468d497f"))
        let stream = try XXH3Stream()
        for piece in ["ab", "c"] { Array(piece.utf8).withUnsafeBytes { stream.update($0) } }
        #expect(stream.finish() == [UInt8](hex: "06b05ab6733a618578af5f94892f3950"))
    }

    // MARK: The key schedule of docs/format.md ("Keys")

    static let master = (0..<32).map { UInt8($0) }
    static let salt = (32..<64).map { UInt8($0) }

    /// HKDF-SHA-256(master, salt, "sluice v1 " ‖ label ‖ cipher id), computed with Python's `cryptography`.
    @Test func fileKeysFollowTheSpec() throws {
        let aes = try FileKeys.derive(master: Self.master, salt: Self.salt, cipher: .aes256gcm)
        #expect(aes.payloadKey == [UInt8](hex: "1c5e7537d4f06960c2e1d8c314151bf237888a010f1e92ddd8e50209f5539d0f"))
        #expect(aes.headerKey == [UInt8](hex: "4e45f20e10e7320ec4b85ae7cc48797bb81e12f5d91c7b29afece2e8349b8efe"))
        #expect(aes.keyCheck == [UInt8](hex: "d212578d4fd0ac0da8f4a00df02b438f"))
        let chacha = try FileKeys.derive(master: Self.master, salt: Self.salt, cipher: .chacha20poly1305)
        #expect(chacha.payloadKey == [UInt8](hex: "538e2391a90bdb53f324b7af33244c8e763daa6b561c76e39b896b30688a345d"))
        #expect(chacha.headerKey == [UInt8](hex: "504743788964c229c160d38ebbc7a8187595257bc589f542a4bb649cae7fd9e2"))
        #expect(chacha.keyCheck == [UInt8](hex: "ab02b85fb6027a2838a9110a05554893"))
    }

    /// With a passphrase the master key is scrypt(passphrase, salt, 2^logN, 8, 1, 32): a key block
    /// holding the externally computed key-check value must open, and give the expected payload key.
    @Test func passphraseKeysFollowTheSpec() throws {
        let block = KeyBlock(
            derivation: .scrypt, cost: ScryptCost(logN: 10), salt: Self.salt,
            keyCheck: [UInt8](hex: "2560944d3b1f41b520b03a3f3a2d76e3"))
        let keys = try FileKeys.open(block, source: Harness.passphrase, cipher: .aes256gcm)
        #expect(keys.payloadKey == [UInt8](hex: "c3471df6c3b17cea37a76db61d649a2f54ca23d619d989cd0fc8d162e73145f2"))
        #expect(
            Outcome { _ = try FileKeys.open(block, source: .passphrase(Array("Correct horse battery staple".utf8)), cipher: .aes256gcm) }
                == .rejected(.wrongKey))
    }

    /// A key file's 32 bytes are the master key, used without stretching.
    @Test func keyFileKeysFollowTheSpec() throws {
        let block = KeyBlock(
            derivation: .keyFile, cost: nil, salt: Self.salt, keyCheck: [UInt8](hex: "d212578d4fd0ac0da8f4a00df02b438f"))
        let keys = try FileKeys.open(block, source: .keyFile(Self.master), cipher: .aes256gcm)
        #expect(keys.payloadKey == [UInt8](hex: "1c5e7537d4f06960c2e1d8c314151bf237888a010f1e92ddd8e50209f5539d0f"))
        // The cipher id is part of the derivation: the same block does not open as ChaCha20-Poly1305.
        #expect(Outcome { _ = try FileKeys.open(block, source: .keyFile(Self.master), cipher: .chacha20poly1305) } == .rejected(.wrongKey))
    }

    /// Every new file gets a fresh salt, so the same key never yields the same file key twice.
    @Test func freshSaltPerFile() throws {
        let (blockA, keysA) = try FileKeys.create(source: Harness.key, cipher: .aes256gcm, cost: Harness.cheapCost)
        let (blockB, keysB) = try FileKeys.create(source: Harness.key, cipher: .aes256gcm, cost: Harness.cheapCost)
        #expect(blockA.salt.count == 32)
        #expect(blockA.salt != blockB.salt)
        #expect(keysA.payloadKey != keysB.payloadKey)
        #expect(keysA.keyCheck == blockA.keyCheck)
        #expect(try FileKeys.open(blockB, source: Harness.key, cipher: .aes256gcm).payloadKey == keysB.payloadKey)
    }

    /// A passphrase cost outside 10…22 is refused when packing (the format allows nothing else).
    @Test(arguments: [9, 23])
    func packRefusesKDFCostOutsideRange(logN: Int) {
        #expect(
            Outcome { _ = try FileKeys.create(source: Harness.passphrase, cipher: .aes256gcm, cost: ScryptCost(logN: logN)) }
                == .rejected(.invalidArgument))
    }
}
