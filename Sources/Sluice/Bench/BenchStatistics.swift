#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Median, minimum and maximum of a set of samples. The median is what tables show: one slow pass
/// caused by another process does not move it, where it would move a mean.
public struct BenchStats: Codable, Sendable, Equatable {
    public var median: Double
    public var min: Double
    public var max: Double

    public init(median: Double, min: Double, max: Double) {
        self.median = median
        self.min = min
        self.max = max
    }

    /// - Precondition: `samples` is not empty.
    public init(_ samples: [Double]) {
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        min = sorted.first!
        max = sorted.last!
    }
}

/// The timed passes of one direction (compress or decompress, seal or open) of one cell.
public struct BenchTiming: Codable, Sendable, Equatable {
    /// Timed passes made.
    public var runs: Int
    /// Wall-clock seconds per pass over the whole input.
    public var wallSeconds: BenchStats
    /// CPU seconds (user + system, all threads) per pass, from `getrusage`.
    public var cpuSeconds: BenchStats
    /// Input bytes per wall second, in MB/s (10^6 bytes): the median is `input / median time`,
    /// the minimum comes from the slowest pass and the maximum from the fastest.
    public var speed: BenchStats

    public init(runs: Int, wallSeconds: BenchStats, cpuSeconds: BenchStats, speed: BenchStats) {
        self.runs = runs
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
        self.speed = speed
    }

    /// Summarises passes over `bytes` of input.
    init(samples: [BenchSample], bytes: Int) {
        let wall = BenchStats(samples.map(\.wall))
        runs = samples.count
        wallSeconds = wall
        cpuSeconds = BenchStats(samples.map(\.cpu))
        func mbps(_ seconds: Double) -> Double { seconds > 0 ? Double(bytes) / seconds / 1e6 : 0 }
        speed = BenchStats(median: mbps(wall.median), min: mbps(wall.max), max: mbps(wall.min))
    }

    /// CPU time over wall time: about 1 for one busy thread, about N for N.
    public var cpuPerWall: Double { wallSeconds.median > 0 ? cpuSeconds.median / wallSeconds.median : 0 }
}

/// One timed pass.
struct BenchSample {
    var wall: Double
    var cpu: Double
}

/// Wall and CPU clocks read together around a pass.
enum BenchClock {
    /// Seconds on the monotonic clock. The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    static var wall: Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// User + system CPU seconds of every thread of this process. The corresponding C function is
    /// `getrusage(RUSAGE_SELF)`.
    static var cpu: Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Times `body`.
    static func measure(_ body: () throws -> Void) rethrows -> BenchSample {
        let cpu0 = cpu
        let wall0 = wall
        try body()
        let wall1 = wall
        let cpu1 = cpu
        return BenchSample(wall: wall1 - wall0, cpu: max(0, cpu1 - cpu0))
    }
}

/// This process's resident memory, as Linux reports it in `/proc/self/status`.
public enum ResidentMemory {
    /// The peak resident size of this process's address space (`VmHWM`), or `nil` where there is no
    /// `/proc` (then use ``Memory/peakResident``).
    public static var highWater: ByteCount? { PeakMemoryProbe.status("VmHWM").map { .bytes($0) } }
}

/// The resident-memory high-water mark of one cell, best effort.
///
/// On Linux, writing `5` to `/proc/self/clear_refs` resets the kernel's high-water mark (`VmHWM`)
/// to the current resident size, so the peak of each cell can be read on its own: peak minus the
/// resident size at the start. Where that is not possible (other systems, old kernels), the probe
/// falls back to `getrusage`'s `ru_maxrss`, which never goes down, so a cell then shows only what it
/// added above every earlier cell's peak.
struct PeakMemoryProbe {
    private let baseline: Int
    private let resettable: Bool

    /// Starts a measurement: resets the high-water mark where it can and notes the resident size.
    init() {
        resettable = PeakMemoryProbe.resetHighWater()
        baseline = resettable ? (PeakMemoryProbe.status("VmRSS") ?? 0) : Memory.peakResident.bytes
    }

    /// Bytes the resident size rose above the start at its peak since `init`.
    var peakIncrease: Int {
        let peak = resettable ? (PeakMemoryProbe.status("VmHWM") ?? 0) : Memory.peakResident.bytes
        return max(0, peak - baseline)
    }

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
