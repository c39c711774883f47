/// The seek table of zstd's seekable format (facebook/zstd `contrib/seekable_format`): a skippable
/// frame at the end of a zstd file listing every frame's compressed and plaintext size, and
/// optionally the low 32 bits of the XXH64 of its plaintext, so a reader finds every frame without
/// walking the file. Tools that do not know the format skip it like any skippable frame.
///
///     skippable magic 0x184D2A5E | frame size | entries (8 or 12 bytes each) | frame count (4) | descriptor (1) | 0x8F92EAB1
struct ZstdSeekTable: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        var compressedSize: UInt32
        var decompressedSize: UInt32
        /// Low 32 bits of the XXH64 of the frame's plaintext, when the table has checksums.
        var checksum: UInt32?
    }

    /// A frame of the file as the table places it.
    struct Placement: Equatable, Sendable {
        var offset: UInt64
        var entry: Entry
    }

    var entries: [Entry]
    /// Every entry carries a checksum (the descriptor's `Checksum_Flag`).
    var hasChecksums: Bool

    /// The magic the table's skippable frame uses (`0x184D2A5E`).
    static let skippableMagic: UInt32 = 0x184D_2A5E
    /// The last four bytes of a seekable file.
    static let seekableMagic: UInt32 = 0x8F92_EAB1
    /// Frame count, descriptor and seekable magic.
    static let footerSize = 9
    /// The format's limit on frames (`ZSTD_SEEKABLE_MAXFRAMES`).
    static let maximumFrames = 0x800_0000
    private static let checksumFlag: UInt8 = 0x80
    private static let reservedBits: UInt8 = 0x7C

    init(entries: [Entry], hasChecksums: Bool) {
        self.entries = entries
        self.hasChecksums = hasChecksums
    }

    static func entrySize(checksums: Bool) -> Int { checksums ? 12 : 8 }

    /// The size of the whole skippable frame for `count` entries.
    static func frameSize(count: Int, checksums: Bool) -> Int { 8 + count * entrySize(checksums: checksums) + footerSize }

    /// The table as a skippable frame, to be written after the last frame.
    func encoded() -> [UInt8] {
        let size = ZstdSeekTable.frameSize(count: entries.count, checksums: hasChecksums)
        var writer = ByteWriter(capacity: size)
        writer.append(ZstdSeekTable.skippableMagic)
        writer.append(UInt32(size - 8))
        for entry in entries {
            writer.append(entry.compressedSize)
            writer.append(entry.decompressedSize)
            if hasChecksums { writer.append(entry.checksum ?? 0) }
        }
        writer.append(UInt32(entries.count))
        writer.append(hasChecksums ? ZstdSeekTable.checksumFlag : 0)
        writer.append(ZstdSeekTable.seekableMagic)
        return writer.bytes
    }

    /// The size of the table's frame, from the last ``footerSize`` bytes of a file; `nil` when they do
    /// not end with the seekable magic (the file has no seek table).
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` for a footer the format forbids (reserved bits set, too
    ///   many frames).
    static func tableFrameSize(footer: [UInt8]) throws -> Int? {
        guard footer.count == footerSize else { return nil }
        var reader = ByteReader(footer, what: "the zstd seek table footer")
        let count = try reader.read(UInt32.self)
        let descriptor = try reader.read(UInt8.self)
        guard try reader.read(UInt32.self) == seekableMagic else { return nil }
        guard descriptor & reservedBits == 0 else {
            throw SluiceError.corrupt("the zstd seek table uses reserved descriptor bits (\(descriptor))")
        }
        guard Int(count) <= maximumFrames else {
            throw SluiceError.corrupt("the zstd seek table lists \(count) frames, more than the format allows")
        }
        return frameSize(count: Int(count), checksums: descriptor & checksumFlag != 0)
    }

    /// Decodes a whole table frame (as located by ``tableFrameSize(footer:)``).
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when its skippable header does not match its footer.
    static func decode(_ frame: [UInt8]) throws -> ZstdSeekTable {
        guard let size = try tableFrameSize(footer: Array(frame.suffix(footerSize))), size == frame.count else {
            throw SluiceError.corrupt("the zstd seek table is malformed")
        }
        var reader = ByteReader(frame, what: "the zstd seek table")
        guard try reader.read(UInt32.self) == skippableMagic, try reader.read(UInt32.self) == UInt32(size - 8) else {
            throw SluiceError.corrupt("the zstd seek table's frame header does not match its footer")
        }
        let checksums = frame[frame.count - 5] & checksumFlag != 0
        let count = (size - 8 - footerSize) / entrySize(checksums: checksums)
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let compressed = try reader.read(UInt32.self)
            let decompressed = try reader.read(UInt32.self)
            entries.append(Entry(compressedSize: compressed, decompressedSize: decompressed,
                                 checksum: checksums ? try reader.read(UInt32.self) : nil))
        }
        return ZstdSeekTable(entries: entries, hasChecksums: checksums)
    }

    /// Where each frame starts, checked against the size of the file the table ends: the frames and
    /// the table must cover it exactly from `start` (past the skippable frames the file starts with).
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when they do not (a lying table).
    func placements(fileSize: UInt64, start: UInt64 = 0) throws -> [Placement] {
        var offset = start
        var placements: [Placement] = []
        placements.reserveCapacity(entries.count)
        for entry in entries {
            placements.append(Placement(offset: offset, entry: entry))
            offset += UInt64(entry.compressedSize)
        }
        let tableSize = UInt64(ZstdSeekTable.frameSize(count: entries.count, checksums: hasChecksums))
        guard offset + tableSize == fileSize else {
            throw SluiceError.corrupt(
                "the zstd seek table's frames add up to \(offset + tableSize) bytes, but the file has \(fileSize)")
        }
        return placements
    }

    /// The plaintext size the table records.
    var plainSize: UInt64 { entries.reduce(0) { $0 + UInt64($1.decompressedSize) } }
}
