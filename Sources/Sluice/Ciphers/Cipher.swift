/// An authenticated cipher for the frames of a `.slc` file.
public enum Cipher: String, CaseIterable, Sendable, Codable {
    /// No encryption: frames are protected by their checksums only.
    case none
    /// AES-256 in Galois/Counter Mode (NIST SP 800-38D); the fastest choice on CPUs with AES instructions.
    case aes256gcm = "aes-256-gcm"
    /// ChaCha20-Poly1305 (RFC 8439); constant-time in software, the choice on CPUs without AES instructions.
    case chacha20poly1305 = "chacha20-poly1305"

    /// The byte that names the cipher in the header.
    var id: UInt8 {
        switch self {
        case .none: 0
        case .aes256gcm: 1
        case .chacha20poly1305: 2
        }
    }

    init?(id: UInt8) {
        guard let cipher = Cipher.allCases.first(where: { $0.id == id }) else { return nil }
        self = cipher
    }

    /// Bytes the AEAD appends to every frame's payload.
    var tagSize: Int { self == .none ? 0 : 16 }
}

/// How each frame's plaintext is checksummed.
public enum ChecksumKind: String, CaseIterable, Sendable, Codable {
    /// No plaintext checksum; only allowed with a cipher, whose tags already authenticate every frame.
    case none
    /// XXH3-64 per frame and an XXH3-128 file digest: tens of GB/s per core, not cryptographic.
    case xxh3
    /// SHA-256 per frame and over the frame digests: a cryptographic digest of the plaintext.
    case sha256

    var id: UInt8 {
        switch self {
        case .none: 0
        case .xxh3: 1
        case .sha256: 2
        }
    }

    init?(id: UInt8) {
        guard let kind = ChecksumKind.allCases.first(where: { $0.id == id }) else { return nil }
        self = kind
    }

    /// Bytes of checksum in each frame header.
    var frameSize: Int {
        switch self {
        case .none: 0
        case .xxh3: 8
        case .sha256: 32
        }
    }

    /// The whole-file digest as printed by `inspect` and `verify`: `ALGORITHM:HEX` (`xxh3-128:…`,
    /// `sha256:…`), or `nil` without one (docs/security.md, "The whole-file digest").
    public func describeDigest(_ digest: [UInt8]) -> String? {
        guard self != .none, !digest.isEmpty else { return nil }
        let hex = digest.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return "\(self == .xxh3 ? "xxh3-128" : "sha256"):\(hex)"
    }

    /// Bytes of whole-file digest in the trailer.
    var digestSize: Int {
        switch self {
        case .none: 0
        case .xxh3: 16
        case .sha256: 32
        }
    }
}
