import Foundation
import SystemPackage

/// What `unpack` or `verify` of an archive did.
public struct ArchiveExtractReport: Sendable {
    /// Members extracted (or checked).
    public var members = 0
    /// Members refused or not written (each reported as an event).
    public var failures = 0
    /// Regular-file bytes written (or checked).
    public var contentBytes: UInt64 = 0
    /// Frames of the content part decoded.
    public var chunks: UInt64 = 0
}

extension Archive {
    /// Where the decoded tar stream goes.
    enum StreamUse {
        /// Members written below a directory.
        case extract(FilePath, ExtractOptions)
        /// Members checked against the index, nothing written (`verify`).
        case verify
    }

    /// Decodes the content part (every frame, in parallel) into `output`: the plain tar stream
    /// (`unpack -c`).
    public static func writeStream(
        _ archive: OpenedArchive, from fd: FileDescriptor, to output: FileDescriptor, workers: Int?, memoryLimit: ByteCount? = nil,
        io: IOPool? = nil
    ) throws -> UnpackReport {
        let content = try openContent(archive, fd)
        let pool = WorkerPool.shared(workers: workers ?? WorkerPool.availableCores)
        return try Pipeline.unpack(
            content.reader, from: fd, to: output, workers: workers ?? WorkerPool.availableCores, memoryLimit: memoryLimit, pool: pool,
            io: io ?? .standard, isStream: false, positional: false, indexedSize: archive.contentSize, progress: { _ in })
    }

    /// Extracts the members of `archive` below `directory` — all of them, or with `only` those whose
    /// names match one of the globs (reading only the frames that hold them, through the range restore).
    ///
    /// Every member is checked against the index (name, type, size, place in the stream, digest of
    /// its contents); a member that is refused (docs/archives.md, "Hostile archives") or cannot be
    /// written is reported through `events` and counted, and the run goes on.
    ///
    /// - Throws: ``SluiceError`` for what stops the run: a key that does not open the content, a corrupt
    ///   frame, a tar stream that does not match the index.
    public static func extract(
        _ archive: OpenedArchive, from fd: FileDescriptor, to directory: FilePath, options: ExtractOptions, only: [Glob] = [],
        workers: Int?, memoryLimit: ByteCount? = nil, io: IOPool? = nil, events: @escaping @Sendable (ArchiveEvent) -> Void
    ) throws -> ArchiveExtractReport {
        try decode(archive, from: fd, use: .extract(directory, options), only: only, workers: workers, memoryLimit: memoryLimit,
                   io: io, events: events)
    }

    /// Decodes every frame of the content and checks every member against the index; writes nothing.
    public static func verify(
        _ archive: OpenedArchive, from fd: FileDescriptor, workers: Int?, memoryLimit: ByteCount? = nil, io: IOPool? = nil
    ) throws -> ArchiveExtractReport {
        try decode(archive, from: fd, use: .verify, only: [], workers: workers, memoryLimit: memoryLimit, io: io, events: { _ in })
    }

    /// The members of `archive` that match `only` (all when it is empty), with a hard link's target
    /// added when only the link matched.
    static func selection(_ index: MemberIndex, only: [Glob]) -> [Int] {
        guard !only.isEmpty else { return Array(index.members.indices) }
        var chosen = Set<Int>()
        var byName: [ArchivePath: Int] = [:]
        for (number, member) in index.members.enumerated() {
            byName[member.path] = number
            let name = FilePath(member.path.description)
            guard only.contains(where: { $0.matches(name) }) else { continue }
            chosen.insert(number)
            if member.kind == .hardlink, let target = member.linkTarget, let first = byName[target] { chosen.insert(first) }
        }
        return chosen.sorted()
    }

