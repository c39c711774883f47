#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Where a pack or unpack writes.
public enum OutputTarget: Sendable {
    /// A file, written atomically; `overwrite` is `--force`.
    case file(FilePath, overwrite: Bool)
    /// Standard output, written as the chunks are verified.
    case standardOutput

    /// The file's path; `nil` for standard output.
    var path: FilePath? {
        if case .file(let path, _) = self { return path }
        return nil
    }
}

/// What happens around the output file besides writing it.
public struct OutputPolicy: Sendable {
    /// fsync the output (and its directory) before reporting success.
    public var sync = false
    /// Delete the input once the output is synced and verified.
    public var removeSource = false
    /// Keep setuid, setgid and sticky bits of a restored mode (``RestoredMode``).
    public var preserveSpecialBits = false
    /// Unpacking to a new regular file, leave runs of zeros as holes (``SparseOutput``), as
    /// `zstd --sparse` and `cp --sparse=auto` do; `false` is `--no-sparse`: every byte is written.
    public var sparse = true

    /// A policy; every part is off unless asked for, but holes (`sparse`), which are left by default.
    public init(sync: Bool = false, removeSource: Bool = false, preserveSpecialBits: Bool = false, sparse: Bool = true) {
        self.sync = sync
        self.removeSource = removeSource
        self.preserveSpecialBits = preserveSpecialBits
        self.sparse = sparse
    }
}

extension Pipeline {
    /// `name.slc`, or `name.zst` / `name.lz4` / `name.age` for the other formats.
    public static func packedName(for path: FilePath, format: ContainerKind = .slc) -> FilePath {
        FilePath(path.string + format.fileExtension)
    }

    /// `name` for `name.slc`, `name.zst`, `name.lz4` or `name.age`; `nil` when the name ends in none of them.
    public static func unpackedName(for path: FilePath) -> FilePath? {
        let text = path.string
        guard let format = ContainerKind.allCases.first(where: { text.hasSuffix($0.fileExtension) }),
              let last = path.lastComponent, last.string.count > format.fileExtension.count
        else { return nil }
        return FilePath(String(text.dropLast(format.fileExtension.count)))
    }

    /// Packs the file at `input` (`nil`: standard input) to `target`.
    ///
    /// - Parameters:
    ///   - keepMetadata: record name, size, mode and mtime in the header.
    ///   - armored: write age's ASCII armor around the file (``ContainerKind/age`` only).
    ///   - explain: called before any work with the reasons behind the chunk size, window and read
    ///     strategy, one line each (`--explain`).
    ///   - io: the I/O pool whose tokens every read and write holds, and whose threads write the frames
    ///     of a file output; `nil`: the run's own reader and writer threads, without tokens.
    ///   - storage: `--storage`: the kind of device, which then decides how a regular input is read
    ///     instead of what the page cache and the device's queue say (``ReadChoice``).
    /// - Throws: ``SluiceError``; no output file is left behind.
    public static func packFile(
        _ input: FilePath?, to target: OutputTarget, options: PackOptions, keepMetadata: Bool = true, armored: Bool = false,
        policy: OutputPolicy = OutputPolicy(), io: IOPool? = nil, storage: StorageKind? = nil,
        explain: ([String]) -> Void = { _ in }, progress: (UInt64) -> Void = { _ in }
    ) throws -> PackReport {
        let source = try openInput(input)
        defer { if input != nil { _ = try? source.fd.close() } }
        do {
            return try pack(
                source, input, to: target, stream: .standardOutput, options: options, keepMetadata: keepMetadata, armored: armored,
                policy: policy, io: io, storage: storage, explain: explain, progress: progress)
        } catch let error as SluiceError {
            throw error.naming(input: input, output: target.path)
        }
    }

