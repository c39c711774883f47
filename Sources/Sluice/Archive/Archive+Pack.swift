#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SystemPackage

/// Choices of `pack --archive` beyond those of ``PackOptions``.
public struct ArchiveOptions: Sendable {
    /// Which files and directories go in (`--include`, `--exclude`, `--older-than`, …).
    public var filter = FileFilter()
    /// List what would go in; write nothing.
    public var dryRun = false
    /// Members whose contents the I/O threads read ahead of the tar writer.
    public var readAhead = 64
    /// Record extended attributes (`user.*`, `security.*`, …) where the file system has them.
    public var extendedAttributes = true
    /// Which members go in, beyond ``filter``, asked of every member but directories (which always
    /// go in): a part of the tree for one archive of several. A file whose first name is left out is
    /// not linked to by a later name (that name goes in as a file of its own, when it is selected).
    /// `nil`: every member.
    public var select: (@Sendable (ArchiveMember) -> Bool)?
    /// `--shard I/N`: only the members of this shard (``ArchivePart``); `nil`: every member.
    public var shard: Shard?

    /// The defaults: every file, read 64 members ahead, extended attributes recorded.
    public init() {}
}

/// What happened to one member while an archive was written or extracted.
public enum ArchiveEvent: Sendable {
    /// A member that went in (or, with `dryRun`, would).
    case added(ArchiveMember)
    /// A member that could not be read or written; the run went on without it.
    case failed(ArchivePath, SluiceError)
}

/// What `pack --archive` did.
public struct ArchivePackReport: Sendable {
    /// Members written (or, with `dryRun`, that would be).
    public var members = 0
    /// Members left out or written incompletely because of an error (each reported as an event).
    public var failures = 0
    /// Regular-file bytes that went in.
    public var contentBytes: UInt64 = 0
    /// The tar stream's size.
    public var streamBytes: UInt64 = 0
    /// The archive's size, both parts and the footer.
    public var packedBytes: UInt64 = 0
    /// The content part's run; `nil` for a dry run.
    public var pack: PackReport?
}

/// Directories in one file: a pax tar stream packed like any other input, plus a member index
/// (docs/archives.md, docs/format.md "Archives").
public enum Archive {
    /// Packs the trees `roots` into the archive `destination`.
    ///
    /// The chunked pipeline's reader thread walks the trees and writes the tar stream with libarchive
    /// straight into the chunks (``ChunkSink``), taking each member's contents from ``ArchivePrefetch``
    /// (read by the I/O threads ahead of it, in parallel) as the walk finds them; the member index is
    /// spilled to an unnamed file as it goes (``IndexSpool``). The index part and the footer follow the
    /// content; the file is published only when complete. Memory does not grow with the tree.
    ///
    /// - Parameters:
    ///   - events: called (from any thread, one at a time) for every member added (dry run only) and
    ///     every member that failed.
    ///   - progress: the tar stream's bytes packed so far.
    /// - Throws: ``SluiceError`` for anything that stops the run; members that cannot be read are
    ///   reported as events and counted in ``ArchivePackReport/failures`` instead.
    public static func pack(
        _ roots: [String], to destination: FilePath, overwrite: Bool, options: PackOptions, archive: ArchiveOptions,
        io: IOPool? = nil, events: @escaping @Sendable (ArchiveEvent) -> Void, progress: (UInt64) -> Void = { _ in }
    ) throws -> ArchivePackReport {
        try checkArchiveFormat(options)
        let failures = Locked(0)
        let report: @Sendable (ArchivePath, SluiceError) -> Void = { path, error in
            failures.withLock { $0 += 1 }
            events(.failed(path, error))
        }
        var walk = ArchiveWalk(
            roots: roots, filter: archive.filter, now: Int64(Date().timeIntervalSince1970), select: archive.select, shard: archive.shard,
            failed: report)
        var result = ArchivePackReport()
        if archive.dryRun {
            while let entry = walk.next() {
                events(.added(entry.member))
                result.members += 1
                if entry.member.kind == .file { result.contentBytes += entry.member.size }
            }
            result.failures = failures.withLock { $0 }
            return result
        }

        let output = try AtomicOutputFile(destination: destination, overwrite: overwrite)
        let directory = destination.removingLastComponent()
        let spool = try IndexSpool(directory: directory.isEmpty ? "." : directory)
        let plan = try options.plan(inputSize: nil)
        let pool = WorkerPool.shared(workers: plan.workers)
        let reader = IOPool(tokens: io?.tokens ?? StorageKind.ssd.defaultIOTokens, name: "sluice-archive-read")
        defer { reader.shutdown() }
        let prefetch = ArchivePrefetch(walk, pool: reader, window: archive.readAhead, readsXattrs: archive.extendedAttributes)
        let streamEnd = Locked<UInt64>(0)
        let content = try Pipeline.pack(
            producing: { sink in
                let end = try writeStream(prefetch, into: sink, index: spool, failed: report)
                streamEnd.withLock { $0 = end }
            }, to: output.descriptor, options: options, plan: plan, pool: pool, io: io, progress: progress)
        let binding = try binding(output.descriptor, options: options, contentSize: content.packedBytes)
        let end = streamEnd.withLock { $0 }
        let produceIndex: @Sendable (ChunkSink) throws -> Void = { sink in try spool.stream(binding: binding, streamEnd: end, into: sink) }
        let indexSize: UInt64
        if options.format == .zstd {
            indexSize = try packZstdIndex(produceIndex, after: content.packedBytes, to: output, options: options, pool: pool, io: io)
        } else {
            indexSize = try Pipeline.pack(
                producing: produceIndex, to: output.descriptor, options: options, plan: try options.plan(inputSize: nil), pool: pool, io: io
            ).packedBytes
        }
        let footer = ArchiveFooter(contentSize: content.packedBytes, indexSize: indexSize, layout: options.format == .zstd ? .zstd : .slc)
        try finish(output, footer)

        result.members = spool.count
        result.failures = failures.withLock { $0 }
        result.contentBytes = spool.contentBytes
        result.streamBytes = content.plainBytes
        result.packedBytes = footer.fileSize
        result.pack = content
        return result
    }

