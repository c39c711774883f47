import SystemPackage

/// One in-flight job of a standard-format unpack: the stored bytes read from the file and the
/// plaintext a worker decoded from them.
///
/// `@unchecked Sendable` for the same reason as ``RawBuffer``: the I/O thread, one worker and the
/// writer use it in turn, each hand-over through the run's ``Monitor``.
final class StandardSlot: @unchecked Sendable {
    let stored = RawBuffer()
    let plain = RawBuffer()
    var job: StandardFormatReader.Job?
    var timings = StageTimings()

    static let stageNames = ["read", "decompress", "verify"]
}

/// What a zstd or LZ4 file holds, found without decoding it (`sluice inspect`, and the plan of an unpack).
public struct StandardFileLayout: Sendable {
    /// ``ContainerKind/zstd`` or ``ContainerKind/lz4``.
    public var format: ContainerKind
    /// How the file is read: "seek table", "frames", "stream".
    public var access: String
    /// Data frames (zstd) or frames (LZ4).
    public var frames: Int
    /// The plaintext size when the file records it (a seek table, or every frame's content size).
    public var plainSize: UInt64?
    /// The file's size in bytes.
    public var fileSize: UInt64
    var jobs: [StandardFormatReader.Job]
}

extension Pipeline {
    /// The layout of a zstd or LZ4 file (`sluice inspect`); `nil` for a `.slc` file.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the file is malformed or none of the formats.
    public static func inspectStandard(_ path: FilePath) throws -> StandardFileLayout? {
        let source = try openInput(path)
        defer { _ = try? source.fd.close() }
        guard let size = source.status?.size, source.status?.isRegular == true else {
            throw SluiceError.invalid("\(path) is not a regular file")
        }
        let (format, _) = try detectFormat(source)
        guard format != .slc else { return nil }
        return try standardLayout(format, source.fd, fileSize: UInt64(size))
    }

    /// Reads a regular zstd or LZ4 file's layout: its seek table, or its frames found by walking a
    /// mapping of it. `jobs` is empty when the file must be streamed (one zstd frame, linked LZ4 blocks).
    static func standardLayout(_ format: ContainerKind, _ input: FileDescriptor, fileSize: UInt64) throws -> StandardFileLayout {
        if format == .zstd, fileSize >= UInt64(ZstdSeekTable.footerSize) {
            var footer = [UInt8](repeating: 0, count: ZstdSeekTable.footerSize)
            _ = try footer.withUnsafeMutableBytes { try readInput(input, into: $0, at: Int64(fileSize) - 9) }
            if let tableSize = try ZstdSeekTable.tableFrameSize(footer: footer) {
                guard UInt64(tableSize) <= fileSize else {
                    throw SluiceError.corrupt("the zstd seek table claims \(tableSize) bytes, more than the file holds")
                }
                var frame = [UInt8](repeating: 0, count: tableSize)
                _ = try frame.withUnsafeMutableBytes { try readInput(input, into: $0, at: Int64(fileSize) - Int64(tableSize)) }
                let table = try ZstdSeekTable.decode(frame)
                let jobs = try StandardFormatReader.jobs(table: table, fileSize: fileSize)
                return StandardFileLayout(format: format, access: "seek table", frames: jobs.filter { $0.plainCapacity > 0 }.count,
                                          plainSize: table.plainSize, fileSize: fileSize, jobs: jobs)
            }
        }
        let mapping = try MappedFile(input, size: Int(fileSize))
        switch format {
        case .zstd:
            let frames = try ZstdFrameScan.frames(in: mapping.bytes)
            let data = frames.filter { $0.header.kind == .data }
            let sizes = data.compactMap(\.header.contentSize)
            let plainSize = sizes.count == data.count ? sizes.reduce(0, +) : nil
            let jobs = data.count > 1 ? try StandardFormatReader.jobs(frames: frames) : []
            return StandardFileLayout(format: format, access: data.count > 1 ? "frames" : "stream", frames: data.count,
                                      plainSize: plainSize, fileSize: fileSize, jobs: jobs)
        default:
            let frames = try LZ4FrameScan.frames(in: mapping.bytes)
            let parallel = frames.allSatisfy(\.hasIndependentBlocks)
            var plainSize: UInt64? = 0
            for frame in frames {
                switch frame.kind {
                case .standard(let header): plainSize = header.contentSize.flatMap { size in plainSize.map { $0 + size } }
                case .legacy: plainSize = nil
                case .skippable: break
                }
            }
            return StandardFileLayout(
                format: format, access: parallel ? "blocks" : "stream", frames: frames.filter { $0.kind != .skippable }.count,
                plainSize: plainSize, fileSize: fileSize, jobs: parallel ? StandardFormatReader.jobs(frames: frames) : [])
        }
    }