    /// ``packFile(_:to:options:keepMetadata:armored:policy:io:storage:explain:progress:)`` from an open
    /// input; `stream` is the descriptor written for ``OutputTarget/standardOutput``.
    static func pack(
        _ source: OpenInput, _ input: FilePath?, to target: OutputTarget, stream: FileDescriptor, options: PackOptions,
        keepMetadata: Bool, armored: Bool, policy: OutputPolicy, io: IOPool?, storage: StorageKind?,
        explain: ([String]) -> Void, progress: (UInt64) -> Void
    ) throws -> PackReport {
        let size = source.status?.isRegular == true ? source.status!.size : nil
        var plan = try options.plan(inputSize: size)
        let reads = readChoice(source, io: io, storage: storage, chunkSize: plan.chunkSize)
        if let reads { plan.reasons.append(reads.reason) }
        explain(plan.reasons)
        let metadata: FileMetadata? = keepMetadata
            ? FileMetadata(
                size: size.map(UInt64.init), mode: source.status?.isRegular == true ? source.status!.mode : 0o644,
                modificationSeconds: source.status?.modificationSeconds ?? 0,
                modificationNanoseconds: source.status?.modificationNanoseconds ?? 0,
                name: input?.lastComponent?.string ?? "")
            : nil
        let pool = WorkerPool.shared(workers: plan.workers)
        if armored, options.format != .age { throw SluiceError.invalid("armor is for age files") }
        /// The engine's run to `output`; armored, through the armoring thread, in order.
        func pack(to output: FileDescriptor, positional: Bool = false) throws -> PackReport {
            guard armored else {
                return try Pipeline.pack(from: source.fd, inputSize: size, to: output, options: options, metadata: metadata,
                                         plan: plan, pool: pool, io: io, positional: positional, reads: reads, progress: progress)
            }
            let armor = try ArmorPipe.armoring(to: output)
            let report: PackReport
            do {
                report = try Pipeline.pack(from: source.fd, inputSize: size, to: armor.engineEnd, options: options,
                                           metadata: metadata, plan: plan, pool: pool, io: io, positional: false, reads: reads,
                                           progress: progress)
            } catch {
                try? armor.finishArmoring()
                throw error
            }
            try armor.finishArmoring()
            return report
        }
        let report: PackReport
        switch target {
        case .standardOutput:
            let report = try pack(to: stream)
            try refuseChangedSource(source, input)
            return report
        case .file(let path, let overwrite):
            try refuseSameFile(source, path)
            if let device = try openDeviceOutput(path) {
                defer { _ = try? device.close() }
                return try pack(to: device)
            }
            let output = try AtomicOutputFile(destination: path, overwrite: overwrite)
            report = try pack(to: output.descriptor, positional: true)
            try refuseChangedSource(source, input)
            let mode = source.status?.isRegular == true ? source.status!.mode & 0o666 : 0o644
            if policy.removeSource {
                try output.commit(mode: mode, modification: nil, sync: true)
                guard let input else { return report }
                let keyForCheck = options.key
                do {
                    _ = try verifyFile(path, key: { _ in keyForCheck })
                } catch {
                    throw SluiceError(.io, "the new \(path) did not verify, \(input) was kept", cause: error as? SluiceError)
                }
                try removeVerifiedSource(input)
            } else {
                try output.commit(mode: mode, modification: nil, sync: policy.sync)
            }
        }
        return report
    }

    /// Unpacks `input` (`nil`: standard input) to `target`, restoring mode and mtime when the header
    /// has them (`restoreMetadata`).
    ///
    /// - Parameters:
    ///   - range: restore only these bytes of the original (a seekable input is needed); the output then
    ///     gets no recorded mtime.
    ///   - storage: `--storage`, as for ``packFile(_:to:options:keepMetadata:policy:io:storage:explain:progress:)``.
    ///   - explain: called before any frame is read with how the input will be read and why.
    ///
    /// - Throws: ``SluiceError``; no output file is left behind, and with a file target nothing is
    ///   published unless every frame, the trailer and the digest verified.
    public static func unpackFile(
        _ input: FilePath?, to target: OutputTarget, key: KeyProvider, workers: Int? = nil,
        memoryLimit: ByteCount? = nil, limits: DecodeLimits = DecodeLimits(), restoreMetadata: Bool = true, policy: OutputPolicy = OutputPolicy(),
        range: Range<UInt64>? = nil, io: IOPool? = nil, storage: StorageKind? = nil, opened: (ContainerInfo) throws -> Void = { _ in },
        explain: (String) -> Void = { _ in }, progress: (UInt64) -> Void = { _ in }
    ) throws -> UnpackReport {
        let source = try openInput(input)
        defer { if input != nil { _ = try? source.fd.close() } }
        do {
            return try unpack(
                source, input, to: target, stream: .standardOutput, key: key, workers: workers, memoryLimit: memoryLimit,
                limits: limits, restoreMetadata: restoreMetadata, policy: policy, range: range, io: io, storage: storage,
                opened: opened, explain: explain, progress: progress)
        } catch let error as SluiceError {
            throw error.naming(input: input, output: target.path)
        }
    }

