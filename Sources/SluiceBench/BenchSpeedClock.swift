import Sluice
/// Which clock the displayed speeds come from.
///
/// Results files always keep both wall and CPU seconds; this only changes what tables, charts and
/// recommendations show (`--clock`).
public enum BenchSpeedClock: String, CaseIterable, Sendable, Codable {
    /// Input bytes over wall-clock time: what a user waits for. The default.
    case wall
    /// Input bytes over CPU time divided by the workers: what the cell would do with its cores to
    /// itself. On a machine shared with other work this moves much less than wall time, because
    /// waiting for a core is not counted; it assumes the chunks were spread evenly over the workers.
    /// Memory mode only (file mode's reader and writer threads are not CPU-bound).
    case cpu
}

extension BenchReport {
    /// This report with every memory-mode speed recomputed from `clock`.
    public func speeds(by clock: BenchSpeedClock) -> BenchReport {
        guard clock == .cpu else { return self }
        var copy = self
        for r in copy.runs.indices where copy.runs[r].mode == .memory {
            copy.runs[r].speedClock = .cpu
            for i in copy.runs[r].results.indices {
                let result = copy.runs[r].results[i]
                copy.runs[r].results[i].compress = result.compress.speedsFromCPU(bytes: result.inputBytes, workers: result.workers)
                copy.runs[r].results[i].decompress = result.decompress?.speedsFromCPU(bytes: result.inputBytes, workers: result.workers)
            }
        }
        return copy
    }
}

extension BenchTiming {
    /// The same passes with `speed` from CPU time per worker.
    func speedsFromCPU(bytes: Int, workers: Int) -> BenchTiming {
        func mbps(_ seconds: Double) -> Double { seconds > 0 ? Double(bytes) * Double(workers) / seconds / 1e6 : 0 }
        var copy = self
        copy.speed = BenchStats(median: mbps(cpuSeconds.median), min: mbps(cpuSeconds.max), max: mbps(cpuSeconds.min))
        return copy
    }
}
