import Dispatch
import SystemPackage

/// What every job of one batch shares: options, output layout, the two pools, the memory budget, the
/// buffer pools and the reporter. Built by ``Batch/run(_:options:progress:events:)``.
final class BatchRun: Sendable {
    let options: BatchOptions
    let layout: OutputLayout
    let reporter: BatchReporter
    let workers: WorkerPool
    let io: IOPool
    let budget: MemoryBudget
    /// Pack: the options of every file; `nil` when unpacking.
    let packOptions: PackOptions?
    /// Pack: the in-memory packer of small files.
    let packer: MemoryPacker?
    let unpacker: MemoryUnpacker
    let keys: KeySupply
    let remover: SourceRemover?
    /// Unpack: small `.slc` files that turned out to hold too much plaintext, to be run as large files.
    let deferred = BoundedQueue<WalkEntry>()
    /// Jobs (small-file bundles and large files) not finished yet.
    let inFlight = DispatchGroup()
    /// Room for more small-file bundles in flight.
    let bundleSlots: DispatchSemaphore
    /// Room for more large files in flight.
    let largeSlots: DispatchSemaphore

    let packSlots = ObjectPool<PackSlot>(
        retainedBytes: 32 << 20, make: { PackSlot() }, size: { $0.plain.bytes.count + $0.frame.bytes.count })
    let unpackSlots = ObjectPool<UnpackSlot>(
        retainedBytes: 16 << 20, make: { UnpackSlot() }, size: { $0.plain.bytes.count + $0.frame.bytes.count })
    let buffers = ObjectPool<RawBuffer>(retainedBytes: 32 << 20, make: { RawBuffer() }, size: { $0.bytes.count })
    /// Files split across shards whose part this run wrote or found, by output: assembled at the end
    /// when every part is there (``assembleSplitFiles()``).
    let splitFiles = Locked<[FilePath: SplitFile]>([:])

    init(
        options: BatchOptions, layout: OutputLayout, reporter: BatchReporter, workers: WorkerPool, io: IOPool,
        budget: MemoryBudget, smallChunkSize: Int, maxBundles: Int, maxLarge: Int
    ) {
        self.options = options
        self.layout = layout
        self.reporter = reporter
        self.workers = workers
        self.io = io
        self.budget = budget
        if case .pack(let pack) = options.operation {
            packOptions = pack
            packer = MemoryPacker(options: pack, chunkSize: smallChunkSize)
        } else {
            packOptions = nil
            packer = nil
        }
        unpacker = MemoryUnpacker(limits: options.limits)
        keys = KeySupply(options.key)
        remover = options.removeSource && !options.dryRun ? SourceRemover() : nil
        bundleSlots = DispatchSemaphore(value: maxBundles)
        largeSlots = DispatchSemaphore(value: maxLarge)
    }

    /// What to do about the output of one file.
    enum OutputDecision {
        /// Write it; `replacing` an existing output (`--force`).
        case write(replacing: Bool)
        /// An earlier run already made it.
        case upToDate
    }

    /// Looks at what is at `output` now.
    ///
    /// - Parameter upToDate: whether an existing regular file is the finished output of this input;
    ///   only asked under ``ExistingOutputPolicy/skipUpToDate``.
    /// - Throws: ``SluiceError/Code/outputExists`` for an existing output that is neither up to date
    ///   nor to be replaced.
    func decide(_ output: FilePath, upToDate: (FileSystem.Status) -> Bool) throws -> OutputDecision {
        guard let existing = try? FileSystem.status(ofPath: output, followLinks: false) else { return .write(replacing: false) }
        if options.existing == .skipUpToDate, existing.isRegular, upToDate(existing) { return .upToDate }
        if existing.isDirectory { throw SluiceError(.outputExists, "\(output) is a directory") }
        if options.overwrite { return .write(replacing: true) }
        throw SluiceError(.outputExists, "\(output) already exists and is not up to date (use --force to replace it)")
    }

    /// A file whose output was written: count it, and queue its source for removal when asked.
    func finished(source: FilePath, output: FilePath, status: FileSystem.Status, bytesIn: Int, bytesOut: Int) {
        reporter.succeed(source, output: output, bytesIn: bytesIn, bytesOut: bytesOut)
        remover?.add(SourceRemover.Removal(
            source: source, output: output, status: status, plainSize: packOptions == nil ? bytesOut : bytesIn, countedOK: true))
    }

    /// Unpack, once the header is authenticated and before the output exists: compares the name
    /// `metadata` records with `output`'s (``RecordedName``). One warning line, or with
    /// ``BatchOptions/strictNames`` a failure of this file (exit 65's error; the batch goes on).
    func checkRecordedName(_ metadata: FileMetadata?, source: FilePath, output: FilePath) throws {
        guard let message = RecordedName.mismatch(metadata, input: source.string, output: output) else { return }
        if options.strictNames { throw RecordedName.refusal(message) }
        reporter.warn(source, message)
    }

    /// A file an earlier run finished: skipped, but with `--remove-source` its source still goes once
    /// the output verifies (the earlier run may have stopped before its removal round).
    func alreadyDone(source: FilePath, output: FilePath, status: FileSystem.Status, plainSize: Int) {
        reporter.skip(source, .upToDate)
        if !options.dryRun {
            remover?.add(SourceRemover.Removal(source: source, output: output, status: status, plainSize: plainSize, countedOK: false))
        }
    }
}
