import SystemPackage

/// Packing one range of a large file into a part, and assembling a file's parts into its `.slc`
/// (docs/scale-out.md, *Large files*).
///
/// A part is the whole file's header (the same bytes in every part, since an unencrypted header holds
/// no random salt: codec, chunk size and the source's size, mode, mtime and name), then the frames of
/// its range's chunks exactly as an unsharded pack encodes them (the frames of a file without a cipher
/// depend only on their own chunk's bytes, and the final flag is set on the file's last chunk only),
/// then a trailer whose index and digest cover those frames, authenticated as any trailer. Assembling
/// copies the header once and every part's frames in order, no frame re-encoded, and writes one
/// trailer over all of them, whose digest is computed from the frames' own checksums: the result is
/// byte for byte the `.slc` an unsharded pack of the file writes with the same chunk size.
enum SplitAssembly {
    /// Packs `range` of the regular file `input` into the part file `part` (written atomically).
    static func pack(
        _ input: FilePath, range: SplitRange, to part: FilePath, options: PackOptions, chunkSize: Int
    ) throws -> PackReport {
        let source = try Pipeline.openInput(input)
        defer { _ = try? source.fd.close() }
        guard let status = source.status, status.isRegular else { throw SluiceError.invalid("\(input) is not a regular file") }
        var options = options
        options.chunkSize = chunkSize
        let plan = try options.plan(inputSize: status.size)
        let metadata = FileMetadata(
            size: UInt64(status.size), mode: status.mode, modificationSeconds: status.modificationSeconds,
            modificationNanoseconds: status.modificationNanoseconds, name: input.lastComponent?.string ?? "")
        let output = try AtomicOutputFile(destination: part, overwrite: true)
        let report = try Pipeline.pack(
            from: source.fd, inputSize: status.size, to: output.descriptor, options: options, metadata: metadata, plan: plan,
            pool: WorkerPool.shared(workers: plan.workers), positional: true,
            reads: Pipeline.readChoice(source, io: nil, storage: nil, chunkSize: chunkSize),
            chunks: range.chunks(fileSize: status.size, chunkSize: chunkSize))
        try Pipeline.refuseChangedSource(source, input)
        try output.commit(mode: status.mode & 0o666, modification: nil, sync: false)
        return report
    }

    /// Whether the part at `part` is range `range` of the source as it is now: a structurally complete
    /// part whose header records the source's size and mtime and whose index holds the range's bytes.
    static func partIsCurrent(_ part: FilePath, range: SplitRange, source: FileSystem.Status) -> Bool {
        guard let info = try? Pipeline.inspect(part), let metadata = info.info.metadata else { return false }
        return metadata.size == UInt64(source.size) && info.plainSize == UInt64(range.bytes(fileSize: source.size).count)
            && metadata.modificationSeconds == source.modificationSeconds
            && metadata.modificationNanoseconds == source.modificationNanoseconds
    }

    /// Writes `output` (atomically, `overwrite` as `--force`) from `parts`, in range order.
    ///
    /// - Returns: the bytes written.
    /// - Throws: ``SluiceError/Code/corrupt`` when the parts do not belong together (different headers,
    ///   a part of the wrong length, no final frame at the end); ``SluiceError/Code/outputExists`` when
    ///   `output` exists (another shard assembled it first) and not `overwrite`; ``SluiceError/Code/io``.
    static func assemble(_ parts: [FilePath], to output: FilePath, overwrite: Bool, mode: UInt32) throws -> UInt64 {
        let file = try AtomicOutputFile(destination: output, overwrite: overwrite)
        do {
            var headerBytes: [UInt8]?
            var ledger: SlcLedger?
            var written: UInt64 = 0
            var finalSeen = false
            for (number, part) in parts.enumerated() {
                let input = try Pipeline.openInput(part)
                defer { _ = try? input.fd.close() }
                guard let size = input.status?.size else { throw SluiceError(.io, "cannot read \(part)") }
                let opened = try Pipeline.readHeader(from: input.fd, key: { _ in nil }, limits: DecodeLimits(), requireKey: false)
                guard let reader = opened.reader as? SlcReader, reader.header.cipher == .none else {
                    throw SluiceError.corrupt("\(part) is not a part of an unencrypted .slc")
                }
                let index = try Pipeline.readIndex(reader, input.fd, fileSize: UInt64(size))
                let header = try Pipeline.pread(input.fd, at: 0, count: reader.headerSize)
                if let headerBytes {
                    guard header == headerBytes else { throw SluiceError.corrupt("\(part) does not belong with \(parts[0]): its header differs") }
                } else {
                    headerBytes = header
                    ledger = try SlcLedger(header: reader.header, keys: nil)
                    try write(header, to: file.descriptor, at: 0)
                    written = UInt64(header.count)
                }
                for (i, frame) in index.entries.enumerated() {
                    guard !finalSeen else { throw SluiceError.corrupt("\(part) follows the file's final frame") }
                    let bytes = try Pipeline.pread(input.fd, at: frame.offset, count: frame.size)
                    let flags = FrameHeader.Flags(rawValue: bytes[8])
                    let isLastOfAll = number == parts.count - 1 && i == index.entries.count - 1
                    guard flags.contains(.final) == isLastOfAll else {
                        throw SluiceError.corrupt("\(part): frame \(i) is \(isLastOfAll ? "not " : "")marked final")
                    }
                    finalSeen = isLastOfAll
                    try write(bytes, to: file.descriptor, at: Int64(written))
                    bytes.withUnsafeBytes { ledger!.add(frame: $0, plainCount: frame.plainSize, at: written) }
                    written += UInt64(bytes.count)
                }
            }
            guard var ledger, finalSeen else { throw SluiceError.corrupt("no parts to assemble") }
            let tail = try ledger.tail(at: written)
            try write(tail, to: file.descriptor, at: Int64(written))
            written += UInt64(tail.count)
            try file.commit(mode: mode, modification: nil, sync: true)
            return written
        } catch {
            file.discard()
            throw error
        }
    }

    private static func write(_ bytes: [UInt8], to output: FileDescriptor, at offset: Int64) throws {
        try bytes.withUnsafeBytes { try Pipeline.write($0, to: output, at: offset) }
    }
}
