import Foundation
import Sluice

/// `--stats` (a table) and `--stats-json` (one JSON object), both on stderr.
enum StatisticsReport {
    static func text(_ stats: RunStatistics) -> String {
        func f(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
        var lines = [
            "plan:        \(ByteCount(bytes: stats.chunkSize)) chunks, \(stats.workers) workers, window \(stats.window)"
                + (stats.ioTokens > 0 ? ", \(stats.ioTokens) I/O tokens" : ""),
            "time:        \(f(stats.wallSeconds, 3)) s wall, \(f(stats.userSeconds, 3)) s user, \(f(stats.systemSeconds, 3)) s system",
            "stages (thread time, speed per core):",
        ]
        for stage in stats.stages where stage.bytes > 0 {
            lines.append("  \(stage.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(f(stage.seconds, 3)) s  \(f(stage.megabytesPerSecond, 0)) MB/s  (\(ByteCount(bytes: Int(stage.bytes))))")
        }
        lines += [
            "saturation:  CPU pool \(f(stats.cpuSaturation * 100, 0))%, reader \(f(stats.readerSaturation * 100, 0))%, writer \(f(stats.writerSaturation * 100, 0))%",
            "queue depth: mean \(f(stats.queueDepthMean)), max \(stats.queueDepthMax)",
            "waits (µs)         p50      p95      p99      max",
            row("  for a buffer", stats.bufferWait),
            row("  for a worker", stats.workerWait),
            row("  writer, next", stats.writerWait),
            row("  for I/O token", stats.ioTokenWait),
            "peak memory: \(ByteCount(bytes: stats.peakResidentBytes))",
        ]
        return lines.joined(separator: "\n")
    }

    private static func row(_ name: String, _ latency: RunStatistics.Latency) -> String {
        name.padding(toLength: 16, withPad: " ", startingAt: 0)
            + [latency.p50, latency.p95, latency.p99, latency.max].map { String(format: "%9.0f", $0) }.joined()
    }

    static func json(_ stats: RunStatistics) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(stats)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// `--stats`, `--stats-json`, `--progress`: shared by pack and unpack.
struct RunReportingOptions: ParsableArguments {
    @Flag(help: "Print per-stage throughput, saturation, waits and peak memory on stderr at the end.")
    var stats = false

    @Flag(help: "Print the same statistics as one JSON object on stderr.")
    var statsJson = false

    @Flag(help: "Show a progress bar even when stderr is not a terminal.")
    var progress = false

    /// The progress bar, or `nil`: with `-q`; when stderr is not a terminal, or sluice is a filter from
    /// standard input to standard output (`tar -I sluice`, whose own lines it would overwrite), unless
    /// `--progress`; and always when the data itself goes to standard output on a terminal
    /// (`unpack -c`): the bar would be drawn into it.
    func bar(total: UInt64?, quiet: Bool, from input: String, target: OutputTarget) -> ProgressBar? {
        guard !quiet else { return nil }
        if case .standardOutput = target {
            if Terminal.standardOutputIsTerminal { return nil }
            if input == "-", !progress { return nil }
        }
        guard progress || Terminal.standardErrorIsTerminal else { return nil }
        return ProgressBar(total: total)
    }

    func print(_ statistics: RunStatistics?) {
        guard let statistics else { return }
        if stats { Terminal.printError(StatisticsReport.text(statistics)) }
        if statsJson { Terminal.printError(StatisticsReport.json(statistics)) }
    }
}

import ArgumentParser
