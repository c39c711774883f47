/// One frame of a zstd file, found by walking the file's frames.
struct ZstdFrameLocation: Equatable, Sendable {
    /// Where the frame starts in the file.
    var offset: UInt64
    /// The whole frame, header to checksum.
    var size: Int
    var header: ZstdFrameHeader
    /// The most plaintext it can decode to (its content size when recorded; 0 for a skippable frame).
    var decodedBound: UInt64
}

/// Finds the frames of a zstd file held in memory (a mapping of the file): data frames, skippable
/// frames (a seek table among them) and their boundaries, without decoding anything. Used for
/// multi-frame files that have no seek table (`pzstd`, concatenated `zstd` outputs) and to tell a
/// single-frame file, which is streamed instead.
enum ZstdFrameScan {
    /// Every frame of `bytes`, in order.
    ///
    /// - Parameter stopAfter: stop once this many frames are found (the caller only wants to know
    ///   whether there is more than one).
    /// - Throws: ``SluiceError/Code/corrupt`` for bytes that are not zstd frames end to end (garbage,
    ///   a truncated frame, a frame that needs a dictionary — its message names the ID).
    static func frames(in bytes: UnsafeRawBufferPointer, stopAfter limit: Int = .max) throws -> [ZstdFrameLocation] {
        var frames: [ZstdFrameLocation] = []
        var offset = 0
        while offset < bytes.count, frames.count < limit {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            let frame = try locate(rest, at: UInt64(offset))
            frames.append(frame)
            offset += frame.size
        }
        return frames
    }

    /// The frame that starts `bytes` (which may run on past it).
    static func locate(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws -> ZstdFrameLocation {
        guard bytes.count >= 4 else { throw SluiceError.corrupt("truncated zstd file: \(bytes.count) stray bytes at offset \(offset)") }
        let header: ZstdFrameHeader
        do {
            guard let read = try Zstd.frameHeader(bytes) else {
                throw SluiceError.corrupt("truncated zstd file: incomplete frame header at offset \(offset)")
            }
            header = read
        } catch let error as SluiceError where error.code == .corrupt && offset > 0 {
            throw SluiceError.corrupt("unexpected data after the zstd frames at offset \(offset)")
        }
        try refuseDictionary(header)
        let size = try Zstd.frameSize(bytes)
        let bound = header.kind == .data ? try Zstd.decodedBound(UnsafeRawBufferPointer(rebasing: bytes[..<size])) : 0
        return ZstdFrameLocation(offset: offset, size: size, header: header, decodedBound: bound)
    }

    /// Sluice has no dictionary support: a frame that names one gets a clear error instead of a
    /// decoding failure.
    static func refuseDictionary(_ header: ZstdFrameHeader) throws {
        guard header.kind == .data, header.dictionaryID != 0 else { return }
        throw SluiceError.corrupt(
            "this zstd frame was compressed with dictionary ID \(header.dictionaryID); sluice does not take dictionaries (decode it with zstd -D DICT)")
    }
}
