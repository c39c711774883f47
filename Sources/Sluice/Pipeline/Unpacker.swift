import SystemPackage

/// A packed file whose header was read (its format found from its first bytes), with the keys that
/// open it: ready to be decoded, verified, restored in part or inspected.
struct OpenedContainer: Sendable {
    /// The opened format's read side.
    let reader: any FormatReader
    /// For an armored age file: the thread that unarmors the input; the frames are read from its pipe.
    var armor: ArmorPipe? = nil
    /// What the header says.
    var info: ContainerInfo { reader.info }
}

extension Pipeline {
    /// Reads and validates the header at the current position of `input`, in whichever registered format
    /// its first bytes name; with a cipher, obtains the secret from `key`, checks it and then the header's
    /// authentication.
    ///
    /// - Parameter requireKey: `false` reads an encrypted header without a key (`inspect`).
    /// - Throws: ``SluiceError/Code/corrupt`` for anything that is not a valid header,
    ///   ``SluiceError/Code/wrongKey`` when `key` does not open it, ``SluiceError/Code/invalidArgument``
    ///   when the file is encrypted and no key was given.
    /// - Parameter consumed: the file's first bytes, already read from `input` to tell its format.
    /// - Parameter format: the format ``detectFormat(_:)`` named (a zstd or LZ4 file may start with a
    ///   skippable frame, which no format's magic claims); `nil`: told by the first bytes.
    static func readHeader(
        from input: FileDescriptor, key: KeyProvider, limits: DecodeLimits = DecodeLimits(), requireKey: Bool = true,
        consumed: [UInt8] = [], format: ContainerKind? = nil
    ) throws -> OpenedContainer {
        // Up to the signature: a shorter input may still be a (broken) age file, whose reader says why.
        var prefix = consumed + [UInt8](repeating: 0, count: max(0, ContainerKind.signatureSize - consumed.count))
        let got = try prefix.withUnsafeMutableBytes {
            try readInput(input, into: UnsafeMutableRawBufferPointer(rebasing: $0[consumed.count...]))
        }
        prefix.removeLast(prefix.count - consumed.count - got)
        guard !prefix.isEmpty else { throw SluiceError.corrupt("not a Sluice file (empty)") }
        guard format != nil || ContainerKind.detect(prefix) != nil else {
            if AgeArmor.isArmored(prefix) {
                // ASCII-armored age: read the binary file from an unarmoring thread.
                let armor = try ArmorPipe.unarmoring(input, prefix: prefix)
                do {
                    let opened = try readHeader(from: armor.engineEnd, key: key, limits: limits, requireKey: requireKey)
                    guard opened.reader.info.format == .age else { throw Age.Failure.header.error("the armor holds no age file") }
                    return OpenedContainer(reader: opened.reader, armor: armor)
                } catch let error as SluiceError {
                    _ = try? armor.engineEnd.close()
                    if let failure = armor.failure { throw failure }
                    // What is inside the armor must be age: anything else is a bad age header.
                    if error.code == .corrupt, error.message.hasPrefix("not a Sluice file") {
                        throw Age.Failure.header.error("the armor holds no age file")
                    }
                    throw error
                }
            }
            throw SluiceError.corrupt(prefix.count < ContainerKind.signatureSize ? "not a Sluice file (too short)" : "not a Sluice file (bad magic)")
        }
        // Every format is opened through ContainerKind.open, where the key policy applies (an armored
        // file comes back here from the unarmoring thread, so it is checked the same way).
        let reader = try ContainerKind.open(
            HeaderInput(prefix: prefix, readMore: { try readExactly(input, $0, what: $1) }), as: format, keys: key, limits: limits,
            requireKey: requireKey)
        return OpenedContainer(reader: reader, armor: nil)
    }

