import SystemPackage

/// The file formats Sluice writes and reads: its own `.slc` container and two standard formats that
/// other tools read (docs/formats.md).
public enum ContainerFormat: String, CaseIterable, Sendable {
    /// Sluice's container: any codec, encryption, a chunk index and a whole-file digest.
    case slc
    /// A standard zstd file in the seekable format: one frame per chunk, each with its content size
    /// and checksum, then the seek table (a skippable frame). `zstd -d` reads it as it is.
    case zstd
    /// A standard LZ4 frame with independent blocks and the content size. `lz4 -d` reads it.
    case lz4

    /// The file name extension, dot included.
    public var fileExtension: String {
        switch self {
        case .slc: ".slc"
        case .zstd: ".zst"
        case .lz4: ".lz4"
        }
    }

    /// The format an output name asks for: `.zst` → zstd, `.lz4` → lz4, anything else → `nil`.
    public static func named(by path: FilePath) -> ContainerFormat? {
        let name = path.string
        return allCases.first { $0 != .slc && name.hasSuffix($0.fileExtension) }
    }

    /// The format whose magic starts `bytes` (at least 4 of them); `nil` for none. A file that starts
    /// with a skippable frame (legal in both zstd and LZ4 files) is told apart by the caller.
    static func detect(magic bytes: [UInt8]) -> ContainerFormat? {
        guard bytes.count >= 4 else { return nil }
        if bytes.starts(with: Header.magic.prefix(4)) { return .slc }
        let magic = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        switch magic {
        case Zstd.frameMagic: return .zstd
        case LZ4FrameHeader.magic, LZ4FrameHeader.legacyMagic: return .lz4
        default: return nil
        }
    }

    /// Whether `bytes` start with a skippable frame's magic (`0x184D2A5?`, zstd and LZ4 alike).
    static func startsWithSkippableFrame(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && LZ4FrameHeader.isSkippable(
            UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
    }
}
