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
    private let context: OpaquePointer

    init() throws {
        guard let context = ZSTD_createCCtx() else { throw SluiceError(.library, "zstd: out of memory") }
        self.context = context
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `source`; `nil` when the result does not fit in `destination`.
    /// The corresponding C function is `ZSTD_compressCCtx`.
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, level: Int) throws -> Int? {
        let result = ZSTD_compressCCtx(
            context, destination.baseAddress, destination.count, source.baseAddress, source.count, Int32(level))
        if ZSTD_isError(result) != 0, ZSTD_getErrorCode(result) == ZSTD_error_dstSize_tooSmall { return nil }
        return try Zstd.check(result, "compression", errorCode: .library)
    }
}

/// A reusable decompression context (`ZSTD_DCtx`), owned by one worker.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() throws {
        guard let context = ZSTD_createDCtx() else { throw SluiceError(.library, "zstd: out of memory") }
        // Frames never need more window than one chunk (at most 256 MiB = 2^28); refusing larger
        // windows keeps a hostile frame from asking for more memory.
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, 28)
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
