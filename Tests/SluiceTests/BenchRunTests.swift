import Foundation
import Testing
@testable import Sluice
@testable import SluiceBench

/// Tiny end-to-end runs: small generated data, no minimum time, every cell verified. Nothing here
/// asserts a speed.
@Suite struct BenchRunTests {
    static let quick = BenchSettings(runs: 1, minTime: 0, warmup: 1)

    @Test func memoryModeMeasuresEveryCellAndVerifies() throws {
        let matrix = BenchMatrix(
            mode: .memory, codecs: try BenchMatrix.codecs(["zstd:1 lz4 lz4hc:4 brotli:1 store"]),
            ciphers: [.aes256gcm, .chacha20poly1305], chunkSizes: [.kibibytes(64), .kibibytes(256)], workers: [1, 2])
        let runner = BenchRunner(matrix: matrix, settings: Self.quick)
        let run = try runner.run([.generated(GeneratedData(kind: .mixed, size: .kibibytes(600), seed: 3))], label: "tiny")
        #expect(run.results.count == matrix.cells.count)
        #expect(run.label == "tiny")
        for result in run.results {
            #expect(result.verified)
            #expect(result.inputBytes == 600 << 10)
            #expect(result.compress.runs >= 1)
            #expect(result.compress.speed.median > 0)
            #expect(result.compress.speed.min <= result.compress.speed.median)
            #expect(result.compress.speed.median <= result.compress.speed.max)
            #expect(result.chunks == (600 << 10 + result.chunkSize - 1) / result.chunkSize)
            if result.kind == .checksum { #expect(result.decompress == nil) } else { #expect(result.decompress != nil) }
        }
        let zstd = try #require(run.results.first { $0.name == "zstd-1" })
        #expect(zstd.ratio > 1.2)
        #expect(zstd.outputBytes < zstd.inputBytes)
        #expect(run.results.first { $0.name == "memcpy" }?.ratio == 1)
        // The whole run survives the JSON schema.
        let report = BenchReport(runs: [run])
        #expect(try BenchReport.decode(Data(try report.json().utf8)) == report)
    }

    @Test func incompressibleAndEmptyishDataRoundTrip() throws {
        let matrix = BenchMatrix(mode: .memory, codecs: try BenchMatrix.codecs(["zstd:3 lz4 brotli:0 lz4hc:1"]), ciphers: [.aes256gcm],
                                 chunkSizes: [.kibibytes(4)], workers: [2])
        let runner = BenchRunner(matrix: matrix, settings: Self.quick)
        let run = try runner.run([
            .generated(GeneratedData(kind: .random, size: .kibibytes(40), seed: 1)),
            .generated(GeneratedData(kind: .zeros, size: .bytes(1), seed: 1)),
        ])
        #expect(run.results.count == 2 * matrix.cells.count)
        #expect(run.results.allSatisfy { $0.verified })
    }

    @Test func fileModeRunsThePipeline() throws {
        let matrix = BenchMatrix(mode: .file, codecs: try BenchMatrix.codecs(["zstd:1 lz4"]), ciphers: [.none, .aes256gcm],
                                 chunkSizes: [.kibibytes(64)], workers: [1, 2])
        let runner = BenchRunner(matrix: matrix, settings: Self.quick)
        let run = try runner.run([.generated(GeneratedData(kind: .text, size: .kibibytes(300), seed: 2))])
        #expect(run.results.map(\.name) == [
            "zstd-1", "zstd-1", "zstd-1+aes-256-gcm", "zstd-1+aes-256-gcm", "lz4", "lz4", "lz4+aes-256-gcm", "lz4+aes-256-gcm",
        ])
        for result in run.results {
            #expect(result.kind == .pipeline)
            #expect(result.verified)
            #expect(result.chunks == 5)
            #expect(result.ratio > 1.5)  // the .slc file, headers and all, is smaller than the text
        }
    }

    /// `--cold`: every file-mode cell is measured again with its input evicted from the page cache before
    /// each pass, reported as a second row beside the warm one; memory mode refuses it.
    @Test func coldFileModeReportsEachCellBesideWarm() throws {
        let matrix = BenchMatrix(mode: .file, codecs: try BenchMatrix.codecs(["zstd:1"]), ciphers: [.none],
                                 chunkSizes: [.kibibytes(64)], workers: [2])
        var settings = Self.quick
        settings.cold = true
        let run = try BenchRunner(matrix: matrix, settings: settings).run([.generated(GeneratedData(kind: .text, size: .kibibytes(300), seed: 2))])
        #expect(run.results.map(\.name) == ["zstd-1", "zstd-1 cold"])
        #expect(run.results.allSatisfy { $0.verified && $0.chunks == 5 && $0.decompress != nil })
        #expect(run.results[0].ratio == run.results[1].ratio)
        var options = BenchOptions()
        options.cold = true
        #expect(throws: SluiceError.self) { try options.settings() }
        options.mode = .file
        #expect(try options.settings().cold == true)
    }

    @Test func directoriesAreMeasuredFileByFileOrJoined() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-bench-dir-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(GeneratedData(kind: .text, size: .kibibytes(20), seed: 1).generate()).write(to: directory.appendingPathComponent("a.txt"))
        try Data(GeneratedData(kind: .binary, size: .kibibytes(30), seed: 1).generate()).write(to: directory.appendingPathComponent("sub/b.bin"))

        let separate = try BenchInput.path(directory.path, join: false).load()
        #expect(separate.map(\.bytes.count) == [20 << 10, 30 << 10])
        let joined = try BenchInput.path(directory.path, join: true).load()
        #expect(joined.count == 1)
        #expect(joined[0].bytes.count == 50 << 10)

        let matrix = BenchMatrix(mode: .memory, codecs: try BenchMatrix.codecs(["lz4"]), ciphers: [], chunkSizes: [.kibibytes(16)],
                                 workers: [1], baselines: false)
        let run = try BenchRunner(matrix: matrix, settings: Self.quick).run([.directory(directory.path, join: false)])
        #expect(run.results.count == 2)
        #expect(Set(run.results.map(\.dataset)).count == 2)
    }

    @Test func missingInputIsAnIOError() {
        #expect(throws: SluiceError.self) { try BenchInput.path("/nonexistent/sluice/bench/input", join: false) }
    }

    @Test func pipelineSubjectsAreRefusedInMemoryMode() throws {
        let bench = MemoryBench(dataset: BenchDataset(name: "x", bytes: [1, 2, 3], source: nil), settings: Self.quick)
        let cell = BenchCell(subject: .pipeline(try CodecSettings(.zstd), .none), chunkSize: .kibibytes(4), workers: 1)
        #expect(throws: SluiceError.self) { try bench.run(cell) }
    }
}
