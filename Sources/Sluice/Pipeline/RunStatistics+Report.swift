import Foundation

extension RunStatistics {
    /// The statistics as the table `sluice --stats` prints: the plan, wall and CPU time, each stage's
    /// thread time and speed per core, saturation, queue depth, the wait percentiles and peak memory.
    public var table: String {
        func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
        var lines = [
            "plan:        \(ByteCount(bytes: chunkSize)) chunks, \(workers) workers, window \(window)"
                + (ioTokens > 0 ? ", \(ioTokens) I/O tokens" : ""),
            "time:        \(f(wallSeconds, 3)) s wall, \(f(userSeconds, 3)) s user, \(f(systemSeconds, 3)) s system",
            "stages (thread time, speed per core):",
        ]
        for stage in stages where stage.bytes > 0 {
            lines.append("  \(stage.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(f(stage.seconds, 3)) s  \(f(stage.megabytesPerSecond, 0)) MB/s  (\(ByteCount(bytes: Int(stage.bytes))))")
        }
        lines += [
            "saturation:  CPU pool \(f(cpuSaturation * 100, 0))%, reader \(f(readerSaturation * 100, 0))%, writer \(f(writerSaturation * 100, 0))%",
            "queue depth: mean \(f(queueDepthMean)), max \(queueDepthMax)",
            "waits (µs)         p50      p95      p99      max",
            Self.row("  for a buffer", bufferWait),
            Self.row("  for a worker", workerWait),
            Self.row("  writer, next", writerWait),
            Self.row("  for I/O token", ioTokenWait),
            "peak memory: \(ByteCount(bytes: peakResidentBytes))",
        ]
        return lines.joined(separator: "\n")
    }

    private static func row(_ name: String, _ latency: Latency) -> String {
        name.padding(toLength: 16, withPad: " ", startingAt: 0)
            + [latency.p50, latency.p95, latency.p99, latency.max].map { String(format: "%9.0f", $0) }.joined()
    }

    /// The statistics as one JSON object with sorted snake-case keys (`sluice --stats-json`); the
    /// fields are those of ``table`` (docs/cli.md lists them).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
