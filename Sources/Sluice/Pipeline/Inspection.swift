import SystemPackage

/// What `sluice inspect` shows: the header and the trailer's totals, read without a key and
/// without decoding any frame.
public struct Inspection: Sendable {
    public var header: Header
    public var fileSize: UInt64
    public var chunks: UInt64
    public var plainSize: UInt64
    /// Frames stored raw because compression did not pay.
    public var rawChunks: UInt64
    /// Whether the trailer's tag could be checked (always without a cipher; with one only given a key).
    public var trailerVerified: Bool
    /// The whole-file digest the trailer records (empty without checksums); not checked against the
    /// frames here (`verify` does that).
    public var digest: [UInt8]

    public var ratio: Double { fileSize == 0 ? 0 : Double(plainSize) / Double(fileSize) }
}

extension Pipeline {
    /// Reads the header, footer and trailer of a seekable `.slc` file.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when any of them is malformed.
    public static func inspect(_ path: FilePath, limits: DecodeLimits = DecodeLimits()) throws -> Inspection {
        let source = try openInput(path)
        defer { _ = try? source.fd.close() }
        guard let size = source.status?.size, source.status?.isRegular == true else {
            throw SluiceError.invalid("\(path) is not a regular file")
        }
        let opened = try readHeader(from: source.fd, key: { _ in nil }, limits: limits, requireKey: false)
        let index = try readIndex(source.fd, fileSize: UInt64(size), opened: opened)
        return Inspection(
            header: opened.header, fileSize: UInt64(size), chunks: UInt64(index.trailer.entries.count),
            plainSize: index.trailer.entries.reduce(0) { $0 + UInt64($1.plainSize) },
            rawChunks: index.rawChunks, trailerVerified: opened.keys != nil || opened.header.cipher == .none,
            digest: index.trailer.digest)
    }

    /// The trailer of a seekable file, found through the footer and checked against the file's layout.
    struct FileIndex {
        var trailer: Trailer
        var rawChunks: UInt64
        /// The trailer and the footer as stored, for the checks a full decode makes at its end.
        var tail: [UInt8]
    }

    static func readIndex(_ fd: FileDescriptor, fileSize: UInt64, opened: OpenedHeader) throws -> FileIndex {
        let header = opened.header
        guard fileSize >= UInt64(opened.bytes.count + Footer.size) else { throw SluiceError.corrupt("truncated input: no footer") }
        let footerBytes = try pread(fd, at: fileSize - UInt64(Footer.size), count: Footer.size)
        let footer = try Footer.decode(footerBytes)
        guard footer.trailerSize <= fileSize, footer.trailerOffset <= fileSize,
              footer.trailerOffset + footer.trailerSize + UInt64(Footer.size) == fileSize,
              footer.trailerSize <= (1 << 34)
        else { throw SluiceError.corrupt("the footer does not point at a trailer") }
        let trailerBytes = try pread(fd, at: footer.trailerOffset, count: Int(footer.trailerSize))
        let trailer = try Trailer.decode(trailerBytes, header: header, keys: opened.keys)
        var expected = UInt64(opened.bytes.count)
        var rawChunks: UInt64 = 0
        for (i, entry) in trailer.entries.enumerated() {
            let isLast = i == trailer.entries.count - 1
            guard entry.offset == expected, Int(entry.storedSize) <= header.maxStoredSize,
                  isLast ? Int(entry.plainSize) <= header.chunkSize : Int(entry.plainSize) == header.chunkSize
            else { throw SluiceError.corrupt("the trailer's index is inconsistent at chunk \(i)") }
            if Int(entry.storedSize) == Int(entry.plainSize) + header.cipher.tagSize { rawChunks += 1 }
            expected += UInt64(header.frameHeaderSize) + UInt64(entry.storedSize)
        }
        guard expected == footer.trailerOffset else { throw SluiceError.corrupt("the trailer's index does not reach the trailer") }
        return FileIndex(trailer: trailer, rawChunks: rawChunks, tail: trailerBytes + footerBytes)
    }

    /// Reads exactly `count` bytes at `offset`.
    static func pread(_ fd: FileDescriptor, at offset: UInt64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try readInput(fd, into: $0, at: Int64(offset)) }
        guard got == count else { throw SluiceError.corrupt("truncated input") }
        return bytes
    }
}
