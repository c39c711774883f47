/// The age v1 file format (https://age-encryption.org/v1): constants and the names of its failures.
///
/// A file is a text header — the version line, one stanza per recipient that wraps the 16-byte file
/// key, and a `---` line with an HMAC over the header — then a 16-byte nonce and the payload: the
/// plaintext cut into 64 KiB chunks, each sealed with ChaCha20-Poly1305 under a key derived from the
/// file key and the nonce (STREAM). See docs/format.md, "age v1".
enum Age {
    /// The first line of every age v1 file.
    static let versionLine = Array("age-encryption.org/v1\n".utf8)
    /// Plaintext bytes per STREAM chunk.
    static let chunkSize = 65536
    /// Bytes ChaCha20-Poly1305 adds to each chunk.
    static let tagSize = 16
    /// Bytes of a full sealed chunk.
    static let sealedChunkSize = chunkSize + tagSize
    /// Bytes of the payload nonce between header and payload.
    static let nonceSize = 16
    /// Bytes of the file key.
    static let fileKeySize = 16
    /// A header larger than this is refused before it is read further (real headers are a few
    /// hundred bytes per recipient).
    static let maxHeaderSize = 1 << 20

    /// The classes of failure the age test kit names; each is one wording of a ``SluiceError``.
    enum Failure {
        case header, mac, armor, payload

        /// A ``SluiceError/Code/corrupt`` error of this class.
        func error(_ detail: String) -> SluiceError {
            switch self {
            case .header: SluiceError.corrupt("invalid age header: \(detail)")
            case .mac: SluiceError.corrupt("age header MAC mismatch: \(detail)")
            case .armor: SluiceError.corrupt("invalid age armor: \(detail)")
            case .payload: SluiceError.corrupt("age payload: \(detail)")
            }
        }
    }

    /// "No identity matches": none of the given identities or passphrases unwraps the file key.
    static func noMatch(_ detail: String) -> SluiceError {
        SluiceError(.wrongKey, "no identity matches: \(detail)")
    }
}
