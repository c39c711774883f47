import Foundation
import Sluice

/// The columns every human-readable format shows, computed once and laid out by the terminal,
/// Markdown and HTML renderers.
struct BenchTable {
    /// One section per run and dataset.
    struct Section {
        var title: String
        var header: [String]
        var rows: [[String]]
        /// Which columns hold numbers (right-aligned).
        var numeric: [Bool]
        /// Lines under the table.
        var notes: [String] = []
    }

    /// A memory-mode cell whose threads did not get their cores: CPU time under 90 % of wall time
    /// per worker means the cell waited for a CPU, so its wall-time speeds are pessimistic.
    static func wasContended(_ result: BenchResult) -> Bool {
        result.mode == .memory && result.compress.cpuPerWall < 0.9 * Double(result.workers)
    }

    static func contendedNote(_ clock: BenchSpeedClock?) -> String {
        "* cpu/wall under 0.9 per worker: the cell waited for a CPU (other processes were running); "
            + (clock == .cpu ? "its speeds here are from CPU time, which that waiting does not inflate"
                : "its wall-time speeds are pessimistic (try --clock cpu)")
    }

    var sections: [Section]

    init(_ report: BenchReport) {
        sections = []
        for run in report.runs {
            let scaling = run.results.contains { $0.workers > 1 } && run.results.contains { $0.workers == 1 }
            var datasets: [String] = []
            for result in run.results where !datasets.contains(result.dataset) { datasets.append(result.dataset) }
            for dataset in datasets {
                let results = run.results.filter { $0.dataset == dataset }
                let size = results.first.map { ByteCount(bytes: $0.inputBytes) }.map { " (\($0))" } ?? ""
                let label = run.label.map { "\($0): " } ?? ""
                let verb = run.mode == .file ? ("pack", "unpack") : ("compress", "decompress")
                var header = ["name", "chunk", "workers", "ratio", "\(verb.0) MB/s", "\(verb.1) MB/s", "cpu/wall", "peak mem"]
                var numeric = [false, true, true, true, true, true, true, true]
                if scaling {
                    header.append("×1 worker")
                    numeric.append(true)
                }
                let rows = results.map { result -> [String] in
                    var row = [
                        result.name, ByteCount(bytes: result.effectiveChunkSize).description, "\(result.workers)",
                        String(format3: result.ratio),
                        BenchTable.speed(result.compress), result.decompress.map(BenchTable.speed) ?? "—",
                        String(format2: result.compress.cpuPerWall) + (BenchTable.wasContended(result) ? "*" : ""),
                        result.peakMemoryBytes.map { ByteCount(bytes: $0).description } ?? "—",
                    ]
                    if scaling {
                        if result.workers > 1, let base = report.singleWorkerBaseline(of: result, in: run) {
                            let c = result.compress.speed.median / max(base.compress.speed.median, 1e-9)
                            if let rd = result.decompress, let bd = base.decompress {
                                let d = rd.speed.median / max(bd.speed.median, 1e-9)
                                row.append("\(String(format2: c))× / \(String(format2: d))×")
                            } else {
                                row.append("\(String(format2: c))×")
                            }
                        } else {
                            row.append("")
                        }
                    }
                    return row
                }
                let notes = results.contains(where: BenchTable.wasContended) ? [BenchTable.contendedNote(run.speedClock)] : []
                sections.append(Section(title: "\(label)\(dataset)\(size), \(run.mode.rawValue) mode", header: header, rows: rows,
                                        numeric: numeric, notes: notes))
            }
        }
    }

    /// `370 [365–372]`: median, then the slowest and fastest pass.
    static func speed(_ timing: BenchTiming) -> String {
        "\(number(timing.speed.median)) [\(number(timing.speed.min))–\(number(timing.speed.max))]"
    }

    /// Three significant figures at most below 100, whole numbers above.
    static func number(_ value: Double) -> String {
        if value >= 100 { return String(Int(value.rounded())) }
        if value >= 10 { return String(format1: value) }
        return String(format2: value)
    }

    /// The environment and settings lines above a table.
    static func preamble(_ run: BenchRun) -> [String] {
        let s = run.settings
        return [
            run.environment.summary,
            "\(run.mode.rawValue) mode · ≥\(s.runs) runs and ≥\(String(format2: s.minTime)) s per direction · "
                + "warm-up \(s.warmup) · MB/s = 10^6 bytes of input per "
                + (run.speedClock == .cpu ? "CPU second per worker (--clock cpu)" : "second")
                + " · median [slowest–fastest]"
                + (run.environment.build == "debug" ? " · DEBUG BUILD: numbers are not representative" : ""),
        ]
    }

    // MARK: Terminal

    /// Aligned plain text for a terminal.
    func terminal(_ report: BenchReport) -> String {
        var out: [String] = []
        var lastRun: Int?
        var sectionIndex = 0
        for (runIndex, run) in report.runs.enumerated() {
            let count = Set(run.results.map(\.dataset)).count
            for _ in 0..<count {
                let section = sections[sectionIndex]
                sectionIndex += 1
                if lastRun != runIndex {
                    if !out.isEmpty { out.append("") }
                    out += BenchTable.preamble(run)
                    lastRun = runIndex
                }
                out.append("")
                out.append(section.title)
                out += BenchTable.aligned([section.header] + section.rows, numeric: section.numeric)
                out += section.notes
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func aligned(_ rows: [[String]], numeric: [Bool]) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                let pad = String(repeating: " ", count: widths[column] - text.count)
                return numeric[column] ? pad + text : text + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }

    // MARK: Markdown

    /// GitHub-flavoured Markdown: the environment as a list, one table per section.
    func markdown(_ report: BenchReport) -> String {
        var out: [String] = []
        var sectionIndex = 0
        for run in report.runs {
            out.append("### \(run.label ?? "sluice bench") — \(run.mode.rawValue) mode")
            out.append("")
            for line in BenchTable.preamble(run) { out.append("- \(line)") }
            for _ in 0..<Set(run.results.map(\.dataset)).count {
                let section = sections[sectionIndex]
                sectionIndex += 1
                out.append("")
                out.append("**\(section.title)**")
                out.append("")
                out.append("| " + section.header.joined(separator: " | ") + " |")
                out.append("|" + section.numeric.map { $0 ? "---:" : ":---" }.joined(separator: "|") + "|")
                for row in section.rows {
                    out.append("| " + row.map { $0.replacingPipes() }.joined(separator: " | ").replacingOccurrences(of: "*", with: "\\*") + " |")
                }
                if !section.notes.isEmpty {
                    out.append("")
                    out += section.notes.map { $0.replacingOccurrences(of: "*", with: "\\*") }
                }
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
