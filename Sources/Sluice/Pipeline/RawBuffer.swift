/// A block of raw memory that moves between the reader, a worker and the writer, and is reused for
/// chunk after chunk.
///
/// `@unchecked Sendable` because it hands a raw pointer between threads: the pipeline gives each
/// buffer to exactly one stage at a time (reader → worker → writer → free list), and every hand-over
/// goes through a ``Monitor`` lock, which orders the accesses. Nothing may keep `bytes` after
/// passing the buffer on.
final class RawBuffer: @unchecked Sendable {
    /// The whole allocation; `count` of it is in use.
    private(set) var bytes: UnsafeMutableRawBufferPointer
    /// Bytes in use from the start of `bytes`.
    var count = 0

    init(capacity: Int = 0) {
        bytes = RawBuffer.allocate(capacity)
    }

    deinit { bytes.deallocate() }

    /// Makes room for at least `capacity` bytes. Contents are not kept when it grows: buffers grow
    /// to the size a chunk really needs, so a small input never pays for a large chunk size.
    func reserve(_ capacity: Int) {
        guard capacity > bytes.count else { return }
        bytes.deallocate()
        bytes = RawBuffer.allocate(capacity)
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutableRawBufferPointer {
        // 64-byte alignment keeps the codecs' and ciphers' vector loops on whole cache lines.
        .allocate(byteCount: max(capacity, 64), alignment: 64)
    }

    /// The bytes in use, read-only.
    var contents: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[0..<count]) }

    /// `range` of the allocation, writable.
    subscript(range: Range<Int>) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: bytes[range])
    }
}
