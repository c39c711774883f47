import Sluice
/// The ways `sluice bench` can write its results.
public enum BenchFormat: String, CaseIterable, Sendable {
    /// Aligned columns for a terminal (the default).
    case table
    /// GitHub-flavoured Markdown: environment list and tables, for docs and issues.
    case markdown
    /// One line per result, every number in plain units (see docs/bench.md for the columns).
    case csv
    /// The full results (schema `sluice-bench/1`), which `sluice bench report` reads back and merges.
    case json
    /// One self-contained page: environment, tables and both charts inline.
    case html

    /// The format a file name implies: `.json`, `.csv`, `.md`, `.html`/`.htm`; `nil` otherwise.
    public init?(fileName: String) {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".json") { self = .json }
        else if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") { self = .markdown }
        else if lower.hasSuffix(".html") || lower.hasSuffix(".htm") { self = .html }
        else if lower.hasSuffix(".txt") { self = .table }
        else { return nil }
    }

    /// Renders `report`; `recommendation`, when given, is appended where the format has room for it
    /// (table, Markdown, HTML).
    public func render(_ report: BenchReport, recommendation: BenchRecommendation? = nil) throws -> String {
        let advice = recommendation.map { $0.lines }
        switch self {
        case .table:
            return BenchTable(report).terminal(report) + (advice.map { "\n" + $0.joined(separator: "\n") + "\n" } ?? "")
        case .markdown:
            return BenchTable(report).markdown(report)
                + (advice.map { "\n**Recommendation**\n\n```\n" + $0.joined(separator: "\n") + "\n```\n" } ?? "")
        case .csv:
            return BenchCSV.render(report)
        case .json:
            return try report.json()
        case .html:
            return BenchHTML.render(report, recommendation: recommendation)
        }
    }
}

extension BenchReport {
    /// Both charts in one SVG document (`--plot FILE.svg`).
    public func svg() -> String { BenchPlot.document(self) }
}
