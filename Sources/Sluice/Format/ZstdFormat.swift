/// A standard zstd file in zstd's seekable format (docs/formats.md): one frame per chunk, each with its
/// content size and XXH64 checksum, then the seek table, a skippable frame every zstd tool skips.
///
/// Written by ``StandardFormatWriter`` and read by ``StandardReader``, both through the one engine:
/// besides Sluice's own files it reads any zstd file — frames located from the seek table or by walking
/// their blocks (`pzstd`, concatenated files) and decoded in parallel, a single frame or a pipe streamed.
enum ZstdFormat: ContainerFormat {
    static let kind = ContainerKind.zstd
    /// Frames stay within zstd's default 128 MiB decoder window, so `zstd -d` needs no `--memory`.
    /// Plaintext sizes are known before decoding only with a seek table or content sizes, so the engine
    /// writes in order.
    static let traits = FormatTraits(
        chunkSizes: Header.chunkSizes.lowerBound...StandardFormatWriter.largestZstdChunk, plainSizeKnownBeforeDecoding: false,
        walkable: false)
    static let signatureSize = 4

    static func recognises(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 4 && prefix.withUnsafeBytes { $0.loadLittleEndian(at: 0, as: UInt32.self) } == Zstd.frameMagic
    }

    static func writer(for request: WriteRequest) throws -> StandardFormatWriter {
        try StandardFormatWriter(format: .zstd, codec: request.codec, cipher: request.cipher)
    }

    static func reader(from input: HeaderInput, keys: KeyProvider, limits: DecodeLimits, requireKey: Bool) throws -> StandardReader {
        try StandardReader(format: .zstd, prefix: input.prefix)
    }
}

/// A standard LZ4 frame (docs/formats.md): independent blocks of at most 4 MiB, each with its XXH32,
/// and the content size when the input's size is known. Read like ``ZstdFormat``.
enum LZ4Format: ContainerFormat {
    static let kind = ContainerKind.lz4
    static let traits = FormatTraits(chunkSizes: Header.chunkSizes, plainSizeKnownBeforeDecoding: false, walkable: false)
    static let signatureSize = 4

    static func recognises(_ prefix: [UInt8]) -> Bool {
        guard prefix.count >= 4 else { return false }
        let magic = prefix.withUnsafeBytes { $0.loadLittleEndian(at: 0, as: UInt32.self) }
        return magic == LZ4FrameHeader.magic || magic == LZ4FrameHeader.legacyMagic
    }

    static func writer(for request: WriteRequest) throws -> StandardFormatWriter {
        try StandardFormatWriter(format: .lz4, codec: request.codec, cipher: request.cipher, contentSize: request.metadata?.size)
    }

    static func reader(from input: HeaderInput, keys: KeyProvider, limits: DecodeLimits, requireKey: Bool) throws -> StandardReader {
        try StandardReader(format: .lz4, prefix: input.prefix)
    }
}

extension ContainerInfo {
    /// What a zstd or LZ4 file tells: its format and codec; no cipher, checksum kind or chunk size of
    /// the `.slc` kind.
    static func standard(_ format: ContainerKind, codec: CodecSettings) -> ContainerInfo {
        ContainerInfo(format: format, version: 0, codec: codec, cipher: .none, checksum: .none, chunkSize: 0,
                      keyDerivation: nil, metadata: nil)
    }
}
