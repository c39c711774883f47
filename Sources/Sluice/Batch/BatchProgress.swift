import Synchronization

/// The live counters of a batch, updated by its threads and read by whoever shows progress.
///
/// `files found` and `bytes found` grow while the walk goes on (``Snapshot/walkFinished`` tells when
/// they are final), so an ETA is only an estimate until then.
public final class BatchProgress: Sendable {
    private let found = Atomic<Int>(0)
    private let bytesFoundCounter = Atomic<Int>(0)
    private let ok = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let bytesInCounter = Atomic<Int>(0)
    private let bytesOutCounter = Atomic<Int>(0)
    private let walkDone = Atomic<Bool>(false)
    private let skips = Locked<[SkipReason: Int]>([:])
    /// When the run started.
    let start = ContinuousClock.now

    /// Counters at zero, the clock started now.
    public init() {}

    /// A consistent-enough copy of the counters.
    public struct Snapshot: Sendable {
        /// Files the walk handed on to be processed (filters passed).
        public var filesFound: Int
        /// Their total size.
        public var bytesFound: Int
        /// Files processed and written.
        public var filesOK: Int
        /// Files that failed (each also reported as a ``BatchEvent``).
        public var filesFailed: Int
        /// Files skipped, by reason.
        var skipped: [SkipReason: Int]
        /// Input bytes of the files done (plaintext when packing, `.slc` bytes when unpacking).
        public var bytesIn: Int
        /// Output bytes written.
        public var bytesOut: Int
        /// Whether the walk has seen the whole tree (``filesFound`` is final).
        public var walkFinished: Bool
        /// Time since the run started.
        var elapsed: Duration

        /// Files skipped, all reasons together.
        public var filesSkipped: Int { skipped.values.reduce(0, +) }
        /// Files whose fate is settled.
        public var filesDone: Int { filesOK + filesFailed + filesSkipped }
        /// ``elapsed`` in seconds.
        public var seconds: Double {
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }

    /// The counters now; safe to read from any thread while the batch runs.
    public var snapshot: Snapshot {
        Snapshot(
            filesFound: found.load(ordering: .relaxed), bytesFound: bytesFoundCounter.load(ordering: .relaxed),
            filesOK: ok.load(ordering: .relaxed), filesFailed: failed.load(ordering: .relaxed),
            skipped: skips.withLock { $0 }, bytesIn: bytesInCounter.load(ordering: .relaxed),
            bytesOut: bytesOutCounter.load(ordering: .relaxed), walkFinished: walkDone.load(ordering: .acquiring),
            elapsed: ContinuousClock.now - start)
    }

    func foundFile(size: Int) {
        found.add(1, ordering: .relaxed)
        bytesFoundCounter.add(size, ordering: .relaxed)
    }

    func finishedWalk() { walkDone.store(true, ordering: .releasing) }

    func succeeded(bytesIn: Int, bytesOut: Int) {
        bytesInCounter.add(bytesIn, ordering: .relaxed)
        bytesOutCounter.add(bytesOut, ordering: .relaxed)
        ok.add(1, ordering: .relaxed)
    }

    func failedFile() { failed.add(1, ordering: .relaxed) }

    /// A file counted as done turned out to have failed after all (its source could not be removed);
    /// ``BatchReporter/fail(_:_:)`` then counts the failure.
    func demote() { ok.subtract(1, ordering: .relaxed) }

    func skipped(_ reason: SkipReason) { skips.withLock { $0[reason, default: 0] += 1 } }
}
