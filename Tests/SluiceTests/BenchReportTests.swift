import Foundation
import Testing
@testable import Sluice
@testable import SluiceBench

/// Results files: the JSON schema round-trips, the CSV parses back, reports merge, and every
/// renderer copes with them. Built from fixed numbers — nothing here is timed.
@Suite struct BenchReportTests {
    static func timing(_ mbps: Double, bytes: Int = 1 << 20) -> BenchTiming {
        let seconds = Double(bytes) / mbps / 1e6
        return BenchTiming(
            runs: 5, wallSeconds: BenchStats(median: seconds, min: seconds * 0.9, max: seconds * 1.1),
            cpuSeconds: BenchStats(median: seconds, min: seconds, max: seconds),
            speed: BenchStats(median: mbps, min: mbps / 1.1, max: mbps / 0.9))
    }

    static func result(_ name: String, kind: BenchResult.Kind = .codec, ratio: Double, compress: Double, decompress: Double? = nil,
                       workers: Int = 1, dataset: String = "mixed:1M") -> BenchResult {
        let parts = name.split(separator: "-")
        return BenchResult(
            mode: .memory, kind: kind, name: name, codec: kind == .codec ? String(parts[0]) : nil,
            level: kind == .codec ? parts.count > 1 ? Int(parts[1]) : 1 : nil, cipher: kind == .cipher ? name : nil,
            dataset: dataset, inputBytes: 1 << 20, chunkSize: 4 << 20, workers: workers, chunks: 1,
            outputBytes: Int(Double(1 << 20) / ratio), ratio: ratio, compress: timing(compress),
            decompress: decompress.map { timing($0) }, peakMemoryBytes: 5 << 20, verified: true)
    }

    static func run(label: String? = nil, _ results: [BenchResult]) -> BenchRun {
        BenchRun(label: label, environment: BenchEnvironment.current(toolVersion: "test"), settings: BenchSettings(runs: 5, minTime: 0),
                 mode: .memory, results: results)
    }

    static let sample = BenchReport(runs: [run([
        result("memcpy", kind: .memcpy, ratio: 1, compress: 14000, decompress: 14000),
        result("xxh3", kind: .checksum, ratio: 1, compress: 20000),
        result("lz4", ratio: 2.1, compress: 800, decompress: 4500),
        result("zstd-1", ratio: 2.7, compress: 600, decompress: 1800),
        result("zstd-3", ratio: 2.9, compress: 370, decompress: 1790),
        result("zstd-3", ratio: 2.9, compress: 720, decompress: 3500, workers: 2),
        result("zstd-9", ratio: 3.1, compress: 90, decompress: 1900),
        result("lz4hc-9", ratio: 2.6, compress: 50, decompress: 4400),  // dominated by zstd-3
        result("aes-256-gcm", kind: .cipher, ratio: 1, compress: 4500, decompress: 4500),
        result("chacha20-poly1305", kind: .cipher, ratio: 1, compress: 3700, decompress: 3700),
    ])])

    @Test func jsonRoundTrips() throws {
        let text = try Self.sample.json()
        let back = try BenchReport.decode(Data(text.utf8))
        #expect(back == Self.sample)
    }

    @Test func jsonHasTheDocumentedSchema() throws {
        let object = try JSONSerialization.jsonObject(with: Data(try Self.sample.json().utf8)) as! [String: Any]
        #expect(object["schema"] as? String == "sluice-bench/1")
        let run = (object["runs"] as! [[String: Any]])[0]
        #expect(Set(run.keys) == ["label", "environment", "settings", "mode", "results"] || Set(run.keys) == ["environment", "settings", "mode", "results"])
        let environment = run["environment"] as! [String: Any]
        for key in ["cpu", "cores", "os", "kernel", "swift", "build", "libraries", "date"] { #expect(environment[key] != nil, "\(key)") }
        #expect(Set((environment["libraries"] as! [String: String]).keys) == ["zstd", "lz4", "brotli", "libcrypto", "xxhash"])
        let result = (run["results"] as! [[String: Any]])[2]
        for key in ["mode", "kind", "name", "dataset", "input_bytes", "chunk_size", "workers", "chunks", "output_bytes", "ratio",
                    "compress", "decompress", "peak_memory_bytes", "verified"] {
            #expect(result[key] != nil, "\(key)")
        }
        let compress = result["compress"] as! [String: Any]
        #expect(Set(compress.keys) == ["runs", "wall_seconds", "cpu_seconds", "speed"])
        #expect(Set((compress["speed"] as! [String: Any]).keys) == ["median", "min", "max"])
    }

    @Test func rejectsOtherFiles() {
        #expect(throws: SluiceError.self) { try BenchReport.decode(Data("{\"hello\": 1}".utf8)) }
        #expect(throws: SluiceError.self) { try BenchReport.decode(Data("{\"schema\": \"other/2\", \"runs\": []}".utf8)) }
    }

    @Test func csvParsesBackWithOneLinePerResult() throws {
        var report = Self.sample
        report.runs[0].label = "a, \"quoted\" label"
        let records = BenchCSV.parse(try BenchFormat.csv.render(report))
        #expect(records[0] == BenchCSV.columns)
        #expect(records.count == 1 + report.runs[0].results.count)
        #expect(records.allSatisfy { $0.count == BenchCSV.columns.count })
        let column = Dictionary(uniqueKeysWithValues: BenchCSV.columns.enumerated().map { ($1, $0) })
        let zstd = records[5]
        #expect(zstd[column["label"]!] == "a, \"quoted\" label")
        #expect(zstd[column["name"]!] == "zstd-3")
        #expect(zstd[column["level"]!] == "3")
        #expect(Double(zstd[column["compress_mbps_median"]!])! == 370)
        #expect(Double(zstd[column["ratio"]!])! == 2.9)
        #expect(records[2][column["decompress_mbps_median"]!] == "")  // xxh3 has no decode
    }

    @Test func mergingKeepsEveryRunAndLabelsThem() throws {
        let a = BenchReport(runs: [Self.run([Self.result("zstd-1", ratio: 2.7, compress: 600)])])
        let b = BenchReport(runs: [Self.run(label: "after", [Self.result("zstd-1", ratio: 2.7, compress: 650)])])
        let merged = BenchReport.merged([(a, "before"), (b, "b")])
        #expect(merged.runs.count == 2)
        #expect(merged.runs.map(\.label) == ["before", "after"])
        #expect(merged.rows.map(\.result.compress.speed.median) == [600, 650])
        // A merged report is itself a results file.
        #expect(try BenchReport.decode(Data(try merged.json().utf8)) == merged)
    }

    @Test func loadsAndMergesFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bench-test-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.json"), b = directory.appendingPathComponent("b.json")
        try Self.sample.json().write(to: a, atomically: true, encoding: .utf8)
        try Self.sample.json().write(to: b, atomically: true, encoding: .utf8)
        let merged = try BenchReport.load([a.path, b.path])
        #expect(merged.runs.map(\.label) == ["a", "b"])
        #expect(merged.rows.count == 2 * Self.sample.runs[0].results.count)
        #expect(throws: SluiceError.self) { try BenchReport.load([directory.appendingPathComponent("missing.json").path]) }
    }

