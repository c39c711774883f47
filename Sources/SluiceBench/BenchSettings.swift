import Sluice
/// How hard each cell is measured.
public struct BenchSettings: Sendable, Codable, Equatable {
    /// Timed passes per direction, at least.
    public var runs: Int
    /// Seconds of timed passes per direction, at least (more passes are made until it is reached).
    public var minTime: Double
    /// Untimed passes first, to fault in buffers and warm caches and branch predictors.
    public var warmup: Int
    /// A safety stop for tiny inputs under a long `minTime`.
    public var maxRuns: Int
    /// `--cold` (file mode): every cell is measured a second time with its input evicted from the page
    /// cache before each timed pass (`nil` in reports written before it existed).
    public var cold: Bool?

    public init(runs: Int = 5, minTime: Double = 1, warmup: Int = 1, maxRuns: Int = 1000, cold: Bool = false) {
        self.runs = runs
        self.minTime = minTime
        self.warmup = warmup
        self.maxRuns = maxRuns
        self.cold = cold ? true : nil
    }

    /// - Throws: ``SluiceError/Code/invalidArgument`` for values out of range.
    public func validated() throws -> BenchSettings {
        guard (1...10_000).contains(runs) else { throw SluiceError.invalid("--runs must be 1…10000") }
        guard minTime >= 0, minTime <= 3600 else { throw SluiceError.invalid("--min-time must be 0…3600 seconds") }
        guard (0...100).contains(warmup) else { throw SluiceError.invalid("--warmup must be 0…100") }
        guard maxRuns >= runs else { throw SluiceError.invalid("--max-runs must be at least --runs") }
        return self
    }
}
