import Foundation
import Testing
@testable import Sluice
@testable import SluiceBench

/// `sluice bench` run as a process, as a user runs it: a tiny run to JSON, then `bench report`
/// merging two results files into CSV, and the exit code of a bad spec.
@Suite struct BenchCommandTests {
    /// The `sluice` built next to the test bundle.
    static let executable: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("sluice").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    @discardableResult
    static func sluice(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable!)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: executable != nil, "the sluice executable is built"))
    func runsThenMergesReports() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bench-cli-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a.json").path, b = directory.appendingPathComponent("b.json").path
        let svg = directory.appendingPathComponent("p.svg").path
        let common = ["bench", "--generate", "text:64K", "--codecs", "zstd:1", "lz4", "--ciphers", "aes-256-gcm",
                      "--chunk-sizes", "16K", "--runs", "1", "--min-time", "0", "-q"]
        #expect(try Self.sluice(common + ["--output", a, "--plot", svg]).status == 0)
        #expect(try Self.sluice(common + ["--workers", "1,2", "--format", "json", "--output", b]).status == 0)
        #expect(try BenchReport.load([a]).runs[0].results.count == 5)
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))

        let merged = try Self.sluice(["bench", "report", a, b, "--format", "csv"])
        #expect(merged.status == 0)
        let records = BenchCSV.parse(merged.output)
        #expect(records.first == BenchCSV.columns)
        #expect(records.count == 1 + 5 + 10)
        #expect(Set(records.dropFirst().map { $0[0] }) == ["a", "b"])

        let table = try Self.sluice(["bench", "report", a, "--recommend", "--goal", "speed"])
        #expect(table.output.contains("Recommendation (goal: speed)"))
    }

    @Test(.enabled(if: executable != nil, "the sluice executable is built"))
    func badSpecExitsWithUsage() throws {
        let result = try Self.sluice(["bench", "--generate", "text:1K", "--codecs", "zstd:99"])
        #expect(result.status == 64)
        #expect(try Self.sluice(["bench", "--generate", "nonsense:1K"]).status == 64)
        #expect(try Self.sluice(["bench", "report", "/nonexistent.json"]).status == 74)
    }
}
