import SystemPackage

/// Pack and unpack over file descriptors: the chunked, parallel pipeline of docs/architecture.md.
///
///     reader thread ──► CPU pool (checksum → compress → encrypt) ──► this thread writes in order
public enum Pipeline {
    /// Packs everything readable from `input` into a `.slc` stream on `output`.
    ///
    /// - Parameters:
    ///   - input: read sequentially to its end (a regular file or a pipe).
    ///   - inputSize: the size when known, for the plan and the metadata.
    ///   - metadata: stored in the header (name, mode, mtime); `nil` to store none.
    ///   - pool: the CPU pool; its worker count should match `plan.workers`.
    ///   - io: the I/O pool: every read and write holds one of its tokens, a regular file is read at
    ///     offsets by its threads, and with `positional` the frames are written by them, one write at
    ///     a time (``PositionalOutput``); `nil`: the process-wide ``IOPool/standard``.
    ///   - positional: `output` is a new regular file (not a pipe or device): frames are written at
    ///     their offsets (`pwrite`), which the writer assigns in order as it builds the index, and their
    ///     write-back is started behind them (``WriteBack``).
    ///   - reads: how a regular input is read with `io` (``ReadChoice``); `nil`: in parallel, no hints.
    ///   - progress: called on this thread with the plaintext bytes done after each chunk is written.
    ///   - chunks: only these chunks of a regular file of `inputSize` bytes that has `total` chunks (a
    ///     range of a file split across shards, ``SplitRange``): each frame is the one the whole file
    ///     would have (its index and final flag), and the index and digest of the tail cover these.
    /// - Throws: ``SluiceError`` for bad options and I/O failures; `output` then holds a partial stream,
    ///   which callers writing to a file discard (``AtomicOutputFile``).
    static func pack(
        from input: FileDescriptor, inputSize: Int?, to output: FileDescriptor,
        options: PackOptions, metadata: FileMetadata?, plan: Plan, pool: WorkerPool,
        io: IOPool? = nil, positional: Bool = false, reads: ReadChoice? = nil,
        chunks: (range: Range<UInt64>, total: UInt64)? = nil, progress: (UInt64) -> Void = { _ in }
    ) throws -> PackReport {
        let writer = try options.writer(chunkSize: plan.chunkSize, metadata: metadata)
        return try pack(
            .descriptor(input), inputSize: inputSize, to: output, writer: writer, plan: plan, pool: pool, io: io ?? .standard,
            positional: positional, reads: reads, chunks: chunks, progress: progress)
    }

    /// Packs the bytes `produce` pushes into a ``ChunkSink`` (on the run's reader thread) into a stream
    /// of `options.format` on `output`, written in order: a tar writer's output goes into the chunks
    /// without a pipe.
    static func pack(
        producing produce: @escaping @Sendable (ChunkSink) throws -> Void, to output: FileDescriptor, options: PackOptions,
        plan: Plan, pool: WorkerPool, io: IOPool? = nil, progress: (UInt64) -> Void = { _ in }
    ) throws -> PackReport {
        let writer = try options.writer(chunkSize: plan.chunkSize, metadata: nil)
        return try pack(
            .producer(produce), inputSize: nil, to: output, writer: writer, plan: plan, pool: pool, io: io ?? .standard,
            positional: false, progress: progress)
    }

    /// What a pack run reads: a descriptor, or the bytes a producer pushes.
    enum Input {
        case descriptor(FileDescriptor)
        case producer(@Sendable (ChunkSink) throws -> Void)
    }

