import Testing
@testable import Sluice

/// `.slc` files encrypted to age X25519 recipients, through the library (docs/format.md, "Recipient
/// block"): round trips for every codec and cipher with one and three recipients, the header bytes of
/// the block, wrong identities, changed stanzas and header bytes, and the refusals.
@Suite struct SlcRecipientTests {
    static let identities = (0..<3).map { _ in try! AgeIdentity.generate() }
    static var recipients: [AgeRecipient] { identities.map(\.recipient) }
    static let data = DataKind.text.bytes(count: 3 * Harness.chunkSize + 1234)

    /// Where the recipient block starts: the 25 fixed header bytes, then the 52-byte key block.
    static let blockOffset = 25 + KeyBlock.encodedSize
    /// Byte offset of stanza `index` (after the 2-byte count); a stanza is type, share, wrapped key.
    static func stanzaOffset(_ index: Int) -> Int { blockOffset + 2 + 65 * index }

    static func packed(_ codec: Codec = .zstd, _ cipher: Cipher = .aes256gcm, to recipients: [AgeRecipient] = recipients)
        throws -> [UInt8]
    {
        try Harness.packed(data, codec, cipher, key: .recipients(recipients))
    }

    static func outcome(_ bytes: [UInt8], _ key: KeySource?) -> Outcome {
        Outcome { _ = try Harness.unpack(bytes, key: key) }
    }

    @Test(arguments: Codec.allCases, [Cipher.aes256gcm, .chacha20poly1305])
    func roundTrip(codec: Codec, cipher: Cipher) throws {
        for count in [1, 3] {
            let bytes = try Self.packed(codec, cipher, to: Array(Self.recipients.prefix(count)))
            let header = try Header.decode(Array(bytes[0..<Header.length(fromPrefix: Array(bytes.prefix(12)))]))
            #expect(header.keyBlock?.derivation == .recipients && header.keyBlock?.stanzas.count == count)
            #expect(bytes[24] & 4 != 0)
            // Any one identity opens it, alone or among others, from a file and from a pipe.
            for identity in Self.identities.prefix(count) {
                #expect(try Harness.unpack(bytes, key: .identities([identity])).bytes == Self.data)
            }
            let others = [try AgeIdentity.generate(), Self.identities[count - 1]]
            #expect(try Harness.unpack(bytes, key: .identities(others), viaPipe: true).bytes == Self.data)
            #expect(try Harness.withIndexedReads { try Harness.unpack(bytes, key: .identities(others)).bytes } == Self.data)
        }
    }

    /// Every file gets a fresh file key and fresh ephemeral shares: two files for the same recipient
    /// share no stanza byte run, and the same recipients always wrap the same stanza count.
    @Test func freshKeysPerFile() throws {
        let first = try Self.packed(), second = try Self.packed()
        let a = Array(first[Self.stanzaOffset(0)..<Self.stanzaOffset(3)])
        let b = Array(second[Self.stanzaOffset(0)..<Self.stanzaOffset(3)])
        #expect(a != b)
        #expect(first[Self.blockOffset] == 3 && first[Self.blockOffset + 1] == 0)
        #expect((0..<3).allSatisfy { first[Self.stanzaOffset($0)] == RecipientBlock.x25519TypeID })
    }

    @Test func wrongIdentityIsNoMatch() throws {
        let bytes = try Self.packed(to: [Self.recipients[0]])
        do {
            _ = try Harness.unpack(bytes, key: .identities([Self.identities[1], Self.identities[2]]))
            Issue.record("opened with identities it was not made for")
        } catch let error as SluiceError {
            #expect(error.code == .wrongKey && error.message.hasPrefix("no identity matches"), "\(error)")
        }
        // No key at all, a key file, a passphrase: the file needs an identity.
        #expect(Self.outcome(bytes, nil) == .rejected(.wrongKey))
        #expect(Self.outcome(bytes, Harness.key) == .rejected(.wrongKey))
        #expect(Self.outcome(bytes, Harness.passphrase) == .rejected(.wrongKey))
        // And an identity does not open a key-file file.
        #expect(Self.outcome(try Harness.packed(Self.data, .zstd, .aes256gcm), .identities(Self.identities)) == .rejected(.wrongKey))
    }

    /// A stanza of another recipient changed: the identity still unwraps the file key, and the header
    /// tag fails (corrupt). The identity's own stanza changed: nothing opens (wrong key, as in age).
    /// Any other header byte changed: corrupt, or the key check fails for the salt.
    @Test func changedStanzasAndHeader() throws {
        let bytes = try Self.packed()
        let mine = [Self.identities[0]]
        for offset in [Self.stanzaOffset(1) + 1, Self.stanzaOffset(1) + 40, Self.stanzaOffset(2) + 64] {
            var changed = bytes
            changed[offset] ^= 0x01
            #expect(Self.outcome(changed, .identities(mine)) == .rejected(.corrupt), "byte \(offset)")
        }
        for offset in [Self.stanzaOffset(0) + 1, Self.stanzaOffset(0) + 40] {
            var changed = bytes
            changed[offset] ^= 0x01
            #expect(Self.outcome(changed, .identities(mine)) == .rejected(.wrongKey), "byte \(offset)")
        }
        // The type byte and the count are checked when the header is read.
        for offset in [Self.stanzaOffset(2), Self.blockOffset] {
            var changed = bytes
            changed[offset] ^= 0x01
            #expect(Self.outcome(changed, .identities(mine)) == .rejected(.corrupt), "byte \(offset)")
        }
        // The header tag itself, and the metadata after the block.
        let length = try Header.length(fromPrefix: Array(bytes.prefix(12)))
        for offset in [length - 1, Self.stanzaOffset(3) + 2] {
            var changed = bytes
            changed[offset] ^= 0x01
            #expect(Self.outcome(changed, .identities(mine)) == .rejected(.corrupt), "byte \(offset)")
        }
        // A stanza dropped (count 2, the last stanza's bytes still there): the layout no longer adds up.
        var dropped = bytes
        dropped[Self.blockOffset] = 2
        #expect(Self.outcome(dropped, .identities(mine)) == .rejected(.corrupt))
    }

