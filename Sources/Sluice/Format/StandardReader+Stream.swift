/// The front-to-back decode of a zstd or LZ4 file (``FormatReader/decodeStream(_:into:memoryLimit:)``):
/// for a file whose frames cannot be decoded apart or located ahead.
extension StandardReader {
    func decodeStream(_ source: PieceReader, into out: StreamOutput, memoryLimit: ByteCount) throws -> UInt64 {
        format == .zstd ? try decodeZstd(source, out, memoryLimit: memoryLimit) : try decodeLZ4(source, out)
    }

    /// The zstd stream: every frame through one `ZSTD_DCtx`; each frame's header is looked at first
    /// so a dictionary frame gets a clear error.
    private func decodeZstd(_ source: PieceReader, _ out: StreamOutput, memoryLimit: ByteCount) throws -> UInt64 {
        let windowLog = min(Zstd.maximumWindowLog, max(Zstd.defaultWindowLogLimit, Int.bitWidth - 1 - memoryLimit.bytes.leadingZeroBitCount))
        let decoder = try ZstdStreamDecoder(windowLogMax: windowLog)
        var frames: UInt64 = 0
        var atFrameStart = true
        while true {
            if atFrameStart {
                try source.fill(atLeast: Zstd.maximumFrameHeaderSize)
                if source.available.isEmpty { break }
                if let header = try? Zstd.frameHeader(source.available) {
                    try ZstdFrameScan.refuseDictionary(header)
                    if header.kind == .data { frames += 1 }
                }
                atFrameStart = false
            }
            atFrameStart = try step(source, out, name: "zstd", decoder.decode)
        }
        return frames
    }

    /// The LZ4 stream: standard and skippable frames through `LZ4F_decompress`, legacy frames block by
    /// block.
    private func decodeLZ4(_ source: PieceReader, _ out: StreamOutput) throws -> UInt64 {
        let decoder = try LZ4FrameStreamDecoder()
        var frames: UInt64 = 0
        var legacyBlock: RawBuffer?  // made on the first legacy frame
        while true {
            try source.fill(atLeast: 4)
            let available = source.available
            if available.isEmpty { break }
            guard available.count >= 4 else { throw SluiceError.corrupt("truncated LZ4 file: \(available.count) stray bytes at the end") }
            if available.loadLittleEndian(at: 0, as: UInt32.self) == LZ4FrameHeader.legacyMagic {
                source.consume(4)
                frames += 1
                if legacyBlock == nil { legacyBlock = RawBuffer() }
                try decodeLegacy(source, out, block: legacyBlock!)
                continue
            }
            if !LZ4FrameHeader.isSkippable(available.loadLittleEndian(at: 0, as: UInt32.self)) {
                try source.fill(atLeast: LZ4FrameHeader.maximumSize)
                _ = try LZ4FrameHeader.decode(source.available)  // version, reserved bits, dictionary: one clear error
                frames += 1
            }
            while try !step(source, out, name: "LZ4", decoder.decode) {}
        }
        return frames
    }

    /// One call of a streaming decoder over what is available (reading more when nothing is); returns
    /// whether a frame ended. Input that ends inside a frame is truncated.
    private func step(
        _ source: PieceReader, _ out: StreamOutput, name: String,
        _ decode: (UnsafeRawBufferPointer, UnsafeMutableRawBufferPointer) throws -> (consumed: Int, produced: Int, frameEnded: Bool)
    ) throws -> Bool {
        if source.available.isEmpty {
            try source.fill(atLeast: 1)
            if source.available.isEmpty { throw SluiceError.corrupt("truncated \(name) file: the last frame is incomplete") }
        }
        let step = try decode(source.available, out.space())
        source.consume(step.consumed)
        try out.commit(step.produced)
        return step.frameEnded
    }

    /// Legacy blocks until the input ends or a size field too large for a block (the next frame's magic).
    /// `block`: grown to what a block decodes to, up to a legacy block (8 MiB): first to 256 bytes per
    /// stored byte (LZ4's largest ratio is about 255), then, should that not hold the block, to 8 MiB and
    /// decoded again — so small blocks do not take 8 MiB each.
    private func decodeLegacy(_ source: PieceReader, _ out: StreamOutput, block: RawBuffer) throws {
        let largest = LZ4.compressBound(LZ4FrameHeader.legacyBlockSize)
        while true {
            try source.fill(atLeast: 4)
            if source.available.isEmpty { return }
            guard source.available.count >= 4 else { throw SluiceError.corrupt("truncated LZ4 file: an incomplete legacy block size") }
            let size = Int(source.available.loadLittleEndian(at: 0, as: UInt32.self))
            if size > largest { return }
            try source.fill(atLeast: 4 + size)
            guard source.available.count >= 4 + size else { throw SluiceError.corrupt("truncated LZ4 file: a legacy block is incomplete") }
            let stored = UnsafeRawBufferPointer(rebasing: source.available[4..<4 + size])
            block.reserve(min(LZ4FrameHeader.legacyBlockSize, max(64 << 10, 256 * size)))
            let produced: Int
            do {
                produced = try LZ4.decompress(stored, into: block.bytes)
            } catch where block.bytes.count < LZ4FrameHeader.legacyBlockSize {
                block.reserve(LZ4FrameHeader.legacyBlockSize)
                produced = try LZ4.decompress(stored, into: block.bytes)
            }
            source.consume(4 + size)
            try out.emit(UnsafeRawBufferPointer(rebasing: block.bytes[..<produced]))
        }
    }
}