    /// Decodes the frames that follow an already-read header, verifying every frame and the tail (for
    /// `.slc`: the trailer, the digest and the footer); the plaintext goes to `output`.
    ///
    /// - Parameters:
    ///   - output: where the plaintext goes; `nil` to verify only.
    ///   - positional: `output` is a new regular file: each chunk is written at its plaintext offset as
    ///     soon as it is verified (`pwrite`), by a thread of `io`, so
    ///     page-cache copies run several at once instead of queueing behind one writer, and their
    ///     write-back is started behind them (``WriteBack``). Otherwise chunks are written in order by
    ///     the calling thread.
    ///   - memoryLimit: the budget for chunk buffers (default ¼ of RAM): the window shrinks to fit it;
    ///     a file whose two chunks do not fit is refused.
    ///   - io: the I/O pool: every read and write holds one of its tokens; `nil`: ``IOPool/standard``.
    ///   - isStream: `input` is a pipe (a failed run then does not wait for a reader blocked on it).
    ///   - reads: how an indexed input is read with `io` (``ReadChoice``); `nil`: in parallel, no hints.
    ///   - sparse: with `positional`, zero blocks are left as holes and the file's size is set at the end
    ///     (``SparseOutput``); `false` writes every byte (`--no-sparse`).
    /// - Throws: ``SluiceError``; `output` may then hold a prefix of verified chunks, which callers
    ///   writing to a file discard.
    static func unpack(
        _ opened: OpenedContainer, from input: FileDescriptor, to output: FileDescriptor?, workers: Int,
        memoryLimit: ByteCount? = nil, pool: WorkerPool, io: IOPool? = nil, isStream: Bool = false,
        positional: Bool = false, reads: ReadChoice? = nil, sparse: Bool = false, progress: (UInt64) -> Void = { _ in }
    ) throws -> UnpackReport {
        guard let armor = opened.armor else {
            return try unpack(
                opened.reader, from: input, to: output, workers: workers, memoryLimit: memoryLimit, pool: pool, io: io ?? .standard,
                isStream: isStream, positional: positional, reads: reads, sparse: sparse, progress: progress)
        }
        defer { _ = try? armor.engineEnd.close() }
        do {
            let report = try unpack(
                opened.reader, from: armor.engineEnd, to: output, workers: workers, memoryLimit: memoryLimit, pool: pool,
                io: io ?? .standard, isStream: true, positional: positional, sparse: sparse, progress: progress)
            try armor.finishUnarmoring()
            return report
        } catch {
            // An armor failure reaches the engine only as a truncated payload: report the cause.
            _ = try? armor.engineEnd.close()
            throw armor.failure ?? error
        }
    }

