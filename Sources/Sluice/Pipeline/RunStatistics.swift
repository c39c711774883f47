import Foundation
import Histogram

/// Where one run spent its time: per-stage throughput and CPU time, how saturated the CPU and I/O
/// sides were, how long work waited for a buffer, a worker or the writer, and peak memory — the
/// numbers that tell which resource bounds a run (`--stats`, `--stats-json`).
public struct RunStatistics: Sendable, Codable {
    /// One stage's totals over every chunk.
    struct Stage: Sendable, Codable {
        /// The stage's name: `checksum`, `compress`, `encrypt` (pack), `decrypt`, `decompress`, `verify` (unpack), or `read` (a zstd or LZ4 file).
        var name: String
        /// Thread time spent in the stage, summed over workers.
        var seconds: Double
        /// Bytes that went into the stage.
        var bytes: UInt64
        /// `bytes / seconds`: the stage's speed on one core.
        var megabytesPerSecond: Double
    }

    /// A latency distribution, in microseconds.
    struct Latency: Sendable, Codable {
        /// How many waits were measured.
        var count: UInt64
        /// The median wait.
        var p50: Double
        /// The 95th percentile.
        var p95: Double
        /// The 99th percentile.
        var p99: Double
        /// The longest wait.
        var max: Double
    }

    /// Wall-clock time of the run.
    var wallSeconds: Double
    /// CPU time in user space, all threads.
    var userSeconds: Double
    /// CPU time in the kernel, all threads.
    var systemSeconds: Double
    /// Per-stage totals, in pipeline order.
    var stages: [Stage]
    /// Worker busy time ÷ (workers × wall time): 1.0 means the CPU pool never idled.
    var cpuSaturation: Double
    /// Read time ÷ wall time, summed over the threads that read (the reader, or the I/O threads reading
    /// chunks at their offsets): above 1.0 when reads overlapped.
    var readerSaturation: Double
    /// Write time ÷ wall time, summed over the threads that write (the ordered writer, or the I/O
    /// threads writing chunks at their offsets): above 1.0 when writes overlapped.
    var writerSaturation: Double
    /// Jobs queued or running in the CPU pool when a chunk was submitted: mean and max.
    var queueDepthMean: Double
    /// The largest such depth.
    var queueDepthMax: Int
    /// The reader waiting for a free chunk buffer (back-pressure from the window).
    var bufferWait: Latency
    /// A chunk waiting for a worker (CPU token) after it was read.
    var workerWait: Latency
    /// The writer waiting for the next chunk in order.
    var writerWait: Latency
    /// A read or write waiting for an I/O token (and, for a write handed to the I/O pool, for its thread).
    var ioTokenWait: Latency
    /// I/O tokens of the run's I/O pool; 0 when the run had none (reads and writes on their own threads).
    var ioTokens: Int
    /// The process's peak resident memory at the end of the run.
    var peakResidentBytes: Int
    /// The run's chunk size.
    var chunkSize: Int
    /// CPU workers of the run.
    var workers: Int
    /// Chunks in flight at most (the buffer window).
    var window: Int
}

/// Per-chunk stage timings, measured by the worker that ran the chunk and summed by the writer.
struct StageTimings: Sendable {
    var nanoseconds: [UInt64] = [0, 0, 0]
    var bytes: [UInt64] = [0, 0, 0]

    mutating func measure<T>(_ stage: Int, bytes count: Int, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            nanoseconds[stage] += DispatchTime.now().uptimeNanoseconds - start
            bytes[stage] += UInt64(count)
        }
        return try body()
    }
}

/// Collects a run's events from the reader, the workers and the writer.
final class StatisticsRecorder: Sendable {
    private struct State {
        var bufferWait = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .two)
        var workerWait = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .two)
        var writerWait = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .two)
        var ioTokenWait = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .two)
        var workerBusy: UInt64 = 0
        var readerBusy: UInt64 = 0
        var writerBusy: UInt64 = 0
        var depthTotal = 0
        var depthSamples = 0
        var depthMax = 0
        var stages = StageTimings()
    }

    enum Wait { case buffer, worker, writer, ioToken }
    enum Side { case reader, writer, worker }

    private let state = Locked(State())
    private let start = DispatchTime.now().uptimeNanoseconds
    private let startUsage = StatisticsRecorder.cpuTimes()

    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    func waited(_ wait: Wait, since start: UInt64) {
        let elapsed = StatisticsRecorder.now - start
        state.withLock { state in
            switch wait {
            case .buffer: _ = state.bufferWait.record(elapsed)
            case .worker: _ = state.workerWait.record(elapsed)
            case .writer: _ = state.writerWait.record(elapsed)
            case .ioToken: _ = state.ioTokenWait.record(elapsed)
            }
        }
    }

    func busy(_ side: Side, since start: UInt64) {
        let elapsed = StatisticsRecorder.now - start
        state.withLock { state in
            switch side {
            case .reader: state.readerBusy += elapsed
            case .writer: state.writerBusy += elapsed
            case .worker: state.workerBusy += elapsed
            }
        }
    }

    func queueDepth(_ depth: Int) {
        state.withLock { state in
            state.depthTotal += depth
            state.depthSamples += 1
            state.depthMax = max(state.depthMax, depth)
        }
    }

    func add(_ timings: StageTimings) {
        state.withLock { state in
            for i in 0..<3 {
                state.stages.nanoseconds[i] += timings.nanoseconds[i]
                state.stages.bytes[i] += timings.bytes[i]
            }
        }
    }

    private static func cpuTimes() -> (user: Double, system: Double) { Memory.cpuTimes }

    /// The totals, with `stageNames` naming the three measured stages in order.
    func finish(stageNames: [String], plan: Plan, ioTokens: Int = 0) -> RunStatistics {
        let wall = max(1e-9, Double(StatisticsRecorder.now - start) / 1e9)
        let usage = StatisticsRecorder.cpuTimes()
        return state.withLock { state in
            func latency(_ histogram: Histogram<UInt64>) -> RunStatistics.Latency {
                RunStatistics.Latency(
                    count: histogram.totalCount,
                    p50: Double(histogram.valueAtPercentile(50)) / 1000, p95: Double(histogram.valueAtPercentile(95)) / 1000,
                    p99: Double(histogram.valueAtPercentile(99)) / 1000, max: Double(histogram.max) / 1000)
            }
            let stages = stageNames.enumerated().map { i, name in
                let seconds = Double(state.stages.nanoseconds[i]) / 1e9
                return RunStatistics.Stage(
                    name: name, seconds: seconds, bytes: state.stages.bytes[i],
                    megabytesPerSecond: seconds > 0 ? Double(state.stages.bytes[i]) / seconds / 1e6 : 0)
            }
            return RunStatistics(
                wallSeconds: wall, userSeconds: usage.user - startUsage.user, systemSeconds: usage.system - startUsage.system,
                stages: stages, cpuSaturation: Double(state.workerBusy) / 1e9 / (wall * Double(plan.workers)),
                readerSaturation: Double(state.readerBusy) / 1e9 / wall, writerSaturation: Double(state.writerBusy) / 1e9 / wall,
                queueDepthMean: state.depthSamples == 0 ? 0 : Double(state.depthTotal) / Double(state.depthSamples),
                queueDepthMax: state.depthMax, bufferWait: latency(state.bufferWait), workerWait: latency(state.workerWait),
                writerWait: latency(state.writerWait), ioTokenWait: latency(state.ioTokenWait), ioTokens: ioTokens,
                peakResidentBytes: Memory.peakResident.bytes,
                chunkSize: plan.chunkSize, workers: plan.workers, window: plan.window)
        }
    }
}
