private import CLZ4

/// LZ4 and LZ4-HC through liblz4's block API (frames carry their own sizes, so the LZ4 frame format
/// would only repeat them).
package enum LZ4 {
    /// The corresponding C function is `LZ4_compressBound`.
    static func compressBound(_ count: Int) -> Int {
        count > Int(LZ4_MAX_INPUT_SIZE) ? 0 : Int(LZ4_compressBound(Int32(count)))
    }

    /// The library version, e.g. `1.9.4`.
    package static var version: String { String(cString: LZ4_versionString()) }

    /// Decodes one block; returns the number of bytes produced.
    /// The corresponding C function is `LZ4_decompress_safe`, which never writes past `destination`.
    static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        guard source.count <= Int(Int32.max), destination.count <= Int(Int32.max) else {
            throw SluiceError.corrupt("lz4 frame too large")
        }
        let produced = LZ4_decompress_safe(
            source.baseAddress?.assumingMemoryBound(to: CChar.self),
            destination.baseAddress?.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(destination.count))
        guard produced >= 0 else { throw SluiceError.corrupt("lz4 data is malformed") }
        return Int(produced)
    }
}

/// One worker's LZ4 state tables (fast and HC), allocated once and reused for every chunk.
final class LZ4Compressor {
    private let fastState: UnsafeMutableRawPointer
    private var hcState: UnsafeMutableRawPointer?

    init() {
        fastState = .allocate(byteCount: Int(LZ4_sizeofState()), alignment: 16)
    }

    deinit {
        fastState.deallocate()
        hcState?.deallocate()
    }

    /// The corresponding C function is `LZ4_compress_fast_extState`; `nil` when it does not fit.
    func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, acceleration: Int) throws -> Int? {
        let written = LZ4_compress_fast_extState(
            fastState, source.baseAddress?.assumingMemoryBound(to: CChar.self),
            destination.baseAddress?.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(clamping: destination.count), Int32(acceleration))
        return written > 0 || source.isEmpty ? Int(written) : nil
    }

    /// The corresponding C function is `LZ4_compress_HC_extStateHC`; `nil` when it does not fit.
    func compressHC(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer, level: Int) throws -> Int? {
        if hcState == nil { hcState = .allocate(byteCount: Int(LZ4_sizeofStateHC()), alignment: 16) }
        let written = LZ4_compress_HC_extStateHC(
            hcState, source.baseAddress?.assumingMemoryBound(to: CChar.self),
            destination.baseAddress?.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(clamping: destination.count), Int32(level))
        return written > 0 || source.isEmpty ? Int(written) : nil
    }
}
