import Sluice
/// What one row of results measures.
public enum BenchSubject: Hashable, Sendable, CustomStringConvertible {
    /// Copying the chunks: the ceiling every stage is compared against.
    case memcpy
    /// XXH3-64 over every chunk, the checksum the pipeline runs without a cipher.
    case checksum
    /// One codec at one level, compress then decompress.
    case codec(CodecSettings)
    /// One AEAD cipher, seal then open, in place.
    case cipher(Cipher)
    /// The whole pipeline with a codec and a cipher (file mode).
    case pipeline(CodecSettings, Cipher)

    /// The kind, as stored in results files.
    public var kind: BenchResult.Kind {
        switch self {
        case .memcpy: .memcpy
        case .checksum: .checksum
        case .codec: .codec
        case .cipher: .cipher
        case .pipeline: .pipeline
        }
    }

    /// `zstd-3`, `aes-256-gcm`, `zstd-3+aes-256-gcm`, `memcpy`, `xxh3`.
    public var description: String {
        switch self {
        case .memcpy: "memcpy"
        case .checksum: "xxh3"
        case .codec(let settings): settings.benchName
        case .cipher(let cipher): cipher.rawValue
        case .pipeline(let settings, let cipher): cipher == .none ? settings.benchName : "\(settings.benchName)+\(cipher.rawValue)"
        }
    }
}

extension CodecSettings {
    /// `zstd-3`, `lz4`, `lz4-8` (acceleration), `store`: short, lzbench-like.
    var benchName: String {
        switch codec {
        case .store: "store"
        case .lz4: level == 1 ? "lz4" : "lz4-\(level)"
        default: "\(codec.rawValue)-\(level)"
        }
    }
}

extension BenchSubject {
    var codecSettings: CodecSettings? {
        switch self {
        case .codec(let settings), .pipeline(let settings, _): settings
        default: nil
        }
    }

    var cipherName: String? {
        switch self {
        case .cipher(let cipher), .pipeline(_, let cipher): cipher.rawValue
        default: nil
        }
    }
}

extension CodecSettings {
    /// `store` with no parameters, for matching in a `switch`.
    static let store = try! CodecSettings(.store)
}
