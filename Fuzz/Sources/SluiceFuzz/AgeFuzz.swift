// The age targets of the fuzzer (see SluiceFuzz.swift for the driver).
//
//   age-text  the bytes through every strict text coding age uses, with canonicity as the oracle: what
//             Base64 or Bech32 accepts must re-encode to exactly the input; an accepted header must
//             re-encode to the text its MAC covers; armor that decodes must come from what the encoder
//             writes for those bytes, or differ only where the spec allows (line ends, outer whitespace)
//   age-file  the bytes as an age file (armored or not), opened with the test kit's identity and
//             passphrase (the seeds in Tests/Fuzz/corpus/age are test-kit vectors); only a corrupt or
//             no-match error may come out; then the same bytes through the age FormatReader as the tool
//             reads a binary age file (SlcFuzz.swift: its header, then its STREAM chunks walked)
@testable import Sluice

/// The secrets of the age seeds (test-kit vectors).
private let agePassphrase = Array("password".utf8)
private func ageKeys(_ request: KeyRequest) -> KeySource? {
    switch request.wrappings.first {
    case .passphrase: .passphrase(agePassphrase)
    default: .identities([fuzzIdentity])
    }
}

func fuzzAgeText(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data)
    for padded in [false, true] {
        if let decoded = Base64.decode(bytes, padded: padded) {
            guard Base64.encode(decoded, padded: padded) == bytes else { fatalError("Base64 accepted a non-canonical form") }
        }
    }
    if let text = String(validating: bytes, as: UTF8.self) {
        if let (hrp, payload) = Bech32.decode(text) {
            let again = Bech32.encode(hrp: hrp, payload, uppercase: text.uppercased() == text && text.lowercased() != text)
            guard again == text || again == text.lowercased() else { fatalError("Bech32 accepted a non-canonical form") }
        }
        if let recipient = try? AgeRecipient(parsing: text), recipient.description != text {
            fatalError("a recipient that does not print as it was read")
        }
        _ = try? AgeIdentity(parsing: text)
    }
    var decoder = AgeArmor.Decoder()
    if let decoded = try? bytes.withUnsafeBytes({ try decoder.add($0) }) + decoder.finish() {
        var encoder = AgeArmor.Encoder()
        let canonical = decoded.withUnsafeBytes { encoder.add($0) } + encoder.finish()
        let core = bytes.filter { !AgeArmor.isWhitespace($0) }
        guard core == canonical.filter({ !AgeArmor.isWhitespace($0) }) else { fatalError("armor decoded to other bytes") }
    }
    do {
        if let header = try AgeHeader.parse(bytes) {
            let text = Age.versionLine + header.stanzas.flatMap(\.encoded) + Array("---".utf8)
            guard text == header.authenticated else { fatalError("a header that does not re-encode to its text") }
        }
    } catch let error as SluiceError where error.code == .corrupt {
    } catch {
        fatalError("header parse threw \(error)")
    }
}

func fuzzAgeFile(_ data: UnsafeRawBufferPointer) {
    let unlock = AgeFile.Unlock(identities: [fuzzIdentity], passphrase: agePassphrase, maxWorkFactor: fuzzLimits.maxScryptLogN)
    do {
        _ = try AgeFile.decrypt(Array(data), with: unlock)
    } catch let error as SluiceError where error.code == .corrupt || error.code == .wrongKey {
    } catch {
        fatalError("age decrypt threw \(error)")
    }
    decodeContainer(data, keys: ageKeys)
}
