import SystemPackage

/// A `.slc` header read from an input, with the keys that open it.
public struct OpenedHeader: Sendable {
    public var header: Header
    /// The raw header bytes as stored.
    var bytes: [UInt8]
    var keys: FileKeys?
}

extension Pipeline {
    /// Reads and validates the header at the current position of `input`; with a cipher, checks the key
    /// and then the header's HMAC.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` for anything that is not a valid header,
    ///   ``SluiceError/Code/wrongKey`` when `key` does not open it, ``SluiceError/Code/invalidArgument``
    ///   when the file is encrypted and no key was given.
    public static func readHeader(
        from input: FileDescriptor, key: (Header) throws -> KeySource?, limits: DecodeLimits = DecodeLimits(),
        requireKey: Bool = true
    ) throws -> OpenedHeader {
        let prefix = try readOrCorrupt(input, Header.prefixSize, what: "the header")
        let length = try Header.length(fromPrefix: prefix)
        let bytes = prefix + (try readOrCorrupt(input, length - Header.prefixSize, what: "the header"))
        let header = try Header.decode(bytes, limits: limits)
        var keys: FileKeys?
        if let block = header.keyBlock, requireKey {
            guard let key = try key(header) else {
                throw SluiceError.invalid("this file is encrypted (\(header.cipher.rawValue)): give --key-file or a passphrase")
            }
            keys = try FileKeys.open(block, source: key, cipher: header.cipher, context: limits.keys.context)
            try header.authenticate(bytes, keys: keys!)
        }
        return OpenedHeader(header: header, bytes: bytes, keys: keys)
    }

    private static func readOrCorrupt(_ input: FileDescriptor, _ count: Int, what: String) throws -> [UInt8] {
        do {
            return try input.readExactly(count, what: what)
        } catch let error as SluiceError {
            if error.code == .corrupt, count == Header.prefixSize {
                throw SluiceError.corrupt("not a Sluice file (too short)")
            }
            throw error
        } catch {
            throw SluiceError(.io, "cannot read the input", cause: error)
        }
    }

