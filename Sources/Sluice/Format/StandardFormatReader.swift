/// The jobs of the standard formats (docs/formats.md): how a `.zst` or `.lz4` file is cut into jobs
/// that workers decode apart, and how one job is decoded and checked (``StandardReader`` serves them to
/// the engine). Files that cannot be cut (a single zstd frame, linked LZ4 blocks, any pipe) are
/// streamed (``StandardReader/decodeStream(_:into:memoryLimit:)``).
enum StandardFormatReader {
    /// One unit of parallel decoding: stored bytes at an offset of the file, and what they must give.
    struct Job: Sendable {
        enum Kind: Sendable {
            /// One complete zstd frame (data or skippable); with a seek table, the entry's checksum.
            case zstdFrame(tableChecksum: UInt32?)
            /// Consecutive independent LZ4 blocks (offsets in the file); `legacy` blocks have no flags.
            case lz4Blocks([LZ4Block], blockMaximum: Int)
        }

        var kind: Kind
        var offset: UInt64
        var storedSize: Int
        /// Room for the plaintext.
        var plainCapacity: Int
        /// The plaintext size the file promises for this job (a seek table entry, a frame's content size).
        var exactPlainSize: Int?
        /// The job ends this LZ4 frame: its content size and checksum are checked once it is written.
        var endsFrame: LZ4FrameLocation?
        /// The job's LZ4 frame ends with a content checksum: the writer hashes its plaintext in order.
        var inChecksummedFrame = false
        /// For error messages.
        var number: Int
    }

    /// Memory one job needs in flight; `Int.max` when the frame's claims overflow. The jobs built today are
    /// all bounded (seek-table entries are 32-bit, LZ4 blocks at most 4 MiB, a frame decoded in parallel at
    /// most ``StandardFileLayout/largestParallelFrame``), so this is the second guard: the first time the
    /// sum overflowed (a frame without content size, its bound clamped to `Int.max`, found by the `zstd`
    /// fuzz target) it trapped, exit 132; a reader that builds a new kind of job cannot bring that back.
    static func memory(_ job: Job) -> Int {
        let (sum, overflow) = job.storedSize.addingReportingOverflow(job.plainCapacity)
        return overflow ? .max : sum
    }

    // MARK: zstd

    /// The jobs of a seekable zstd file, one per seek-table entry, the first frame at `start`.
    static func jobs(table: ZstdSeekTable, fileSize: UInt64, start: UInt64 = 0) throws -> [Job] {
        try table.placements(fileSize: fileSize, start: start).enumerated().map { number, placement in
            let entry = placement.entry
            return Job(kind: .zstdFrame(tableChecksum: entry.checksum), offset: placement.offset,
                       storedSize: Int(entry.compressedSize), plainCapacity: Int(entry.decompressedSize),
                       exactPlainSize: Int(entry.decompressedSize), number: number)
        }
    }

    /// The jobs of a multi-frame zstd file without a seek table: one per data frame.
    static func jobs(frames: [ZstdFrameLocation]) throws -> [Job] {
        frames.enumerated().compactMap { number, frame in
            guard frame.header.kind == .data else { return nil }
            return Job(kind: .zstdFrame(tableChecksum: nil), offset: frame.offset, storedSize: frame.size,
                       plainCapacity: Int(clamping: frame.decodedBound),
                       exactPlainSize: frame.header.contentSize.map { Int(clamping: $0) }, number: number)
        }
    }

    // MARK: lz4

    /// The jobs of an LZ4 file whose frames all have independent blocks (or are legacy frames): runs of
    /// blocks worth about 4 MiB of plaintext each.
    static func jobs(frames: [LZ4FrameLocation]) -> [Job] {
        var jobs: [Job] = []
        for frame in frames where frame.kind != .skippable {
            let perJob = max(1, (4 << 20) / frame.blockMaximum)
            var start = 0
            repeat {
                let blocks = Array(frame.blocks[start..<min(frame.blocks.count, start + perJob)])
                let first = blocks.first?.offset ?? frame.offset
                let end = blocks.last.map { $0.offset + UInt64($0.size) } ?? first
                start += perJob
                jobs.append(Job(kind: .lz4Blocks(blocks, blockMaximum: frame.blockMaximum), offset: first,
                                storedSize: Int(end - first), plainCapacity: blocks.count * frame.blockMaximum,
                                endsFrame: start >= frame.blocks.count ? frame : nil,
                                inChecksummedFrame: frame.contentChecksum != nil, number: jobs.count))
            } while start < frame.blocks.count
        }
        return jobs
    }

    // MARK: decoding

    /// Decodes `job` from `stored` (its bytes) into `plain` (``Job/plainCapacity`` bytes); returns the
    /// plaintext size.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the bytes are malformed, fail a checksum, or do not
    ///   match what the seek table or frame header promised.
    static func decode(_ job: Job, stored: UnsafeRawBufferPointer, into plain: UnsafeMutableRawBufferPointer,
                       context: CodecContext) throws -> Int {
        let produced: Int
        switch job.kind {
        case .zstdFrame(let tableChecksum):
            guard let header = try? Zstd.frameHeader(stored), (try? Zstd.frameSize(stored)) == stored.count else {
                throw SluiceError.corrupt("zstd frame \(job.number) (at offset \(job.offset)) is not a complete frame of \(stored.count) bytes")
            }
            try ZstdFrameScan.refuseDictionary(header)
            produced = header.kind == .skippable ? 0 : try context.decompressZstdFrame(stored, into: plain)
            if let tableChecksum, header.kind == .data {
                // zstd checked the frame's own checksum against the plaintext; the table must repeat it.
                let actual = header.hasChecksum
                    ? stored.loadLittleEndian(at: stored.count - 4, as: UInt32.self)
                    : UInt32(truncatingIfNeeded: XXH.hash64(UnsafeRawBufferPointer(rebasing: plain[..<produced])))
                guard actual == tableChecksum else {
                    throw SluiceError.corrupt("zstd frame \(job.number): checksum does not match the seek table")
                }
            }
        case .lz4Blocks(let blocks, let blockMaximum):
            var written = 0
            for block in blocks {
                let start = Int(block.offset - job.offset)
                let data = UnsafeRawBufferPointer(rebasing: stored[start..<start + block.size])
                if let checksum = block.checksum, XXH.hash32(data) != checksum {
                    throw SluiceError.corrupt("LZ4 block checksum mismatch at offset \(block.offset)")
                }
                let room = UnsafeMutableRawBufferPointer(rebasing: plain[written..<written + blockMaximum])
                if block.isCompressed {
                    written += try LZ4.decompress(data, into: room)
                } else {
                    if !data.isEmpty { room.baseAddress!.copyMemory(from: data.baseAddress!, byteCount: data.count) }
                    written += data.count
                }
            }
            produced = written
        }
        if let exact = job.exactPlainSize, produced != exact {
            throw SluiceError.corrupt("frame \(job.number) decoded to \(produced) bytes, but the file promises \(exact)")
        }
        return produced
    }
}
