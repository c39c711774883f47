import Foundation
import Sluice

/// One measured cell: what ran, on what, and how fast.
public struct BenchResult: Codable, Sendable, Equatable {
    /// What a row measures (see ``BenchSubject``).
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case memcpy, checksum, codec, cipher, pipeline
    }

    /// How it was measured.
    public var mode: BenchMode
    /// What the row measures.
    public var kind: Kind
    /// `zstd-3`, `aes-256-gcm`, `zstd-3+aes-256-gcm`, `memcpy`, `xxh3`.
    public var name: String
    /// The codec (codec and pipeline rows).
    public var codec: String?
    /// The codec level (codec and pipeline rows).
    public var level: Int?
    /// The cipher (cipher and pipeline rows).
    public var cipher: String?
    /// The dataset's name: `mixed:64M` or a path.
    public var dataset: String
    /// Bytes of input per pass.
    public var inputBytes: Int
    /// Bytes per chunk (the last may be shorter).
    public var chunkSize: Int
    /// Threads working on the chunks.
    public var workers: Int
    /// Chunks per pass.
    public var chunks: Int
    /// Compressed (memory mode) or `.slc` file (file mode) bytes; the input size for copies and ciphers
    /// (tags not counted in memory mode).
    public var outputBytes: Int
    /// `inputBytes / outputBytes`.
    public var ratio: Double
    /// Compress, seal, copy, hash or pack.
    public var compress: BenchTiming
    /// Decompress, open, copy back or unpack; `nil` for the checksum row.
    public var decompress: BenchTiming?
    /// Memory mode: how far this process's resident memory rose above its level at the start of the
    /// cell (buffers, contexts, threads). File mode: the peak resident size of a `sluice pack` or
    /// `sluice unpack` process on the same cell, whichever is larger (or, when the library runs without
    /// the executable, the rise during the cell's first pass). `nil` when it could not be measured.
    public var peakMemoryBytes: Int?
    /// Every decoded pass matched the input byte for byte (a mismatch stops the run with an error).
    public var verified: Bool

    /// The cell this result belongs to, without the dataset: for grouping runs of the same setting.
    var setting: String { "\(name)|\(chunkSize)" }

    /// The chunk size the data saw: the input's size when it is smaller than one chunk (a 256 KiB input
    /// "in 4 MiB chunks" is one 256 KiB chunk). What tables and progress lines show.
    public var effectiveChunkSize: Int { min(chunkSize, max(inputBytes, 1)) }
}

/// One invocation of the benchmark: where it ran, how hard, and what it found.
public struct BenchRun: Codable, Sendable, Equatable {
    /// A name for the run in merged reports (`--label`, or the results file's name when merging).
    public var label: String?
    /// The machine and libraries.
    public var environment: BenchEnvironment
    /// How hard each cell was measured.
    public var settings: BenchSettings
    /// How the cells ran.
    public var mode: BenchMode
    /// One per cell and dataset, in the order they ran.
    public var results: [BenchResult]
    /// Set when the speeds shown were recomputed from CPU time (``BenchReport/speeds(by:)``); never
    /// set in results files, whose speeds are always from wall time.
    public var speedClock: BenchSpeedClock?

    /// A run.
    public init(label: String?, environment: BenchEnvironment, settings: BenchSettings, mode: BenchMode, results: [BenchResult]) {
        self.label = label
        self.environment = environment
        self.settings = settings
        self.mode = mode
        self.results = results
    }
}

/// What `sluice bench` writes with `--format json` and reads back in `sluice bench report`: one or
/// more runs, each with its environment. Merging reports concatenates their runs, so nothing is lost
/// and every number keeps the machine it was measured on.
public struct BenchReport: Codable, Sendable, Equatable {
    /// The schema identifier; readers refuse files with another major version.
    public static let schemaName = "sluice-bench/1"

    /// ``schemaName`` for files this version writes.
    public var schema: String
    /// The runs, in the order they were merged.
    public var runs: [BenchRun]

    /// A report of `runs`.
    public init(runs: [BenchRun]) {
        schema = BenchReport.schemaName
        self.runs = runs
    }

    /// Every result with the run it came from.
    public var rows: [(run: BenchRun, result: BenchResult)] {
        runs.flatMap { run in run.results.map { (run, $0) } }
    }

    /// The reports' runs in order, each unlabelled run named after where it came from.
    ///
    ///     let merged = BenchReport.merged([(a, "a.json"), (b, "b.json")])
    public static func merged(_ reports: [(report: BenchReport, origin: String)]) -> BenchReport {
        BenchReport(runs: reports.flatMap { report, origin in
            report.runs.map { run in
                var run = run
                if run.label == nil || run.label!.isEmpty { run.label = origin }
                return run
            }
        })
    }

    /// Pretty-printed JSON with sorted keys, stable from run to run.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Reads a results file written by ``json()``.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when it is not a Sluice results file or has an
    ///   unknown schema.
    public static func decode(_ data: Data, origin: String = "results") throws -> BenchReport {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report: BenchReport
        do {
            report = try decoder.decode(BenchReport.self, from: data)
        } catch {
            throw SluiceError.invalid("\(origin) is not a sluice bench JSON results file (\(error))")
        }
        guard report.schema.hasPrefix("sluice-bench/1") else {
            throw SluiceError.invalid("\(origin) has schema '\(report.schema)'; this sluice reads \(schemaName)")
        }
        return report
    }

    /// Reads and merges results files.
    ///
    /// - Throws: ``SluiceError/Code/io`` when a file cannot be read, `invalidArgument` when one is not
    ///   a results file.
    public static func load(_ paths: [String]) throws -> BenchReport {
        let reports = try paths.map { path -> (BenchReport, String) in
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw SluiceError(.io, "cannot read \(path)")
            }
            return (try decode(data, origin: path), URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent)
        }
        return merged(reports)
    }

    /// The 1-worker result of the same run, dataset, setting and chunk size as `result`, for scaling.
    func singleWorkerBaseline(of result: BenchResult, in run: BenchRun) -> BenchResult? {
        run.results.first {
            $0.workers == 1 && $0.name == result.name && $0.chunkSize == result.chunkSize && $0.dataset == result.dataset
        }
    }
}