    /// ``unpackFile(_:to:key:workers:memoryLimit:limits:restoreMetadata:policy:range:io:storage:opened:explain:progress:)``
    /// from an open input; `stream` is the descriptor written for ``OutputTarget/standardOutput``.
    static func unpack(
        _ source: OpenInput, _ input: FilePath?, to target: OutputTarget, stream: FileDescriptor, key: KeyProvider,
        workers: Int?, memoryLimit: ByteCount?, limits: DecodeLimits, restoreMetadata: Bool, policy: OutputPolicy,
        range: Range<UInt64>?, io: IOPool?, storage: StorageKind?, opened: (ContainerInfo) throws -> Void,
        explain: (String) -> Void, progress: (UInt64) -> Void
    ) throws -> UnpackReport {
        let isStream = source.status?.isRegular != true
        if range != nil, isStream { throw SluiceError.invalid("--range needs a file, not a pipe") }
        let workerCount = workers ?? WorkerPool.availableCores
        let pool = WorkerPool.shared(workers: workerCount)
        let (format, consumed) = try detectFormat(source)
        // Every format through its reader; a zstd or LZ4 file is never encrypted: refused by the key
        // policy when a key or a context was given.
        let header = try readHeader(from: source.fd, key: key, limits: limits, consumed: consumed, format: format.isStandard ? format : nil)
        try opened(header.info)
        // A zstd or LZ4 file's frames are found in the file itself: no read pattern is chosen for them.
        let reads = range == nil && !format.isStandard
            ? readChoice(source, io: io, storage: storage, chunkSize: header.reader.maxPlainSize) : nil
        if let reads { explain(reads.reason) }
        /// `positional`: `output` is a new regular file (written at offsets, with holes unless `--no-sparse`).
        func decode(to output: FileDescriptor, positional: Bool) throws -> UnpackReport {
            let sparse = positional && policy.sparse
            if let range {
                return try unpackRange(
                    header, from: source.fd, fileSize: UInt64(source.status!.size), range: range, to: output,
                    workers: workerCount, memoryLimit: memoryLimit, pool: pool, sparse: sparse)
            }
            return try unpack(
                header, from: source.fd, to: output, workers: workerCount, memoryLimit: memoryLimit, pool: pool, io: io,
                isStream: isStream, positional: positional, reads: reads, sparse: sparse, progress: progress)
        }
        switch target {
        case .standardOutput:
            return try decode(to: stream, positional: false)
        case .file(let path, let overwrite):
            try refuseSameFile(source, path)
            if let device = try openDeviceOutput(path) {
                defer { _ = try? device.close() }
                return try decode(to: device, positional: false)
            }
            let output = try AtomicOutputFile(destination: path, overwrite: overwrite)
            let report = try decode(to: output.descriptor, positional: true)
            let metadata = restoreMetadata && range == nil ? header.info.metadata : nil
            try output.commit(
                mode: format.isStandard ? Self.standardMode
                    : RestoredMode.bits(recorded: metadata?.mode, preserveSpecialBits: policy.preserveSpecialBits),
                modification: metadata.map { ($0.modificationSeconds, $0.modificationNanoseconds) },
                sync: policy.sync || policy.removeSource)
            if policy.removeSource, let input { try removeVerifiedSource(input) }
            return report
        }
    }

    /// Decodes `input` completely and checks everything, writing nothing.
    public static func verifyFile(
        _ input: FilePath?, key: KeyProvider, workers: Int? = nil, memoryLimit: ByteCount? = nil,
        limits: DecodeLimits = DecodeLimits(), io: IOPool? = nil, storage: StorageKind? = nil
    ) throws -> UnpackReport {
        let source = try openInput(input)
        defer { if input != nil { _ = try? source.fd.close() } }
        return try verify(source, key: key, workers: workers, memoryLimit: memoryLimit, limits: limits, io: io, storage: storage)
    }

    /// ``verifyFile(_:key:workers:memoryLimit:limits:io:storage:)`` from an open input.
    static func verify(
        _ source: OpenInput, key: KeyProvider, workers: Int?, memoryLimit: ByteCount?, limits: DecodeLimits,
        io: IOPool?, storage: StorageKind?
    ) throws -> UnpackReport {
        let workerCount = workers ?? WorkerPool.availableCores
        let (format, consumed) = try detectFormat(source)
        let opened = try readHeader(from: source.fd, key: key, limits: limits, consumed: consumed, format: format.isStandard ? format : nil)
        return try unpack(opened, from: source.fd, to: nil, workers: workerCount, memoryLimit: memoryLimit,
                          pool: WorkerPool.shared(workers: workerCount), io: io, isStream: source.status?.isRegular != true,
                          reads: format.isStandard ? nil : readChoice(source, io: io, storage: storage, chunkSize: opened.reader.maxPlainSize))
    }

    /// How a regular input read with `io` (``IOPool/standard`` when `nil`) is read (``ReadChoice``);
    /// `nil` for a pipe. Without `storage`, a cold input is timed in both patterns (``ReadTiming``)
    /// unless `io` has one token (one read at a time: nothing to compare).
    static func readChoice(_ source: OpenInput, io: IOPool?, storage: StorageKind?, chunkSize: Int) -> ReadChoice? {
        guard let status = source.status, status.isRegular else { return nil }
        let tokens = (io ?? .standard).tokens
        return ReadChoice.choose(
            probe: ReadProbe.of(source.fd, size: UInt64(status.size), measuring: storage == nil ? tokens : nil),
            storage: storage, chunkSize: chunkSize, tokens: tokens)
    }

