import SystemPackage

/// What `sluice inspect` shows: the header and the index's totals, read without a key and without
/// decoding any frame.
public struct Inspection: Sendable {
    /// What the header says.
    public var info: ContainerInfo
    /// Bytes of the packed file.
    public var fileSize: UInt64
    /// Frames the index lists.
    public var chunks: UInt64
    /// Plaintext bytes the index adds up to.
    public var plainSize: UInt64
    /// Frames stored raw because compression did not pay.
    public var rawChunks: UInt64
    /// Whether the index could be authenticated (always without a cipher; with one only given a key).
    public var trailerVerified: Bool
    /// The whole-file digest the index records (empty without checksums); not checked against the
    /// frames here (`verify` does that).
    public var digest: [UInt8]

    /// Plaintext size over packed size.
    public var ratio: Double { fileSize == 0 ? 0 : Double(plainSize) / Double(fileSize) }
}

extension Pipeline {
    /// Reads the header and the index of a seekable packed file, in whichever registered format it is.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when any of them is malformed.
    public static func inspect(_ path: FilePath, limits: DecodeLimits = DecodeLimits()) throws -> Inspection {
        let source = try openInput(path)
        defer { _ = try? source.fd.close() }
        guard let size = source.status?.size, source.status?.isRegular == true else {
            throw SluiceError.invalid("\(path) is not a regular file")
        }
        let opened = try readHeader(from: source.fd, key: { _ in nil }, limits: limits, requireKey: false)
        let index = try readIndex(opened.reader, source.fd, fileSize: UInt64(size))
        return Inspection(
            info: opened.info, fileSize: UInt64(size), chunks: UInt64(index.entries.count),
            plainSize: index.entries.reduce(0) { $0 + UInt64($1.plainSize) },
            rawChunks: UInt64(index.rawFrames), trailerVerified: index.verified,
            digest: index.digest)
    }

    /// The layout of a zstd or LZ4 file (`sluice inspect`), found by its format's reader; `nil` for
    /// any other format.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the file is malformed or none of the formats.
    public static func inspectStandard(_ path: FilePath) throws -> StandardFileLayout? {
        let source = try openInput(path)
        defer { _ = try? source.fd.close() }
        guard let size = source.status?.size, source.status?.isRegular == true else {
            throw SluiceError.invalid("\(path) is not a regular file")
        }
        let (format, consumed) = try detectFormat(source)
        guard format.isStandard else { return nil }
        let opened = try readHeader(from: source.fd, key: { _ in nil }, requireKey: false, consumed: consumed, format: format)
        guard let reader = opened.reader as? StandardReader else { return nil }
        return try reader.layout(of: source.fd, fileSize: UInt64(size))
    }
}
