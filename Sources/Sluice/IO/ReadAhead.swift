import SystemPackage

/// The read-ahead hints of one run over a regular input, given by the thread that hands out the reads:
/// the file is declared sequential once, then before each chunk the kernel is asked to start reading
/// what lies up to ``distance`` bytes beyond it, so the device always has the next stretch queued while
/// the current one is copied out. Only hints: the data read is the same with or without them.
final class ReadAhead {
    let distance: Int
    private let fd: FileDescriptor
    private let end: UInt64
    /// Read-ahead was asked for up to here.
    private var hinted: UInt64 = 0
    /// Hints given, for the tests.
    private(set) var hints = 0

    /// - Parameters:
    ///   - end: the offset where the reads stop (the file's size, or where the frames end).
    ///   - distance: how far ahead to read; 0 gives no hints at all.
    init(_ fd: FileDescriptor, end: UInt64, distance: Int) {
        self.fd = fd
        self.end = end
        self.distance = distance
        if distance > 0 { PageCache.adviseSequential(fd) }
    }

    /// Called before the read at `offset` is handed out. Hints are given in steps of half the distance,
    /// so a 4 MiB chunk does not cost a system call each when the distance is large.
    func reading(at offset: UInt64) {
        guard distance > 0 else { return }
        let target = min(end, offset + UInt64(distance))
        guard target > hinted, hinted <= offset + UInt64(distance / 2) else { return }
        let from = max(hinted, offset)
        PageCache.willNeed(fd, from..<target)
        hinted = target
        hints += 1
    }
}
