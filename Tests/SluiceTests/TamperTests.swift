import Testing
@testable import Sluice
@testable import SluiceBench

/// A file packed with one codec and cipher, to damage.
struct TamperSubject: Sendable, CustomTestStringConvertible {
    var codec: Codec
    var cipher: Cipher

    var key: KeySource? { cipher == .none ? nil : Harness.key }
    var testDescription: String { "\(codec.rawValue) + \(cipher.rawValue)" }

    static let all = [
        TamperSubject(codec: .store, cipher: .none), TamperSubject(codec: .zstd, cipher: .none),
        TamperSubject(codec: .store, cipher: .aes256gcm), TamperSubject(codec: .zstd, cipher: .aes256gcm),
        TamperSubject(codec: .zstd, cipher: .chacha20poly1305),
    ]

    /// Three frames of text: two full 4 KiB chunks and a short final one.
    static let data = DataKind.text.bytes(count: 2 * Harness.chunkSize + 1000, seed: 7)

    func packed() throws -> (bytes: [UInt8], layout: SlcLayout) {
        let bytes = try Harness.packed(TamperSubject.data, codec, cipher, key: key)
        // The undamaged file must decode, or every rejection below would prove nothing.
        #expect(try Harness.unpack(bytes, key: key).bytes == TamperSubject.data)
        return (bytes, try SlcLayout(bytes))
    }
}

/// Single-bit and single-byte damage anywhere in a small multi-frame file must be rejected: never
/// decoded, never a crash, and reported as `.corrupt` — or as `.wrongKey` where the damage changes
/// what the key derivation sees (docs/format.md, decoding rule 2):
///
/// - salt and key-check value: the derived key-check no longer matches → always `.wrongKey`;
/// - cipher id, when the flip lands on the other cipher: the cipher id is part of the HKDF info, so
///   the key check fails → `.wrongKey` (a flip to an unknown id is `.corrupt`);
/// - scrypt log₂ N, when the flip stays within the limit: scrypt runs with another cost, the key check
///   fails → `.wrongKey` (above the limit it is `.corrupt`);
/// - flags bit 1 (the keys are bound to a context): the file now asks for a context the reader did not
///   give → `.wrongKey`, before any key is derived (the header tag would fail too);
/// - everything else in the header fails a range check or the header tag → `.corrupt`.
/// `indexed`: the damaged file is read as the CLI reads a seekable file, through the footer and the
/// index with frames at their offsets (``Harness/io``); otherwise front to back.
@Suite struct TamperTests {
    typealias Field = SlcLayout.HeaderField

    static func allowedInHeader(encrypted: Bool) -> (Int) -> Set<Outcome> {
        { offset in
            guard encrypted else { return [.rejected(.corrupt)] }
            if Field.salt.contains(offset) || Field.keyCheck.contains(offset) { return [.rejected(.wrongKey)] }
            if offset == Field.cipher || offset == Field.scryptLogN || offset == Field.flags {
                return [.rejected(.corrupt), .rejected(.wrongKey)]
            }
            return [.rejected(.corrupt)]
        }
    }

    @Test(arguments: TamperSubject.all, [false, true])
    func headerEveryBit(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            let attempts = try Tamper.flipEach(bytes, at: layout.header, key: subject.key)
            Tamper.expectAll(attempts, "header", allowed: Self.allowedInHeader(encrypted: layout.isEncrypted))
            // The salt and key-check flips really were told apart as a wrong key.
            if layout.isEncrypted {
                #expect(attempts.filter { Field.keyCheck.contains($0.offset) }.allSatisfy { $0.outcome == .rejected(.wrongKey) })
                // Only the context bit of the flags is a wrong key; every other flag bit is corruption.
                var wrongKeyFlagBits: [UInt8] = []
                for attempt in attempts where attempt.offset == Field.flags {
                    if attempt.outcome == .rejected(.wrongKey) { wrongKeyFlagBits.append(attempt.mask) }
                }
                #expect(wrongKeyFlagBits == [2])
            }
        }
    }

    /// Length, plain length, flags and checksum of every frame.
    @Test(arguments: TamperSubject.all, [false, true])
    func frameHeadersEveryBit(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            let offsets = layout.frames.flatMap { $0.lowerBound..<$0.lowerBound + layout.frameHeaderSize }
            Tamper.expectAll(try Tamper.flipEach(bytes, at: offsets, key: subject.key), "frame headers")
        }
    }

    /// Every byte of the middle frame's payload (and, with a cipher, its tag), and of the final one.
    ///
    /// With a cipher the AEAD tag covers every stored byte; without one the payload check does
    /// (docs/format.md, "Frames"). zstd's decoder tolerates a few bits (seen in the Huffman-compressed
    /// literals section) that leave its output unchanged, so a checksum of the plaintext alone would
    /// pass such a flip: nothing may decode, not even to the original.
    @Test(arguments: TamperSubject.all, [false, true])
    func framePayloadEveryByte(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            let allowed: Set<Outcome> = [.rejected(.corrupt)]
            let middle = try Tamper.flipEach(bytes, at: layout.payload(of: 1), masks: [0x01], key: subject.key)
            Tamper.expectAll(middle, "frame 1 payload", allowed: { _ in allowed })
            // The final frame with another bit: its end is checked against the trailer last.
            let final = try Tamper.flipEach(bytes, at: layout.payload(of: 2), masks: [0x80], key: subject.key)
            Tamper.expectAll(final, "final frame payload", allowed: { _ in allowed })
        }
    }

    @Test(arguments: TamperSubject.all, [false, true])
    func trailerEveryBit(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            Tamper.expectAll(try Tamper.flipEach(bytes, at: layout.trailer, key: subject.key), "trailer")
        }
    }

    @Test(arguments: TamperSubject.all, [false, true])
    func footerEveryBit(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            Tamper.expectAll(try Tamper.flipEach(bytes, at: layout.footer, key: subject.key), "footer")
        }
    }

    /// A passphrase file's header: scrypt runs for every attempt that gets past the header checks, so
    /// one bit per byte, and every bit of the KDF parameters.
    @Test func passphraseHeader() throws {
        let bytes = try Harness.pack(TamperSubject.data, options: try Harness.options(.zstd, .aes256gcm, key: Harness.passphrase)).bytes
        #expect(try Harness.unpack(bytes, key: Harness.passphrase).bytes == TamperSubject.data)
        let layout = try SlcLayout(bytes)
        let allowed = Self.allowedInHeader(encrypted: true)
        Tamper.expectAll(try Tamper.flipEach(bytes, at: layout.header, masks: [0x01], key: Harness.passphrase), "header", allowed: allowed)
        let kdf = try Tamper.flipEach(bytes, at: Field.kdf...Field.scryptP, key: Harness.passphrase)
        Tamper.expectAll(kdf, "KDF parameters", allowed: allowed)
        // A cost above the decoder's limit is refused as corrupt before scrypt runs at all.
        #expect(kdf.filter { $0.offset == Field.scryptLogN && (10 ^ Int($0.mask)) > 20 }.allSatisfy { $0.outcome == .rejected(.corrupt) })
    }
}
