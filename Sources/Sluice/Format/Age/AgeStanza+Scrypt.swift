/// The scrypt stanza: `-> scrypt <salt> <log2 N>` and the file key sealed under a key stretched from
/// a passphrase (age v1 spec, "scrypt recipient stanza"). It must be a file's only stanza.
extension AgeStanza {
    static let scryptType = "scrypt"
    private static let scryptLabel = Array("age-encryption.org/v1/scrypt".utf8)
    /// age's default work factor (2^18, 256 MiB, about 1 s).
    static let defaultWorkFactor = 18

    private static func scryptKey(_ passphrase: [UInt8], salt: [UInt8], workFactor: Int) throws -> [UInt8] {
        let cost = ScryptCost(logN: workFactor)
        guard cost.memory.bytes <= Memory.physical else {
            throw SluiceError.invalid("scrypt work factor \(workFactor) needs \(cost.memory), more than this machine's memory")
        }
        return try LibCrypto.scrypt(
            password: passphrase, salt: scryptLabel + salt, n: 1 << UInt64(workFactor), r: UInt64(cost.r),
            p: UInt64(cost.p), count: 32)
    }

    /// Wraps `fileKey` under `passphrase` with a fresh 16-byte salt.
    static func scrypt(wrapping fileKey: [UInt8], passphrase: [UInt8], workFactor: Int) throws -> AgeStanza {
        let salt = try LibCrypto.randomBytes(16)
        let key = try scryptKey(passphrase, salt: salt, workFactor: workFactor)
        return AgeStanza(
            type: scryptType, arguments: [Base64.encodeString(salt), String(workFactor)],
            body: try AgeKeySchedule.seal(fileKey, key: key))
    }

    /// The file key if `passphrase` opens this scrypt stanza, `nil` if it does not.
    ///
    /// - Throws: the ``Age/Failure/header`` failure when the stanza is malformed (arguments, a salt
    ///   other than 16 bytes, a work factor that is not a plain decimal from 1, or above
    ///   `maxWorkFactor`).
    func scryptFileKey(passphrase: [UInt8], maxWorkFactor: Int) throws -> [UInt8]? {
        guard arguments.count == 2 else { throw Age.Failure.header.error("a scrypt stanza takes exactly two arguments") }
        guard let salt = Base64.decode(Array(arguments[0].utf8), padded: false), salt.count == 16 else {
            throw Age.Failure.header.error("the scrypt salt is not 16 bytes of canonical Base64")
        }
        let digits = Array(arguments[1].utf8)
        guard digits.count <= 2, digits.first != UInt8(ascii: "0"),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let workFactor = Int(arguments[1]), workFactor >= 1
        else { throw Age.Failure.header.error("the scrypt work factor '\(arguments[1])' is not a decimal from 1") }
        guard workFactor <= min(maxWorkFactor, ScryptCost.decodableRange.upperBound) else {
            throw Age.Failure.header.error(
                "scrypt work factor \(workFactor) exceeds the limit \(maxWorkFactor) (raise it with --max-kdf-cost)")
        }
        guard body.count == Age.fileKeySize + Age.tagSize else {
            throw Age.Failure.header.error("the scrypt stanza body is not \(Age.fileKeySize + Age.tagSize) bytes")
        }
        return try AgeKeySchedule.open(body, key: try Self.scryptKey(passphrase, salt: salt, workFactor: workFactor))
    }
}
