import SystemPackage
import Testing
@testable import Sluice
@testable import SluiceBench

/// The wrong secret is told apart from damage: `.wrongKey`, decided by the key-check value before
/// any frame is touched, and nothing is written.
@Suite struct KeyRejectionTests {
    static let data = DataKind.text.bytes(count: 3 * Harness.chunkSize, seed: 3)

    @Test(arguments: [Cipher.aes256gcm, .chacha20poly1305])
    func wrongPassphrase(cipher: Cipher) throws {
        let packed = try Harness.pack(Self.data, options: try Harness.options(.zstd, cipher, key: Harness.passphrase)).bytes
        for wrong in ["correct horse battery stapl", "correct horse battery staple ", "Correct horse battery staple", "x"] {
            #expect(Outcome { _ = try Harness.unpack(packed, key: .passphrase(Array(wrong.utf8))) } == .rejected(.wrongKey), "\(wrong)")
        }
        #expect(try Harness.unpack(packed, key: Harness.passphrase).bytes == Self.data)
    }

    @Test(arguments: [Cipher.aes256gcm, .chacha20poly1305])
    func wrongKeyFile(cipher: Cipher) throws {
        let packed = try Harness.packed(Self.data, .zstd, cipher)
        #expect(Outcome { _ = try Harness.unpack(packed, key: Harness.otherKey) } == .rejected(.wrongKey))
        // One bit of difference in the key is enough.
        guard case .keyFile(var bytes) = Harness.key else { return }
        bytes[31] ^= 0x01
        #expect(Outcome { _ = try Harness.unpack(packed, key: .keyFile(bytes)) } == .rejected(.wrongKey))
    }

    /// A key file's bytes offered to a passphrase file, or a passphrase to a key-file file.
    @Test func keyKindMismatch() throws {
        let passphraseFile = try Harness.pack(Self.data, options: try Harness.options(.zstd, .aes256gcm, key: Harness.passphrase)).bytes
        #expect(Outcome { _ = try Harness.unpack(passphraseFile, key: Harness.key) } == .rejected(.wrongKey))

        let keyFileFile = try Harness.packed(Self.data, .zstd, .aes256gcm)
        #expect(Outcome { _ = try Harness.unpack(keyFileFile, key: Harness.passphrase) } == .rejected(.wrongKey))
        // Even when the passphrase is, byte for byte, the key file's content.
        guard case .keyFile(let keyBytes) = Harness.key else { return }
        #expect(Outcome { _ = try Harness.unpack(keyFileFile, key: .passphrase(keyBytes)) } == .rejected(.wrongKey))
    }

    /// A key of the wrong length is a usage error, not a wrong key.
    @Test func keyOfWrongLength() throws {
        let packed = try Harness.packed(Self.data, .zstd, .aes256gcm)
        #expect(Outcome { _ = try Harness.unpack(packed, key: .keyFile([UInt8](repeating: 1, count: 31))) } == .rejected(.invalidArgument))
        #expect(Outcome { _ = try Harness.packed(Self.data, .zstd, .aes256gcm, key: .keyFile([UInt8](repeating: 1, count: 33))) }
            == .rejected(.invalidArgument))
    }

    /// The key check comes first: a wrong key on a file that is also damaged is still "wrong key".
    @Test func keyCheckComesBeforeFrames() throws {
        var packed = try Harness.packed(Self.data, .zstd, .aes256gcm)
        let layout = try SlcLayout(packed)
        packed[layout.payload(of: 0).lowerBound] ^= 0xFF
        #expect(Outcome { _ = try Harness.unpack(packed, key: Harness.otherKey) } == .rejected(.wrongKey))
        #expect(Outcome { _ = try Harness.unpack(packed, key: Harness.key) } == .rejected(.corrupt))
    }

    /// A wrong key never creates the output, not even briefly as a temporary file left behind.
    @Test func wrongKeyWritesNothing() throws {
        try withTemporaryDirectory { directory in
            let input = directory.appending("secret.slc")
            try writeFile(input, try Harness.packed(Self.data, .zstd, .chacha20poly1305))
            let outcome = Outcome {
                _ = try Pipeline.unpackFile(input, to: .file(directory.appending("secret"), overwrite: false), key: { _ in Harness.otherKey })
            }
            #expect(outcome == .rejected(.wrongKey))
            #expect(try directoryListing(directory) == ["secret.slc"])
            #expect(Outcome { _ = try Pipeline.verifyFile(input, key: { _ in Harness.otherKey }) } == .rejected(.wrongKey))
        }
    }
}