    /// The engine of ``unpack(_:from:to:workers:memoryLimit:pool:io:isStream:positional:progress:)`` for
    /// any format: `reader` locates the frames (from the index of a seekable file, or by walking them),
    /// decodes each on the workers, and its verifier checks them in order and the tail. `indexedSize`:
    /// where a seekable file's `.slc` ends when more follows it (an archive's content part, before its
    /// member index); `nil`: at the end of the file.
    static func unpack<Reader: FormatReader>(
        _ reader: Reader, from input: FileDescriptor, to output: FileDescriptor?, workers: Int,
        memoryLimit: ByteCount?, pool: WorkerPool, io: IOPool, isStream: Bool, positional requested: Bool,
        reads: ReadChoice? = nil, sparse requestedSparse: Bool = false, indexedSize: UInt64? = nil,
        progress: (UInt64) -> Void
    ) throws -> UnpackReport {
        let traits = reader.info.format.traits
        let positional = requested && traits.plainSizeKnownBeforeDecoding
        // Holes need a new regular file: the one a positional request names (written at offsets either way).
        let sparse = requestedSparse && requested && output != nil
        // Located first: a format that finds its frames in the file itself (zstd, LZ4) knows their sizes only then.
        let located = traits.indexedFromTheEnd ? try indexedInput(reader, input, isStream: isStream, io: io, size: indexedSize) : nil
        let memory = memoryLimit ?? Memory.defaultLimit
        guard let plan = try decodingPlan(reader, located: located, workers: workers, memoryLimit: memory) else {
            // Frames that cannot be located ahead, decoded apart, or held two at a time: front to back.
            return try unpackStreamed(reader, from: input, to: output, isStream: isStream, sparse: sparse, memoryLimit: memory,
                                      range: nil, progress: progress)
        }
        let run = Run(slots: (0..<plan.window).map { _ in UnpackSlot() })
        let observed = Monitor<(entries: [FrameEntry], tail: ReadTail?)>(([], nil))
        // Room for the largest frame the header allows, taken once: growing a slot frame by frame
        // would give its pages back and fault them in again (seen as 12,000 page faults per 256 MiB).
        // Pages never written are never faulted in, so this costs no memory beyond what is used.
        let frameCapacity = reader.maxFrameSize

        /// Hands a frame, read and checked, to the CPU pool; to a file, its plaintext then goes to
        /// `plainOffset`, written by an I/O thread.
        let positionalOutput = positional ? output : nil
        let writeBack = positionalOutput.flatMap { WriteBack.behind($0, reads: reads) }
        @Sendable func submit(_ slot: UnpackSlot, _ chunkIndex: UInt64, plainOffset: UInt64) {
            @Sendable func writePlaintext(_ slot: UnpackSlot) throws {
                let plaintext = slot.plaintext
                if sparse {
                    try SparseOutput.write(plaintext, to: positionalOutput!, at: plainOffset)
                } else {
                    try write(plaintext, to: positionalOutput!, at: Int64(plainOffset))
                }
                writeBack?.wrote(plainOffset..<plainOffset + UInt64(plaintext.count))
            }
            run.process(slot, index: chunkIndex, on: pool, work: { slot, context in
                try slot.decode(with: reader, index: chunkIndex, context: context)
            }, then: io, write: positionalOutput == nil ? nil : writePlaintext)
        }

        if let index = located {
            // A seekable file: the index gives every frame's offset, so the I/O pool reads frames at their
            // offsets, several at once; each frame is checked against its index entry, and the verifier
            // below sees the same entries.
            let entries = index.entries
            let strategy = reads?.strategy ?? .parallel
            let framesEnd = entries.last.map { $0.offset + UInt64($0.size) } ?? 0
            run.startReader(name: "sluice-reader") {
                let readAhead = ReadAhead(input, end: framesEnd, distance: reads?.readAhead ?? 0)
                var chunkIndex: UInt64 = 0
                var plainOffset: UInt64 = 0
                while chunkIndex < UInt64(entries.count), let slot = run.takeFreeSlot() {
                    let entry = entries[Int(chunkIndex)]
                    let number = chunkIndex, offset = plainOffset
                    let isLast = Int(number) == entries.count - 1
                    readAhead.reading(at: entry.offset)
                    try run.read(slot, strategy, on: io, { slot in
                        slot.frame.reserve(frameCapacity)
                        guard try readInput(input, into: slot.frame[0..<entry.size], at: Int64(entry.offset)) == entry.size else {
                            throw SluiceError.corrupt("truncated input: frame \(number) is incomplete")
                        }
                        slot.frame.count = entry.size
                        try reader.check(frame: slot.frame.contents, against: entry, index: number, isLast: isLast)
                        slot.entry = entry
                    }, then: { submit($0, number, plainOffset: offset) })
                    chunkIndex += 1
                    plainOffset += UInt64(entry.plainSize)
                }
                run.finishReading(total: chunkIndex)
                observed.withLock { $0 = (entries, .indexed(index)) }
            }
        } else {
            let prefixSize = reader.framePrefixSize
            run.startReader(name: "sluice-reader") {
                var offset = UInt64(reader.headerSize)
                var plainOffset: UInt64 = 0
                var index: UInt64 = 0
                var entries: [FrameEntry] = []
                // Frames ended by the input (age): each is read whole plus one byte, which shows whether
                // the input goes on and then starts the next frame.
                var carried: UInt8?
                /// Records a frame the reader found (its entry, the offsets of the next) and hands it to the CPU pool.
                func file(_ slot: UnpackSlot, _ entry: FrameEntry) {
                    slot.frame.count = entry.size
                    slot.entry = entry
                    entries.append(entry)
                    offset += UInt64(entry.size)
                    submit(slot, index, plainOffset: plainOffset)
                    plainOffset += UInt64(entry.plainSize)
                    index += 1
                }
                while traits.lastFrameEndsAtEndOfInput, let slot = run.takeFreeSlot() {
                    let readStart = StatisticsRecorder.now
                    slot.frame.reserve(frameCapacity + 1)
                    var got = 0
                    if let carried { slot.frame.bytes[0] = carried; got = 1 }
                    got += try run.withToken(io) { try readInput(input, into: slot.frame[got..<(frameCapacity + 1)]) }
                    run.statistics.busy(.reader, since: readStart)
                    let isLast = got <= frameCapacity
                    carried = isLast ? nil : slot.frame.bytes[frameCapacity]
                    let entry = try reader.frameEndedByInput(size: min(got, frameCapacity), isLast: isLast, index: index, offset: offset)
                    file(slot, entry)
                    if isLast { break }
                }
                while !traits.lastFrameEndsAtEndOfInput, let slot = run.takeFreeSlot() {
                    let readStart = StatisticsRecorder.now
                    slot.frame.reserve(frameCapacity)
                    let got = try run.withToken(io) { try readInput(input, into: slot.frame[0..<prefixSize]) }
                    guard got == prefixSize else {
                        throw SluiceError.corrupt("truncated input: frame \(index) is \(got == 0 ? "missing" : "incomplete")")
                    }
                    let (entry, isLast) = try reader.walk(prefix: slot.frame.contents(prefixSize), index: index, offset: offset)
                    // `walk` caps the frame's size at the header's maximum: the frame fits.
                    guard try run.withToken(io, { try readInput(input, into: slot.frame[prefixSize..<entry.size]) }) == entry.size - prefixSize else {
                        throw SluiceError.corrupt("truncated input: frame \(index) is incomplete")
                    }
                    run.statistics.busy(.reader, since: readStart)
                    file(slot, entry)
                    if isLast { break }
                }
                run.finishReading(total: index)
                guard !run.hasFailed else { return }
                let tailSize = reader.streamTailSize(frames: entries.count)
                let tail = try run.withToken(io) {
                    try readExactly(input, tailSize, what: "the trailer")
                }
                var probe: UInt8 = 0
                guard try run.withToken(io, { try withUnsafeMutableBytes(of: &probe, { try readInput(input, into: $0) }) }) == 0 else {
                    throw SluiceError.corrupt("unexpected data after the end of the \(reader.info.format) file")
                }
                observed.withLock { $0 = (entries, .streamed(tail)) }
            }
        }

        var plainBytes: UInt64 = 0
        var verifier = try reader.verifier()
        do {
            var index: UInt64 = 0
            while let slot = try run.finished(index) {
                let plaintext = slot.plaintext
                if let output, !positional {
                    let start = StatisticsRecorder.now
                    if sparse {
                        try run.withToken(io) { try SparseOutput.write(plaintext, to: output, at: plainBytes) }
                    } else {
                        try run.withToken(io) { try write(plaintext, to: output) }
                    }
                    run.statistics.busy(.writer, since: start)
                }
                run.statistics.add(slot.timings)
                try verifier.add(frame: slot.frame.contents, entry: slot.entry, plain: plaintext)
                plainBytes += UInt64(plaintext.count)
                run.release(slot)
                progress(plainBytes)
                index += 1
            }
            run.waitUntilQuiet()
            try run.checkFailure()
            if sparse, let output { try SparseOutput.finish(output, size: plainBytes) }
            let (entries, tail) = observed.withLock { $0 }
            guard let tail else { throw SluiceError.corrupt("truncated input: the end of the file is missing") }
            let computedDigest = try verifier.finish(entries: entries, tail: tail)
            let framesEnd = entries.last.map { $0.offset + UInt64($0.size) } ?? 0
            let (packedBytes, frames): (UInt64, Int) = switch tail {
            case .indexed(let index): (index.packedSize ?? framesEnd + UInt64(index.tail.count), index.frameCount ?? entries.count)
            case .streamed(let bytes): (framesEnd + UInt64(bytes.count), entries.count)
            }
            return UnpackReport(
                info: reader.info, plainBytes: plainBytes, packedBytes: packedBytes, chunks: UInt64(frames),
                statistics: run.statistics.finish(
                    stageNames: UnpackSlot.stageNames,
                    plan: plan,
                    ioTokens: io.tokens),
                digest: computedDigest)
        } catch {
            run.fail(error)
            run.waitUntilQuiet(reader: !isStream)
            throw error
        }
    }