    /// Flags bit 2 and KDF 3 go together; both need a cipher. Bit 3 is unknown: the refusal an older
    /// sluice gives bit 2 (docs/format.md, "Version rule").
    @Test func flagRules() throws {
        let bytes = try Self.packed()
        let length = try Header.length(fromPrefix: Array(bytes.prefix(12)))
        let header = Array(bytes[0..<length])
        func refusal(_ patch: (inout [UInt8]) -> Void) -> String? {
            var changed = header
            patch(&changed)
            do {
                _ = try Header.decode(changed)
                return nil
            } catch let error as SluiceError {
                return error.code == .corrupt ? error.message : "\(error)"
            } catch { return "\(error)" }
        }
        #expect(refusal { $0[24] &= ~4 }?.contains("recipients flag does not match") == true)
        #expect(refusal { $0[24] |= 8 } == "unknown header flags")
        #expect(refusal { $0[25] = 2 }?.contains("recipients flag does not match") == true)
        #expect(refusal { $0[26] = 10 }?.contains("recipients header has scrypt parameters") == true)
        #expect(refusal { $0[Self.blockOffset] = 0; $0[Self.blockOffset + 1] = 0 }?.contains("recipient count 0") == true)
        #expect(refusal { $0[Self.blockOffset] = 0x01; $0[Self.blockOffset + 1] = 0x02 }?.contains("recipient count 513") == true)
        // A key-file header given flags bit 2.
        let plainKey = try Harness.packed(Self.data, .zstd, .aes256gcm)
        var keyFileHeader = Array(plainKey[0..<(try Header.length(fromPrefix: Array(plainKey.prefix(12))))])
        keyFileHeader[24] |= 4
        #expect(throws: SluiceError.self) { try Header.decode(keyFileHeader) }
        // An unencrypted header with flags bit 2 (its XXH3 tag recomputed, so only the rule refuses it).
        let plain = try Harness.packed(Self.data, .zstd)
        var unencrypted = Array(plain[0..<(try Header.length(fromPrefix: Array(plain.prefix(12))))])
        unencrypted[24] |= 4
        let body = Array(unencrypted.dropLast(8))
        unencrypted = body + (try Header.tag(over: body, cipher: .none, keys: nil))
        do {
            _ = try Header.decode(unencrypted)
            Issue.record("accepted the recipients flag without a cipher")
        } catch let error as SluiceError {
            #expect(error.message == "recipients flag set without a cipher")
        }
    }

    @Test func recipientCountLimits() throws {
        #expect(throws: SluiceError.self) { _ = try Self.packed(to: []) }
        let many = try (0...RecipientBlock.maxStanzas).map { _ in try AgeIdentity.generate().recipient }
        do {
            _ = try Self.packed(to: many)
            Issue.record("took \(many.count) recipients")
        } catch let error as SluiceError {
            #expect(error.code == .invalidArgument && error.message.contains("1 to 512 recipients"))
        }
        // The most: 511 others and one of ours, the last stanza, opens.
        let most = try Self.packed(to: Array(many.prefix(RecipientBlock.maxStanzas - 1)) + [Self.recipients[2]])
        #expect(try Harness.unpack(most, key: .identities([Self.identities[2]])).bytes == Self.data)
    }

    /// Recipients are public keys: they cannot open a file, and identities cannot make one.
    @Test func keySourcesThatDoNotFit() throws {
        #expect(Self.outcome(try Self.packed(), .recipients(Self.recipients)) == .rejected(.wrongKey))
        #expect(throws: SluiceError.self) { _ = try Harness.packed(Self.data, .zstd, .aes256gcm, key: .identities(Self.identities)) }
    }

    /// `inspect`'s view: the stanzas counted by type, nothing secret.
    @Test func inspectShowsStanzas() throws {
        let bytes = try Self.packed()
        let length = try Header.length(fromPrefix: Array(bytes.prefix(12)))
        let info = try Header.decode(Array(bytes[0..<length])).info
        #expect(info.stanzas == ["X25519": 3])
        #expect(info.keyDerivation == "age X25519 recipients (3 stanzas)")
        // The key policy: identities are the kind of secret these wrappings take, a key file is not.
        let wrappings = try Header.decode(Array(bytes[0..<length])).keyBlock.map { [$0.wrapping] } ?? []
        #expect(wrappings == [.recipients(3)])
        try KeyPolicy(given: .identity).admit(wrappings, boundToContext: false)
        #expect(throws: SluiceError.self) { try KeyPolicy(given: .keyFile).admit(wrappings, boundToContext: false) }
    }
}
