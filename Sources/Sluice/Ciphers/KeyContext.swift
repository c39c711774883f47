/// A user-chosen string bound into a file's key derivation (`--context`), so that a file packed for
/// one purpose cannot be opened as another: the same key with another context derives other keys
/// (docs/format.md, "Keys"; Tink binds associated data this way).
///
/// The header records only *that* a context was used (flags bit 1, authenticated by the header HMAC),
/// never the context itself.
public struct KeyContext: Equatable, Sendable {
    /// The context's bytes as given (a string's UTF-8 bytes).
    let bytes: [UInt8]

    /// The longest context accepted, in bytes.
    static let maxLength = 4096

    /// A context from its bytes.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when `bytes` is empty or longer than ``maxLength``.
    init(bytes: [UInt8]) throws {
        guard !bytes.isEmpty, bytes.count <= KeyContext.maxLength else {
            throw SluiceError.invalid("a context holds 1 to \(KeyContext.maxLength) bytes")
        }
        self.bytes = bytes
    }

    /// A context from a string's UTF-8 bytes.
    public init(_ string: String) throws { try self.init(bytes: Array(string.utf8)) }

    /// SHA-256 of the context, appended to every HKDF info string of a file packed with it.
    func digest() throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        try bytes.withUnsafeBytes { data in try digest.withUnsafeMutableBytes { try LibCrypto.sha256(data, into: $0.baseAddress!) } }
        return digest
    }
}