    /// The plan for decoding `reader`'s frames in parallel; `nil` when a format that is not walked
    /// (``FormatTraits/walkable``) is decoded front to back instead: its frames were not `located`, or
    /// two of them do not fit in `memoryLimit`.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when two frames of a walked format do not fit.
    static func decodingPlan(_ reader: some FormatReader, located: FrameIndex?, workers: Int, memoryLimit: ByteCount) throws -> Plan? {
        let traits = reader.info.format.traits
        guard traits.walkable || located != nil else { return nil }
        do {
            return try Plan.decoding(chunkSize: reader.maxPlainSize, frameSize: reader.maxFrameSize, workers: workers, memoryLimit: memoryLimit)
        } catch where !traits.walkable {
            return nil
        }
    }

    /// The index of a file that is a regular file starting at offset 0, read and checked by its format;
    /// `nil` for a pipe, for a file that starts elsewhere in its file (standard input positioned in
    /// the middle), or for one whose format cannot locate its frames ahead: read front to back instead.
    private static func indexedInput(
        _ reader: some FormatReader, _ input: FileDescriptor, isStream: Bool, io: IOPool, size: UInt64? = nil
    ) throws -> FrameIndex? {
        guard !isStream, let status = try? FileSystem.status(of: input), status.isRegular,
              (try? input.seek(offset: 0, from: .current)) == Int64(reader.headerSize)
        else { return nil }
        return try io.withToken { try reader.locate(in: input, fileSize: size ?? UInt64(status.size)) }
    }

