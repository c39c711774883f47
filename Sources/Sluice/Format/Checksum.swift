private import CXXHash

/// XXH3 from libxxhash: the frame checksums, the header and trailer check values without a cipher,
/// and the whole-file digest. This is the only file that imports libxxhash.
package enum XXH3 {
    /// The corresponding C function is `XXH3_64bits`.
    package static func hash64(_ data: UnsafeRawBufferPointer) -> UInt64 {
        XXH3_64bits(data.baseAddress, data.count)
    }

    static func hash64(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash64($0) }
    }

    /// The library version, e.g. `0.8.1`.
    package static var version: String {
        let v = XXH_versionNumber()
        return "\(v / 10000).\(v / 100 % 100).\(v % 100)"
    }
}

/// An incremental XXH3-128 (`XXH3_state_t`), for the whole-file digest built frame by frame.
final class XXH3Stream {
    private let state: OpaquePointer

    init() throws {
        guard let state = XXH3_createState() else { throw SluiceError(.library, "xxhash: out of memory") }
        self.state = state
        XXH3_128bits_reset(state)
    }

    deinit { XXH3_freeState(state) }

    func update(_ data: UnsafeRawBufferPointer) {
        XXH3_128bits_update(state, data.baseAddress, data.count)
    }

    /// The 16-byte digest, high half first (XXH128's canonical big-endian form).
    func finish() -> [UInt8] {
        let digest = XXH3_128bits_digest(state)
        return withUnsafeBytes(of: digest.high64.bigEndian, Array.init)
            + withUnsafeBytes(of: digest.low64.bigEndian, Array.init)
    }
}

extension ChecksumKind {
    /// Writes the checksum of `data` to the `frameSize` bytes at `output`.
    func checksum(_ data: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) throws {
        switch self {
        case .none:
            break
        case .xxh3:
            output.storeBytes(of: XXH3.hash64(data).littleEndian, toByteOffset: 0, as: UInt64.self)
        case .sha256:
            try LibCrypto.sha256(data, into: output)
        }
    }
}

/// The whole-file digest: a hash over the frames' checksums in order and the total plaintext size,
/// so it is built from values the workers computed in parallel (a two-level tree).
final class FileDigest {
    private let kind: ChecksumKind
    private let xxh3: XXH3Stream?
    private let sha256: SHA256Stream?

    init(kind: ChecksumKind) throws {
        self.kind = kind
        xxh3 = kind == .xxh3 ? try XXH3Stream() : nil
        sha256 = kind == .sha256 ? try SHA256Stream() : nil
    }

    /// Adds one frame's checksum (`kind.frameSize` bytes).
    func add(frameChecksum: UnsafeRawBufferPointer) {
        xxh3?.update(frameChecksum)
        sha256?.update(frameChecksum)
    }

    /// Adds the total size and returns the `kind.digestSize` digest bytes.
    func finish(totalSize: UInt64) -> [UInt8] {
        withUnsafeBytes(of: totalSize.littleEndian) { add(frameChecksum: $0) }
        switch kind {
        case .none: return []
        case .xxh3: return xxh3!.finish()
        case .sha256: return sha256!.finish()
        }
    }
}