    /// The mode of a file restored from a zstd or LZ4 file, which records none.
    static let standardMode: UInt32 = 0o644

    /// Reads the first bytes of `source` and names its format by their magic. A file that starts with
    /// a skippable frame (legal in zstd and LZ4 files alike) is named by the first frame after its
    /// skippable ones, or is taken as zstd from a pipe. The bytes read are returned to be decoded.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` for a file that is none of the formats.
    static func detectFormat(_ source: OpenInput) throws -> (ContainerKind, [UInt8]) {
        var magic = [UInt8](repeating: 0, count: 4)
        let got = try magic.withUnsafeMutableBytes { try readInput(source.fd, into: $0) }
        magic.removeLast(4 - got)
        if got < 4 { return (.slc, magic) }  // too short for anything: the .slc reader says so
        if let format = ContainerKind.detect(magic), format.isStandard { return (format, magic) }
        guard ContainerKind.startsWithSkippableFrame(magic) else {
            // Anything else is for the .slc reader to name (too short, bad magic, a valid header).
            return (.slc, magic)
        }
        guard source.status?.isRegular == true, let start = try? source.fd.seek(offset: 0, from: .current) else { return (.zstd, magic) }
        var offset = start - 4
        var probe = [UInt8](repeating: 0, count: 8)
        while try probe.withUnsafeMutableBytes({ try readInput(source.fd, into: $0, at: offset) }) == 8,
              let size = ContainerKind.skippableFrameSize(probe) {
            offset += Int64(size)
        }
        return (ContainerKind.detect(probe) == .lz4 ? .lz4 : .zstd, magic)
    }

    struct OpenInput {
        var fd: FileDescriptor
        var status: FileSystem.Status?
    }

    static func openInput(_ path: FilePath?) throws -> OpenInput {
        guard let path else {
            return OpenInput(fd: .standardInput, status: try? FileSystem.status(of: .standardInput))
        }
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec])
        } catch Errno.noSuchFileOrDirectory {
            throw SluiceError(.io, "\(path): no such file")
        } catch Errno.permissionDenied {
            throw SluiceError(.io, "\(path): permission denied")
        } catch {
            throw SluiceError(.io, "cannot open \(path)", cause: error)
        }
        var status = try? FileSystem.status(of: fd)
        // A /proc or /sys file's size is not its length: read it as a stream, as a pipe is read.
        if status?.isRegular == true, FileSystem.hasSyntheticSize(fd) { status?.isRegular = false }
        if status?.isDirectory == true {
            _ = try? fd.close()
            throw SluiceError.invalid("\(path) is a directory")
        }
        return OpenInput(fd: fd, status: status)
    }

    /// An output that exists and is not a regular file (`/dev/null`, a FIFO, a terminal) is written to
    /// directly: there is nothing to replace atomically, and renaming a temporary file over a device
    /// node would destroy it.
    static func openDeviceOutput(_ path: FilePath) throws -> FileDescriptor? {
        guard let status = try? FileSystem.status(ofPath: path), !status.isRegular else { return nil }
        if status.isDirectory { throw SluiceError.invalid("\(path) is a directory") }
        do {
            return try FileDescriptor.open(path, .writeOnly, options: [.closeOnExec])
        } catch {
            throw SluiceError(.io, "cannot open \(path) for writing", cause: error)
        }
    }

    /// Refuses to write over the input itself, even with `--force`.
    static func refuseSameFile(_ source: OpenInput, _ output: FilePath) throws {
        guard let input = source.status, let existing = try? FileSystem.status(ofPath: output) else { return }
        if input.device == existing.device, input.inode == existing.inode {
            throw SluiceError.invalid("input and output are the same file (\(output))")
        }
    }

    /// Refuses a regular file that was modified while it was read: same size but a new mtime means
    /// bytes were rewritten in place, and the output may mix old and new content (a size change is
    /// caught by `pack` itself). Like tar's "file changed as we read it", but an error: no output.
    static func refuseChangedSource(_ source: OpenInput, _ path: FilePath?) throws {
        guard let before = source.status, before.isRegular, let after = try? FileSystem.status(of: source.fd) else { return }
        guard after.size == before.size, after.modificationSeconds == before.modificationSeconds,
              after.modificationNanoseconds == before.modificationNanoseconds
        else {
            throw SluiceError(.io, "\(path.map(\.string) ?? "the input") changed while it was being packed; nothing was written")
        }
    }

    static func removeVerifiedSource(_ path: FilePath) throws {
        do {
            try FileSystem.remove(path)
        } catch {
            throw SluiceError(.io, "cannot remove \(path)", cause: error)
        }
    }
}
