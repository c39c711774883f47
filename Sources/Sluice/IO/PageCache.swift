#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
private import CLinuxIO
import SystemPackage

/// Hints to the kernel's page cache about a file: what will be read next, what is done with, whether
/// it is cached, and when to write dirty pages back. Every call is advice: a file system or platform
/// that does not support one (a pipe, tmpfs, macOS) makes it a no-op, never an error, so the callers'
/// results do not depend on it — only their speed.
package enum PageCache {
    /// Tells the kernel `fd` will be read front to back (`posix_fadvise(POSIX_FADV_SEQUENTIAL)`): Linux
    /// then doubles the file's read-ahead window and drops pages behind the reader sooner.
    @discardableResult
    static func adviseSequential(_ fd: FileDescriptor) -> Bool {
        #if os(Linux)
        return posix_fadvise(fd.rawValue, 0, 0, POSIX_FADV_SEQUENTIAL) == 0
        #else
        return false
        #endif
    }

    /// Starts reading `range` of `fd` into the page cache in the background (`readahead(2)`, falling
    /// back to `posix_fadvise(POSIX_FADV_WILLNEED)`), so that a later read of it finds the pages there.
    @discardableResult
    static func willNeed(_ fd: FileDescriptor, _ range: Range<UInt64>) -> Bool {
        guard !range.isEmpty else { return true }
        if sluice_readahead(fd.rawValue, off_t(range.lowerBound), Int(range.count)) == 0 { return true }
        #if os(Linux)
        return posix_fadvise(fd.rawValue, off_t(range.lowerBound), off_t(range.count), POSIX_FADV_WILLNEED) == 0
        #else
        return false
        #endif
    }

    /// Drops the clean cached pages of `range` of `fd` (`posix_fadvise(POSIX_FADV_DONTNEED)`; a `count`
    /// of 0 means to the end). Dirty pages stay until written back: sync first to drop everything.
    @discardableResult
    static func drop(_ fd: FileDescriptor, from offset: UInt64 = 0, count: UInt64 = 0) -> Bool {
        #if os(Linux)
        return posix_fadvise(fd.rawValue, off_t(offset), off_t(count), POSIX_FADV_DONTNEED) == 0
        #else
        return false
        #endif
    }

    /// Writes the file at `path` back and evicts it from the page cache (`fsync`, then
    /// `posix_fadvise(POSIX_FADV_DONTNEED)`): the next read of it comes from the device, without
    /// touching other files' pages as `/proc/sys/vm/drop_caches` would. For `sluice bench --cold`.
    ///
    /// - Throws: ``SluiceError/Code/io`` when the file cannot be opened or synced.
    package static func evict(_ path: FilePath) throws {
        do {
            let fd = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec])
            try fd.closeAfter {
                try fd.synchronize()
                drop(fd)
            }
        } catch {
            throw SluiceError(.io, "cannot evict \(path) from the page cache", cause: error)
        }
    }

    /// Starts write-back of the dirty pages of `range` without waiting for it
    /// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`). `false` where the call is not supported or fails
    /// (a pipe, a device, another platform): the caller then stops trying.
    static func startWriteBack(_ fd: FileDescriptor, _ range: Range<UInt64>) -> Bool {
        guard !range.isEmpty else { return true }
        return sluice_sync_file_range(fd.rawValue, off_t(range.lowerBound), off_t(range.count), sluice_sync_write) == 0
    }

    /// Waits until the pages of `range` that were dirty are on their way to, or on, the device
    /// (`sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER)`): this is what bounds the dirty data of a run.
    /// Not a durability guarantee (no metadata, no device cache flush): that is still `fsync`'s job.
    static func waitForWriteBack(_ fd: FileDescriptor, _ range: Range<UInt64>) -> Bool {
        guard !range.isEmpty else { return true }
        let flags = sluice_sync_wait_before | sluice_sync_write | sluice_sync_wait_after
        return sluice_sync_file_range(fd.rawValue, off_t(range.lowerBound), off_t(range.count), flags) == 0
    }

    /// The fraction (0…1) of the first `limit` bytes of `fd` (a regular file of `size` bytes) that is in
    /// the page cache, from `mincore` over a read-only mapping (which faults nothing in); `nil` when it
    /// cannot be told (an empty file, a mapping refused).
    static func cachedFraction(of fd: FileDescriptor, size: UInt64, limit: UInt64 = 256 << 20) -> Double? {
        let length = Int(min(size, limit))
        guard length > 0 else { return nil }
        guard let mapping = mmap(nil, length, PROT_READ, MAP_SHARED, fd.rawValue, 0), mapping != MAP_FAILED else { return nil }
        defer { munmap(mapping, length) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (length + page - 1) / page
        #if canImport(Darwin)
        var vector = [CChar](repeating: 0, count: pages)
        #else
        var vector = [UInt8](repeating: 0, count: pages)
        #endif
        guard mincore(mapping, length, &vector) == 0 else { return nil }
        let resident = vector.reduce(0) { $0 + Int($1 & 1) }
        return Double(resident) / Double(pages)
    }
}
