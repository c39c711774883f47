import SystemPackage

/// What a zstd or LZ4 file holds, found without decoding it (`sluice inspect`, and the jobs of an unpack).
public struct StandardFileLayout: Sendable {
    /// ``ContainerKind/zstd`` or ``ContainerKind/lz4``.
    public var format: ContainerKind
    /// How the file is read: "seek table", "frames", "blocks", "stream".
    public var access: String
    /// Data frames (zstd) or frames (LZ4).
    public var frames: Int
    /// The plaintext size when the file records it (a seek table, or every frame's content size).
    public var plainSize: UInt64?
    /// The file's size in bytes.
    public var fileSize: UInt64
    var jobs: [StandardFormatReader.Job]
}

extension StandardFileLayout {
    /// The largest decode bound of a zstd frame decoded as a job of its own (4 GiB); a file with a larger
    /// frame is streamed.
    static let largestParallelFrame: UInt64 = 1 << 32

    /// Bytes of the skippable frames a file starts with, up to `limit` (where its seek table starts): a
    /// seek table counts its frames from the first one after them.
    private static func leadingSkippableBytes(_ input: FileDescriptor, before limit: UInt64) throws -> UInt64 {
        var offset: UInt64 = 0
        while offset + 8 <= limit,
              let size = ContainerKind.skippableFrameSize(try Pipeline.pread(input, at: offset, count: 8)),
              offset + UInt64(size) <= limit {
            offset += UInt64(size)
        }
        return offset
    }

    /// Reads a regular zstd or LZ4 file's layout: its seek table (before a `.tar.zst` archive's index
    /// frame, when the file ends in one), or its frames found by walking a mapping of it. `jobs` is empty when the file must be streamed (one zstd frame, linked LZ4 blocks).
    static func read(_ format: ContainerKind, _ input: FileDescriptor, fileSize: UInt64) throws -> StandardFileLayout {
        // A `.tar.zst` archive's index frame follows the seek table: the table ends where the content does.
        let end = format == .zstd ? ArchiveIndexFrame.contentEnd(of: input, fileSize: fileSize) ?? fileSize : fileSize
        if format == .zstd, end >= UInt64(ZstdSeekTable.footerSize) {
            let footer = try Pipeline.pread(input, at: end - UInt64(ZstdSeekTable.footerSize), count: ZstdSeekTable.footerSize)
            if let tableSize = try ZstdSeekTable.tableFrameSize(footer: footer) {
                guard UInt64(tableSize) <= end else {
                    throw SluiceError.corrupt("the zstd seek table claims \(tableSize) bytes, more than the file holds")
                }
                let table = try ZstdSeekTable.decode(try Pipeline.pread(input, at: end - UInt64(tableSize), count: tableSize))
                let start = try leadingSkippableBytes(input, before: end - UInt64(tableSize))
                let jobs = try StandardFormatReader.jobs(table: table, fileSize: end, start: start)
                return StandardFileLayout(format: format, access: "seek table", frames: jobs.filter { $0.plainCapacity > 0 }.count,
                                          plainSize: table.plainSize, fileSize: fileSize, jobs: jobs)
            }
        }
        let mapping = try MappedFile(input, size: Int(fileSize))
        switch format {
        case .zstd:
            let frames = try ZstdFrameScan.frames(in: mapping.bytes)
            let data = frames.filter { $0.header.kind == .data }
            let sizes = data.compactMap(\.header.contentSize)
            // Sizes a crafted file claims may add up past 2^64, and a frame's decode bound may be absurd
            // (both found by the `zstd` fuzz target, which crashed on them): such a file is streamed, where
            // the decoder meets the bytes as they are.
            var plainSize: UInt64? = sizes.count == data.count ? 0 : nil
            for size in sizes {
                guard let sofar = plainSize else { break }
                let (sum, overflow) = sofar.addingReportingOverflow(size)
                plainSize = overflow ? nil : sum
            }
            let parallel = data.count > 1 && data.allSatisfy { $0.decodedBound <= Self.largestParallelFrame }
            let jobs = parallel ? try StandardFormatReader.jobs(frames: frames) : []
            return StandardFileLayout(format: format, access: parallel ? "frames" : "stream", frames: data.count,
                                      plainSize: plainSize, fileSize: fileSize, jobs: jobs)
        default:
            let frames = try LZ4FrameScan.frames(in: mapping.bytes)
            let parallel = frames.allSatisfy(\.hasIndependentBlocks)
            var plainSize: UInt64? = 0
            for frame in frames {
                switch frame.kind {
                case .standard(let header): plainSize = header.contentSize.flatMap { size in plainSize.map { $0 + size } }
                case .legacy: plainSize = nil
                case .skippable: break
                }
            }
            return StandardFileLayout(
                format: format, access: parallel ? "blocks" : "stream", frames: frames.filter { $0.kind != .skippable }.count,
                plainSize: plainSize, fileSize: fileSize, jobs: parallel ? StandardFormatReader.jobs(frames: frames) : [])
        }
    }

    /// An LZ4 frame's own checks, once all its plaintext is written: content size and checksum.
    static func checkEnd(of frame: LZ4FrameLocation, plainBytes: UInt64, hash: XXH32Stream?) throws {
        guard case .standard(let header) = frame.kind else { return }
        if let size = header.contentSize, size != plainBytes {
            throw SluiceError.corrupt("an LZ4 frame decoded to \(plainBytes) bytes, but its header records \(size)")
        }
        if let expected = frame.contentChecksum, let hash, hash.digest != expected {
            throw SluiceError.corrupt("LZ4 content checksum mismatch")
        }
    }
}
