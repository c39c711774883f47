#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// One small file on its way through a bundle: read by an I/O thread, encoded or decoded whole by one
/// worker, written by an I/O thread.
///
/// `@unchecked Sendable`: a bundle's files are used by one stage at a time, and each hand-over
/// (I/O pool → worker pool → I/O pool) goes through a queue's lock, which orders the accesses.
final class SmallFile: @unchecked Sendable {
    let entry: WalkEntry
    let source: FilePath
    let output: FilePath
    /// Still to be worked on; false once reported (skipped, failed) or handed to the large-file path.
    var pending = true
    /// Unpack: too much plaintext for a small job; to be run as a large file.
    var deferred = false
    var replacing = false
    /// `fstat` of the open input, fresher than the walk's.
    var status: FileSystem.Status
    /// Pack: the plaintext, chunk by chunk.
    var slots: [PackSlot] = []
    /// Pack: the `.slc` image; unpack: the `.slc` bytes read.
    var image: RawBuffer?
    /// Unpack: the decoded plaintext.
    var plain: RawBuffer?
    /// Unpack: the header read from the image (without its key).
    var opened: OpenedContainer?
    /// Unpack: bytes charged to the budget beyond the bundle's reservation.
    var charged = 0
    /// Pack: plaintext bytes read (the slots are given back before the write).
    var plainSize = 0

    init(entry: WalkEntry, source: FilePath, output: FilePath) {
        self.entry = entry
        self.source = source
        self.output = output
        status = entry.status
    }
}

/// Small files that travel together, so that each hand-over between the pools costs one queue
/// operation per bundle rather than per file.
final class SmallBundle: Sendable {
    let files: [SmallFile]
    /// Bytes reserved from the memory budget for the whole bundle.
    let reserved: Int

    init(files: [SmallFile], reserved: Int) {
        self.files = files
        self.reserved = reserved
    }
}

extension BatchRun {
    /// Memory a small file is charged up front: its bytes in and out and some bookkeeping.
    func smallCost(_ entry: WalkEntry) -> Int { 2 * entry.status.size + 4096 }

    /// Runs `bundle` through read (I/O pool) → encode or decode (worker pool) → write (I/O pool).
    func start(_ bundle: SmallBundle) {
        io.submit { [self] in
            for file in bundle.files where file.pending {
                guard !reporter.shouldStop else {
                    file.pending = false
                    continue
                }
                do {
                    if packOptions != nil { try readForPacking(file) } else { try readForUnpacking(file) }
                } catch {
                    reporter.fail(file.source, error)
                    file.pending = false
                }
            }
            guard !options.dryRun, bundle.files.contains(where: \.pending) else { return finish(bundle) }
            workers.submit { [self] context in
                for file in bundle.files where file.pending {
                    do {
                        if packOptions != nil { try encode(file, context: context) } else { try decode(file, context: context) }
                    } catch {
                        reporter.fail(file.source, error)
                        file.pending = false
                    }
                    releaseSlots(file)
                }
                io.submit { [self] in
                    for file in bundle.files where file.pending { write(file) }
                    finish(bundle)
                }
            }
        }
    }

    private func openInput(_ path: FilePath) throws -> FileDescriptor {
        options.beforeOpening?(path)
        do {
            // Non-blocking, so that a FIFO put in the file's place since the walk fails the fstat check
            // below instead of waiting for a writer; for a regular file the flag changes nothing.
            return try FileDescriptor.open(
                path, .readOnly,
                options: options.symlinks == .follow ? [.closeOnExec, .nonBlocking] : [.closeOnExec, .noFollow, .nonBlocking])
        } catch Errno.noSuchFileOrDirectory {
            throw SluiceError(.io, "\(path): vanished before it could be read")
        } catch Errno.permissionDenied {
            throw SluiceError(.io, "\(path): permission denied")
        } catch {
            throw SluiceError(.io, "cannot open \(path)", cause: error)
        }
    }

