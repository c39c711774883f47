import Foundation
import Testing
@testable import Sluice

/// The text codings and key formats under age: strict Base64 (RFC 4648 vectors and non-canonical
/// forms), Bech32 (BIP-173 vectors), age keys (age's own spec example), STREAM layout, and the armor
/// both ways at every line alignment.
@Suite struct AgePrimitiveTests {
    // MARK: Base64

    @Test(arguments: [("", "", ""), ("f", "Zg", "Zg=="), ("fo", "Zm8", "Zm8="), ("foo", "Zm9v", "Zm9v"),
                      ("foob", "Zm9vYg", "Zm9vYg=="), ("fooba", "Zm9vYmE", "Zm9vYmE="), ("foobar", "Zm9vYmFy", "Zm9vYmFy")])
    func base64RFC4648(plain: String, unpadded: String, padded: String) {
        #expect(Base64.encodeString(Array(plain.utf8)) == unpadded)
        #expect(Base64.encodeString(Array(plain.utf8), padded: true) == padded)
        #expect(Base64.decode(Array(unpadded.utf8), padded: false) == Array(plain.utf8))
        #expect(Base64.decode(Array(padded.utf8), padded: true) == Array(plain.utf8))
    }

    @Test(arguments: ["Zh", "Zm9=", "Z", "Zm9vY", "Zg==", "Zm 9v", "Zm9v\n", "Zm-v", "Zm_v", "Zm9v\r"])
    func base64RefusesNonCanonicalUnpadded(_ text: String) {
        #expect(Base64.decode(Array(text.utf8), padded: false) == nil)
    }

    @Test(arguments: ["Zh==", "Zg", "Zg=", "Zg===", "====", "Zm8=Zm8=", "Zm9=", "Z===", "Zm9vYg=\n"])
    func base64RefusesNonCanonicalPadded(_ text: String) {
        #expect(Base64.decode(Array(text.utf8), padded: true) == nil)
    }

    @Test func base64RoundTripsEveryLength() throws {
        for count in 0..<200 {
            let bytes = try LibCrypto.randomBytes(count)
            for padded in [false, true] {
                let text = Base64.encode(bytes, padded: padded)
                #expect(text.count == Base64.encodedCount(count, padded: padded))
                #expect(Base64.decode(text, padded: padded) == bytes)
            }
        }
    }

    // MARK: Bech32 (BIP-173 test vectors)

    @Test(arguments: ["A12UEL5L", "a12uel5l",
                      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
                      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"])
    func bech32Valid(_ text: String) throws {
        let (hrp, data) = try #require(Bech32.decode(text))
        #expect(Bech32.encode(hrp: hrp, data, uppercase: text == text.uppercased()) == text)
    }

    @Test(arguments: ["\u{20}1nwldj5", "\u{7F}1axkwrx", "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3",
                      "de1lg7wt\u{FF}", "A1G7SGD8", "10a06t8", "1qzzfhee", "a12UEL5L", "A12uEL5L", "a12uel5m"])
    func bech32Invalid(_ text: String) {
        #expect(Bech32.decode(text) == nil)
    }

    @Test func bech32RoundTripsBytes() throws {
        for count in [0, 1, 5, 20, 32, 33, 64] {
            let bytes = try LibCrypto.randomBytes(count)
            let text = Bech32.encode(hrp: "age", bytes)
            let decoded = try #require(Bech32.decode(text))
            #expect(decoded.hrp == "age" && decoded.data == bytes)
            #expect(Bech32.decode(text.uppercased())?.data == bytes)
        }
    }

    // MARK: age keys

    /// The identity and recipient printed in the age spec (age-encryption.org/v1, "X25519").
    @Test func ageSpecExampleKeyPair() throws {
        let identity = try AgeIdentity(parsing: "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
        #expect(identity.recipient.description == "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj")
        #expect(identity.encoded == "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
        #expect(try AgeRecipient(parsing: identity.recipient.description) == identity.recipient)
        #expect(throws: SluiceError.self) { try AgeRecipient(parsing: identity.recipient.description.uppercased()) }
        #expect(throws: SluiceError.self) { try AgeRecipient(parsing: "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwk") }
    }

    @Test func postQuantumKeysAreRefusedWithTheReason() {
        let recipient = #expect(throws: SluiceError.self) { try AgeRecipient(parsing: "age1pq1" + String(repeating: "q", count: 100)) }
        #expect(recipient?.message.contains("ML-KEM") == true)
    }

    @Test func identityFileRoundTripAndComments() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appending("id.txt")
            let identity = try IdentityFile.generate(at: path)
            let text = String(decoding: try readFile(path), as: UTF8.self)
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("# created: 20"))
            #expect(lines[1] == "# public key: \(identity.recipient)")
            #expect(lines[2] == identity.encoded)
            #expect((try FileManager.default.attributesOfItem(atPath: path.string)[.posixPermissions] as? Int) == 0o600)
            #expect(throws: SluiceError.self) { try IdentityFile.generate(at: path) }  // never overwrites
            #expect(try IdentityFile.identities(at: path).map(\.recipient) == [identity.recipient])

            let second = try AgeIdentity.generate()
            let several = directory.appending("several.txt")
            try writeFile(several, Array("# two keys\r\n\n\(identity.encoded)\r\n# another\n\(second.encoded)".utf8))
            #expect(try IdentityFile.identities(at: several).map(\.recipient) == [identity.recipient, second.recipient])

            let bad = directory.appending("bad.txt")
            try writeFile(bad, Array("# c\n\(identity.encoded)\nAGE-SECRET-KEY-1NOTAKEY\n".utf8))
            let error = #expect(throws: SluiceError.self) { try IdentityFile.identities(at: bad) }
            #expect(error?.message.contains("line 3") == true)
            try writeFile(bad, Array("# only a comment\n".utf8))
            #expect(throws: SluiceError.self) { try IdentityFile.identities(at: bad) }

            let recipients = directory.appending("recipients.txt")
            try writeFile(recipients, Array("# team\n\(identity.recipient)\n\n\(second.recipient)\n".utf8))
            #expect(try IdentityFile.recipients(at: recipients) == [identity.recipient, second.recipient])
        }
    }