    /// Packs an existing tar stream (`pack --archive --from-tar FILE`): a first pass reads it with
    /// libarchive to build the member index (offsets and digests), the second packs its bytes as they
    /// are. The members are not checked for safety here: extraction does that.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when `source` is not a tar stream libarchive reads.
    public static func pack(
        tar source: FilePath, to destination: FilePath, overwrite: Bool, options: PackOptions, io: IOPool? = nil,
        progress: (UInt64) -> Void = { _ in }
    ) throws -> ArchivePackReport {
        try checkArchiveFormat(options)
        let input: FileDescriptor
        do { input = try FileDescriptor.open(source, .readOnly, options: [.closeOnExec]) } catch {
            throw SluiceError(.io, "cannot open \(source)", cause: error as? Errno)
        }
        defer { _ = try? input.close() }
        let size = try FileSystem.status(of: input).size
        var members: [ArchiveMember] = []
        do {
            let reader = try TarReader(input, name: source.string)
            let block = RawBuffer(capacity: 1 << 20)
            while var member = try reader.next() {
                if member.kind == .file {
                    let digest = try XXH3Stream()
                    while true {
                        let got = try reader.read(into: block[0..<(1 << 20)])
                        if got == 0 { break }
                        digest.update(UnsafeRawBufferPointer(block[0..<got]))
                    }
                    member.digest = digest.finish()
                }
                member.xattrs = []
                members.append(member)
            }
        }
        _ = try input.seek(offset: 0, from: .start)
        let output = try AtomicOutputFile(destination: destination, overwrite: overwrite)
        let plan = try options.plan(inputSize: size)
        let pool = WorkerPool.shared(workers: plan.workers)
        let content = try Pipeline.pack(
            from: input, inputSize: size, to: output.descriptor, options: options, metadata: nil, plan: plan,
            pool: pool, io: io, positional: false, progress: progress)
        // The last member runs to the end of the stream (its end-of-archive blocks included).
        var index = MemberIndex(binding: [], streamEnd: UInt64(size), members: members)
        index.binding = try binding(output.descriptor, options: options, contentSize: content.packedBytes)
        let indexSize: UInt64
        if options.format == .zstd {
            let encoded = index.encoded()
            indexSize = try packZstdIndex(
                { sink in try encoded.withUnsafeBytes { try sink.write($0) } }, after: content.packedBytes, to: output, options: options,
                pool: pool, io: io)
        } else {
            let indexPart = try packIndex(index, options: options, chunkSize: plan.chunkSize)
            try indexPart.withUnsafeBytes { try Pipeline.write($0, to: output.descriptor) }
            indexSize = UInt64(indexPart.count)
        }
        let footer = ArchiveFooter(contentSize: content.packedBytes, indexSize: indexSize, layout: options.format == .zstd ? .zstd : .slc)
        try finish(output, footer)
        var result = ArchivePackReport()
        result.members = members.count
        result.contentBytes = members.reduce(0) { $0 + $1.size }
        result.streamBytes = content.plainBytes
        result.packedBytes = footer.fileSize
        result.pack = content
        return result
    }