    private func readForPacking(_ file: SmallFile) throws {
        let decision = file.entry.freshOutputDirectory
            ? .write(replacing: false) : try decide(file.output) { _ in UpToDate.packed(file.output, source: file.entry.status) }
        guard case .write(let replacing) = decision else {
            alreadyDone(source: file.source, output: file.output, status: file.entry.status, plainSize: file.entry.status.size)
            file.pending = false
            return
        }
        file.replacing = replacing
        if options.dryRun {
            reporter.plan(file.source, output: file.output, size: file.entry.status.size, replacing: replacing)
            file.pending = false
            return
        }
        let fd = try openInput(file.source)
        defer { _ = try? fd.close() }
        do {
            file.status = try FileSystem.status(of: fd)
            guard file.status.isRegular else { throw SluiceError(.io, "\(file.source) is no longer a regular file") }
            // The file is read as it is when opened: up to the size fstat gives (one read call for a
            // small file), or less if it shrinks meanwhile. Growth after that is for the next run.
            let chunk = packer!.chunkSize
            let expected = file.status.size
            var total = 0
            repeat {
                let slot = packSlots.take()
                let want = min(chunk, expected - total)
                slot.plain.reserve(want)
                let count = want == 0 ? 0 : try fd.readFully(into: slot.plain[0..<want])
                slot.plain.count = count
                // A final empty chunk is only written for an empty file (docs/format.md, "Frames").
                if count == 0, !file.slots.isEmpty {
                    packSlots.give(slot)
                    break
                }
                file.slots.append(slot)
                total += count
                if count < want { break }
            } while total < expected
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.io, "cannot read \(file.source)", cause: error)
        }
    }

    private func encode(_ file: SmallFile, context: WorkerContext) throws {
        guard let pack = packOptions, let packer else { return }
        let size = file.slots.reduce(0) { $0 + $1.plain.count }
        file.plainSize = size
        let metadata: FileMetadata? = options.keepMetadata
            ? FileMetadata(
                size: UInt64(size), mode: file.status.mode, modificationSeconds: file.status.modificationSeconds,
                modificationNanoseconds: file.status.modificationNanoseconds, name: file.source.lastComponent?.string ?? "")
            : nil
        let image = buffers.take()
        file.image = image
        let store = try CodecSettings(.store)
        let shrank = try packer.pack(
            file.slots, metadata: metadata, codec: file.entry.storeOnly ? store : pack.codec, into: image, context: context)
        if !shrank, !file.entry.storeOnly, size >= 256 {
            switch options.compressedInput {
            case .pack: break
            case .skip:
                reporter.skip(file.source, .doesNotShrink)
                file.pending = false
            case .store:
                _ = try packer.pack(file.slots, metadata: metadata, codec: store, into: image, context: context)
            }
        }
    }

    private func readForUnpacking(_ file: SmallFile) throws {
        let fd = try openInput(file.source)
        defer { _ = try? fd.close() }
        let image = buffers.take()
        file.image = image
        do {
            file.status = try FileSystem.status(of: fd)
            guard file.status.isRegular else { throw SluiceError(.io, "\(file.source) is no longer a regular file") }
            let size = file.status.size
            guard size <= BatchOptions.smallFileLimit else {
                file.deferred = true
                file.pending = false
                return
            }
            // As when packing, the file is taken as fstat found it (one read call); a .slc that grew
            // meanwhile is decoded up to that size and fails its footer check if that cut a frame.
            image.reserve(size)
            image.count = try fd.readFully(into: image[0..<size])
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.io, "cannot read \(file.source)", cause: error)
        }
        let opened = try unpacker.open(image.contents, key: { _ in nil }, requireKey: false)
        file.opened = opened
        let metadata = opened.info.metadata
        let decision = file.entry.freshOutputDirectory || options.isVerifying
            ? .write(replacing: false) : try decide(file.output) { UpToDate.unpacked($0, metadata: metadata) }
        guard case .write(let replacing) = decision else {
            alreadyDone(source: file.source, output: file.output, status: file.status, plainSize: Int(metadata?.size ?? 0))
            file.pending = false
            return
        }
        file.replacing = replacing
        if options.dryRun {
            reporter.plan(file.source, output: file.output, size: image.count, replacing: replacing)
            file.pending = false
            return
        }
        if let plainSize = unpacker.declaredPlainSize(of: image.contents, opened: opened) {
            guard plainSize <= BatchOptions.smallPlainLimit else {
                file.deferred = true
                file.pending = false
                return
            }
            file.charged = plainSize
            budget.charge(plainSize)
        }
    }

    private func decode(_ file: SmallFile, context: WorkerContext) throws {
        guard let image = file.image, file.opened != nil else { return }
        // Opened again with the key (the read above had none): the format asks for it only if it needs one.
        let opened = try unpacker.open(image.contents, key: { [keys] _ in try keys.key() }, requireKey: true)
        let slot = unpackSlots.take()
        defer { unpackSlots.give(slot) }
        let plain = buffers.take()
        file.plain = plain
        try unpacker.decode(image.contents, opened: opened, slot: slot, into: plain, context: context)
    }

    private func write(_ file: SmallFile) {
        guard !reporter.shouldStop else { return }
        let packing = packOptions != nil
        guard let contents = (packing ? file.image : file.plain)?.contents else { return }
        do {
            if packing {
                try WholeFileOutput.write(
                    contents, to: file.output, mode: file.status.mode & 0o666, modification: nil, overwrite: file.replacing)
                let plainSize = file.slots.isEmpty ? file.plainSize : file.slots.reduce(0) { $0 + $1.plain.count }
                finished(source: file.source, output: file.output, status: file.status, bytesIn: plainSize, bytesOut: contents.count)
            } else if options.isVerifying {
                // Decoded and checked by the worker: nothing to write.
                finished(source: file.source, output: file.source, status: file.status, bytesIn: file.image?.count ?? 0, bytesOut: contents.count)
            } else {
                try checkRecordedName(file.opened?.info.metadata, source: file.source, output: file.output)
                let metadata = options.keepMetadata ? file.opened?.info.metadata : nil
                try WholeFileOutput.write(
                    contents, to: file.output,
                    mode: RestoredMode.bits(recorded: metadata?.mode, preserveSpecialBits: options.preserveSpecialBits),
                    modification: metadata.map { ($0.modificationSeconds, $0.modificationNanoseconds) }, overwrite: file.replacing)
                finished(source: file.source, output: file.output, status: file.status, bytesIn: file.image?.count ?? 0, bytesOut: contents.count)
            }
        } catch {
            reporter.fail(file.source, error)
        }
    }

    private func releaseSlots(_ file: SmallFile) {
        for slot in file.slots { packSlots.give(slot) }
        file.slots = []
    }

    /// Gives every buffer back, hands deferred files on, and frees the bundle's room.
    private func finish(_ bundle: SmallBundle) {
        var charged = 0
        for file in bundle.files {
            releaseSlots(file)
            if let image = file.image { buffers.give(image) }
            if let plain = file.plain { buffers.give(plain) }
            file.image = nil
            file.plain = nil
            charged += file.charged
            if file.deferred { deferred.pushIgnoringCapacity(file.entry) }
        }
        budget.release(bundle.reserved + charged)
        bundleSlots.signal()
        inFlight.leave()
    }
}
