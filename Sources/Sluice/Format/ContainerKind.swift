import SystemPackage

/// The container formats Sluice writes and reads. Registering a format is one case here and its line
/// in ``format``; pack, unpack, verify, inspect and range restore then find it by its first bytes.
public enum ContainerKind: String, CaseIterable, Sendable {
    /// Sluice's own `.slc` (docs/format.md).
    case slc
    /// A standard zstd file in the seekable format, read by `zstd -d` (docs/formats.md).
    case zstd
    /// A standard LZ4 frame with independent blocks, read by `lz4 -d` (docs/formats.md).
    case lz4
    /// age v1 (age-encryption.org/v1): X25519 recipients or a passphrase, 64 KiB STREAM chunks, no
    /// compression (docs/format.md, "age v1").
    case age

    /// The type that implements the format.
    var format: any ContainerFormat.Type {
        switch self {
        case .slc: SlcFormat.self
        case .zstd: ZstdFormat.self
        case .lz4: LZ4Format.self
        case .age: AgeFormat.self
        }
    }

    /// Whether this is one of the standard formats other tools read (zstd, lz4): no cipher, no `.slc`
    /// index, frames located in the file itself or streamed (``StandardReader``).
    var isStandard: Bool { self == .zstd || self == .lz4 }

    /// The file name extension, dot included.
    public var fileExtension: String {
        switch self {
        case .slc: ".slc"
        case .zstd: ".zst"
        case .lz4: ".lz4"
        case .age: ".age"
        }
    }

    /// The format an output name asks for: `.zst` → zstd, `.lz4` → lz4, `.age` → age, anything else → `nil`.
    public static func named(by path: FilePath) -> ContainerKind? {
        allCases.first { $0 != .slc && path.string.hasSuffix($0.fileExtension) }
    }

    /// Whether `bytes` start with a skippable frame's magic (`0x184D2A5?`, zstd and LZ4 alike), which
    /// neither format's ``ContainerFormat/recognises(_:)`` claims.
    static func startsWithSkippableFrame(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && LZ4FrameHeader.isSkippable(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
    }

    /// The whole size of the skippable frame whose first 8 bytes (magic, then its little-endian data
    /// size) start `bytes`; `nil` when they are not a skippable frame's.
    static func skippableFrameSize(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 8, startsWithSkippableFrame(bytes) else { return nil }
        return 8 + Int(UInt32(bytes[4]) | UInt32(bytes[5]) << 8 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 24)
    }

    /// What the engine needs to know to drive the format.
    var traits: FormatTraits { format.traits }

    /// Bytes to read before ``detect(_:)`` can tell every registered format apart.
    static let signatureSize = allCases.map { $0.format.signatureSize }.max() ?? 0

    /// The format a file starting with `prefix` is in; `nil` when no registered format recognises it.
    static func detect(_ prefix: [UInt8]) -> ContainerKind? {
        allCases.first { $0.format.recognises(Array(prefix.prefix($0.format.signatureSize))) }
    }
}

extension ContainerKind {
    /// Finds the format of the file whose header `input` reads, and opens it: the one place every read
    /// path (unpack from a file or a pipe, verify, range restore, inspect, a batch's small and large
    /// files) opens a file, so the caller's key policy (`limits.keys`, no unencrypted file when a key is
    /// given) applies to every path and every format — checked against the wrappings a format asks a key
    /// for (before any derivation), and against the header once read.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when no registered format recognises the first bytes or
    ///   the header is invalid; ``SluiceError/Code/wrongKey`` when the policy refuses the file or the key
    ///   does not open it.
    /// `format`: the format already told (a zstd or LZ4 file starting with a skippable frame); `nil`:
    /// told by `input`'s first bytes.
    static func open(
        _ input: HeaderInput, as format: ContainerKind? = nil, keys: KeyProvider, limits: DecodeLimits, requireKey: Bool
    ) throws -> any FormatReader {
        guard let kind = format ?? detect(input.prefix) else { throw SluiceError.corrupt("not a Sluice file (bad magic)") }
        let policy = limits.keys
        let reader = try kind.format.reader(
            from: input,
            keys: { request in
                try policy.admit(request.wrappings, boundToContext: request.boundToContext)
                return try keys(request)
            },
            limits: limits, requireKey: requireKey)
        try policy.admit(reader.keyWrappings, boundToContext: reader.boundToContext)
        return reader
    }
}
