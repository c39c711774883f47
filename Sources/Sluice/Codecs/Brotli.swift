private import CBrotli

/// Brotli through its one-shot encoder and decoder.
///
/// Brotli 1.0.9 cannot reset an encoder instance for a new input, so each chunk gets a fresh internal
/// state; at brotli's speeds (15–300 MB/s) that allocation is lost in the noise.
package enum Brotli {
    /// The corresponding C function is `BrotliEncoderMaxCompressedSize`.
    static func compressBound(_ count: Int) -> Int { BrotliEncoderMaxCompressedSize(count) }

    /// The library version, e.g. `1.0.9`.
    package static var version: String {
        let v = BrotliEncoderVersion()
        return "\(v >> 24).\((v >> 12) & 0xFFF).\(v & 0xFFF)"
    }

    /// The corresponding C function is `BrotliEncoderCompress`; `nil` when it does not fit.
    static func compress(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, quality: Int, window: Int
    ) -> Int? {
        var size = destination.count
        let ok = BrotliEncoderCompress(
            Int32(quality), Int32(window), BROTLI_MODE_GENERIC, source.count,
            source.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!,
            &size, destination.baseAddress!.assumingMemoryBound(to: UInt8.self))
        return ok == BROTLI_TRUE ? size : nil
    }

    /// The corresponding C function is `BrotliDecoderDecompress`; returns the bytes produced.
    static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        var size = destination.count
        let result = BrotliDecoderDecompress(
            source.count, source.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!,
            &size, destination.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafeMutablePointer(bitPattern: 1)!)
        guard result == BROTLI_DECODER_RESULT_SUCCESS else { throw SluiceError.corrupt("brotli data is malformed") }
        return size
    }
}
