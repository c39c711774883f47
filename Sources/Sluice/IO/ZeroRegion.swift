#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only run of zero bytes as long as the largest chunk, mapped once per process: the plaintext
/// of a chunk known to be all zeros (a hole of a sparse input, or a frame that decoded to zeros), so
/// that no buffer is filled, compressed or checksummed for it more than once (docs/performance.md,
/// "Sparse files").
///
/// The mapping is anonymous, private and never written: every page is the kernel's one zero page, so
/// it costs address space but no memory, and reading it stays in the CPU's caches. Code recognises a
/// chunk from here by its address (``contains(_:)``), which is how the pipeline says "all zeros"
/// without a flag travelling beside the bytes.
enum ZeroRegion {
    /// The largest chunk any format allows (``Header/chunkSizes``).
    static let size = Header.chunkSizes.upperBound

    /// The mapping's address (as an integer: a pointer is not `Sendable`).
    private static let address: UInt = {
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              mapped != MAP_FAILED
        else { fatalError("cannot map \(size) bytes of address space for the zero region") }
        return UInt(bitPattern: mapped)
    }()

    private static var base: UnsafeRawPointer { UnsafeRawPointer(bitPattern: address)! }

    /// `count` zero bytes (`count ≤ size`).
    static func bytes(_ count: Int) -> UnsafeRawBufferPointer {
        precondition(count <= size, "a chunk larger than the zero region")
        return UnsafeRawBufferPointer(start: base, count: count)
    }

    /// Whether `buffer` is (a prefix of) the zero region itself: a chunk known to be zeros.
    static func contains(_ buffer: UnsafeRawBufferPointer) -> Bool {
        buffer.count > 0 && buffer.baseAddress == base
    }

    /// Whether every byte of `buffer` is zero. Stops at the first byte that is not, so a chunk of data
    /// costs a few bytes' comparison; a chunk of zeros costs one pass at memory speed (`memcmp`
    /// against the region, which is always in the cache).
    static func isZero(_ buffer: UnsafeRawBufferPointer) -> Bool {
        if contains(buffer) { return true }
        guard var next = buffer.baseAddress else { return true }
        var rest = buffer.count
        while rest > 0 {
            let piece = min(rest, size)
            if memcmp(next, base, piece) != 0 { return false }
            next += piece
            rest -= piece
        }
        return true
    }
}