    /// Decodes the frames that follow an already-read header, front to back, verifying every frame,
    /// the trailer, the digest and the footer; the plaintext goes to `output` in order.
    ///
    /// - Parameters:
    ///   - output: where the plaintext goes; `nil` to verify only.
    ///   - positional: `output` is a new regular file: each chunk is written at `index × chunk size` as
    ///     soon as it is verified (`pwrite`), by a thread of `io` (or, without one, by the worker), so
    ///     page-cache copies run several at once instead of queueing behind one writer. Otherwise
    ///     chunks are written in order by the calling thread.
    ///   - io: the I/O pool: every read and write then holds one of its tokens.
    ///   - isStream: `input` is a pipe (a failed run then does not wait for a reader blocked on it).
    /// - Throws: ``SluiceError``; `output` may then hold a prefix of verified chunks, which callers
    ///   writing to a file discard.
    public static func unpack(
        _ opened: OpenedHeader, from input: FileDescriptor, to output: FileDescriptor?, workers: Int,
        memoryLimit: ByteCount = Memory.defaultLimit, pool: WorkerPool, io: IOPool? = nil, isStream: Bool = false,
        positional: Bool = false, progress: (UInt64) -> Void = { _ in }
    ) throws -> UnpackReport {
        let header = opened.header
        let headerSize = header.frameHeaderSize
        let slotMemory = Plan.slotMemory(chunkSize: header.chunkSize, codec: header.codec.codec)
        let window = max(2, min(2 * workers + 2, memoryLimit.bytes / slotMemory))
        let run = Run(slots: (0..<window).map { _ in UnpackSlot() })
        let decoder = ChunkDecoder(header: header, keys: opened.keys)
        let observed = Monitor<(entries: [IndexEntry], tail: [UInt8])>(([], []))
        // Room for the largest frame the header allows, taken once: growing a slot frame by frame
        // would give its pages back and fault them in again (seen as 12,000 page faults per 256 MiB).
        // Pages never written are never faulted in, so this costs no memory beyond what is used.
        let frameCapacity = headerSize + header.maxStoredSize

        /// Hands a frame, read and checked, to the CPU pool; to a file, its plaintext then goes to its
        /// offset, written by an I/O thread (or, without an I/O pool, by the worker).
        @Sendable func submit(_ slot: UnpackSlot, _ chunkIndex: UInt64) {
            let positionalOutput = positional ? output : nil
            let chunkOffset = Int64(chunkIndex) * Int64(header.chunkSize)
            @Sendable func writePlaintext(_ slot: UnpackSlot) throws {
                try write(slot.plaintext(headerSize: headerSize), to: positionalOutput!, at: chunkOffset)
            }
            run.process(slot, index: chunkIndex, on: pool, work: { slot, context in
                try decoder.decode(slot, index: chunkIndex, context: context)
                if positionalOutput != nil, io == nil {
                    let start = StatisticsRecorder.now
                    try writePlaintext(slot)
                    run.statistics.busy(.writer, since: start)
                }
            }, then: io, write: positionalOutput == nil ? nil : writePlaintext)
        }

        if let io, let index = try indexedInput(opened, input, isStream: isStream, io: io) {
            // A seekable file: the footer and the trailer's index (authenticated) give every frame's
            // offset, so the I/O pool reads frames at their offsets, several at once; each frame is
            // checked against its index entry, and the writer's checks below see the same entries.
            let entries = index.entries
            run.startReader(name: "sluice-reader") {
                var chunkIndex: UInt64 = 0
                while chunkIndex < UInt64(entries.count), let slot = run.takeFreeSlot() {
                    let entry = entries[Int(chunkIndex)]
                    let number = chunkIndex
                    let isLast = Int(number) == entries.count - 1
                    run.readBehind(slot, on: io, { slot in
                        let size = headerSize + Int(entry.storedSize)
                        slot.frame.reserve(frameCapacity)
                        guard try readInput(input, into: slot.frame[0..<size], at: Int64(entry.offset)) == size else {
                            throw SluiceError.corrupt("truncated input: frame \(number) is incomplete")
                        }
                        slot.frame.count = size
                        let frameHeader = try FrameHeader.read(from: slot.frame.contentsOf(headerSize), header: header, index: number)
                        guard frameHeader.storedSize == Int(entry.storedSize), frameHeader.plainSize == Int(entry.plainSize),
                              frameHeader.isFinal == isLast
                        else { throw SluiceError.corrupt("frame \(number) does not match the index") }
                        slot.frameHeader = frameHeader
                    }, then: { submit($0, number) })
                    chunkIndex += 1
                }
                run.finishReading(total: chunkIndex)
                observed.withLock { $0 = (entries, index.tail) }
            }
        } else {
            run.startReader(name: "sluice-reader") {
                var offset = UInt64(opened.bytes.count)
                var index: UInt64 = 0
                var entries: [IndexEntry] = []
                while let slot = run.takeFreeSlot() {
                    let readStart = StatisticsRecorder.now
                    slot.frame.reserve(frameCapacity)
                    let got = try run.withToken(io) { try readInput(input, into: slot.frame[0..<headerSize]) }
                    guard got == headerSize else {
                        throw SluiceError.corrupt("truncated input: frame \(index) is \(got == 0 ? "missing" : "incomplete")")
                    }
                    let frameHeader = try FrameHeader.read(from: slot.frame.contentsOf(headerSize), header: header, index: index)
                    let total = headerSize + frameHeader.storedSize
                    // `FrameHeader.read` caps the stored size at the header's maximum: the frame fits.
                    guard try run.withToken(io, { try readInput(input, into: slot.frame[headerSize..<total]) }) == frameHeader.storedSize else {
                        throw SluiceError.corrupt("truncated input: frame \(index) is incomplete")
                    }
                    run.statistics.busy(.reader, since: readStart)
                    slot.frame.count = total
                    slot.frameHeader = frameHeader
                    entries.append(IndexEntry(offset: offset, storedSize: UInt32(frameHeader.storedSize),
                                              plainSize: UInt32(frameHeader.plainSize)))
                    offset += UInt64(total)
                    submit(slot, index)
                    index += 1
                    if frameHeader.isFinal { break }
                }
                run.finishReading(total: index)
                guard !run.hasFailed else { return }
                let tailSize = Trailer.size(count: entries.count, header: header) + Footer.size
                let tail = try run.withToken(io) { try readOrCorrupt(input, tailSize, what: "the trailer") }
                var probe: UInt8 = 0
                guard try run.withToken(io, { try withUnsafeMutableBytes(of: &probe, { try readInput(input, into: $0) }) }) == 0 else {
                    throw SluiceError.corrupt("unexpected data after the end of the .slc file")
                }
                observed.withLock { $0 = (entries, tail) }
            }
        }

        var plainBytes: UInt64 = 0
        let digest = try FileDigest(kind: header.checksum)
        do {
            var index: UInt64 = 0
            while let slot = try run.finished(index) {
                let plaintext = slot.plaintext(headerSize: headerSize)
                if let output, !positional {
                    let start = StatisticsRecorder.now
                    try run.withToken(io) { try write(plaintext, to: output) }
                    run.statistics.busy(.writer, since: start)
                }
                run.statistics.add(slot.timings)
                digest.add(frameChecksum: UnsafeRawBufferPointer(slot.frame[header.checksumOffset..<headerSize]))
                plainBytes += UInt64(plaintext.count)
                run.release(slot)
                progress(plainBytes)
                index += 1
            }
            run.waitUntilQuiet()
            try run.checkFailure()
            let (entries, tail) = observed.withLock { $0 }
            let trailerBytes = Array(tail[0..<tail.count - Footer.size])
            let trailer = try Trailer.decode(trailerBytes, header: header, keys: opened.keys)
            guard trailer.entries == entries else { throw SluiceError.corrupt("the trailer's index does not match the frames") }
            let computedDigest = digest.finish(totalSize: plainBytes)
            guard LibCrypto.constantTimeEqual(computedDigest, trailer.digest) else {
                throw SluiceError.corrupt("whole-file digest mismatch")
            }
            let footer = try Footer.decode(Array(tail[(tail.count - Footer.size)...]))
            let trailerOffset = entries.last.map { $0.offset + UInt64(headerSize) + UInt64($0.storedSize) } ?? 0
            guard footer.trailerOffset == trailerOffset, footer.trailerSize == UInt64(trailerBytes.count) else {
                throw SluiceError.corrupt("the footer does not point at the trailer")
            }
            if let size = header.metadata?.size, size != plainBytes {
                throw SluiceError.corrupt("decoded \(plainBytes) bytes, but the header records \(size)")
            }
            return UnpackReport(
                header: header, plainBytes: plainBytes,
                packedBytes: trailerOffset + UInt64(tail.count), chunks: UInt64(entries.count),
                statistics: run.statistics.finish(
                    stageNames: UnpackSlot.stageNames,
                    plan: Plan(chunkSize: header.chunkSize, workers: workers, window: window, reasons: []),
                    ioTokens: io?.tokens ?? 0),
                digest: computedDigest)
        } catch {
            run.fail(error)
            run.waitUntilQuiet(reader: !isStream)
            throw error
        }
    }

    /// The index of a `.slc` that is a regular file starting at offset 0, read (footer, then trailer,
    /// authenticated with the file's keys) and checked for consistency; `nil` for a pipe, or for a
    /// `.slc` that starts elsewhere in its file (standard input positioned in the middle), which is
    /// read front to back instead.
    private static func indexedInput(
        _ opened: OpenedHeader, _ input: FileDescriptor, isStream: Bool, io: IOPool
    ) throws -> (entries: [IndexEntry], tail: [UInt8])? {
        guard !isStream, let status = try? FileSystem.status(of: input), status.isRegular,
              (try? input.seek(offset: 0, from: .current)) == Int64(opened.bytes.count)
        else { return nil }
        return try io.withToken {
            let fileSize = UInt64(status.size)
            let index = try readIndex(input, fileSize: fileSize, opened: opened)
            // Every .slc ends with a final frame (an empty input has one empty frame).
            guard !index.trailer.entries.isEmpty else { throw SluiceError.corrupt("the trailer's index lists no frames") }
            return (index.trailer.entries, index.tail)
        }
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
    func contentsOf(_ count: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[0..<count]) }
}
