#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Packing and unpacking whole directory trees (`sluice pack DIR -o OUT`), as docs/batch.md describes.
///
///     walker threads ──► bounded queue ──► dispatcher ──┬─► small files: bundles of whole files
///                                                       │     I/O pool read ─► worker encodes in memory ─► I/O pool write
///                                                       └─► large files: the chunked pipeline, on an I/O thread
///
/// Every stage is bounded: the walk's queue and directory stack, the bundles and large files in flight,
/// and the memory budget, so a tree of a million files never means a million of anything in memory.
public enum Batch {
    /// Files the dispatcher takes from the walk's queue at once.
    static let takeAtOnce = 64
    /// A bundle closes at this many files…
    static let bundleFiles = 32
    /// …or at this many bytes of input.
    static let bundleBytes = 1 << 20
    /// Entries the walk may be ahead of the dispatcher.
    static let walkQueueCapacity = 4096

    /// The default memory budget of a batch: 256 MiB, or a quarter of RAM when that is less.
    public static var defaultMemoryLimit: ByteCount { min(.mebibytes(256), Memory.defaultLimit) }

    /// Packs or unpacks every file under `input` (a directory).
    ///
    /// A file that fails is reported through `events` and counted, and the others go on (unless
    /// ``BatchOptions/failFast``). Before returning — and before any source is removed — one `syncfs`
    /// makes every output durable.
    ///
    /// - Parameters:
    ///   - progress: counters to watch from another thread while the batch runs.
    ///   - events: called from any of the batch's threads, possibly at once.
    /// - Returns: the totals; ``BatchReport/filesFailed`` tells whether everything went well.
    /// - Throws: ``SluiceError`` only for what stops the batch as a whole: `input` is not a directory,
    ///   the output root cannot be created, bad options, or the final sync failed.
    public static func run(
        _ input: FilePath, options: BatchOptions, progress: BatchProgress = BatchProgress(),
        events: @escaping @Sendable (BatchEvent) -> Void
    ) throws -> BatchReport {
        guard let inputStatus = try? FileSystem.status(ofPath: input), inputStatus.isDirectory else {
            throw SluiceError.invalid("\(input) is not a directory")
        }
        if case .pack(let pack) = options.operation, pack.cipher != .none, pack.key == nil {
            throw SluiceError.invalid("encryption needs a passphrase or a key file")
        }
        if options.isVerifying, options.output != nil || options.manifest != nil || options.removeSource || options.selection?.retry != nil {
            throw SluiceError.invalid("verifying a directory writes nothing: no output directory, manifest, retry or source removal")
        }
        let outputRoot = options.isVerifying ? input : options.output ?? input
        let freshRoot = !FileSystem.exists(outputRoot)
        if !options.dryRun { try FileSystem.makeDirectories(outputRoot) }
        let outputStatus = try? FileSystem.status(ofPath: outputRoot)
        let inPlace = outputStatus.map { $0.device == inputStatus.device && $0.inode == inputStatus.inode } ?? false
        let layout = OutputLayout(inputRoot: input, outputRoot: outputRoot, inPlace: inPlace, packing: options.isPacking)

        let tokens = IOPool.tokens(explicit: options.ioTokens, storage: options.storage, for: input)
        let workerCount = options.workers ?? WorkerPool.availableCores
        let budget = MemoryBudget(limit: options.memoryLimit ?? defaultMemoryLimit)
        // scrypt runs of the batch's files stay within its budget too (one batch per process in the CLI).
        ScryptGate.shared.limit = .bytes(budget.limit)
        var smallChunk = Plan.minimumAutoChunkSize
        var rangeSize: Int?
        if case .pack(let pack) = options.operation {
            rangeSize = SplitRange.rangeSize(for: options, pack: pack)
            var planning = pack
            planning.workers = workerCount
            planning.memoryLimit = nil
            smallChunk = try planning.plan(inputSize: BatchOptions.smallFileLimit).chunkSize
        }
        let manifest = try options.manifest.flatMap { path in
            options.dryRun ? nil : try ManifestWriter(
                destination: path, layout: layout, selection: options.selection ?? ShardSelection(shard: nil, retry: nil))
        }
        let reporter = BatchReporter(
            progress: progress, reportEachFile: options.reportEachFile, failFast: options.failFast, manifest: manifest, send: events)
        let io = IOPool(tokens: tokens, name: "sluice-io")
        let run = BatchRun(
            options: options, layout: layout, reporter: reporter, workers: WorkerPool.shared(workers: workerCount), io: io,
            budget: budget, smallChunkSize: smallChunk, maxBundles: 2 * (tokens + workerCount), maxLarge: tokens >= 4 ? 2 : 1)

        let files = BoundedQueue<WalkEntry>(capacity: walkQueueCapacity)
        let walker = DirectoryWalker(
            root: input, into: files,
            settings: DirectoryWalker.Settings(
                filter: options.filter, symlinks: options.symlinks, packing: options.isPacking, inPlace: inPlace,
                compressedInput: options.compressedInput,
                prune: inPlace ? nil : outputStatus.map { ($0.device, $0.inode) },
                prepare: { relative in
                    guard !inPlace, !options.dryRun else { return false }
                    if relative.isEmpty { return freshRoot }
                    return try FileSystem.makeDirectory(layout.directory(relative))
                },
                now: Int64(time(nil)), selection: options.selection, rangeSize: rangeSize),
            reporter: reporter)
        walker.start(readers: max(1, min(4, tokens))) {
            files.close()
            progress.finishedWalk()
        }

        var dispatcher = Dispatcher(run: run)
        while !reporter.shouldStop {
            while let entry = run.deferred.tryPop() { dispatcher.dispatchLarge(entry) }
            let batch = files.pop(upTo: takeAtOnce)
            if batch.isEmpty { break }
            for entry in batch where !reporter.shouldStop { dispatcher.dispatch(entry) }
            // The queue ran dry: start what is gathered rather than wait for more.
            if batch.count < takeAtOnce { dispatcher.closeBundle() }
            if let remover = run.remover, remover.isRoundDue {
                dispatcher.closeBundle()
                try remover.runRound(run)
            }
        }
        if reporter.shouldStop {
            walker.stop()
            files.close()
        }
        dispatcher.closeBundle()
        // Bundles still in flight may hand files over to the chunked path until the very last one ends.
        while true {
            run.inFlight.wait()
            var dispatched = false
            while !reporter.shouldStop, let entry = run.deferred.tryPop() {
                dispatcher.dispatchLarge(entry)
                dispatched = true
            }
            if !dispatched { break }
        }
        io.shutdown()
        // Let the walk's threads see the closed queue and end before the run is reported.
        while !progress.snapshot.walkFinished { usleep(1000) }

        // Before the directories get their mtimes: assembling adds a file and removes its parts.
        if !options.dryRun, !reporter.shouldStop { run.assembleSplitFiles() }
        if !options.dryRun, !inPlace, options.keepMetadata, !reporter.shouldStop {
            DirectoryMetadata.mirror(layout, skip: outputStatus.map { ($0.device, $0.inode) }) { path, error in
                reporter.fail(path, SluiceError(.io, "cannot set the mode and mtime of the directory \(path)", cause: error as? Errno))
            }
        }
        var syncTime = Duration.zero
        if !options.dryRun, !options.isVerifying {
            let syncStart = ContinuousClock.now
            try FileSystem.synchronizeFileSystem(containing: outputRoot)
            syncTime = ContinuousClock.now - syncStart
            try run.remover?.runRound(run)
            try manifest?.finish(complete: !reporter.shouldStop)
        }
        let totals = progress.snapshot
        return BatchReport(
            filesOK: totals.filesOK, filesFailed: totals.filesFailed, skipped: totals.skipped, bytesIn: totals.bytesIn,
            bytesOut: totals.bytesOut, elapsed: ContinuousClock.now - progress.start, syncTime: syncTime,
            stoppedEarly: reporter.shouldStop, dryRun: options.dryRun, packing: options.isPacking)
    }
}

