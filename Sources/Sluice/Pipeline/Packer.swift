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
    ///   - progress: called on this thread with the plaintext bytes done after each chunk is written.
    /// - Throws: ``SluiceError`` for bad options and I/O failures; `output` then holds a partial stream,
    ///   which callers writing to a file discard (``AtomicOutputFile``).
    public static func pack(
        from input: FileDescriptor, inputSize: Int?, to output: FileDescriptor,
        options: PackOptions, metadata: FileMetadata?, plan: Plan, pool: WorkerPool,
        progress: (UInt64) -> Void = { _ in }
    ) throws -> PackReport {
        let checksum = options.effectiveChecksum
        let (header, keys) = try options.newHeader(codec: options.codec, chunkSize: plan.chunkSize, metadata: metadata)
        let headerBytes = try header.encoded(keys: keys)

        let run = Run(slots: (0..<plan.window).map { _ in PackSlot() })
        let encoder = ChunkEncoder(header: header, keys: keys)
        let chunkSize = plan.chunkSize
        let isStream = (try? FileSystem.status(of: input).isRegular) != true

        run.startReader(name: "sluice-reader") {
            // A chunk is submitted once the next read shows whether it is the last one.
            var pending: PackSlot?
            var index: UInt64 = 0
            func submit(_ slot: PackSlot, final: Bool) {
                slot.isFinal = final
                let chunkIndex = index
                run.process(slot, index: chunkIndex, on: pool) { slot, context in
                    try encoder.encode(slot, index: chunkIndex, context: context)
                }
                index += 1
            }
            while let slot = run.takeFreeSlot() {
                slot.plain.reserve(chunkSize)
                let count: Int
                let start = StatisticsRecorder.now
                do {
                    count = try input.readFully(into: slot.plain[0..<chunkSize])
                } catch {
                    throw SluiceError(.io, "cannot read the input", cause: error)
                }
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

        var written = UInt64(headerBytes.count)
        var entries: [IndexEntry] = []
        var plainBytes: UInt64 = 0
        var rawChunks: UInt64 = 0
        let digest = try FileDigest(kind: checksum)
        do {
            try write(headerBytes, to: output)
            var index: UInt64 = 0
            while let slot = try run.finished(index) {
                let frame = slot.frame.contents
                let start = StatisticsRecorder.now
                try write(frame, to: output)
                run.statistics.busy(.writer, since: start)
                run.statistics.add(slot.timings)
                let plainCount = slot.plain.count
                entries.append(IndexEntry(offset: written, storedSize: UInt32(frame.count - header.frameHeaderSize),
                                          plainSize: UInt32(plainCount)))
                digest.add(frameChecksum: UnsafeRawBufferPointer(rebasing: frame[header.checksumOffset..<header.frameHeaderSize]))
                written += UInt64(frame.count)
                plainBytes += UInt64(plainCount)
                if slot.isRaw { rawChunks += 1 }
                run.release(slot)
                progress(plainBytes)
                index += 1
            }
            let trailer = try Trailer(entries: entries, digest: digest.finish(totalSize: plainBytes))
                .encoded(header: header, keys: keys)
            let footer = Footer(trailerOffset: written, trailerSize: UInt64(trailer.count))
            try write(trailer + footer.encoded, to: output)
            written += UInt64(trailer.count + Footer.size)
        } catch {
            run.fail(error)
            run.waitUntilQuiet(reader: !isStream)
            throw error
        }
        run.waitUntilQuiet()
        if let size = inputSize, !isStream, plainBytes != UInt64(size) {
            throw SluiceError(.io, "the input changed size while it was being packed (\(size) → \(plainBytes) bytes)")
        }
        return PackReport(
            header: header, plan: plan, plainBytes: plainBytes, packedBytes: written,
            chunks: UInt64(entries.count), rawChunks: rawChunks,
            statistics: run.statistics.finish(stageNames: PackSlot.stageNames, plan: plan))
    }

    static func write(_ bytes: [UInt8], to output: FileDescriptor) throws {
        try bytes.withUnsafeBytes { try write($0, to: output) }
    }

    static func write(_ bytes: UnsafeRawBufferPointer, to output: FileDescriptor, at offset: Int64) throws {
        do {
            _ = try output.writeAll(toAbsoluteOffset: offset, bytes)
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