    /// The frames of a seekable file, located by its format (``FormatReader/locate(in:fileSize:)``).
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when they cannot be located ahead (a single zstd
    ///   frame, linked LZ4 blocks).
    static func readIndex(_ reader: some FormatReader, _ input: FileDescriptor, fileSize: UInt64) throws -> FrameIndex {
        guard let index = try reader.locate(in: input, fileSize: fileSize) else {
            throw SluiceError.invalid("the frames of this \(reader.info.format.rawValue) file cannot be located ahead: it is read front to back")
        }
        return index
    }

    /// Reads exactly `count` bytes from the current position of `input`.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` ("truncated input: `what` is incomplete") at the end of
    ///   the input, ``SluiceError/Code/io`` for a read error.
    static func readExactly(_ input: FileDescriptor, _ count: Int, what: String) throws -> [UInt8] {
        do {
            return try input.readExactly(count, what: what)
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.io, "cannot read the input", cause: error)
        }
    }

    /// Reads exactly `count` bytes at `offset`.
    static func pread(_ fd: FileDescriptor, at offset: UInt64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try readInput(fd, into: $0, at: Int64(offset)) }
        guard got == count else { throw SluiceError.corrupt("truncated input") }
        return bytes
    }

    /// Fills `buffer` from `input` — at `offset` with `pread`, else from the current position — up to the
    /// end of the input; read errors become ``SluiceError/Code/io``. Returns the bytes read.
    static func readInput(_ input: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64? = nil) throws -> Int {
        do {
            if let offset { return try input.readFully(into: buffer, at: offset) }
            return try input.readFully(into: buffer)
        } catch {
            throw SluiceError(.io, "cannot read the input", cause: error)
        }
    }
}

extension RawBuffer {
    /// The first `count` bytes, read-only.
    func contents(_ count: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[0..<count]) }
}