    /// The stream ranges that hold `members` (in order), adjacent ones merged.
    static func ranges(_ index: MemberIndex, _ members: [Int]) -> [Range<UInt64>] {
        var ranges: [Range<UInt64>] = []
        for number in members {
            let range = index.range(of: number)
            if let last = ranges.last, last.upperBound == range.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound..<range.upperBound
            } else {
                ranges.append(range)
            }
        }
        return ranges
    }

    private static func openContent(_ archive: OpenedArchive, _ fd: FileDescriptor) throws -> OpenedContainer {
        _ = try fd.seek(offset: 0, from: .start)
        return try Pipeline.readHeader(from: fd, key: archive.key, limits: archive.limits)
    }

    private static func decode(
        _ archive: OpenedArchive, from fd: FileDescriptor, use: StreamUse, only: [Glob], workers: Int?, memoryLimit: ByteCount?,
        io: IOPool?, events: @escaping @Sendable (ArchiveEvent) -> Void
    ) throws -> ArchiveExtractReport {
        let content = try openContent(archive, fd)
        let workerCount = workers ?? WorkerPool.availableCores
        let pool = WorkerPool.shared(workers: workerCount)
        let io = io ?? .standard
        let index = archive.index
        let selected = selection(index, only: only)
        guard !selected.isEmpty || index.members.isEmpty else {
            let patterns = only.map { "'\($0.pattern)'" }.joined(separator: ", ")
            throw SluiceError(.invalidArgument, "--only \(patterns) matches no member of the archive (a `*` does not match `/`: `sluice list` shows the names)")
        }
        let everything = selected.count == index.members.count
        let ranges = everything ? [] : ranges(index, selected)
        let contentSize = archive.contentSize
        let reader = content.reader
        let stream = try StreamPipe.start(name: "sluice-untar") { sink in
            if everything {
                return try Pipeline.unpack(
                    reader, from: fd, to: sink, workers: workerCount, memoryLimit: memoryLimit, pool: pool, io: io, isStream: false,
                    positional: false, indexedSize: contentSize, progress: { _ in }).chunks
            }
            var chunks: UInt64 = 0
            for range in ranges {
                chunks += try Pipeline.unpackRange(
                    reader, from: fd, fileSize: contentSize, range: range, to: sink, workers: workerCount, memoryLimit: memoryLimit,
                    pool: pool).chunks
            }
            return chunks
        }
        var result = ArchiveExtractReport()
        let failures = Locked(0)
        let failed: @Sendable (ArchivePath, SluiceError) -> Void = { path, error in
            failures.withLock { $0 += 1 }
            events(.failed(path, error))
        }
        do {
            let tar = try TarReader(stream.readEnd, name: "the archive's tar stream")
            var extractor: ArchiveExtractor?
            if case .extract(let directory, let options) = use {
                extractor = try ArchiveExtractor(root: directory, options: options, io: io, failed: failed)
            }
            // The members the stream must hold, in order; with `only`, their stream offsets are shifted
            // by the ranges left out.
            var expected = selected.makeIterator()
            var shift: UInt64 = 0
            var rangeIterator = ranges.makeIterator()
            var currentRange = rangeIterator.next()
            var produced: UInt64 = 0
            while let found = try tar.next() {
                guard let number = expected.next() else { throw SluiceError.corrupt("the tar stream holds more members than the index lists") }
                var recorded = index.members[number]
                if !everything {
                    while let range = currentRange, recorded.headerOffset >= range.upperBound {
                        produced += range.upperBound - range.lowerBound
                        currentRange = rangeIterator.next()
                    }
                    shift = (currentRange?.lowerBound ?? 0) - produced
                }
                guard found.path == recorded.path, found.kind == recorded.kind, found.size == recorded.size,
                      found.headerOffset + shift == recorded.headerOffset
                else {
                    throw SluiceError.corrupt("the tar stream's member \(found.path) does not match the index (\(recorded.path))")
                }
                recorded.xattrs = found.xattrs
                result.members += 1
                result.contentBytes += recorded.size
                guard let extractor else {
                    try checkContents(recorded, tar)
                    continue
                }
                do {
                    try extractor.extract(recorded, from: tar)
                } catch let error as SluiceError where error.code != .corrupt {
                    failed(recorded.path, error)
                }
            }
            guard expected.next() == nil else { throw SluiceError.corrupt("the tar stream ends before the last member the index lists") }
            extractor?.finish()
        } catch {
            _ = try? stream.readEnd.close()
            // A corrupt frame or a wrong key shows up in the tar reader only as an early end: the
            // decoding thread's error is the one to report (but for the broken pipe this side caused).
            do { _ = try stream.finish() } catch let decoding as SluiceError where decoding.code != .io { throw decoding } catch {}
            throw error
        }
        _ = try? stream.readEnd.close()
        result.chunks = try stream.finish() as? UInt64 ?? 0
        result.failures = failures.withLock { $0 }
        return result
    }

    /// Reads a regular member's contents and compares them with the index's size and digest.
    private static func checkContents(_ member: ArchiveMember, _ tar: TarReader) throws {
        guard member.kind == .file else { return }
        let digest = try XXH3Stream()
        let block = RawBuffer(capacity: 1 << 20)
        var total: UInt64 = 0
        while true {
            let got = try tar.read(into: block[0..<(1 << 20)])
            if got == 0 { break }
            digest.update(UnsafeRawBufferPointer(block[0..<got]))
            total += UInt64(got)
        }
        guard total == member.size, member.digest.isEmpty || digest.finish() == member.digest else {
            throw SluiceError.corrupt("\(member.path): its contents do not match the index")
        }
    }
}
