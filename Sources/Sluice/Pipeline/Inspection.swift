import SystemPackage

/// What ``Pipeline/inspectFile(_:limits:)`` found in a file, read without a key and without decoding
/// any frame.
public enum InspectedFile: Sendable {
    /// A `.slc` or age file: its header and its index's totals.
    case container(Inspection)
    /// A zstd or LZ4 file: what its seek table or frame headers tell.
    case standard(StandardFileLayout)
}

/// What `sluice inspect` shows of a `.slc` or age file: the header and the index's totals, read without
/// a key and without decoding any frame.
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
    /// When the file is a `.tar.slc` archive: the bytes of its member index part, which follows the
    /// content part that the other fields describe (`sluice list` reads the index).
    public var archiveIndexSize: UInt64? = nil

    /// Plaintext size over packed size.
    public var ratio: Double { fileSize == 0 ? 0 : Double(plainSize) / Double(fileSize) }
}

extension Pipeline {
    /// Describes the file at `path` in whichever format it is (`sluice inspect`): the header and index
    /// of a `.slc` or age file, the seek table or frame headers of a zstd or LZ4 file. No key is needed
    /// and no frame is decoded; an encrypted file's index is then reported as not authenticated.
    ///
    ///     switch try Pipeline.inspectFile("data.csv.slc") {
    ///     case .container(let found): print(found.info.codec, found.chunks, found.ratio)
    ///     case .standard(let layout): print(layout.format, layout.frames)
    ///     }
    ///
    /// - Parameter limits: the most work a hostile header may ask for (scrypt's cost).
    /// - Throws: ``SluiceError``: ``SluiceError/Code/corrupt`` when the file is malformed or of no
    ///   format sluice reads, ``SluiceError/Code/invalidArgument`` when it is not a regular file.
    public static func inspectFile(_ path: FilePath, limits: DecodeLimits = DecodeLimits()) throws -> InspectedFile {
        if let layout = try inspectStandard(path) { return .standard(layout) }
        return .container(try inspect(path, limits: limits))
    }

    /// Reads the header and the index of a seekable packed file, in whichever registered format it is.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when any of them is malformed.
    static func inspect(_ path: FilePath, limits: DecodeLimits = DecodeLimits()) throws -> Inspection {
        let source = try openInput(path)
        defer { _ = try? source.fd.close() }
        guard let size = source.status?.size, source.status?.isRegular == true else {
            throw SluiceError.invalid("\(path) is not a regular file")
        }
        let opened = try readHeader(from: source.fd, key: { _ in nil }, limits: limits, requireKey: false)
        // An archive's content part is a whole `.slc` of its own, ending where its index part starts.
        let archive = try Archive.footer(of: source.fd, size: UInt64(size)).flatMap { $0.layout == .slc ? $0 : nil }
        let index = try readIndex(opened.reader, source.fd, fileSize: archive?.contentSize ?? UInt64(size))
        return Inspection(
            info: opened.info, fileSize: UInt64(size), chunks: UInt64(index.entries.count),
            plainSize: index.entries.reduce(0) { $0 + UInt64($1.plainSize) },
            rawChunks: UInt64(index.rawFrames), trailerVerified: index.verified,
            digest: index.digest, archiveIndexSize: archive?.indexSize)
    }

    /// The layout of a zstd or LZ4 file (`sluice inspect`), found by its format's reader; `nil` for
    /// any other format.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the file is malformed or none of the formats.
    static func inspectStandard(_ path: FilePath) throws -> StandardFileLayout? {
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