/// The dispatcher's state: the bundle being gathered. Runs on the thread that called ``Batch/run``,
/// the only one that ever waits for room in the memory budget.
private struct Dispatcher {
    let run: BatchRun
    var files: [SmallFile] = []
    var bytes = 0
    var cost = 0

    init(run: BatchRun) { self.run = run }

    mutating func dispatch(_ entry: WalkEntry) {
        // A standard .zst or .lz4 file is run on its own: the in-memory bundles read .slc frames only.
        guard entry.range == nil, entry.status.size <= BatchOptions.smallFileLimit,
              run.packOptions != nil || entry.relative.extension == "slc"
        else { return dispatchLarge(entry) }
        let source = run.layout.source(entry.relative)
        guard let output = run.layout.output(entry.relative) else {
            return run.reporter.fail(source, SluiceError(.invalidArgument, "\(source): no safe output name"))
        }
        files.append(SmallFile(entry: entry, source: source, output: output))
        bytes += entry.status.size
        cost += run.smallCost(entry)
        if files.count >= Batch.bundleFiles || bytes >= Batch.bundleBytes { closeBundle() }
    }

    mutating func closeBundle() {
        guard !files.isEmpty else { return }
        run.bundleSlots.wait()
        run.budget.reserve(cost)
        run.inFlight.enter()
        run.start(SmallBundle(files: files, reserved: cost))
        files = []
        bytes = 0
        cost = 0
    }

    func dispatchLarge(_ entry: WalkEntry) {
        let cost = run.largeCost(entry)
        run.largeSlots.wait()
        run.budget.reserve(cost)
        run.inFlight.enter()
        run.io.submit { [run] in run.runLarge(entry, reserved: cost) }
    }
}
