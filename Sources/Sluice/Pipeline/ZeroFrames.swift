/// The frames of all-zero chunks one worker has made or checked, so that the next chunk of zeros costs
/// neither a compression nor a checksum (docs/performance.md, "Sparse files"). Owned by a
/// ``WorkerContext``: one thread only.
///
/// A codec's output for a given run of zeros is the same every time, and so is its checksum; so is the
/// decoder's output for the same payload. Packing, a chunk from the ``ZeroRegion`` whose kind was seen
/// before reuses the payload and checksum made then. Unpacking, a frame whose (authenticated or
/// payload-checked) compressed bytes and recorded checksum equal those of a frame that earlier
/// decoded and verified to zeros is known to decode and verify to zeros again: every check of
/// docs/format.md still holds, without decompressing or hashing the same thing twice. The format is
/// unchanged; the frames are ordinary frames any reader decodes.
final class ZeroFrames {
    /// One remembered frame of zeros.
    struct Frame {
        var codec: CodecSettings
        var checksum: ChecksumKind
        var plainSize: Int
        /// The compressed payload (before any encryption).
        var payload: [UInt8]
        /// The frame's plaintext checksum field.
        var checksumBytes: [UInt8]
    }

    /// Payloads longer than this are not remembered (zstd makes ~40 bytes of 1 MiB of zeros, LZ4 ~4 KiB).
    static let largestPayload = 64 << 10
    /// Kinds remembered at once: a file has one chunk size, and a last chunk of another.
    private static let capacity = 4
    /// Most recent first.
    private var frames: [Frame] = []

    /// The frame made earlier for `plainSize` zeros with these settings, if any (packing).
    func frame(codec: CodecSettings, checksum: ChecksumKind, plainSize: Int) -> Frame? {
        frames.first { $0.plainSize == plainSize && $0.codec == codec && $0.checksum == checksum }
    }

    /// Whether a frame with this payload and checksum field was seen to decode to `plainSize` zeros
    /// (unpacking; the level does not matter to a decoder).
    func decodesToZeros(
        codec: Codec, checksum: ChecksumKind, plainSize: Int, payload: UnsafeRawBufferPointer, checksumBytes: UnsafeRawBufferPointer
    ) -> Bool {
        frames.contains {
            $0.plainSize == plainSize && $0.codec.codec == codec && $0.checksum == checksum
                && $0.payload.count == payload.count && $0.payload.elementsEqual(payload) && $0.checksumBytes.elementsEqual(checksumBytes)
        }
    }

    /// Remembers a frame of `plainSize` zeros (ignored when its payload is too long to be worth it).
    func remember(
        codec: CodecSettings, checksum: ChecksumKind, plainSize: Int, payload: UnsafeRawBufferPointer, checksumBytes: UnsafeRawBufferPointer
    ) {
        guard payload.count <= Self.largestPayload else { return }
        frames.removeAll { $0.plainSize == plainSize && $0.codec == codec && $0.checksum == checksum }
        frames.insert(Frame(codec: codec, checksum: checksum, plainSize: plainSize, payload: Array(payload),
                            checksumBytes: Array(checksumBytes)), at: 0)
        if frames.count > Self.capacity { frames.removeLast() }
    }
}