    /// The engine of ``pack(from:inputSize:to:options:metadata:plan:pool:io:positional:progress:)``, for
    /// any format: `writer` makes the header, each frame (on the workers) and the tail (from its ledger).
    static func pack<Writer: FormatWriter>(
        _ source: Input, inputSize: Int?, to output: FileDescriptor, writer: Writer, plan: Plan,
        pool: WorkerPool, io: IOPool, positional: Bool, reads: ReadChoice? = nil,
        chunks: (range: Range<UInt64>, total: UInt64)? = nil, progress: (UInt64) -> Void
    ) throws -> PackReport {
        let headerBytes = writer.headerBytes
        let run = Run(slots: (0..<plan.window).map { _ in PackSlot() })
        let chunkSize = plan.chunkSize
        let input: FileDescriptor
        let produce: (@Sendable (ChunkSink) throws -> Void)?
        switch source {
        case .descriptor(let fd): (input, produce) = (fd, nil)
        case .producer(let body): (input, produce) = (FileDescriptor(rawValue: -1), body)
        }
        let isStream = produce != nil || (try? FileSystem.status(of: input).isRegular) != true

        // The run counts from 0 (`sequence`); a frame is encoded with its chunk's index in the file.
        @Sendable func encode(_ slot: PackSlot, _ chunkIndex: UInt64, sequence: UInt64? = nil) {
            run.process(slot, index: sequence ?? chunkIndex, on: pool) { slot, context in
                try slot.encode(with: writer, index: chunkIndex, context: context)
            }
        }
        var expectedPlain = inputSize.map(UInt64.init)
        if let produce {
            run.startReader(name: "sluice-producer") {
                var index: UInt64 = 0
                let sink = ChunkSink(chunkSize: chunkSize, take: { run.takeFreeSlot() }, submit: { slot, isFinal in
                    slot.isFinal = isFinal
                    encode(slot, index)
                    index += 1
                })
                try produce(sink)
                try sink.finish()
                run.finishReading(total: index)
            }
        } else if !isStream, let size = inputSize, (try? input.seek(offset: 0, from: .current)) == 0 {
            // (Standard input may be a regular file read from somewhere in the middle: that one streams.)
            // A regular file of known size: the chunks are known up front, and the I/O threads read them
            // at their offsets, several at once, instead of one reader copying everything.
            let fileSize = UInt64(size)
            let count = chunks?.total ?? max(1, (fileSize + UInt64(chunkSize) - 1) / UInt64(chunkSize))
            let first = chunks?.range.lowerBound ?? 0
            let end = chunks?.range.upperBound ?? count
            if chunks != nil { expectedPlain = min(end * UInt64(chunkSize), fileSize) - first * UInt64(chunkSize) }
            let strategy = reads?.strategy ?? .parallel
            run.startReader(name: "sluice-reader") {
                let readAhead = ReadAhead(input, end: fileSize, distance: reads?.readAhead ?? 0)
                var holes = HoleFinder(input, size: fileSize)
                defer { holes.finish() }
                var index = first
                while index < end, let slot = run.takeFreeSlot() {
                    let chunkIndex = index
                    let offset = chunkIndex * UInt64(chunkSize)
                    let length = Int(min(UInt64(chunkSize), fileSize - offset))
                    slot.isFinal = chunkIndex == count - 1
                    // A chunk in a hole is zeros: not read (the last one is, to see whether the file grew).
                    slot.isHole = !slot.isFinal && holes.isHole(offset..<offset + UInt64(length))
                    if slot.isHole {
                        slot.plain.count = length
                        encode(slot, chunkIndex, sequence: chunkIndex - first)
                        index += 1
                        continue
                    }
                    slot.plain.reserve(chunkSize)
                    readAhead.reading(at: offset)
                    try run.read(slot, strategy, on: io, { slot in
                        let got = try readInput(input, into: slot.plain[0..<length], at: Int64(offset))
                        var probe: UInt8 = 0
                        let grew = chunkIndex == count - 1
                            && (try? withUnsafeMutableBytes(of: &probe) { try input.readFully(into: $0, at: Int64(fileSize)) }) != 0
                        guard got == length, !grew else {
                            throw SluiceError(.io, "the input changed size while it was being packed (\(fileSize) bytes expected)")
                        }
                        slot.plain.count = got
                    }, then: { encode($0, chunkIndex, sequence: chunkIndex - first) })
                    index += 1
                }
                run.finishReading(total: index - first)
            }
        } else {
            guard chunks == nil else { throw SluiceError.invalid("a range of chunks is packed from a regular file only") }
            run.startReader(name: "sluice-reader") {
                // A chunk is submitted once the next read shows whether it is the last one.
                var pending: PackSlot?
                var index: UInt64 = 0
                func submit(_ slot: PackSlot, final: Bool) {
                    slot.isFinal = final
                    encode(slot, index)
                    index += 1
                }
                while let slot = run.takeFreeSlot() {
                    slot.isHole = false
                    slot.plain.reserve(chunkSize)
                    let start = StatisticsRecorder.now
                    let count = try run.withToken(io) { try readInput(input, into: slot.plain[0..<chunkSize]) }
                    run.statistics.busy(.reader, since: start)
                    slot.plain.count = count
                    if count == 0, let last = pending {
                        run.release(slot)
                        submit(last, final: true)
                        break
                    }
                    if let last = pending { submit(last, final: false) }
                    if count < chunkSize {
                        submit(slot, final: true)
                        break
                    }
                    pending = slot
                }
                run.finishReading(total: index)
            }
        }

        var written = UInt64(headerBytes.count)
        var ledger = try writer.ledger()
        var chunks: UInt64 = 0
        var plainBytes: UInt64 = 0
        var rawChunks: UInt64 = 0
        let writeBehind = positional ? io : nil
        // The header goes first (below), so the frames' write-back counts from its end.
        let positionalOutput = writeBehind.map { _ in
            PositionalOutput(output, sparse: false, writeBack: WriteBack.behind(output, start: UInt64(headerBytes.count), reads: reads))
        }
        /// The header and the tail: at their offset when frames are written at theirs, else in order.
        func writeUnframed(_ bytes: [UInt8], at offset: UInt64) throws {
            try run.withToken(io) {
                try bytes.withUnsafeBytes { bytes in
                    if writeBehind != nil { try write(bytes, to: output, at: Int64(offset)) } else { try write(bytes, to: output) }
                }
            }
        }
        do {
            try writeUnframed(headerBytes, at: 0)
            var index: UInt64 = 0
            while let slot = try run.finished(index) {
                // Everything the index needs is taken from the slot before it is handed on for writing.
                let frame = slot.frame.contents
                let offset = written
                let plainCount = slot.plain.count
                run.statistics.add(slot.timings)
                ledger.add(frame: frame, plain: slot.input, at: offset)
                written += UInt64(frame.count)
                plainBytes += UInt64(plainCount)
                if slot.isRaw { rawChunks += 1 }
                if let writeBehind, let positionalOutput {
                    run.writeBehind(slot, on: writeBehind, { slot in
                        try positionalOutput.write(slot.frame.contents, at: offset)
                    }, done: { run.release($0) })
                } else {
                    let start = StatisticsRecorder.now
                    try run.withToken(io) { try write(frame, to: output) }
                    run.statistics.busy(.writer, since: start)
                    run.release(slot)
                }
                progress(plainBytes)
                index += 1
                chunks += 1
            }
            try run.waitForWrites()
            let tail = try ledger.tail(at: written)
            try writeUnframed(tail, at: written)
            written += UInt64(tail.count)
        } catch {
            run.fail(error)
            // A producer notices the failure at its next chunk; a pipe may never deliver again.
            run.waitUntilQuiet(reader: !isStream || produce != nil)
            throw error
        }
        run.waitUntilQuiet()
        if let expected = expectedPlain, !isStream, plainBytes != expected {
            throw SluiceError(.io, "the input changed size while it was being packed (\(expected) → \(plainBytes) bytes)")
        }
        return PackReport(
            info: writer.info, plan: plan, plainBytes: plainBytes, packedBytes: written,
            chunks: chunks, rawChunks: rawChunks,
            statistics: run.statistics.finish(stageNames: PackSlot.stageNames, plan: plan, ioTokens: io.tokens))
    }

    static func write(_ bytes: UnsafeRawBufferPointer, to output: FileDescriptor, at offset: Int64) throws {
        do {
            try output.writeFully(bytes, at: offset)
        } catch {
            throw SluiceError(.io, "cannot write the output", cause: error)
        }
    }

    static func write(_ bytes: UnsafeRawBufferPointer, to output: FileDescriptor) throws {
        do {
            try output.writeFully(bytes)
        } catch {
            throw SluiceError(.io, "cannot write the output", cause: error)
        }
    }
}
