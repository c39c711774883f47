/// A compression algorithm Sluice can put in a `.slc` file.
public enum Codec: String, CaseIterable, Sendable, Codable {
    /// No compression: frames carry the plaintext (still checksummed and, if asked, encrypted).
    case store
    /// LZ4 fast mode; the level is the acceleration (1 = best ratio, higher = faster).
    case lz4
    /// LZ4 high-compression mode (levels 1–12), decoded by the same fast LZ4 decoder.
    case lz4hc
    /// Zstandard, levels −7…22.
    case zstd
    /// Brotli, quality 0–11.
    case brotli

    /// The byte that names the codec in the header.
    var id: UInt8 {
        switch self {
        case .store: 0
        case .lz4: 1
        case .lz4hc: 2
        case .zstd: 3
        case .brotli: 4
        }
    }

    init?(id: UInt8) {
        guard let codec = Codec.allCases.first(where: { $0.id == id }) else { return nil }
        self = codec
    }

    /// The levels the codec accepts.
    var levels: ClosedRange<Int> {
        switch self {
        case .store: 0...0
        case .lz4: 1...65537
        case .lz4hc: 1...12
        case .zstd: -7...22
        case .brotli: 0...11
        }
    }

    /// The level used when none is given.
    var defaultLevel: Int {
        switch self {
        case .store: 0
        case .lz4: 1
        case .lz4hc: 9
        case .zstd: 3
        case .brotli: 5
        }
    }

    /// The largest output the codec can produce from `count` input bytes.
    ///
    /// Never less than `count`, so a frame that falls back to raw always fits.
    package func bound(_ count: Int) -> Int {
        switch self {
        case .store: count
        case .lz4, .lz4hc: max(count, LZ4.compressBound(count))
        case .zstd: max(count, Zstd.compressBound(count))
        case .brotli: max(count, Brotli.compressBound(count))
        }
    }
}

/// A codec with its parameters, as recorded in the header.
public struct CodecSettings: Hashable, Sendable, CustomStringConvertible {
    /// The algorithm.
    public var codec: Codec
    /// Its level, within ``Codec/levels``.
    public var level: Int
    /// Brotli's window (`lgwin`, 10–24); 0 for the other codecs.
    public var window: Int

    /// - Throws: ``SluiceError/Code/invalidArgument`` when the level or window is out of range.
    public init(_ codec: Codec, level: Int? = nil, window: Int? = nil) throws {
        let level = level ?? codec.defaultLevel
        guard codec.levels.contains(level) else {
            throw SluiceError.invalid(
                "\(codec.rawValue) level \(level) is out of range \(codec.levels.lowerBound)…\(codec.levels.upperBound)")
        }
        var window = window ?? 0
        if codec == .brotli {
            if window == 0 { window = 22 }
            guard (10...24).contains(window) else {
                throw SluiceError.invalid("brotli window \(window) is out of range 10…24")
            }
        } else {
            window = 0
        }
        self.codec = codec
        self.level = level
        self.window = window
    }

    /// `codec-level`, as `sluice` prints it (e.g. `zstd-3`).
    public var description: String {
        switch codec {
        case .store: "store"
        case .brotli: "brotli-\(level) (window 2^\(window))"
        default: "\(codec.rawValue)-\(level)"
        }
    }
}

/// One worker's compression state: the C contexts of every codec it has used, created on first use
/// and reused for every later chunk (a `ZSTD_CCtx` per worker, never per chunk).
///
/// Not `Sendable`: it belongs to one worker thread for its whole life.
package final class CodecContext {
    private var zstdCompressor: ZstdCompressor?
    private var zstdDecompressor: ZstdDecompressor?
    private var standardZstdDecompressor: ZstdDecompressor?
    private var lz4: LZ4Compressor?

    init() {}

    /// Compresses `source` into `destination` and returns the compressed size, or `nil` when the
    /// output would not fit in `destination` (the caller then stores the chunk raw).
    package func compress(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, settings: CodecSettings
    ) throws -> Int? {
        switch settings.codec {
        case .store:
            return nil
        case .lz4:
            return try lz4Compressor().compress(source, into: destination, acceleration: settings.level)
        case .lz4hc:
            return try lz4Compressor().compressHC(source, into: destination, level: settings.level)
        case .zstd:
            if zstdCompressor == nil { zstdCompressor = try ZstdCompressor() }
            return try zstdCompressor!.compress(source, into: destination, level: settings.level)
        case .brotli:
            return Brotli.compress(source, into: destination, quality: settings.level, window: settings.window)
        }
    }

    /// Decompresses `source` into `destination`, which must be exactly the expected plaintext size.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the data is malformed or decodes to another size.
    package func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, codec: Codec) throws {
        let produced: Int
        switch codec {
        case .store:
            throw SluiceError.corrupt("a store frame is not marked raw")
        case .lz4, .lz4hc:
            produced = try LZ4.decompress(source, into: destination)
        case .zstd:
            if zstdDecompressor == nil { zstdDecompressor = try ZstdDecompressor() }
            produced = try zstdDecompressor!.decompress(source, into: destination)
        case .brotli:
            produced = try Brotli.decompress(source, into: destination)
        }
        guard produced == destination.count else {
            throw SluiceError.corrupt("a frame decompressed to \(produced) bytes instead of \(destination.count)")
        }
    }

    /// Compresses `source` into one standard zstd frame with its content size and checksum (the
    /// frames of a `.zst` file); `nil` when it does not fit in `destination`.
    func compressZstdFrame(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, level: Int) throws -> Int? {
        if zstdCompressor == nil { zstdCompressor = try ZstdCompressor() }
        return try zstdCompressor!.compressFrame(source, into: destination, level: level)
    }

    /// Decodes one complete frame of a standard zstd file into `destination`; returns the bytes produced.
    func decompressZstdFrame(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        if standardZstdDecompressor == nil { standardZstdDecompressor = try ZstdDecompressor.forStandardFrames() }
        return try standardZstdDecompressor!.decompress(source, into: destination)
    }

    private func lz4Compressor() throws -> LZ4Compressor {
        if let lz4 { return lz4 }
        let made = LZ4Compressor()
        lz4 = made
        return made
    }
}