    /// `.tar.slc` (any cipher) or `.tar.zst` (no encryption: refused where the options are parsed).
    private static func checkArchiveFormat(_ options: PackOptions) throws {
        guard options.format == .slc || options.format == .zstd else {
            throw SluiceError.invalid("--archive writes .tar.slc or .tar.zst archives (--format \(options.format.rawValue) is not supported for archives)")
        }
        guard options.format == .slc || options.cipher == .none else {
            throw SluiceError.invalid("--format zstd writes a standard zstd file, which has no encryption: write a .tar.slc archive to encrypt")
        }
    }

    /// A `.tar.zst`'s index: a skippable frame's header, then the index `produce` writes packed as a
    /// seekable zstd stream of its own (``ArchiveIndexFrame``); the header is written last, when the
    /// index's packed size is known. Returns that size.
    private static func packZstdIndex(
        _ produce: @escaping @Sendable (ChunkSink) throws -> Void, after contentSize: UInt64, to output: AtomicOutputFile,
        options: PackOptions, pool: WorkerPool, io: IOPool?
    ) throws -> UInt64 {
        try [UInt8](repeating: 0, count: ArchiveIndexFrame.headerSize).withUnsafeBytes { try Pipeline.write($0, to: output.descriptor) }
        let part = try Pipeline.pack(
            producing: produce, to: output.descriptor, options: options, plan: try options.plan(inputSize: nil), pool: pool, io: io)
        try ArchiveIndexFrame.header(indexSize: part.packedBytes).withUnsafeBytes {
            try Pipeline.write($0, to: output.descriptor, at: Int64(contentSize))
        }
        return part.packedBytes
    }

    /// Appends the footer after the index part and publishes the archive.
    private static func finish(_ output: AtomicOutputFile, _ footer: ArchiveFooter) throws {
        try footer.encoded.withUnsafeBytes { try Pipeline.write($0, to: output.descriptor) }
        try output.commit(mode: 0o644, modification: nil, sync: false)
    }

    /// Writes the tar stream of the members `prefetch` hands out into `sink`, recording each in
    /// `index`; returns where the end-of-archive blocks start.
    private static func writeStream(
        _ prefetch: ArchivePrefetch, into sink: ChunkSink, index: IndexSpool, failed: @Sendable (ArchivePath, SluiceError) -> Void
    ) throws -> UInt64 {
        let writer = try TarWriter { bytes in try sink.write(bytes) }
        let block = RawBuffer(capacity: 1 << 20)
        defer { prefetch.drain() }
        while let (entry, contents, xattrs) = prefetch.next() {
            var member = entry.member
            if case .failed(let error) = contents {
                failed(member.path, error)
                continue
            }
            member.headerOffset = writer.bytesWritten
            try writer.begin(member, xattrs: xattrs)
            if member.kind == .file {
                let digest = try XXH3Stream()
                var shortfall: SluiceError?
                switch contents {
                case .whole(let buffer):
                    let count = min(buffer.count, Int(member.size))
                    let data = UnsafeRawBufferPointer(rebasing: buffer.contents[0..<count])
                    digest.update(data)
                    try writer.write(data)
                    if buffer.count != Int(member.size) { shortfall = changed(member) }
                    if count < Int(member.size) { try pad(writer, digest, count: Int(member.size) - count, block) }
                case .opened(let fd):
                    defer { _ = try? fd.close() }
                    var done: UInt64 = 0
                    while done < member.size {
                        let want = Int(min(UInt64(block.bytes.count), member.size - done))
                        let got = (try? Pipeline.readInput(fd, into: block[0..<want])) ?? 0
                        if got == 0 { break }
                        let data = UnsafeRawBufferPointer(block[0..<got])
                        digest.update(data)
                        try writer.write(data)
                        done += UInt64(got)
                    }
                    if done < member.size {
                        shortfall = changed(member)
                        try pad(writer, digest, count: Int(member.size - done), block)
                    }
                case .none, .failed:
                    break
                }
                member.digest = digest.finish()
                if let shortfall { failed(member.path, shortfall) }
            }
            try writer.finishMember()
            try index.append(member)
        }
        let end = writer.bytesWritten
        try writer.close()
        return end
    }