    @Test(arguments: BenchFormat.allCases)
    func everyFormatRenders(format: BenchFormat) throws {
        let recommendation = BenchRecommendation.make(from: Self.sample, goal: .balanced)
        let text = try format.render(Self.sample, recommendation: recommendation)
        #expect(!text.isEmpty)
        if format != .json && format != .csv { #expect(text.contains("zstd-3")) }
    }

    @Test func tableShowsScalingAgainstOneWorker() throws {
        let text = try BenchFormat.table.render(Self.sample)
        let line = text.split(separator: "\n").first { $0.hasPrefix("zstd-3") && $0.contains("×") }
        #expect(line?.contains("1.95×") == true)
    }

    @Test func cpuClockRecomputesSpeedsFromCPUTimePerWorker() throws {
        var report = Self.sample
        // zstd-3 on 2 workers: 1 MiB took 2.0 ms of wall time but 3.0 ms of CPU over both threads.
        report.runs[0].results[5].compress.wallSeconds = BenchStats(median: 0.002, min: 0.002, max: 0.002)
        report.runs[0].results[5].compress.cpuSeconds = BenchStats(median: 0.003, min: 0.0025, max: 0.004)
        let shown = report.speeds(by: .cpu)
        #expect(shown.runs[0].speedClock == .cpu)
        let speed = shown.runs[0].results[5].compress.speed
        #expect(abs(speed.median - Double(1 << 20) * 2 / 0.003 / 1e6) < 1e-6)
        #expect(speed.min < speed.median && speed.median < speed.max)
        #expect(report.speeds(by: .wall) == report)
        #expect(try BenchFormat.table.render(shown).contains("CPU second per worker"))
        // The recommendation reads the speeds shown.
        let pick = BenchRecommendation.make(from: shown, goal: .speed, minRatio: 2.8).choice
        #expect(pick?.name == "zstd-3" && abs(pick!.speed - speed.median) < 1e-6)
    }

    @Test func htmlIsOnePageWithBothChartsInline() throws {
        let html = try BenchFormat.html.render(Self.sample)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 2)
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http"))
    }

    @Test func paretoFrontLeavesOutDominatedSettings() {
        let front = BenchPlot.paretoFront(BenchPlot.ratioPoints(Self.sample)).map(\.name)
        #expect(front == ["lz4", "zstd-1", "zstd-3", "zstd-9"])
        let svg = Self.sample.svg()
        #expect(svg.contains("<polyline"))
        #expect(svg.hasPrefix("<?xml"))
    }

    @Test func recommendsByGoalWithinLimits() {
        func pick(_ goal: BenchGoal, minSpeed: Double? = nil, minRatio: Double? = nil) -> String? {
            BenchRecommendation.make(from: Self.sample, goal: goal, minSpeed: minSpeed, minRatio: minRatio).choice?.name
        }
        #expect(pick(.speed) == "lz4")
        #expect(pick(.ratio) == "zstd-9")
        #expect(pick(.ratio, minSpeed: 300) == "zstd-3")
        #expect(pick(.speed, minRatio: 2.8) == "zstd-3")
        #expect(pick(.balanced) != nil)
        let none = BenchRecommendation.make(from: Self.sample, goal: .speed, minSpeed: 5000)
        #expect(none.choice == nil)
        #expect(none.lines.joined().contains("no measured setting meets the limits"))
        let advice = BenchRecommendation.make(from: Self.sample, goal: .ratio, minSpeed: 300).lines.joined(separator: "\n")
        #expect(advice.contains("sluice pack --codec zstd --level 3"))
        #expect(advice.contains("aes-256-gcm"))
    }
}