    /// Decodes a standard zstd or LZ4 file whose first bytes (`consumed`) were already read from
    /// `input` to tell its format: in parallel from its layout when it is a regular file that can be
    /// cut into jobs within `memoryLimit` (`nil`: the default budget), else streamed front to back. The plaintext goes to `output`
    /// in order (`nil`: verify only).
    ///
    /// With `positional`, `output` is a new regular file: when every frame's plaintext size is known in
    /// advance (a seek table, or content sizes), each is written at its offset as soon as it is decoded,
    /// by a thread of the I/O pool (``PositionalOutput``), as a `.slc` unpack does. With `sparse` (only
    /// for a new regular file), zero blocks are left as holes (``SparseOutput``).
    ///
    /// - Throws: ``SluiceError``: ``SluiceError/Code/corrupt`` for anything malformed, truncated or
    ///   failing a checksum; `output` may then hold a prefix, which callers writing a file discard.
    static func unpackStandard(
        _ format: ContainerKind, from input: FileDescriptor, consumed: [UInt8], isStream: Bool, to output: FileDescriptor?,
        workers: Int, memoryLimit: ByteCount?, pool: WorkerPool, io: IOPool?, range: Range<UInt64>? = nil, positional: Bool = false,
        sparse: Bool = false, progress: (UInt64) -> Void
    ) throws -> UnpackReport {
        let memoryLimit = memoryLimit ?? Memory.defaultLimit
        let plan = Plan(chunkSize: 0, workers: workers, window: 1, reasons: [])
        let info = ContainerInfo.standard(format, codec: try CodecSettings(format == .zstd ? .zstd : .lz4))
        let regular = !isStream && (try? FileSystem.status(of: input).isRegular) == true
            && (try? input.seek(offset: 0, from: .current)) == Int64(consumed.count)
        if regular, let size = try? FileSystem.status(of: input).size {
            let layout = try standardLayout(format, input, fileSize: UInt64(size))
            let largest = layout.jobs.map(StandardFormatReader.memory).max() ?? 0
            let window = largest == 0 ? 0 : min(2 * workers + 2, memoryLimit.bytes / largest)
            if !layout.jobs.isEmpty, window >= 2 {
                return try unpackJobs(layout, from: input, to: output, info: info, window: window, plan: plan,
                                      pool: pool, io: io, range: range, positional: positional, sparse: sparse, progress: progress)
            }
        }
        let decoder = StandardStreamDecoder(format: format, memoryLimit: memoryLimit)
        var clip = RangeClip(range: range)
        let (_, packedBytes, frames) = try decoder.run(
            from: input, consumed: consumed, to: output, isStream: isStream, sparse: sparse, clip: &clip, progress: progress)
        try clip.checkEnd()
        return UnpackReport(info: info, plainBytes: clip.written, packedBytes: packedBytes, chunks: frames, statistics: nil)
    }

