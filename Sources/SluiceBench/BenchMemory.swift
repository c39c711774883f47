#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Sluice

/// This process's resident memory, as Linux reports it in `/proc/self/status`.
public enum ResidentMemory {
    /// The peak resident size of this process's address space (`VmHWM`), or `nil` where there is no
    /// `/proc` (then use ``Memory/peakResident``).
    public static var highWater: ByteCount? { PeakMemoryProbe.status("VmHWM").map { .bytes($0) } }

    /// The peak resident size: ``highWater``, else `getrusage`'s maximum resident set size.
    public static var peak: ByteCount { highWater ?? Memory.peakResident }
}

/// The resident-memory high-water mark of one cell, best effort.
///
/// On Linux, writing `5` to `/proc/self/clear_refs` resets the kernel's high-water mark (`VmHWM`)
/// to the current resident size, so the peak of each cell can be read on its own: peak minus the
/// resident size at the start. glibc's `malloc_trim` first hands freed memory back, or a cell whose
/// buffers fit in pages an earlier cell freed would show almost nothing. Where that is not possible (other systems, old kernels), the probe
/// falls back to `getrusage`'s `ru_maxrss`, which never goes down, so a cell then shows only what it
/// added above every earlier cell's peak.
struct PeakMemoryProbe {
    private let baseline: Int
    private let resettable: Bool

    /// Starts a measurement: returns the allocator's free memory to the system (so this cell's buffers
    /// are counted even where they reuse an earlier cell's freed pages), resets the high-water mark
    /// where it can, and notes the resident size.
    init() {
        _ = PeakMemoryProbe.trimAllocator?(0)
        resettable = PeakMemoryProbe.resetHighWater()
        baseline = resettable ? (PeakMemoryProbe.status("VmRSS") ?? 0) : Memory.peakResident.bytes
    }

    /// Bytes the resident size rose above the start at its peak since `init`.
    var peakIncrease: Int {
        let peak = resettable ? (PeakMemoryProbe.status("VmHWM") ?? 0) : Memory.peakResident.bytes
        return max(0, peak - baseline)
    }

    /// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module does not import `malloc.h`,
    /// and other C libraries do not have it (then nothing is trimmed).
    private static let trimAllocator: (@convention(c) (Int) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    private static func resetHighWater() -> Bool {
        #if os(Linux)
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, "5", 1) == 1 && status("VmHWM") != nil
        #else
        return false
        #endif
    }

    /// A `kB` field of `/proc/self/status`, in bytes.
    static func status(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let number = line.dropFirst(field.count + 1).filter(\.isNumber)
            return Int(number).map { $0 * 1024 }
        }
        return nil
    }
}
