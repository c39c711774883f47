#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Sluice

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
        let times = Memory.cpuTimes
        return times.user + times.system
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
