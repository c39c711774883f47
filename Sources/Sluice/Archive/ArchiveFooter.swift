/// The last 24 bytes of an archive (docs/format.md, "Archives"): where its two `.slc` parts end.
struct ArchiveFooter: Equatable, Sendable {
    static let magic: [UInt8] = [0x89, 0x53, 0x4C, 0x43, 0x54, 0x41, 0x52, 0x0A]  // \x89SLCTAR\n
    static let size = 24

    /// Bytes of the content part (the tar stream's `.slc`), from the start of the file.
    var contentSize: UInt64
    /// Bytes of the index part, which follows the content.
    var indexSize: UInt64

    var encoded: [UInt8] {
        var out = ByteWriter(capacity: Self.size)
        out.append(contentSize)
        out.append(indexSize)
        out.append(Self.magic)
        return out.bytes
    }

    /// The footer of a file of `fileSize` bytes ending in `bytes`; `nil` when the magic is not there
    /// (not an archive).
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the magic is there but the sizes do not add up.
    static func decode(_ bytes: [UInt8], fileSize: UInt64) throws -> ArchiveFooter? {
        guard bytes.count == size, Array(bytes[16..<24]) == magic else { return nil }
        var reader = ByteReader(bytes, what: "the archive footer")
        let footer = ArchiveFooter(contentSize: try reader.read(), indexSize: try reader.read())
        guard footer.contentSize <= fileSize, footer.indexSize <= fileSize,
              footer.contentSize + footer.indexSize + UInt64(size) == fileSize
        else { throw SluiceError.corrupt("the archive footer's sizes (\(footer.contentSize) + \(footer.indexSize)) do not match the file (\(fileSize) bytes)") }
        return footer
    }
}
