/// The write side of the standard formats (docs/formats.md): what a chunk becomes in a `.zst` or
/// `.lz4` file, what comes before the first chunk and what comes after the last.
///
/// - zstd (seekable format): each chunk is one frame with its content size and XXH64 checksum; the
///   tail is the seek table, which repeats each frame's sizes and checksum.
/// - lz4: one frame for the whole file, with independent blocks of at most 4 MiB each followed by the
///   XXH32 of its stored bytes (so workers check blocks in parallel on the way back) and, when the
///   input size is known up front, the content size in the header; the tail is the end mark.
struct StandardFormatWriter: FormatWriter {
    let format: ContainerKind
    let codec: CodecSettings
    let headerBytes: [UInt8]
    var info: ContainerInfo { ContainerInfo.standard(format, codec: codec) }

    /// What one chunk became, as the tail needs it.
    struct Written: Sendable {
        var storedSize: Int
        var plainSize: Int
        /// zstd: the frame's checksum (its last four bytes).
        var checksum: UInt32
    }

    /// The largest chunk a zstd frame may hold: a frame records its content size and is then decoded
    /// with a window that large, and `zstd -d` refuses windows over 128 MiB without `--memory`.
    static let largestZstdChunk = 1 << Zstd.defaultWindowLogLimit
    /// The block size of the LZ4 frames Sluice writes (BD = 7, the `lz4` tool's default).
    static let lz4Block = 4 << 20

    /// - Parameter contentSize: the input's size when known before packing (lz4 records it).
    /// - Throws: ``SluiceError/Code/invalidArgument`` for a codec the format cannot hold, or a cipher.
    init(format: ContainerKind, codec: CodecSettings, cipher: Cipher = .none, contentSize: UInt64? = nil) throws {
        precondition(format.isStandard)
        guard cipher == .none else {
            throw SluiceError.invalid(
                "--format \(format.rawValue) writes a standard \(format.rawValue) file, which has no encryption: encryption and the chunk index stay .slc features")
        }
        switch (format, codec.codec) {
        case (.zstd, .zstd), (.lz4, .lz4), (.lz4, .lz4hc): break
        default:
            throw SluiceError.invalid("--format \(format.rawValue) holds \(format == .zstd ? "zstd" : "lz4 or lz4hc") data, not \(codec.codec.rawValue)")
        }
        self.format = format
        self.codec = codec
        // Before the first chunk: nothing for zstd, the frame header for lz4.
        headerBytes = format == .lz4
            ? LZ4FrameHeader(independentBlocks: true, blockChecksums: true, contentChecksum: false,
                             contentSize: contentSize, blockMaximum: StandardFormatWriter.lz4Block).encoded()
            : []
    }

    func frameCapacity(plainSize: Int) -> Int { bound(plainSize) }

    func encode(
        _ plain: UnsafeRawBufferPointer, index: UInt64, isFinal: Bool, into frame: RawBuffer, context: WorkerContext,
        timings: inout StageTimings
    ) throws -> Bool {
        frame.reserve(bound(plain.count))
        frame.count = try timings.measure(1, bytes: plain.count) { try encode(plain, into: frame.bytes, context: context.codecs) }
        return false
    }

    func ledger() -> Ledger { Ledger(writer: self) }

    /// The ordered writer's record of the chunks, from which the tail is made.
    struct Ledger: FrameLedger {
        let writer: StandardFormatWriter
        var chunks: [Written] = []

        mutating func add(frame: UnsafeRawBufferPointer, plain: UnsafeRawBufferPointer, at offset: UInt64) {
            chunks.append(writer.written(frame, plainSize: plain.count))
        }

        mutating func tail(at offset: UInt64) throws -> [UInt8] { try writer.tail(chunks) }
    }

    /// Room one chunk of `count` bytes may need.
    func bound(_ count: Int) -> Int {
        switch format {
        case .lz4:
            let blocks = max(1, (count + StandardFormatWriter.lz4Block - 1) / StandardFormatWriter.lz4Block)
            return count + blocks * 8
        default: return Zstd.compressBound(count)
        }
    }

    /// What the tail records of a chunk encoded into `stored`.
    func written(_ stored: UnsafeRawBufferPointer, plainSize: Int) -> Written {
        let checksum = format == .zstd ? stored.loadLittleEndian(at: stored.count - 4, as: UInt32.self) : 0
        return Written(storedSize: stored.count, plainSize: plainSize, checksum: checksum)
    }

    /// Encodes one chunk into `output` (sized by ``bound(_:)``); returns the bytes written.
    func encode(_ plain: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, context: CodecContext) throws -> Int {
        switch format {
        case .lz4:
            var written = 0
            var start = 0
            repeat {
                let piece = UnsafeRawBufferPointer(rebasing: plain[start..<min(plain.count, start + StandardFormatWriter.lz4Block)])
                written += try encodeBlock(piece, into: UnsafeMutableRawBufferPointer(rebasing: output[written...]), context: context)
                start += piece.count
            } while start < plain.count
            return written
        default:
            guard let size = try context.compressZstdFrame(plain, into: output, level: codec.level) else {
                throw SluiceError(.library, "zstd: a frame did not fit its bound")
            }
            return size
        }
    }

    /// One LZ4 block: its size field, its data (compressed, or as it is when that is not smaller) and
    /// the XXH32 of the stored bytes. An empty chunk writes nothing (a zero size would end the frame).
    private func encodeBlock(_ plain: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, context: CodecContext) throws -> Int {
        guard !plain.isEmpty else { return 0 }
        let data = UnsafeMutableRawBufferPointer(rebasing: output[4..<4 + plain.count - 1])
        var size: UInt32
        if let compressed = try context.compress(plain, into: data, settings: codec), compressed > 0 {
            size = UInt32(compressed)
        } else {
            output.baseAddress!.advanced(by: 4).copyMemory(from: plain.baseAddress!, byteCount: plain.count)
            size = UInt32(plain.count) | LZ4FrameHeader.uncompressedBit
        }
        let stored = Int(size & ~LZ4FrameHeader.uncompressedBit)
        output.storeLittleEndian(size, at: 0)
        output.storeLittleEndian(XXH.hash32(UnsafeRawBufferPointer(rebasing: output[4..<4 + stored])), at: 4 + stored)
        return 8 + stored
    }

    /// Bytes after the last chunk: zstd's seek table, lz4's end mark.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when a zstd file would have more frames than a
    ///   seek table can list.
    func tail(_ chunks: [Written]) throws -> [UInt8] {
        switch format {
        case .lz4:
            return [0, 0, 0, 0]
        default:
            guard chunks.count <= ZstdSeekTable.maximumFrames else {
                throw SluiceError.invalid("a zstd seek table lists at most \(ZstdSeekTable.maximumFrames) frames: use a larger --chunk-size")
            }
            return ZstdSeekTable(entries: chunks.map {
                ZstdSeekTable.Entry(compressedSize: UInt32($0.storedSize), decompressedSize: UInt32($0.plainSize), checksum: $0.checksum)
            }, hasChecksums: true).encoded()
        }
    }
}
