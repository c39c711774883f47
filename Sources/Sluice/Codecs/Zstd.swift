private import CZstd

/// Zstandard through libzstd's one-shot context API.
package enum Zstd {
    /// The corresponding C function is `ZSTD_compressBound`.
    static func compressBound(_ count: Int) -> Int { ZSTD_compressBound(count) }

    /// The library version, e.g. `1.5.4`.
    package static var version: String { String(cString: ZSTD_versionString()) }

    /// Turns a libzstd return value into a size or a ``SluiceError``.
    fileprivate static func check(_ code: Int, _ what: String, errorCode: SluiceError.Code) throws -> Int {
        if ZSTD_isError(code) != 0 {
            throw SluiceError(errorCode, "zstd \(what) failed: \(String(cString: ZSTD_getErrorName(code)))")
        }
        return code
    }
}

/// A reusable compression context (`ZSTD_CCtx`), owned by one worker.
final class ZstdCompressor {
    fileprivate let context: OpaquePointer

    init() throws {
        guard let context = ZSTD_createCCtx() else { throw SluiceError(.library, "zstd: out of memory") }
        self.context = context
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `source`, with a window that covers all of it (``windowLog(covering:)``); `nil` when
    /// the result does not fit in `destination`.
    /// The corresponding C function is `ZSTD_compress2`.
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, level: Int) throws -> Int? {
        try setUp(level: level, size: source.count)
        let result = ZSTD_compress2(context, destination.baseAddress, destination.count, source.baseAddress, source.count)
        if ZSTD_isError(result) != 0, ZSTD_getErrorCode(result) == ZSTD_error_dstSize_tooSmall { return nil }
        return try Zstd.check(result, "compression", errorCode: .library)
    }

    /// A fresh session at `level`, its window raised to cover a `size`-byte input: a level's own window
    /// (2 MiB at level 3) is smaller than a chunk, and a chunk is one frame with no history before it,
    /// so every match further back than the level's window would be lost (docs/performance.md,
    /// "Ratio: the window and the chunk size"). The frame then asks a decoder for a window of at most
    /// its own size (≤ 128 MiB, `zstd -d`'s default limit, for every chunk size a zstd file allows).
    fileprivate func setUp(level: Int, size: Int) throws {
        ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters)
        _ = try Zstd.check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level)), "setup", errorCode: .library)
        // Never smaller than what the level would use for this size: zstd fits its window to a known size.
        let log = Self.windowLog(covering: size)
        _ = try Zstd.check(ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, Int32(log)), "setup", errorCode: .library)
    }

    /// The smallest window log whose window holds `size` bytes, within zstd's bounds.
    static func windowLog(covering size: Int) -> Int {
        let needed = size <= 1 ? 0 : Int.bitWidth - (size - 1).leadingZeroBitCount
        return min(max(needed, 10), Zstd.defaultWindowLogLimit)  // 10: ZSTD_WINDOWLOG_MIN
    }
}

/// A reusable decompression context (`ZSTD_DCtx`), owned by one worker.
final class ZstdDecompressor {
    private let context: OpaquePointer

    /// - Parameter windowLogMax: `.slc` frames never need more window than one chunk (at most 256 MiB =
    ///   2^28); refusing larger windows keeps a hostile frame from asking for more memory.
    init(windowLogMax: Int = 28) throws {
        guard let context = ZSTD_createDCtx() else { throw SluiceError(.library, "zstd: out of memory") }
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Int32(windowLogMax))
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// The corresponding C function is `ZSTD_decompressDCtx`.
    func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        let result = ZSTD_decompressDCtx(
            context, destination.baseAddress, destination.count, source.baseAddress, source.count)
        return try Zstd.check(result, "decompression", errorCode: .corrupt)
    }
}

// MARK: - Standard zstd files (docs/formats.md): frame inspection, frames with content size and
// checksum, and the streaming decoder for single-frame files.

/// What a zstd frame header says, read without decoding the frame.
struct ZstdFrameHeader: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        /// A compressed frame (magic `0xFD2FB528`).
        case data
        /// A skippable frame (magic `0x184D2A5?`): user data every decoder skips.
        case skippable
    }

    var kind: Kind
    /// A data frame: its plaintext size, when the frame records it. A skippable frame: the size of its
    /// user data.
    var contentSize: UInt64?
    /// The history the frame's decoder must keep (0 for a skippable frame).
    var windowSize: UInt64
    /// The dictionary the frame was compressed with (0: none, or not recorded).
    var dictionaryID: UInt32
    /// The frame ends with the low 32 bits of the XXH64 of its plaintext.
    var hasChecksum: Bool
    /// Bytes of the header itself (magic included).
    var headerSize: Int
}

extension Zstd {
    /// The first four bytes of a data frame, little-endian.
    static let frameMagic: UInt32 = 0xFD2F_B528
    /// The largest frame header (`ZSTD_FRAMEHEADERSIZE_MAX`): enough bytes to read any frame's header.
    static let maximumFrameHeaderSize = 18
    /// The largest block a zstd frame holds, plaintext (`ZSTD_BLOCKSIZE_MAX`).
    static let maximumBlockSize = 128 << 10
    /// The window `zstd -d` accepts without `--memory` (`ZSTD_WINDOWLOG_LIMIT_DEFAULT`, 2^27).
    static let defaultWindowLogLimit = 27
    /// The largest window any zstd frame can ask for on a 64-bit machine (`ZSTD_WINDOWLOG_MAX_64`).
    static let maximumWindowLog = 31