    // MARK: STREAM layout

    @Test(arguments: [(0, 16), (1, 17), (65536, 65552), (65537, 65569), (131072, 131104)])
    func streamSizes(plain: Int, sealed: Int) {
        #expect(AgeStream.sealedSize(plainSize: UInt64(plain)) == UInt64(sealed))
        #expect(AgeStream.plainSize(sealedSize: sealed, isFinal: true, firstChunk: 0) == plain)
    }

    @Test func streamNonceIsBigEndianCounterAndFlag() {
        #expect(AgeStream.nonce(chunk: 0, last: false) == [UInt8](repeating: 0, count: 12))
        #expect(AgeStream.nonce(chunk: 0x0102, last: true) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1])
        // An empty last chunk is only valid as the only chunk; a short final run needs its tag.
        #expect(AgeStream.plainSize(sealedSize: 65552 + 16, isFinal: true, firstChunk: 0) == nil)
        #expect(AgeStream.plainSize(sealedSize: 16, isFinal: true, firstChunk: 3) == nil)
        #expect(AgeStream.plainSize(sealedSize: 15, isFinal: true, firstChunk: 0) == nil)
        #expect(AgeStream.plainSize(sealedSize: 65553, isFinal: false, firstChunk: 0) == nil)
        #expect(AgeStream.plainSize(sealedSize: 0, isFinal: true, firstChunk: 0) == nil)
    }

    /// Sealing a payload in runs of chunks (as the workers do) gives the same bytes as in one piece.
    @Test func streamRunsMatchOnePiece() throws {
        let plaintext = try LibCrypto.randomBytes(5 * 65536 + 100)
        let key = try LibCrypto.randomBytes(32)
        let whole = try AgeFile.payload(plaintext, key: key)
        var pieces: [UInt8] = []
        let context = try AEADContext()
        for (first, count) in [(0, 2), (2, 3), (5, 1)] {
            let start = first * 65536, end = min(plaintext.count, (first + count) * 65536)
            let isFinal = end == plaintext.count
            var sealed = [UInt8](repeating: 0, count: Int(AgeStream.sealedSize(plainSize: UInt64(end - start))))
            try plaintext[start..<end].withUnsafeBytes { plain in
                try sealed.withUnsafeMutableBytes {
                    try AgeStream.seal(plain, into: $0, firstChunk: UInt64(first), isFinal: isFinal, key: key, context: context)
                }
            }
            pieces += sealed
        }
        #expect(pieces == whole)
        // A run opened at the wrong index, or as final when it is not, fails authentication.
        var out = [UInt8](repeating: 0, count: 2 * 65536)
        let error = #expect(throws: SluiceError.self) {
            try whole[65552..<(3 * 65552)].withUnsafeBytes { sealed in
                try out.withUnsafeMutableBytes { try AgeStream.open(sealed, into: $0, firstChunk: 0, isFinal: false, key: key, context: context) }
            }
        }
        #expect(error?.message.hasPrefix("age payload") == true)
    }

    // MARK: armor

    @Test func armorRoundTripsAtEveryAlignmentInAnyPieces() throws {
        for count in [0, 1, 47, 48, 49, 95, 96, 97, 1000] {
            let bytes = try LibCrypto.randomBytes(count)
            var encoder = AgeArmor.Encoder()
            var text: [UInt8] = []
            for piece in stride(from: 0, to: count, by: 7) {
                text += bytes[piece..<min(count, piece + 7)].withUnsafeBytes { encoder.add($0) }
            }
            text += encoder.finish()
            let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            #expect(lines.first.map(Array.init) == AgeArmor.beginLine)
            #expect(lines.dropLast().last.map(Array.init) == AgeArmor.endLine)
            #expect(lines.dropFirst().dropLast(2).allSatisfy { $0.count <= 64 })
            #expect(AgeArmor.isArmored(text))
            var decoder = AgeArmor.Decoder()
            var decoded: [UInt8] = []
            for piece in stride(from: 0, to: text.count, by: 5) {
                decoded += try text[piece..<min(text.count, piece + 5)].withUnsafeBytes { try decoder.add($0) }
            }
            decoded += try decoder.finish()
            #expect(decoded == bytes, "\(count) bytes")
        }
    }
}
