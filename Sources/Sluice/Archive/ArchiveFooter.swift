/// The last 24 bytes of an archive (docs/format.md, "Archives"): where its content and its index end.
///
/// Two layouts share it, told apart by the magic: a `.tar.slc` is two `.slc` parts back to back; a
/// `.tar.zst` is a seekable zstd file (the content) followed by one skippable frame that holds the
/// index (``ArchiveIndexFrame``), the footer being that frame's last 24 bytes.
struct ArchiveFooter: Equatable, Sendable {
    /// What the content is and where the index lives.
    enum Layout: Equatable, Sendable {
        /// `.tar.slc`: content `.slc` ‖ index `.slc` ‖ footer.
        case slc
        /// `.tar.zst`: seekable zstd content ‖ skippable frame header (8) ‖ index (zstd frames) ‖ footer.
        case zstd
    }

    static let magic: [UInt8] = [0x89, 0x53, 0x4C, 0x43, 0x54, 0x41, 0x52, 0x0A]  // \x89SLCTAR\n
    static let zstdMagic: [UInt8] = [0x89, 0x53, 0x4C, 0x43, 0x54, 0x5A, 0x53, 0x0A]  // \x89SLCTZS\n
    static let size = 24

    /// Bytes of the content part (the tar stream's `.slc` or seekable zstd file), from the start of the file.
    var contentSize: UInt64
    /// Bytes of the index part, which follows the content (`.zstd`: after the skippable frame's 8-byte header).
    var indexSize: UInt64
    var layout: Layout = .slc

    /// Where the index part starts.
    var indexOffset: UInt64 { contentSize + (layout == .zstd ? UInt64(ArchiveIndexFrame.headerSize) : 0) }

    /// The size of the whole archive.
    var fileSize: UInt64 { indexOffset + indexSize + UInt64(Self.size) }

    var encoded: [UInt8] {
        var out = ByteWriter(capacity: Self.size)
        out.append(contentSize)
        out.append(indexSize)
        out.append(layout == .slc ? Self.magic : Self.zstdMagic)
        return out.bytes
    }

    /// The footer of a file of `fileSize` bytes ending in `bytes`; `nil` when the magic is not there
    /// (not an archive).
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the magic is there but the sizes do not add up.
    static func decode(_ bytes: [UInt8], fileSize: UInt64) throws -> ArchiveFooter? {
        guard bytes.count == size else { return nil }
        let tail = Array(bytes[16..<24])
        let layout: Layout
        switch tail {
        case magic: layout = .slc
        case zstdMagic: layout = .zstd
        default: return nil
        }
        var reader = ByteReader(bytes, what: "the archive footer")
        let footer = ArchiveFooter(contentSize: try reader.read(), indexSize: try reader.read(), layout: layout)
        let framing = UInt64(size) + (layout == .zstd ? UInt64(ArchiveIndexFrame.headerSize) : 0)
        guard footer.contentSize <= fileSize, footer.indexSize <= fileSize,
              footer.contentSize + footer.indexSize + framing == fileSize
        else { throw SluiceError.corrupt("the archive footer's sizes (\(footer.contentSize) + \(footer.indexSize)) do not match the file (\(fileSize) bytes)") }
        return footer
    }
}
