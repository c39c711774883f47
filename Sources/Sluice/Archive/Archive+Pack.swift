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
    /// The walk lists the members first; then one thread writes the tar stream with libarchive into a
    /// pipe, taking each member's contents from ``ArchivePrefetch`` (read by the I/O threads ahead of
    /// it), while this thread runs the chunked pipeline on the pipe's other end. The member index and the
    /// footer follow the content; the file is published only when complete.
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
        guard options.format == .slc else {
            throw SluiceError.invalid("--archive writes .slc archives (--format \(options.format.rawValue) is not supported for archives yet)")
        }
        let failures = Locked(0)
        let report: @Sendable (ArchivePath, SluiceError) -> Void = { path, error in
            failures.withLock { $0 += 1 }
            events(.failed(path, error))
        }
        var walk = ArchiveWalk(filter: archive.filter, now: Int64(Date().timeIntervalSince1970), failed: report)
        for root in roots { walk.add(root: root) }
        let planned = archive.shard.map { ArchivePart.members(walk.members, of: $0) } ?? walk.members
        var result = ArchivePackReport()
        if archive.dryRun {
            for entry in planned { events(.added(entry.member)) }
            result.members = planned.count
            result.contentBytes = planned.reduce(0) { $0 + $1.member.size }
            result.failures = failures.withLock { $0 }
            return result
        }

        let output = try AtomicOutputFile(destination: destination, overwrite: overwrite)
        let plan = try options.plan(inputSize: nil)
        let pool = WorkerPool.shared(workers: plan.workers)
        let reader = IOPool(tokens: io?.tokens ?? StorageKind.ssd.defaultIOTokens, name: "sluice-archive-read")
        defer { reader.shutdown() }
        let prefetch = ArchivePrefetch(planned, pool: reader, window: archive.readAhead, readsXattrs: archive.extendedAttributes)
        let stream = try StreamPipe.start(name: "sluice-tar") { sink in
            try writeStream(planned, prefetch: prefetch, to: sink, failed: report)
        }
        let content: PackReport
        do {
            content = try Pipeline.pack(
                from: stream.readEnd, inputSize: nil, to: output.descriptor, options: options, metadata: nil, plan: plan,
                pool: pool, io: io, positional: false, progress: progress)
        } catch {
            _ = try? stream.readEnd.close()
            _ = try? stream.finish()
            throw error
        }
        _ = try? stream.readEnd.close()
        guard let index = try stream.finish() as? MemberIndex else { throw SluiceError(.library, "the tar writer returned no index") }
        let indexSize = try finish(output, index: index, contentSize: content.packedBytes, options: options, chunkSize: plan.chunkSize)

        result.members = index.members.count
        result.failures = failures.withLock { $0 }
        result.contentBytes = index.members.reduce(0) { $0 + $1.size }
        result.streamBytes = content.plainBytes
        result.packedBytes = content.packedBytes + indexSize + UInt64(ArchiveFooter.size)
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
        let content = try Pipeline.pack(
            from: input, inputSize: size, to: output.descriptor, options: options, metadata: nil, plan: plan,
            pool: WorkerPool.shared(workers: plan.workers), io: io, positional: false, progress: progress)
        // The last member runs to the end of the stream (its end-of-archive blocks included).
        let index = MemberIndex(binding: [], streamEnd: UInt64(size), members: members)
        let indexSize = try finish(output, index: index, contentSize: content.packedBytes, options: options, chunkSize: plan.chunkSize)
        var result = ArchivePackReport()
        result.members = members.count
        result.contentBytes = members.reduce(0) { $0 + $1.size }
        result.streamBytes = content.plainBytes
        result.packedBytes = content.packedBytes + indexSize + UInt64(ArchiveFooter.size)
        result.pack = content
        return result
    }

    /// Appends the index part (bound to the content just written) and the footer, and publishes the
    /// archive; returns the index part's size.
    private static func finish(
        _ output: AtomicOutputFile, index: MemberIndex, contentSize: UInt64, options: PackOptions, chunkSize: Int
    ) throws -> UInt64 {
        var index = index
        index.binding = try headerBinding(output.descriptor)
        let indexPart = try packIndex(index, options: options, chunkSize: chunkSize)
        try indexPart.withUnsafeBytes { try Pipeline.write($0, to: output.descriptor) }
        let footer = ArchiveFooter(contentSize: contentSize, indexSize: UInt64(indexPart.count))
        try footer.encoded.withUnsafeBytes { try Pipeline.write($0, to: output.descriptor) }
        try output.commit(mode: 0o644, modification: nil, sync: false)
        return UInt64(indexPart.count)
    }

    /// Writes the tar stream of `planned` to `sink`; returns its member index (without the binding).
    private static func writeStream(
        _ planned: [PlannedMember], prefetch: ArchivePrefetch, to sink: FileDescriptor,
        failed: @Sendable (ArchivePath, SluiceError) -> Void
    ) throws -> MemberIndex {
        let writer = try TarWriter { bytes in try Pipeline.write(bytes, to: sink) }
        var members: [ArchiveMember] = []
        members.reserveCapacity(planned.count)
        let block = RawBuffer(capacity: 1 << 20)
        var taken = 0
        defer { prefetch.drain(from: taken) }
        for (number, entry) in planned.enumerated() {
            let (contents, xattrs) = prefetch.take(number)
            taken = number + 1
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
            members.append(member)
        }
        let end = writer.bytesWritten
        try writer.close()
        return MemberIndex(binding: [], streamEnd: end, members: members)
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

    /// SHA-256 of the content part's header (its salt makes it unique to this archive).
    static func headerBinding(_ input: FileDescriptor) throws -> [UInt8] {
        let start = try Pipeline.pread(input, at: 0, count: 12)
        let length = Int(start[10]) | Int(start[11]) << 8
        let header = try Pipeline.pread(input, at: 0, count: max(12, length))
        var digest = [UInt8](repeating: 0, count: 32)
        try header.withUnsafeBytes { bytes in try digest.withUnsafeMutableBytes { try LibCrypto.sha256(bytes, into: $0.baseAddress!) } }
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
