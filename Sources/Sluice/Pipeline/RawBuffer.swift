#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of raw memory that moves between the reader, a worker and the writer, and is reused for
/// chunk after chunk.
///
/// `@unchecked Sendable` because it hands a raw pointer between threads: the pipeline gives each
/// buffer to exactly one stage at a time (reader → worker → writer → free list), and every hand-over
/// goes through a ``Monitor`` lock, which orders the accesses. Nothing may keep `bytes` after
/// passing the buffer on.
package final class RawBuffer: @unchecked Sendable {
    /// The whole allocation; `count` of it is in use.
    package private(set) var bytes: UnsafeMutableRawBufferPointer
    /// Bytes in use from the start of `bytes`.
    package var count = 0

    package init(capacity: Int = 0) {
        bytes = RawBuffer.allocate(capacity)
    }

    deinit { free(bytes.baseAddress) }

    /// Makes room for at least `capacity` bytes. Contents are not kept when it grows: buffers grow
    /// to the size a chunk really needs, so a small input never pays for a large chunk size.
    func reserve(_ capacity: Int) {
        guard capacity > bytes.count else { return }
        free(bytes.baseAddress)
        bytes = RawBuffer.allocate(capacity)
    }

    /// Buffers of a huge page or more are aligned to one and asked to use huge pages: a 4 MiB chunk
    /// buffer then costs 2 page faults on first use instead of 1,024.
    static let hugePage = 2 << 20

    private static func allocate(_ capacity: Int) -> UnsafeMutableRawBufferPointer {
        // 64-byte alignment keeps the codecs' and ciphers' vector loops on whole cache lines.
        var size = max(capacity, 64)
        let huge = size >= hugePage
        if huge { size = (size + hugePage - 1) / hugePage * hugePage }
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, huge ? hugePage : 64, size) == 0, let memory else {
            fatalError("out of memory allocating \(size) bytes")
        }
        #if os(Linux)
        if huge { _ = madvise(memory, size, MADV_HUGEPAGE) }
        #endif
        return UnsafeMutableRawBufferPointer(start: memory, count: size)
    }

    /// The bytes in use, read-only.
    package var contents: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[0..<count]) }

    /// `range` of the allocation, writable.
    package subscript(range: Range<Int>) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: bytes[range])
    }
}
