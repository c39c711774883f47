import Synchronization
import SystemPackage

/// Where every thread of a batch sends what happened to a file: it counts it in the
/// ``BatchProgress``, passes it on as a ``BatchEvent``, and raises the stop flag on the first failure
/// when the batch is to fail fast.
final class BatchReporter: Sendable {
    let progress: BatchProgress
    private let send: @Sendable (BatchEvent) -> Void
    private let reportEachFile: Bool
    private let failFast: Bool
    private let stopFlag = Atomic<Bool>(false)
    /// `--manifest`: where every file's outcome is also recorded.
    let manifest: ManifestWriter?

    init(
        progress: BatchProgress, reportEachFile: Bool, failFast: Bool, manifest: ManifestWriter? = nil,
        send: @escaping @Sendable (BatchEvent) -> Void
    ) {
        self.progress = progress
        self.manifest = manifest
        self.reportEachFile = reportEachFile
        self.failFast = failFast
        self.send = send
    }

    /// Whether the batch should stop taking new work (`failFast` after a failure).
    var shouldStop: Bool { stopFlag.load(ordering: .relaxed) }

    func skip(_ path: FilePath, _ reason: SkipReason) {
        progress.skipped(reason)
        let quiet = reason == .filtered || reason == .otherShard
        if !quiet || reportEachFile { send(.skipped(path, reason)) }
        if !quiet { manifest?.record(path, reason == .upToDate ? .upToDate : .skipped, message: reason == .upToDate ? nil : reason.rawValue) }
    }

    func fail(_ path: FilePath, _ error: SluiceError, range: SplitRange? = nil) {
        progress.failedFile()
        if failFast { stopFlag.store(true, ordering: .relaxed) }
        manifest?.record(path, .failed, message: error.description, range: range)
        send(.failed(path, error))
    }

    func fail(_ path: FilePath, _ error: any Error, range: SplitRange? = nil) {
        fail(path, error as? SluiceError ?? SluiceError(.io, "\(path)", cause: SendableError(error)), range: range)
    }

    func warn(_ path: FilePath, _ message: String) { send(.warning(path, message)) }

    /// A range of a split file an earlier run packed (its part, or the whole file, is up to date).
    func skipRange(_ path: FilePath, output: FilePath, range: SplitRange) {
        progress.skipped(.upToDate)
        if reportEachFile { send(.skipped(path, .upToDate)) }
        manifest?.record(path, .upToDate, output: output, range: range)
    }

    /// A split file whose parts this run assembled into `output`: recorded in the manifest only (its
    /// ranges were counted as they were packed).
    func assembled(_ source: FilePath, output: FilePath, ranges: Int) {
        manifest?.record(source, .ok, output: output, ranges: ranges)
    }

    func succeed(_ source: FilePath, output: FilePath, bytesIn: Int, bytesOut: Int, range: SplitRange? = nil) {
        progress.succeeded(bytesIn: bytesIn, bytesOut: bytesOut)
        manifest?.record(source, .ok, output: output, range: range)
        if reportEachFile { send(.processed(source: source, output: output, bytesIn: bytesIn, bytesOut: bytesOut)) }
    }

    func plan(_ source: FilePath, output: FilePath, size: Int, replacing: Bool) {
        progress.succeeded(bytesIn: size, bytesOut: 0)
        send(.planned(source: source, output: output, replacing: replacing))
    }
}

/// An error of unknown type, kept as its description so it can travel between threads.
struct SendableError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = "\(error)" }
}