    /// The parallel path: the I/O pool reads each job's bytes at their offset, workers decode, this
    /// thread runs the per-frame checks of LZ4 in order and writes the plaintext in order — or, with
    /// `positional` and every job's plaintext offset known, a thread of the I/O pool writes each job at
    /// its offset as soon as it is decoded.
    private static func unpackJobs(
        _ layout: StandardFileLayout, from input: FileDescriptor, to output: FileDescriptor?, info: ContainerInfo,
        window: Int, plan: Plan, pool: WorkerPool, io: IOPool?, range: Range<UInt64>?, positional: Bool, sparse: Bool,
        progress: (UInt64) -> Void
    ) throws -> UnpackReport {
        var jobs = layout.jobs
        // Where each job's plaintext starts, when a new file is written whole and every size is known.
        var offsets: [UInt64]?
        if positional, range == nil, output != nil, jobs.allSatisfy({ $0.exactPlainSize != nil }) {
            var next: UInt64 = 0
            offsets = jobs.map { job in
                defer { next += UInt64(job.exactPlainSize!) }
                return next
            }
        }
        let positionalOutput = offsets != nil ? output.map {
            PositionalOutput($0, sparse: sparse, writeBack: WriteBack.behind($0, reads: nil))
        } : nil
        var sink = positionalOutput == nil ? output.map { SequentialOutput($0, sparse: sparse) } : nil
        var clip = RangeClip(range: range)
        if let range, jobs.allSatisfy({ $0.exactPlainSize != nil }) {
            // Every job's plaintext size is known (a seek table, content sizes): decode only those the
            // range covers.
            var start: UInt64 = 0
            var chosen: [StandardFormatReader.Job] = []
            for job in jobs {
                let end = start + UInt64(job.exactPlainSize!)
                if end > range.lowerBound, start < range.upperBound || (range.isEmpty && chosen.isEmpty) {
                    if chosen.isEmpty { clip.position = start }
                    chosen.append(job)
                }
                start = end
            }
            guard range.upperBound <= start else {
                throw SluiceError.invalid("the range \(range.lowerBound)..<\(range.upperBound) reaches past the end (\(start) bytes)")
            }
            jobs = range.isEmpty ? [] : chosen
        }
        let run = Run(slots: (0..<window).map { _ in StandardSlot() })
        let selected = jobs
        @Sendable func read(_ slot: StandardSlot) throws {
            let job = slot.job!
            slot.stored.reserve(job.storedSize)
            guard try readInput(input, into: slot.stored[0..<job.storedSize], at: Int64(job.offset)) == job.storedSize else {
                throw SluiceError.corrupt("truncated input: frame \(job.number) is incomplete")
            }
            slot.stored.count = job.storedSize
        }
        let jobOffsets = offsets
        /// The positional write of a decoded job (``StandardFormatReader/decode`` checked its size).
        @Sendable func writePlain(_ slot: StandardSlot, _ index: UInt64) throws {
            try positionalOutput!.write(slot.plain.contents, at: jobOffsets![Int(index)])
        }
        let writeIO: IOPool? = positionalOutput == nil ? nil : (io ?? .standard)
        @Sendable func work(_ slot: StandardSlot, _ context: WorkerContext) throws {
            let job = slot.job!
            slot.plain.reserve(job.plainCapacity)
            slot.timings = StageTimings()
            slot.plain.count = try slot.timings.measure(1, bytes: job.storedSize) {
                try StandardFormatReader.decode(job, stored: slot.stored.contents, into: slot.plain.bytes, context: context.codecs)
            }
        }
        @Sendable func decode(_ slot: StandardSlot, _ index: UInt64) {
            var write: (@Sendable (StandardSlot) throws -> Void)?
            if writeIO != nil { write = { try writePlain($0, index) } }
            run.process(slot, index: index, on: pool, work: work, then: writeIO, write: write)
        }
        run.startReader(name: "sluice-reader") {
            var index: UInt64 = 0
            while index < UInt64(selected.count), let slot = run.takeFreeSlot() {
                slot.job = selected[Int(index)]
                let number = index
                if let io {
                    run.readBehind(slot, on: io, read, then: { decode($0, number) })
                } else {
                    try read(slot)
                    decode(slot, number)
                }
                index += 1
            }
            run.finishReading(total: index)
        }

        var plainBytes: UInt64 = 0
        var frameBytes: UInt64 = 0
        var frameHash: XXH32Stream?
        try run.draining {
            var index: UInt64 = 0
            while let slot = try run.finished(index) {
                let plain = slot.plain.contents
                let job = slot.job!
                let kept = clip.clip(plain)
                if sink != nil, !kept.isEmpty {
                    let start = StatisticsRecorder.now
                    try run.withToken(io) { try sink!.write(kept) }
                    run.statistics.busy(.writer, since: start)
                }
                if job.inChecksummedFrame {
                    if frameHash == nil { frameHash = try XXH32Stream() }
                    frameHash!.update(plain)
                }
                frameBytes += UInt64(plain.count)
                if let frame = job.endsFrame {
                    try checkEnd(of: frame, plainBytes: frameBytes, hash: frameHash)
                    frameBytes = 0
                    frameHash = nil
                }
                run.statistics.add(slot.timings)
                plainBytes += UInt64(plain.count)
                run.release(slot)
                progress(clip.written)
                index += 1
            }
        }
        // Once the run is quiet: a sparse output gets its size (a trailing hole).
        try sink?.finish()
        try positionalOutput?.finish(size: plainBytes)
        if range == nil, let size = layout.plainSize, size != plainBytes {
            throw SluiceError.corrupt("decoded \(plainBytes) bytes, but the file records \(size)")
        }
        try clip.checkEnd()
        return UnpackReport(
            info: info, plainBytes: clip.written, packedBytes: layout.fileSize, chunks: UInt64(layout.frames),
            statistics: run.statistics.finish(stageNames: StandardSlot.stageNames, plan: Plan(
                chunkSize: 0, workers: plan.workers, window: window, reasons: []), ioTokens: io?.tokens ?? 0))
    }

    /// The part of a decoded stream that `--range` keeps.
    struct RangeClip {
        let range: Range<UInt64>?
        /// Where the next piece starts in the plaintext.
        var position: UInt64 = 0
        /// Bytes kept so far.
        var written: UInt64 = 0

        /// The part of `piece` (the plaintext at ``position``) inside the range; all of it without one.
        mutating func clip(_ piece: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            let start = position
            position += UInt64(piece.count)
            guard let range else {
                written += UInt64(piece.count)
                return piece
            }
            let lower = max(start, range.lowerBound), upper = min(position, range.upperBound)
            guard lower < upper else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            written += upper - lower
            return UnsafeRawBufferPointer(rebasing: piece[Int(lower - start)..<Int(upper - start)])
        }

        /// Once everything is decoded: a range past the end is refused.
        func checkEnd() throws {
            if let range, range.upperBound > position, !(range.isEmpty && range.lowerBound <= position) {
                throw SluiceError.invalid("the range \(range.lowerBound)..<\(range.upperBound) reaches past the end (\(position) bytes)")
            }
        }
    }

    /// An LZ4 frame's own checks, once all its plaintext is written: content size and checksum.
    static func checkEnd(of frame: LZ4FrameLocation, plainBytes: UInt64, hash: XXH32Stream?) throws {
        guard case .standard(let header) = frame.kind else { return }
        if let size = header.contentSize, size != plainBytes {
            throw SluiceError.corrupt("an LZ4 frame decoded to \(plainBytes) bytes, but its header records \(size)")
        }
        if let expected = frame.contentChecksum, let hash, hash.digest != expected {
            throw SluiceError.corrupt("LZ4 content checksum mismatch")
        }
    }
}
