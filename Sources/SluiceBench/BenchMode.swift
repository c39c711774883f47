import Sluice
/// How the benchmark runs a cell.
public enum BenchMode: String, CaseIterable, Sendable, Codable {
    /// In process, over chunks in memory: each codec and cipher alone, one context per thread.
    case memory
    /// The real pipeline end to end: `Pipeline.packFile` and `unpackFile` on temporary files.
    case file
}
