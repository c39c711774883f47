import Foundation
import Testing
@testable import Sluice

/// Every age test-kit vector (shared/testdata/age-testkit) gives its expected outcome through the
/// library's age code, and every success re-encrypts to the same payload bytes with its file key.
/// The same vectors run through the `sluice` executable in ``AgeCLITests``.
@Suite struct AgeConformanceTests {
    @Test func theTestKitIsThere() {
        #expect(AgeVector.names.count >= 100, "age test kit not found at \(AgeVector.directory.path)")
    }

    static func unlock(_ vector: AgeVector) throws -> AgeFile.Unlock {
        AgeFile.Unlock(
            identities: try vector.identities.map { try AgeIdentity(parsing: $0) },
            passphrase: vector.passphrases.first.map { Array($0.utf8) }, maxWorkFactor: 22)
    }

    @Test(arguments: AgeVector.names)
    func vector(_ name: String) throws {
        let vector = try AgeVector.load(name)
        if vector.isPostQuantum {
            // ML-KEM is not in OpenSSL 3.0: the post-quantum identity is refused, saying so.
            let pq = vector.identities.first { $0.hasPrefix("AGE-SECRET-KEY-PQ-") }!
            let error = #expect(throws: SluiceError.self) { try AgeIdentity(parsing: pq) }
            #expect(error?.message.contains("ML-KEM") == true)
            return
        }
        #expect(AgeArmor.isArmored(vector.file) == vector.armored || vector.expect == .armorFailure)
        let unlock = try Self.unlock(vector)
        let result = Result { try AgeFile.decrypt(vector.file, with: unlock) }
        switch (vector.expect, result) {
        case (.success, .success(let plaintext)):
            #expect(try sha256Hex(plaintext) == vector.payloadSHA256)
            // STREAM byte for byte: the vector's file key and nonce re-encrypt to the stored payload.
            let opened = try AgeFile.open(vector.file, with: unlock)
            #expect(opened.fileKey == vector.fileKey)
            let payload = try AgeFile.payload(plaintext, key: try AgeKeySchedule.payloadKey(opened.fileKey, nonce: opened.nonce))
            #expect(payload == Array(opened.payload))
        case (.success, .failure(let error)):
            Issue.record("\(name): expected success, got \(error)")
        case (let expected, .success):
            Issue.record("\(name): expected \(expected.rawValue), but it decrypted")
        case (let expected, .failure(let error)):
            let error = try #require(error as? SluiceError)
            switch expected {
            case .noMatch:
                #expect(error.code == .wrongKey && error.message.hasPrefix("no identity matches"), "\(error)")
            case .headerFailure:
                #expect(error.code == .corrupt && error.message.hasPrefix("invalid age header"), "\(error)")
            case .hmacFailure:
                #expect(error.code == .corrupt && error.message.hasPrefix("age header MAC mismatch"), "\(error)")
            case .armorFailure:
                #expect(error.code == .corrupt && error.message.hasPrefix("invalid age armor"), "\(error)")
            case .payloadFailure:
                #expect(error.code == .corrupt && error.message.hasPrefix("age payload"), "\(error)")
            case .success:
                break
            }
        }
    }
}
