import Sluice
/// Everything a benchmark run can be told, as the user spelled it: from the command line, from a
/// suite file, or both (``overlaid(by:)``: the command line wins). Every field is optional so that
/// "not given" can be told apart from "given as the default".
public struct BenchOptions: Sendable, Equatable {
    /// Files or directories.
    public var paths: [String] = []
    /// `KIND:SIZE` specs.
    public var generate: [String] = []
    /// `--seed`.
    public var seed: UInt64?
    /// Join a directory's files into one stream.
    public var join: Bool?
    /// `--mode`.
    public var mode: BenchMode?
    /// `--codecs`, unparsed (``BenchMatrix/codecs(_:)`` parses them).
    public var codecs: [String]?
    /// `--ciphers`, unparsed.
    public var ciphers: [String]?
    /// `--chunk-sizes`, unparsed.
    public var chunkSizes: [String]?
    /// `--workers`, unparsed.
    public var workers: [String]?
    /// Include the memcpy and xxh3 rows.
    public var baselines: Bool?
    /// `--runs`.
    public var runs: Int?
    /// `--min-time`, seconds.
    public var minTime: Double?
    /// `--warmup`.
    public var warmup: Int?
    /// `--cold` (file mode only).
    public var cold: Bool?
    /// `--format`.
    public var format: BenchFormat?
    /// `--output`.
    public var output: String?
    /// `--plot`.
    public var plot: String?
    /// `--recommend`.
    public var recommend: Bool?
    /// `--goal`.
    public var goal: BenchGoal?
    /// MB/s.
    public var minSpeed: Double?
    /// `40%` or `0.4`.
    public var maxSize: String?
    /// `--clock`.
    public var clock: BenchSpeedClock?
    /// `--label`.
    public var label: String?
    /// `--temp-dir`.
    public var temporaryDirectory: String?

    /// Nothing given: every default.
    public init() {}

    /// These options with every field `other` sets replacing this one's; inputs are replaced as a whole.
    public func overlaid(by other: BenchOptions) -> BenchOptions {
        var merged = self
        if !other.paths.isEmpty || !other.generate.isEmpty {
            merged.paths = other.paths
            merged.generate = other.generate
        }
        func take<T>(_ path: WritableKeyPath<BenchOptions, T?>) {
            if let value = other[keyPath: path] { merged[keyPath: path] = value }
        }
        take(\.seed); take(\.join); take(\.mode); take(\.codecs); take(\.ciphers); take(\.chunkSizes); take(\.workers)
        take(\.baselines); take(\.runs); take(\.minTime); take(\.warmup); take(\.cold); take(\.format); take(\.output); take(\.plot)
        take(\.recommend); take(\.goal); take(\.minSpeed); take(\.maxSize); take(\.label); take(\.temporaryDirectory)
        take(\.clock)
        return merged
    }

    /// The matrix these options describe (defaults for what is not given).
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` for a bad spec.
    public func matrix() throws -> BenchMatrix {
        let mode = self.mode ?? .memory
        return BenchMatrix(
            mode: mode,
            codecs: try codecs.map(BenchMatrix.codecs),
            ciphers: try ciphers.map(BenchMatrix.ciphers),
            chunkSizes: try chunkSizes.map(BenchMatrix.chunkSizes) ?? [.mebibytes(4)],
            workers: try workers.map(BenchMatrix.workers) ?? [1],
            baselines: baselines ?? true)
    }

    /// How hard each cell is measured.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` for values out of range, and for `--cold` outside
    ///   file mode (memory mode reads no file).
    public func settings() throws -> BenchSettings {
        if cold == true, mode != .file { throw SluiceError.invalid("--cold needs --mode file (memory mode reads no file)") }
        let defaults = BenchSettings()
        return try BenchSettings(
            runs: runs ?? defaults.runs, minTime: minTime ?? defaults.minTime, warmup: warmup ?? defaults.warmup,
            maxRuns: max(defaults.maxRuns, runs ?? 0), cold: cold ?? false
        ).validated()
    }

    /// The inputs: paths first, then generated data.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` for a bad `--generate`, `io` for a missing path.
    public func inputs() throws -> [BenchInput] {
        try paths.map { try BenchInput.path($0, join: join ?? false) }
            + generate.map { .generated(try GeneratedData(parsing: $0, seed: seed ?? 1)) }
    }

    /// The ratio floor `--max-size` asks for, if any.
    public func minRatio() throws -> Double? {
        try maxSize.map(BenchRecommendation.ratioFloor(maxSize:))
    }
}
