import Foundation
import Sluice

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
        if stats { Terminal.printError(statistics.table) }
        if statsJson { Terminal.printError(statistics.json) }
    }
}

import ArgumentParser
