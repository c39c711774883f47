#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Where a regular file's holes are (`lseek` with `SEEK_DATA`), so that pack does not read them: a chunk
/// that lies wholly in a hole is known to be zeros (docs/performance.md, "Sparse files").
///
/// One `lseek` answers for every chunk up to the next data, so a file of few extents costs few calls.
/// A file system that does not track holes reports data everywhere, and one that refuses `SEEK_DATA`
/// turns the finder off: either way every chunk is then read. `lseek` moves the descriptor's offset,
/// which pack does not use (it reads at offsets); ``finish()`` puts it back for whoever shares it.
struct HoleFinder {
    let input: FileDescriptor
    let size: UInt64
    /// No data in `from ..< nextData` (the answer of the last query).
    private var from: UInt64 = 0
    private var nextData: UInt64 = 0
    private var works = true
    private var moved = false

    /// `SEEK_DATA`, which Swift's Glibc module leaves out with `_GNU_SOURCE` (Linux 3, Darwin 4).
    #if os(Linux)
    private static let seekData: Int32 = 3
    #else
    private static let seekData: Int32 = 4
    #endif

    init(_ input: FileDescriptor, size: UInt64) {
        self.input = input
        self.size = size
    }

    /// Whether `range` (within the file) holds no data at all.
    mutating func isHole(_ range: Range<UInt64>) -> Bool {
        guard works, !range.isEmpty else { return false }
        if range.lowerBound >= from, range.upperBound <= nextData { return true }
        if range.lowerBound >= from, range.lowerBound < nextData, nextData < range.upperBound { return false }
        moved = true
        let found = lseek(input.rawValue, off_t(range.lowerBound), Self.seekData)
        if found < 0 {
            guard errno == ENXIO else {
                works = false
                return false
            }
            nextData = UInt64.max  // no data from here to the end
        } else {
            nextData = UInt64(found)
        }
        from = range.lowerBound
        return nextData >= range.upperBound
    }

    /// Puts the descriptor's offset back at the start, where pack found it.
    func finish() {
        if moved { _ = lseek(input.rawValue, 0, SEEK_SET) }
    }
}
