import Foundation
import Sluice

/// The two pictures of a report, as SVG: compression ratio against compression speed (log scale)
/// with the Pareto front marked, and throughput against worker count. `--plot FILE.svg` writes both
/// in one file; the HTML page embeds them inline.
enum BenchPlot {
    static let width = 960.0
    static let height = 560.0
    private static let margin = (left: 78.0, right: 190.0, top: 56.0, bottom: 64.0)

    /// A standalone SVG document with both charts, one above the other.
    static func document(_ report: BenchReport) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(2 * height))" viewBox="0 0 \(Int(width)) \(Int(2 * height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="#ffffff"/>
        <g>\(ratioVersusSpeed(report, standalone: false))</g>
        <g transform="translate(0,\(Int(height)))">\(throughputVersusWorkers(report, standalone: false))</g>
        </svg>

        """
    }

    // MARK: Ratio against speed

    /// One point of the first chart.
    struct Point: Equatable {
        var name: String
        var group: String
        var speed: Double
        var ratio: Double
    }

    /// The points of the first chart: every compressing setting at its smallest worker count.
    static func ratioPoints(_ report: BenchReport) -> [Point] {
        var points: [Point] = []
        for run in report.runs {
            let multipleChunks = Set(run.results.map(\.chunkSize)).count > 1
            let datasets = Set(run.results.map(\.dataset))
            let runName = report.runs.count > 1 ? run.label ?? "run" : nil
            let compressing = run.results.filter { ($0.kind == .codec || $0.kind == .pipeline) && $0.compress.speed.median > 0 }
            for result in compressing {
                let fewest = compressing.filter { $0.setting == result.setting && $0.dataset == result.dataset }.map(\.workers).min()
                guard result.workers == fewest else { continue }
                let name = result.name + (multipleChunks ? " @\(ByteCount(bytes: result.chunkSize))" : "")
                let group = [runName, datasets.count > 1 ? result.dataset : nil].compactMap { $0 }.joined(separator: ": ")
                points.append(Point(name: name, group: group, speed: result.compress.speed.median, ratio: result.ratio))
            }
        }
        return points
    }

    /// The points no other point beats on both speed and ratio, fastest first.
    static func paretoFront(_ points: [Point]) -> [Point] {
        points.filter { p in
            !points.contains { q in q.speed >= p.speed && q.ratio >= p.ratio && (q.speed > p.speed || q.ratio > p.ratio) }
        }.sorted { $0.speed > $1.speed }
    }

    static func ratioVersusSpeed(_ report: BenchReport, standalone: Bool = true) -> String {
        let points = ratioPoints(report)
        var svg = Canvas(title: "Compression ratio vs compression speed (\(workerNote(report)))",
                         xLabel: "compression speed, MB/s\(cpuNote(report)) (log scale)", yLabel: "compression ratio")
        guard !points.isEmpty else {
            svg.note("no compressing settings measured")
            return svg.render(standalone: standalone)
        }
        var speeds = points.map(\.speed)
        let memcpy = report.runs.flatMap(\.results).filter { $0.kind == .memcpy }.map(\.compress.speed.median).max()
        if let memcpy { speeds.append(memcpy) }
        let x = Axis.logarithmic(min: speeds.min()!, max: speeds.max()!)
        let y = Axis.linear(min: min(1, points.map(\.ratio).min()!), max: points.map(\.ratio).max()!)
        svg.axes(x: x, y: y)
        if let memcpy {
            let px = svg.x(x, memcpy)
            svg.body += "<line x1=\"\(f(px))\" y1=\"\(f(svg.top))\" x2=\"\(f(px))\" y2=\"\(f(svg.bottom))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>"
            svg.body += "<text x=\"\(f(px - 4))\" y=\"\(f(svg.top + 14))\" font-size=\"12\" fill=\"#666\" text-anchor=\"end\">memcpy</text>"
        }
        var groups: [String] = []
        for point in points where !groups.contains(point.group) { groups.append(point.group) }
        for group in groups {
            let front = paretoFront(points.filter { $0.group == group })
            let path = front.map { "\(f(svg.x(x, $0.speed))),\(f(svg.y(y, $0.ratio)))" }.joined(separator: " ")
            svg.body += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
        }
        let fronts = groups.flatMap { group in paretoFront(points.filter { $0.group == group }) }
        var placed: [(Double, Double)] = []
        for point in points.sorted(by: { $0.speed > $1.speed }) {
            let px = svg.x(x, point.speed), py = svg.y(y, point.ratio)
            let color = familyColor(point.name)
            let onFront = fronts.contains(point)
            svg.body += "<circle cx=\"\(f(px))\" cy=\"\(f(py))\" r=\"\(onFront ? 6 : 4.5)\" fill=\"\(onFront ? color : "#fff")\" stroke=\"\(color)\" stroke-width=\"2\"><title>\(escape(point.name)): ratio \(String(format3: point.ratio)), \(BenchTable.number(point.speed)) MB/s</title></circle>"
            // Labels go right of the point, or below when that spot is taken.
            var ly = py - 8
            while placed.contains(where: { abs($0.0 - px) < 90 && abs($0.1 - ly) < 13 }) { ly += 14 }
            placed.append((px, ly))
            let label = escape(point.name + (point.group.isEmpty ? "" : " (\(point.group))"))
            svg.body += "<text x=\"\(f(px + 8))\" y=\"\(f(ly))\" font-size=\"12\" fill=\"#333\">\(label)</text>"
        }
        svg.legend([("#d62728", "Pareto front\n(filled dots: nothing\nis both faster\nand smaller)", true)])
        return svg.render(standalone: standalone)
    }

    /// Said on the speed axes when the speeds come from CPU time (`--clock cpu`).
    private static func cpuNote(_ report: BenchReport) -> String {
        report.runs.contains { $0.speedClock == .cpu } ? " per CPU second per worker" : ""
    }

    private static func workerNote(_ report: BenchReport) -> String {
        let counts = Set(report.runs.flatMap(\.results).map(\.workers))
        return counts.count == 1 && counts.first == 1 ? "1 worker" : "fewest workers measured"
    }

    // MARK: Throughput against workers

    /// One line of the second chart.
    struct Series {
        var name: String
        var points: [(workers: Int, speed: Double)]
    }

    static func workerSeries(_ report: BenchReport) -> [Series] {
        var series: [Series] = []
        for run in report.runs {
            let multipleChunks = Set(run.results.map(\.chunkSize)).count > 1
            let multipleData = Set(run.results.map(\.dataset)).count > 1
            var keys: [String] = []
            for result in run.results where !keys.contains(result.setting + result.dataset) { keys.append(result.setting + result.dataset) }
            for key in keys {
                let cells = run.results.filter { $0.setting + $0.dataset == key }.sorted { $0.workers < $1.workers }
                let first = cells[0]
                var name = first.name
                if multipleChunks { name += " @\(ByteCount(bytes: first.chunkSize))" }
                if multipleData { name += " (\(first.dataset))" }
                if report.runs.count > 1 { name = "\(run.label ?? "run"): " + name }
                series.append(Series(name: name, points: cells.map { ($0.workers, $0.compress.speed.median) }))
            }
        }
        return series
    }

    static func throughputVersusWorkers(_ report: BenchReport, standalone: Bool = true) -> String {
        let series = workerSeries(report).filter { !$0.points.isEmpty }
        let verb = report.runs.first?.mode == .file ? "pack" : "compress / seal"
        var svg = Canvas(title: "Throughput vs workers (\(verb))", xLabel: "workers", yLabel: "MB/s\(cpuNote(report)) (log scale)")
        let all = series.flatMap(\.points)
        guard !all.isEmpty else {
            svg.note("nothing measured")
            return svg.render(standalone: standalone)
        }
        let maxWorkers = all.map(\.workers).max()!
        let x = Axis.integers(max: max(2, maxWorkers))
        let y = Axis.logarithmic(min: all.map(\.speed).min()!, max: all.map(\.speed).max()!)
        svg.axes(x: x, y: y)
        if maxWorkers == 1 { svg.note("only 1 worker measured: run with --workers 1,2 to see scaling") }
        var labels: [(y: Double, x: Double, text: String, color: String)] = []
        for (index, line) in series.enumerated() {
            let color = palette[index % palette.count]
            let coordinates = line.points.map { (svg.x(x, Double($0.workers)), svg.y(y, $0.speed)) }
            if coordinates.count > 1 {
                svg.body += "<polyline points=\"\(coordinates.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            }
            for ((px, py), point) in zip(coordinates, line.points) {
                svg.body += "<circle cx=\"\(f(px))\" cy=\"\(f(py))\" r=\"4\" fill=\"\(color)\"><title>\(escape(line.name)), \(point.workers) workers: \(BenchTable.number(point.speed)) MB/s</title></circle>"
            }
            let last = coordinates.last!
            let scaling = line.points.count > 1 && line.points[0].workers == 1
                ? " ×\(String(format2: line.points.last!.speed / line.points[0].speed))" : ""
            labels.append((last.1 + 4, last.0 + 8, line.name + scaling, color))
        }
        // Labels sit at the end of their line, spread apart just enough not to overlap, inside the chart's height.
        labels.sort { $0.y < $1.y }
        let ys = spread(labels.map(\.y), gap: 13, low: svg.top + 4, high: svg.bottom + 40)
        for (label, ly) in zip(labels, ys) {
            svg.body += "<text x=\"\(f(label.x))\" y=\"\(f(ly))\" font-size=\"12\" fill=\"\(label.color)\">\(escape(label.text))</text>"
        }
        return svg.render(standalone: standalone)
    }

    /// Moves sorted positions apart so neighbours are at least `gap` apart, keeping them within
    /// `low...high` where there is room, and as close to where they wanted to be as that allows.
    static func spread(_ wanted: [Double], gap: Double, low: Double, high: Double) -> [Double] {
        var ys = wanted
        for i in ys.indices { ys[i] = max(ys[i], i == 0 ? low : ys[i - 1] + gap) }
        if let last = ys.indices.last, ys[last] > high {
            ys[last] = high
            for i in ys.indices.dropLast().reversed() { ys[i] = min(ys[i], ys[i + 1] - gap) }
        }
        return ys
    }

    // MARK: Drawing

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf"]

    static func familyColor(_ name: String) -> String {
        if name.hasPrefix("zstd") { return "#1f77b4" }
        if name.hasPrefix("lz4hc") { return "#d62728" }
        if name.hasPrefix("lz4") { return "#ff7f0e" }
        if name.hasPrefix("brotli") { return "#2ca02c" }
        return "#7f7f7f"
    }

    static func f(_ value: Double) -> String { BenchFormatting.fixed(value, digits: 1) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A value axis: its domain, whether it is logarithmic, and where the ticks go.
    struct Axis {
        var low: Double
        var high: Double
        var isLog: Bool
        var ticks: [Double]

        /// Ticks at 1, 2, 5 × 10^k; the domain runs from the tick below `min` to the tick above `max`.
        static func logarithmic(min: Double, max: Double) -> Axis {
            let low = Swift.max(min, 1e-3), high = Swift.max(max, low * 1.01)
            var steps: [Double] = []
            var decade = pow(10, floor(log10(low)) - 1)
            while decade <= high * 100 {
                steps += [decade, decade * 2, decade * 5]
                decade *= 10
            }
            let from = steps.last { $0 <= low * 0.9 } ?? steps[0]
            let to = steps.first { $0 >= high * 1.15 } ?? steps.last!
            return Axis(low: from, high: to, isLog: true, ticks: steps.filter { $0 >= from && $0 <= to })
        }

        static func linear(min: Double, max: Double) -> Axis {
            let span = Swift.max(max - min, 0.1)
            let rough = span / 6
            let magnitude = pow(10, floor(log10(rough)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? magnitude * 10
            let low = floor(min / step) * step
            let high = ceil(max * 1.03 / step) * step
            return Axis(low: low, high: high, isLog: false, ticks: Array(stride(from: low, through: high + step / 2, by: step)))
        }

        static func integers(max: Int) -> Axis {
            let step = Swift.max(1, max / 8)
            return Axis(low: 0.75, high: Double(max) + 0.25, isLog: false,
                        ticks: [1.0] + stride(from: step == 1 ? 2 : step, through: max, by: step).map(Double.init))
        }

        /// 0…1 along the axis.
        func position(_ value: Double) -> Double {
            isLog ? (log10(value) - log10(low)) / (log10(high) - log10(low)) : (value - low) / (high - low)
        }

        func label(_ value: Double) -> String {
            if value >= 1000 { return value.truncatingRemainder(dividingBy: 1000) == 0 ? "\(Int(value / 1000))k" : "\(BenchTable.number(value / 1000))k" }
            if value == value.rounded() { return "\(Int(value))" }
            return BenchTable.number(value)
        }
    }

    /// A chart being drawn: frame, title, axes, and the marks added to `body`.
    struct Canvas {
        var title: String
        var xLabel: String
        var yLabel: String
        var body = ""

        var left: Double { margin.left }
        var right: Double { width - margin.right }
        var top: Double { margin.top }
        var bottom: Double { height - margin.bottom }

        init(title: String, xLabel: String, yLabel: String) {
            self.title = title
            self.xLabel = xLabel
            self.yLabel = yLabel
        }

        func x(_ axis: Axis, _ value: Double) -> Double { left + axis.position(value) * (right - left) }
        func y(_ axis: Axis, _ value: Double) -> Double { bottom - axis.position(value) * (bottom - top) }

        mutating func axes(x xAxis: Axis, y yAxis: Axis) {
            for tick in xAxis.ticks {
                let px = x(xAxis, tick)
                body += "<line x1=\"\(f(px))\" y1=\"\(f(top))\" x2=\"\(f(px))\" y2=\"\(f(bottom))\" stroke=\"#e6e6e6\"/>"
                body += "<text x=\"\(f(px))\" y=\"\(f(bottom + 18))\" font-size=\"12\" text-anchor=\"middle\" fill=\"#444\">\(xAxis.label(tick))</text>"
            }
            for tick in yAxis.ticks {
                let py = y(yAxis, tick)
                body += "<line x1=\"\(f(left))\" y1=\"\(f(py))\" x2=\"\(f(right))\" y2=\"\(f(py))\" stroke=\"#e6e6e6\"/>"
                body += "<text x=\"\(f(left - 8))\" y=\"\(f(py + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"#444\">\(yAxis.isLog ? yAxis.label(tick) : BenchTable.number(tick))</text>"
            }
            body += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"#888\"/>"
        }

        mutating func note(_ text: String) {
            body += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(top + 24))\" font-size=\"14\" text-anchor=\"middle\" fill=\"#a00\">\(escape(text))</text>"
        }

        /// Entries in the right margin, top first; each text may hold several lines separated by `\n`.
        mutating func legend(_ entries: [(color: String, text: String, dashed: Bool)]) {
            var ly = top + 12
            for entry in entries {
                body += "<line x1=\"\(f(right + 14))\" y1=\"\(f(ly - 4))\" x2=\"\(f(right + 40))\" y2=\"\(f(ly - 4))\" stroke=\"\(entry.color)\" stroke-width=\"1.5\"\(entry.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
                for line in entry.text.split(separator: "\n") {
                    body += "<text x=\"\(f(right + 46))\" y=\"\(f(ly))\" font-size=\"12\" fill=\"#444\">\(escape(String(line)))</text>"
                    ly += 15
                }
                ly += 8
            }
        }

        func render(standalone: Bool) -> String {
            let open = standalone
                ? "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
                : ""
            return open
                + "<text x=\"\(f(left))\" y=\"30\" font-size=\"17\" font-weight=\"bold\" fill=\"#222\">\(escape(title))</text>"
                + "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 38))\" font-size=\"13\" text-anchor=\"middle\" fill=\"#222\">\(escape(xLabel))</text>"
                + "<text transform=\"translate(20,\(f((top + bottom) / 2))) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\" fill=\"#222\">\(escape(yLabel))</text>"
                + body + (standalone ? "</svg>" : "")
        }
    }
}
