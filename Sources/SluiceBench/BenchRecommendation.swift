import Foundation
import Sluice

/// What `--recommend` optimises for.
public enum BenchGoal: String, CaseIterable, Sendable, Codable {
    /// The fastest compression that meets the limits.
    case speed
    /// The smallest output that meets the limits.
    case ratio
    /// The Pareto-optimal setting closest to the ideal corner (fastest and smallest), with speed on a
    /// log scale as in the plot — a setting twice as fast weighs as much whatever the speeds are.
    case balanced
}

/// A setting picked from measured cells, with the reasons, for `sluice bench --recommend`.
public struct BenchRecommendation: Sendable {
    /// One compressing setting with its numbers summed over every dataset it ran on.
    public struct Candidate: Sendable, Equatable {
        public var name: String
        public var codec: String?
        public var level: Int?
        public var cipher: String?
        public var chunkSize: Int
        public var workers: Int
        public var label: String?
        /// Total input over total output.
        public var ratio: Double
        /// Total input over total compression time, MB/s.
        public var speed: Double
        /// Total input over total decompression time, MB/s.
        public var decompressSpeed: Double?

        var title: String {
            (label.map { "[\($0)] " } ?? "")
                + "\(name), \(ByteCount(bytes: chunkSize)) chunks, \(workers) worker\(workers == 1 ? "" : "s")"
        }
    }

    public var goal: BenchGoal
    /// `nil` when nothing measured meets the limits.
    public var choice: Candidate?
    public var runnerUp: Candidate?
    /// Human-readable lines: the choice, why, and what to type.
    public var lines: [String]

    /// Picks a setting from `report`.
    ///
    /// - Parameters:
    ///   - minSpeed: compression speed floor, MB/s.
    ///   - minRatio: ratio floor (`--max-size 40%` is a floor of 2.5).
    public static func make(from report: BenchReport, goal: BenchGoal, minSpeed: Double? = nil, minRatio: Double? = nil) -> BenchRecommendation {
        let all = candidates(report)
        var limits: [String] = []
        if let minSpeed { limits.append("compress ≥ \(BenchTable.number(minSpeed)) MB/s") }
        if let minRatio { limits.append("ratio ≥ \(String(format2: minRatio)) (output ≤ \(BenchTable.number(100 / minRatio))% of input)") }
        var lines = ["Recommendation (goal: \(goal.rawValue)\(limits.isEmpty ? "" : "; " + limits.joined(separator: ", ")))"]
        guard !all.isEmpty else {
            lines.append("  nothing to recommend: no compressing setting was measured")
            return BenchRecommendation(goal: goal, choice: nil, runnerUp: nil, lines: lines)
        }
        let passing = all.filter { c in (minSpeed.map { c.speed >= $0 } ?? true) && (minRatio.map { c.ratio >= $0 } ?? true) }
        guard !passing.isEmpty else {
            lines.append("  no measured setting meets the limits (\(all.count) measured).")
            if let minRatio, let fastest = all.filter({ $0.ratio >= minRatio }).max(by: { $0.speed < $1.speed }) {
                lines.append("  fastest with ratio ≥ \(String(format2: minRatio)): \(describe(fastest))")
            }
            if let minSpeed, let smallest = all.filter({ $0.speed >= minSpeed }).max(by: { $0.ratio < $1.ratio }) {
                lines.append("  smallest at ≥ \(BenchTable.number(minSpeed)) MB/s: \(describe(smallest))")
            }
            lines.append("  try more settings (e.g. --codecs zstd:-3..19 lz4 lz4hc:1..12) or more --workers")
            return BenchRecommendation(goal: goal, choice: nil, runnerUp: nil, lines: lines)
        }
        let front = passing.filter { p in
            !passing.contains { q in q.speed >= p.speed && q.ratio >= p.ratio && (q.speed > p.speed || q.ratio > p.ratio) }
        }
        let ranked: [Candidate]
        let reason: String
        switch goal {
        case .speed:
            ranked = front.sorted { ($0.speed, $0.ratio) > ($1.speed, $1.ratio) }
            reason = "speed: the fastest compression among them"
        case .ratio:
            ranked = front.sorted { ($0.ratio, $0.speed) > ($1.ratio, $1.speed) }
            reason = "ratio: the smallest output among them"
        case .balanced:
            let logs = passing.map { log10($0.speed) }
            let (lowS, highS) = (logs.min()!, logs.max()!)
            let (lowR, highR) = (passing.map(\.ratio).min()!, passing.map(\.ratio).max()!)
            func distance(_ c: Candidate) -> Double {
                let s = highS > lowS ? (log10(c.speed) - lowS) / (highS - lowS) : 1
                let r = highR > lowR ? (c.ratio - lowR) / (highR - lowR) : 1
                return ((1 - s) * (1 - s) + (1 - r) * (1 - r)).squareRoot()
            }
            ranked = front.sorted { distance($0) < distance($1) }
            reason = "balanced: the one closest to the ideal corner (fastest and smallest), speed on a log scale"
        }
        let choice = ranked[0]
        let runnerUp = ranked.count > 1 ? ranked[1] : nil
        lines.append("  → \(describe(choice))")
        lines.append("  why: \(all.count) settings measured, \(passing.count) meet the limits, \(front.count) of those are on the Pareto front "
            + "(nothing else is both faster and smaller): \(front.sorted { $0.speed > $1.speed }.map(\.name).uniqued().joined(separator: ", ")).")
        lines.append("       goal \(reason).")
        if let runnerUp {
            let ratioChange = (choice.ratio / runnerUp.ratio - 1) * 100
            let speedChange = (choice.speed / runnerUp.speed - 1) * 100
            lines.append("  next: \(describe(runnerUp)); the choice has \(signed(ratioChange))% ratio and \(signed(speedChange))% speed against it")
        }
        if let codec = choice.codec {
            var command = "  sluice pack --codec \(codec)"
            if let level = choice.level, codec != "store" { command += " --level \(level)" }
            if let cipher = choice.cipher, cipher != "none" { command += " --cipher \(cipher) --key-file KEY" }
            command += " --chunk-size \(compactSize(choice.chunkSize)) --workers \(choice.workers) FILE"
            lines.append(command)
        }
        let ciphers = report.runs.flatMap(\.results).filter { $0.kind == .cipher }
        if let best = ciphers.max(by: { $0.compress.speed.median < $1.compress.speed.median }) {
            let others = ciphers.filter { $0.name != best.name && $0.workers == best.workers && $0.chunkSize == best.chunkSize }
            let versus = others.map { "\(String(format2: best.compress.speed.median / $0.compress.speed.median))× \($0.name)" }
            lines.append("  cipher: \(best.name) seals at \(BenchTable.number(best.compress.speed.median)) MB/s with \(best.workers) worker\(best.workers == 1 ? "" : "s")"
                + (versus.isEmpty ? "" : " (\(versus.joined(separator: ", ")) on this CPU)"))
        }
        return BenchRecommendation(goal: goal, choice: choice, runnerUp: runnerUp, lines: lines)
    }

