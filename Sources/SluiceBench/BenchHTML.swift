import Sluice
/// `--format html`: one self-contained page — environment, tables and both charts inline, no
/// scripts, no external files — that opens anywhere and can be mailed or attached to an issue.
enum BenchHTML {
    static func render(_ report: BenchReport, recommendation: BenchRecommendation? = nil) -> String {
        let table = BenchTable(report)
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>sluice bench</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
            h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; } h3 { font-size: 1.05em; }
            table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
            th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #ddd; white-space: nowrap; }
            th { background: #f3f3f3; text-align: left; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            dl.env { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; font-size: 0.9em; }
            dl.env dt { font-weight: bold; } dl.env dd { margin: 0; }
            .warn { color: #a00; font-weight: bold; }
            p.note { font-size: 0.85em; color: #555; margin-top: -0.8em; }
            .chart { margin: 1em 0; } .chart svg { max-width: 100%; height: auto; border: 1px solid #eee; }
            pre.advice { background: #f6f8fa; padding: 0.8em; border-radius: 4px; white-space: pre-wrap; }
            </style>
            </head>
            <body>
            <h1>sluice bench</h1>

            """
        var sectionIndex = 0
        for run in report.runs {
            let e = run.environment
            html += "<h2>\(escape(run.label ?? "Run")) — \(run.mode.rawValue) mode</h2>\n<dl class=\"env\">\n"
            let libraries = e.libraries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let entries: [(String, String)] = [
                ("CPU", "\(e.cpu) — \(e.cores) cores" + (e.cpuFlags.isEmpty ? "" : " (\(e.cpuFlags.joined(separator: " ")))")),
                ("Memory", ByteCount(bytes: e.memoryBytes).description), ("System", "\(e.os), \(e.kernel)"),
                ("Build", "Swift \(e.swift), \(e.build)" + (e.sluice.map { ", sluice \($0)" } ?? "")),
                ("Libraries", libraries), ("Host, date", "\(e.hostname), \(e.date)"),
                ("Method", "≥\(run.settings.runs) timed passes and ≥\(String(format2: run.settings.minTime)) s per direction after \(run.settings.warmup) warm-up; median [slowest–fastest]; MB/s = 10^6 bytes of input per " + (run.speedClock == .cpu ? "CPU second per worker (--clock cpu)" : "second")),
            ]
            for (key, value) in entries { html += "<dt>\(escape(key))</dt><dd>\(escape(value))</dd>\n" }
            html += "</dl>\n"
            if e.build == "debug" { html += "<p class=\"warn\">Debug build: these numbers are not representative.</p>\n" }
            for _ in 0..<Set(run.results.map(\.dataset)).count {
                let section = table.sections[sectionIndex]
                sectionIndex += 1
                html += "<h3>\(escape(section.title))</h3>\n<table>\n<tr>"
                for (title, numeric) in zip(section.header, section.numeric) {
                    html += "<th\(numeric ? " class=\"n\"" : "")>\(escape(title))</th>"
                }
                html += "</tr>\n"
                for row in section.rows {
                    html += "<tr>" + zip(row, section.numeric).map { "<td\($1 ? " class=\"n\"" : "")>\(escape($0))</td>" }.joined() + "</tr>\n"
                }
                html += "</table>\n"
                for note in section.notes { html += "<p class=\"note\">\(escape(note))</p>\n" }
            }
        }
        if let recommendation {
            html += "<h2>Recommendation</h2>\n<pre class=\"advice\">\(escape(recommendation.lines.joined(separator: "\n")))</pre>\n"
        }
        html += "<h2>Charts</h2>\n"
        html += "<div class=\"chart\">\(BenchPlot.ratioVersusSpeed(report))</div>\n"
        html += "<div class=\"chart\">\(BenchPlot.throughputVersusWorkers(report))</div>\n"
        html += "</body>\n</html>\n"
        return html
    }

    static func escape(_ text: String) -> String { BenchPlot.escape(text) }
}
