/// One block of an LZ4 file as stored: where its bytes are and how to read them.
struct LZ4Block: Equatable, Sendable {
    /// Where the block's data starts in the file (after its 4-byte size).
    var offset: UInt64
    /// Stored bytes.
    var size: Int
    /// `false`: the block holds its plaintext as is.
    var isCompressed: Bool
    /// The XXH32 of the stored bytes, when the frame has block checksums.
    var checksum: UInt32?
}

/// One frame of an LZ4 file: a standard frame, a legacy frame (`lz4 -l`) or a skippable frame.
struct LZ4FrameLocation: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case standard(LZ4FrameHeader)
        case legacy
        case skippable
    }

    var kind: Kind
    /// Where the frame starts (its magic) and its whole size.
    var offset: UInt64
    var size: Int
    var blocks: [LZ4Block]
    /// The XXH32 of the frame's plaintext, when it ends with one.
    var contentChecksum: UInt32?

    /// The most plaintext one block of this frame decodes to.
    var blockMaximum: Int {
        switch kind {
        case .standard(let header): header.blockMaximum
        case .legacy: LZ4FrameHeader.legacyBlockSize
        case .skippable: 0
        }
    }

    /// Whether each block can be decoded on its own (and so in parallel with the others).
    var hasIndependentBlocks: Bool {
        switch kind {
        case .standard(let header): header.independentBlocks
        case .legacy, .skippable: true
        }
    }
}

/// Finds the frames and blocks of an LZ4 file held in memory (a mapping of the file) without decoding
/// anything: the map the parallel decoder works from. Concatenated frames, skippable frames and legacy
/// frames are all walked the way the `lz4` tool reads them.
enum LZ4FrameScan {
    /// Every frame of `bytes`, in order.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` for anything that is not LZ4 frames end to end: an unknown
    ///   magic, a malformed header, a block larger than its frame allows, a truncated block or footer.
    static func frames(in bytes: UnsafeRawBufferPointer) throws -> [LZ4FrameLocation] {
        var frames: [LZ4FrameLocation] = []
        var offset = 0
        while offset < bytes.count {
            let frame = try locate(bytes, at: offset)
            frames.append(frame)
            offset += frame.size
        }
        return frames
    }

    private static func truncated(_ offset: Int) -> SluiceError {
        SluiceError.corrupt("truncated LZ4 file: the frame at offset \(offset) is incomplete")
    }

    /// The frame that starts at `start` in `bytes`.
    static func locate(_ bytes: UnsafeRawBufferPointer, at start: Int) throws -> LZ4FrameLocation {
        guard bytes.count - start >= 4 else { throw truncated(start) }
        let magic = bytes.loadLittleEndian(at: start, as: UInt32.self)
        if LZ4FrameHeader.isSkippable(magic) {
            guard bytes.count - start >= 8 else { throw truncated(start) }
            let size = 8 + Int(bytes.loadLittleEndian(at: start + 4, as: UInt32.self))
            guard bytes.count - start >= size else { throw truncated(start) }
            return LZ4FrameLocation(kind: .skippable, offset: UInt64(start), size: size, blocks: [])
        }
        if magic == LZ4FrameHeader.legacyMagic { return try legacy(bytes, at: start) }
        guard magic == LZ4FrameHeader.magic else {
            throw SluiceError.corrupt(start == 0 ? "not an LZ4 file" : "unexpected data after the LZ4 frames at offset \(start)")
        }
        guard let header = try LZ4FrameHeader.decode(UnsafeRawBufferPointer(rebasing: bytes[start...])) else {
            throw truncated(start)
        }
        var offset = start + header.size
        var blocks: [LZ4Block] = []
        while true {
            guard bytes.count - offset >= 4 else { throw truncated(start) }
            let field = bytes.loadLittleEndian(at: offset, as: UInt32.self)
            offset += 4
            if field == 0 { break }
            let size = Int(field & ~LZ4FrameHeader.uncompressedBit)
            guard size <= header.blockMaximum else {
                throw SluiceError.corrupt("an LZ4 block at offset \(offset - 4) claims \(size) bytes, more than its frame's \(header.blockMaximum)")
            }
            let checksumSize = header.blockChecksums ? 4 : 0
            guard bytes.count - offset >= size + checksumSize else { throw truncated(start) }
            blocks.append(LZ4Block(
                offset: UInt64(offset), size: size, isCompressed: field & LZ4FrameHeader.uncompressedBit == 0,
                checksum: header.blockChecksums ? bytes.loadLittleEndian(at: offset + size, as: UInt32.self) : nil))
            offset += size + checksumSize
        }
        var contentChecksum: UInt32?
        if header.contentChecksum {
            guard bytes.count - offset >= 4 else { throw truncated(start) }
            contentChecksum = bytes.loadLittleEndian(at: offset, as: UInt32.self)
            offset += 4
        }
        return LZ4FrameLocation(kind: .standard(header), offset: UInt64(start), size: offset - start, blocks: blocks,
                                contentChecksum: contentChecksum)
    }

    /// A legacy frame runs to the end of the input or to the next frame's magic: any size field larger
    /// than a legacy block can compress to is taken as the next magic, as the `lz4` tool does.
    private static func legacy(_ bytes: UnsafeRawBufferPointer, at start: Int) throws -> LZ4FrameLocation {
        let largest = LZ4.compressBound(LZ4FrameHeader.legacyBlockSize)
        var offset = start + 4
        var blocks: [LZ4Block] = []
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw truncated(start) }
            let size = Int(bytes.loadLittleEndian(at: offset, as: UInt32.self))
            if size > largest { break }
            guard bytes.count - offset - 4 >= size else { throw truncated(start) }
            blocks.append(LZ4Block(offset: UInt64(offset + 4), size: size, isCompressed: true, checksum: nil))
            offset += 4 + size
        }
        return LZ4FrameLocation(kind: .legacy, offset: UInt64(start), size: offset - start, blocks: blocks)
    }
}