    /// Compressing settings (codec rows in memory mode, pipeline rows in file mode), summed over the
    /// datasets each ran on.
    static func candidates(_ report: BenchReport) -> [Candidate] {
        var order: [String] = []
        var groups: [String: [(BenchRun, BenchResult)]] = [:]
        for (run, result) in report.rows where (result.kind == .codec || result.kind == .pipeline) && result.compress.speed.median > 0 {
            let key = "\(run.label ?? "")|\(result.name)|\(result.chunkSize)|\(result.workers)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((run, result))
        }
        return order.map { key in
            let rows = groups[key]!
            let first = rows[0].1
            let input = rows.reduce(0.0) { $0 + Double($1.1.inputBytes) }
            let output = rows.reduce(0.0) { $0 + Double($1.1.outputBytes) }
            // Time per dataset from the shown speed (wall or, with --clock cpu, CPU time per worker).
            func seconds(_ timing: BenchTiming, _ bytes: Int) -> Double { Double(bytes) / max(timing.speed.median, 1e-12) / 1e6 }
            let compressTime = rows.reduce(0.0) { $0 + seconds($1.1.compress, $1.1.inputBytes) }
            let decompressTimes = rows.compactMap { row in row.1.decompress.map { seconds($0, row.1.inputBytes) } }
            return Candidate(
                name: first.name, codec: first.codec, level: first.level, cipher: first.cipher, chunkSize: first.chunkSize,
                workers: first.workers, label: report.runs.count > 1 ? rows[0].0.label : nil,
                ratio: output > 0 ? input / output : 0, speed: input / max(compressTime, 1e-12) / 1e6,
                decompressSpeed: decompressTimes.count == rows.count ? input / max(decompressTimes.reduce(0, +), 1e-12) / 1e6 : nil)
        }
    }

    private static func describe(_ c: Candidate) -> String {
        "\(c.title): ratio \(String(format3: c.ratio)), compress \(BenchTable.number(c.speed)) MB/s"
            + (c.decompressSpeed.map { ", decompress \(BenchTable.number($0)) MB/s" } ?? "")
    }

    private static func signed(_ value: Double) -> String { (value >= 0 ? "+" : "−") + BenchTable.number(abs(value)) }

    private static func compactSize(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20)M" : bytes % (1 << 10) == 0 ? "\(bytes >> 10)K" : "\(bytes)"
    }

    /// Parses `--max-size`: `40%` or `0.4` of the input, the largest output accepted, as a ratio floor.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` for anything but a fraction in (0, 1] or a percentage.
    public static func ratioFloor(maxSize text: String) throws -> Double {
        let trimmed = text.trimmingWhitespace()
        let fraction: Double?
        if trimmed.hasSuffix("%") { fraction = Double(trimmed.dropLast()).map { $0 / 100 } } else { fraction = Double(trimmed) }
        guard let fraction, fraction > 0, fraction <= 1 else {
            throw SluiceError.invalid("--max-size '\(text)': give the largest output as a share of the input, e.g. 40% or 0.4")
        }
        return 1 / fraction
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
