import Foundation
import Testing
@testable import Sluice
@testable import SluiceBench

@Suite struct BenchSuiteTests {
    @Test func parsesAFullSuite() throws {
        let suite = try BenchSuite.parse("""
            name: quick
            description: a quick look
            prepare:
              - generate: mixed:2M
                seed: 7
              - generate: text:1M
                file: data/text.bin
              - path: /tmp
                join: true
            matrix:
              mode: file
              codecs: zstd:1,3 lz4
              ciphers: [none, aes-256-gcm]
              chunk-sizes: [1M, 4M]
              workers: [1, 2]
            runs: 3
            min-time: 0.25
            warmup: 2
            output:
              format: markdown
              file: out/results.md
              plot: out/results.svg
            recommend:
              goal: ratio
              min-speed: 100
              max-size: 40%
            cleanup:
              remove-prepared: false
              remove: [out]
            """, baseDirectory: "/work/suites")
        #expect(suite.name == "quick")
        #expect(suite.prepare == [
            .generate(GeneratedData(kind: .mixed, size: .mebibytes(2), seed: 7), file: nil),
            .generate(GeneratedData(kind: .text, size: .mebibytes(1), seed: 1), file: "/work/suites/data/text.bin"),
            .path("/tmp", join: true),
        ])
        let matrix = try suite.options.matrix()
        #expect(matrix.mode == .file)
        #expect(matrix.codecs.map(\.benchName) == ["zstd-1", "zstd-3", "lz4"])
        #expect(matrix.ciphers == [.none, .aes256gcm])
        #expect(matrix.chunkSizes == [.mebibytes(1), .mebibytes(4)])
        #expect(matrix.workers == [1, 2])
        let settings = try suite.options.settings()
        #expect(settings.runs == 3 && settings.minTime == 0.25 && settings.warmup == 2)
        #expect(suite.options.format == .markdown)
        #expect(suite.options.output == "/work/suites/out/results.md")
        #expect(suite.options.plot == "/work/suites/out/results.svg")
        #expect(suite.options.goal == .ratio && suite.options.minSpeed == 100 && suite.options.recommend == true)
        #expect(try suite.options.minRatio() == 2.5)
        #expect(suite.removePrepared == false)
        #expect(suite.remove == ["/work/suites/out"])
    }

    @Test(arguments: [
        "prepare: [{generate: video:1M}]",
        "prepare: [{generate: text:1M, path: /tmp}]",
        "prepare: [{}]",
        "matrix: {codecs: zstd:99}",
        "matrix: {mode: disk}",
        "matrix: {chunk-sizes: [1K]}",
        "runs: many",
        "output: {format: pdf}",
        "recommend: {goal: cheapest}",
        "[1, 2",
        "min_time: 1",
        "matrix: {codec: zstd}",
        "prepare: [{generate: text:1M, sed: 3}]",
    ])
    func rejectsBadSuites(yaml: String) {
        #expect(throws: SluiceError.self) { try BenchSuite.parse(yaml) }
    }

    @Test func preparesFilesAndCleansThemUp() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-suite-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let suite = try BenchSuite.parse("""
            prepare:
              - generate: binary:100K
                file: prepared/data.bin
              - generate: zeros:1K
            """, baseDirectory: directory.path)
        let inputs = try suite.prepareInputs()
        let file = directory.appendingPathComponent("prepared/data.bin").path
        #expect(inputs == [.file(file), .generated(GeneratedData(kind: .zeros, size: .kibibytes(1)))])
        #expect(FileManager.default.fileExists(atPath: file))
        #expect(try BenchInput.read(file) == GeneratedData(kind: .binary, size: .kibibytes(100)).generate())
        suite.cleanUp()
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    /// The suites shipped in Benchmarks/suites parse.
    @Test(arguments: ["default.yaml", "quick.yaml"])
    func shippedSuitesParse(name: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Benchmarks/suites/\(name)").path
        let suite = try BenchSuite.load(path)
        #expect(!suite.prepare.isEmpty)
        #expect(try !suite.options.matrix().cells.isEmpty)
    }
}
