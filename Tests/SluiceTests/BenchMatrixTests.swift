import Testing
@testable import Sluice
@testable import SluiceBench

@Suite struct BenchMatrixTests {
    @Test func parsesCodecLevelLists() throws {
        let codecs = try BenchMatrix.codecs(["zstd:1,3,9,19", "lz4", "lz4hc:9", "brotli:1,5,11", "store"])
        #expect(codecs.map(\.benchName) == [
            "zstd-1", "zstd-3", "zstd-9", "zstd-19", "lz4", "lz4hc-9", "brotli-1", "brotli-5", "brotli-11", "store",
        ])
    }

    @Test func acceptsOneStringRangesNegativeLevelsAndDuplicates() throws {
        let codecs = try BenchMatrix.codecs(["zstd:-1,1..3 lz4:8 zstd:3"])
        #expect(codecs.map(\.benchName) == ["zstd--1", "zstd-1", "zstd-2", "zstd-3", "lz4-8"])
    }

    @Test func splitsCommaJoinedCodecNames() throws {
        #expect(try BenchMatrix.codecs(["zstd:1,3,lz4"]).map(\.benchName) == ["zstd-1", "zstd-3", "lz4"])
        #expect(try BenchMatrix.codecs(["lz4,zstd"]).map(\.benchName) == ["lz4", "zstd-3"])
    }

    @Test func baselinesAreAcceptedAsCodecNames() throws {
        #expect(try BenchMatrix.codecs(["memcpy", "zstd:1"]).map(\.benchName) == ["zstd-1"])
    }

    @Test(arguments: ["zst:1", "zstd:23", "zstd:", "zstd:a", "zstd:5..1", "brotli:12", "lz4hc:0", "store:1", "", "3"])
    func rejectsBadCodecSpecs(spec: String) {
        #expect(throws: SluiceError.self) { try BenchMatrix.codecs([spec]) }
        do {
            _ = try BenchMatrix.codecs([spec])
        } catch let error as SluiceError {
            #expect(error.code == .invalidArgument)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func parsesCiphersSizesAndWorkers() throws {
        #expect(try BenchMatrix.ciphers(["none", "aes-256-gcm", "chacha20-poly1305"]) == [.none, .aes256gcm, .chacha20poly1305])
        #expect(try BenchMatrix.ciphers(["aes,chacha"]) == [.aes256gcm, .chacha20poly1305])
        #expect(try BenchMatrix.chunkSizes(["64K,1M", "4M", "16M"]) == [.kibibytes(64), .mebibytes(1), .mebibytes(4), .mebibytes(16)])
        #expect(try BenchMatrix.workers(["1,2", "4"]) == [1, 2, 4])
        #expect(try BenchMatrix.workers(["auto"]) == [WorkerPool.availableCores])
    }

    @Test(arguments: [["rot13"], ["aes-128-gcm"], [""]])
    func rejectsBadCiphers(names: [String]) {
        #expect(throws: SluiceError.self) { try BenchMatrix.ciphers(names) }
    }

    @Test(arguments: [["1K"], ["512M"], ["4X"], ["-1M"], [","]])
    func rejectsBadChunkSizes(sizes: [String]) {
        #expect(throws: SluiceError.self) { try BenchMatrix.chunkSizes(sizes) }
    }

    @Test(arguments: [["0"], ["2000"], ["two"], ["1,,x"]])
    func rejectsBadWorkerCounts(counts: [String]) {
        #expect(throws: SluiceError.self) { try BenchMatrix.workers(counts) }
    }

    @Test func memoryModeRowsAreBaselinesCodecsThenCiphers() throws {
        let matrix = BenchMatrix(
            mode: .memory, codecs: try BenchMatrix.codecs(["zstd:3 lz4"]), ciphers: [.none, .aes256gcm],
            chunkSizes: [.mebibytes(1), .mebibytes(4)], workers: [1, 2])
        #expect(matrix.subjects.map(\.description) == ["memcpy", "xxh3", "zstd-3", "lz4", "aes-256-gcm"])
        #expect(matrix.cells.count == 5 * 2 * 2)
        #expect(matrix.cells.first == BenchCell(subject: .memcpy, chunkSize: .mebibytes(1), workers: 1))
    }

    @Test func fileModeCrossesCodecsWithCiphers() throws {
        let matrix = BenchMatrix(mode: .file, codecs: try BenchMatrix.codecs(["zstd:3 lz4"]), ciphers: [.none, .aes256gcm])
        #expect(matrix.subjects.map(\.description) == ["zstd-3", "zstd-3+aes-256-gcm", "lz4", "lz4+aes-256-gcm"])
    }

    @Test func optionsOverlayKeepsWhatIsNotOverridden() throws {
        var suite = BenchOptions()
        suite.codecs = ["zstd:1"]
        suite.runs = 9
        suite.generate = ["text:1M"]
        var cli = BenchOptions()
        cli.runs = 2
        let merged = suite.overlaid(by: cli)
        #expect(merged.codecs == ["zstd:1"])
        #expect(merged.runs == 2)
        #expect(merged.generate == ["text:1M"])
        #expect(try merged.settings().runs == 2)
    }

    @Test(arguments: [("40%", 2.5), ("0.5", 2.0), ("100%", 1.0)])
    func parsesMaxSizeAsRatioFloor(text: String, floor: Double) throws {
        #expect(abs(try BenchRecommendation.ratioFloor(maxSize: text) - floor) < 1e-9)
    }

    @Test(arguments: ["0", "150%", "abc", "-0.2"])
    func rejectsBadMaxSize(text: String) {
        #expect(throws: SluiceError.self) { try BenchRecommendation.ratioFloor(maxSize: text) }
    }
}
