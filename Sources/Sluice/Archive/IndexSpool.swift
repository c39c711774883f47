#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// The member index of an archive being written, kept out of memory: each member's record is encoded
/// as the tar writer finishes it and spilled, 256 KiB at a time, to a file without a name (`O_TMPFILE`
/// in the archive's directory, else a name unlinked at once), so nothing is left behind whatever
/// happens. At the end ``stream(binding:streamEnd:into:)`` hands the whole index to a ``ChunkSink``.
///
/// Used by one thread at a time (the tar writer, then the index part's producer).
final class IndexSpool: @unchecked Sendable {
    private let fd: FileDescriptor
    private var records = ByteWriter(capacity: IndexSpool.spillSize + 4096)
    private var spilled: Int64 = 0
    /// Members recorded.
    private(set) var count = 0
    /// Regular-file bytes of the members recorded.
    private(set) var contentBytes: UInt64 = 0

    private static let spillSize = 256 << 10

    /// - Parameter directory: where the file lives (the archive's directory: same file system).
    init(directory: FilePath) throws {
        var descriptor: Int32 = -1
        #if os(Linux)
        // O_TMPFILE (__O_TMPFILE | O_DIRECTORY), which Glibc's module does not export.
        let temporaryFile: Int32 = 0o20_000_000 | O_DIRECTORY
        descriptor = open(directory.string, temporaryFile | O_RDWR | O_CLOEXEC, 0o600)
        #endif
        if descriptor < 0 {
            var template = Array(directory.appending(".sluice-index-XXXXXX").string.utf8CString)
            descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            if descriptor >= 0 { _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) } }
        }
        guard descriptor >= 0 else { throw SluiceError(.io, "cannot create the index's spill file in \(directory)", cause: Errno(rawValue: errno)) }
        fd = FileDescriptor(rawValue: descriptor)
    }

    deinit { _ = try? fd.close() }

    /// Records `member` (its header offset and digest final).
    func append(_ member: ArchiveMember) throws {
        MemberIndex.appendRecord(member, to: &records)
        count += 1
        if member.kind == .file { contentBytes += member.size }
        if records.bytes.count >= Self.spillSize { try spill() }
    }

    private func spill() throws {
        try records.bytes.withUnsafeBytes { bytes in
            do { _ = try fd.writeAll(toAbsoluteOffset: spilled, bytes) } catch {
                throw SluiceError(.io, "cannot write the index's spill file", cause: error)
            }
        }
        spilled += Int64(records.bytes.count)
        records = ByteWriter(capacity: Self.spillSize + 4096)
    }

    /// Writes the encoded index (``MemberIndex`` with this binding and stream end) into `sink`.
    func stream(binding: [UInt8], streamEnd: UInt64, into sink: ChunkSink) throws {
        var header = ByteWriter()
        MemberIndex.appendHeader(binding: binding, streamEnd: streamEnd, count: count, to: &header)
        try header.bytes.withUnsafeBytes { try sink.write($0) }
        let block = RawBuffer(capacity: Self.spillSize)
        var offset: Int64 = 0
        while offset < spilled {
            let want = Int(min(Int64(Self.spillSize), spilled - offset))
            let got = try Pipeline.readInput(fd, into: block[0..<want], at: offset)
            guard got == want else { throw SluiceError(.io, "the index's spill file was cut short") }
            try sink.write(UnsafeRawBufferPointer(block[0..<got]))
            offset += Int64(got)
        }
        try records.bytes.withUnsafeBytes { try sink.write($0) }
    }
}