    /// Reads the header of the frame that starts `bytes`; `nil` when more bytes are needed to read it.
    /// The corresponding C function is `ZSTD_getFrameHeader`.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when `bytes` does not start a zstd frame.
    static func frameHeader(_ bytes: UnsafeRawBufferPointer) throws -> ZstdFrameHeader? {
        var header = ZSTD_frameHeader()
        let result = ZSTD_getFrameHeader(&header, bytes.baseAddress, bytes.count)
        if ZSTD_isError(result) != 0 {
            throw SluiceError.corrupt("not a zstd frame (\(String(cString: ZSTD_getErrorName(result))))")
        }
        if result > 0 { return nil }
        let skippable = header.frameType == ZSTD_skippableFrame
        return ZstdFrameHeader(
            kind: skippable ? .skippable : .data,
            contentSize: header.frameContentSize == UInt64.max ? nil : header.frameContentSize,
            windowSize: skippable ? 0 : header.windowSize, dictionaryID: header.dictID,
            hasChecksum: header.checksumFlag != 0, headerSize: Int(header.headerSize))
    }

    /// The size of the whole frame (data or skippable) that starts `bytes`, found by walking its block
    /// headers. The corresponding C function is `ZSTD_findFrameCompressedSize`.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the frame is malformed or ends past `bytes`.
    static func frameSize(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        let result = ZSTD_findFrameCompressedSize(bytes.baseAddress, bytes.count)
        if ZSTD_isError(result) != 0 {
            if ZSTD_getErrorCode(result) == ZSTD_error_srcSize_wrong {
                throw SluiceError.corrupt("truncated zstd frame")
            }
            throw SluiceError.corrupt("malformed zstd frame (\(String(cString: ZSTD_getErrorName(result))))")
        }
        return result
    }

    /// The most plaintext the frame (a complete one, `bytes`) can decode to: its content size when
    /// recorded, else its block count × its block size. The corresponding C function is
    /// `ZSTD_decompressBound`.
    static func decodedBound(_ frame: UnsafeRawBufferPointer) throws -> UInt64 {
        let bound = ZSTD_decompressBound(frame.baseAddress, frame.count)
        guard bound != UInt64.max - 1 else { throw SluiceError.corrupt("malformed zstd frame") }
        return bound
    }
}

extension ZstdCompressor {
    /// Compresses `source` into one complete zstd frame that records its content size and ends with
    /// its XXH64 checksum (what `zstd` writes, and what the seekable format's table repeats); `nil`
    /// when it does not fit in `destination` (size it with ``Zstd/compressBound(_:)``).
    /// The corresponding C function is `ZSTD_compress2`.
    func compressFrame(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, level: Int) throws -> Int? {
        try setUp(level: level, size: source.count)
        _ = try Zstd.check(ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1), "setup", errorCode: .library)
        _ = try Zstd.check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1), "setup", errorCode: .library)
        let result = ZSTD_compress2(context, destination.baseAddress, destination.count, source.baseAddress, source.count)
        if ZSTD_isError(result) != 0, ZSTD_getErrorCode(result) == ZSTD_error_dstSize_tooSmall { return nil }
        return try Zstd.check(result, "compression", errorCode: .library)
    }
}

/// A streaming decoder (`ZSTD_DCtx` used through `ZSTD_decompressStream`) for zstd data that cannot
/// be cut into frames decoded apart: a single-frame file, or any file read from a pipe. It decodes
/// concatenated frames one after another and skips skippable frames.
final class ZstdStreamDecoder {
    private let context: OpaquePointer

    /// - Parameter windowLogMax: frames asking for a larger window (more memory) are refused.
    init(windowLogMax: Int) throws {
        guard let context = ZSTD_createDCtx() else { throw SluiceError(.library, "zstd: out of memory") }
        self.context = context
        _ = try Zstd.check(
            ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Int32(windowLogMax)), "setup", errorCode: .library)
    }

    deinit { ZSTD_freeDCtx(context) }

    /// One step: consumes some of `input` and fills some of `output`.
    ///
    /// - Returns: the bytes consumed and produced, and whether a frame just ended (everything given
    ///   so far is decoded and flushed: the input may end here).
    /// - Throws: ``SluiceError/Code/corrupt`` for malformed data or a failed checksum; a frame that
    ///   needs more window than allowed says so.
    func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws
        -> (consumed: Int, produced: Int, frameEnded: Bool)
    {
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var target = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let result = ZSTD_decompressStream(context, &target, &source)
        if ZSTD_isError(result) != 0, ZSTD_getErrorCode(result) == ZSTD_error_frameParameter_windowTooLarge {
            throw SluiceError.corrupt("a zstd frame needs a window larger than the memory limit allows")
        }
        _ = try Zstd.check(result, "decompression", errorCode: .corrupt)
        return (source.pos, target.pos, result == 0)
    }
}

extension ZstdDecompressor {
    /// A context for frames of standard zstd files, whose window may be up to 2^31: each is decoded in
    /// one call straight into a buffer of its plaintext size, so the window costs no memory of its own.
    static func forStandardFrames() throws -> ZstdDecompressor {
        try ZstdDecompressor(windowLogMax: Zstd.maximumWindowLog)
    }
}