    private static func changed(_ member: ArchiveMember) -> SluiceError {
        SluiceError(.io, "\(member.path) changed size while it was being archived (\(member.size) bytes recorded; the archive holds that many, zero-filled or cut)")
    }

    /// Zero bytes in place of a file's missing end, as tar does for a file that shrank.
    private static func pad(_ writer: TarWriter, _ digest: XXH3Stream, count: Int, _ block: RawBuffer) throws {
        var left = count
        memset(block.bytes.baseAddress!, 0, block.bytes.count)
        while left > 0 {
            let size = min(left, block.bytes.count)
            let zeros = UnsafeRawBufferPointer(block[0..<size])
            digest.update(zeros)
            try writer.write(zeros)
            left -= size
        }
    }

    /// What the index is bound to: the content part's header (`.tar.slc`) or seek table (`.tar.zst`).
    private static func binding(_ input: FileDescriptor, options: PackOptions, contentSize: UInt64) throws -> [UInt8] {
        options.format == .zstd ? try seekTableBinding(input, contentSize: contentSize) : try headerBinding(input)
    }

    /// SHA-256 of the content part's header (its salt makes it unique to this archive).
    static func headerBinding(_ input: FileDescriptor) throws -> [UInt8] {
        let start = try Pipeline.pread(input, at: 0, count: 12)
        let length = Int(start[10]) | Int(start[11]) << 8
        return try sha256(try Pipeline.pread(input, at: 0, count: max(12, length)))
    }

    /// SHA-256 of a zstd content's seek table (every frame's sizes and the checksum of its plaintext).
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the content does not end in a seek table.
    static func seekTableBinding(_ input: FileDescriptor, contentSize: UInt64) throws -> [UInt8] {
        let footerSize = UInt64(ZstdSeekTable.footerSize)
        guard contentSize >= footerSize,
              let size = try ZstdSeekTable.tableFrameSize(footer: try Pipeline.pread(input, at: contentSize - footerSize, count: ZstdSeekTable.footerSize)),
              UInt64(size) <= contentSize
        else { throw SluiceError.corrupt("the archive's zstd content does not end in a seek table") }
        return try sha256(try Pipeline.pread(input, at: contentSize - UInt64(size), count: size))
    }

    private static func sha256(_ bytes: [UInt8]) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        try bytes.withUnsafeBytes { bytes in try digest.withUnsafeMutableBytes { try LibCrypto.sha256(bytes, into: $0.baseAddress!) } }
        return digest
    }

    /// The index part: the encoded index packed as a `.slc` of its own with the archive's options.
    private static func packIndex(_ index: MemberIndex, options: PackOptions, chunkSize: Int) throws -> [UInt8] {
        let plain = index.encoded()
        var slots: [PackSlot] = []
        var start = 0
        repeat {
            let slot = PackSlot()
            let count = min(chunkSize, plain.count - start)
            slot.plain.reserve(max(count, 1))
            plain.withUnsafeBytes { source in
                if count > 0 { slot.plain.bytes.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: count) }
            }
            slot.plain.count = count
            slots.append(slot)
            start += count
        } while start < plain.count
        let image = RawBuffer()
        _ = try MemoryPacker(options: options, chunkSize: chunkSize).pack(
            slots, metadata: nil, codec: options.codec, into: image, context: WorkerContext())
        return Array(image.contents)
    }
}
