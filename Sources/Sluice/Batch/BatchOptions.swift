import SystemPackage

/// Whether a batch follows symbolic links it finds inside the tree (the root itself is always followed).
public enum SymlinkPolicy: String, CaseIterable, Sendable {
    /// Links are not followed; each is reported as skipped (``SkipReason/symlink``).
    case skip
    /// Links to files are packed as the files they point to, links to directories are entered, and a
    /// link back to a directory being walked is reported as a loop (``SkipReason/symlinkLoop``).
    case follow
}

/// What a batch does when an output already exists.
public enum ExistingOutputPolicy: String, CaseIterable, Sendable {
    /// Skip outputs that are complete and up to date (``SkipReason/upToDate``), so that re-running an
    /// interrupted batch continues where it stopped; any other existing output is replaced with
    /// `overwrite`, and is a failure (``SluiceError/Code/outputExists``) without it.
    case skipUpToDate
    /// Never skip: replace with `overwrite`, fail without it.
    case check
}

/// Everything that decides how a directory tree is packed or unpacked (`sluice pack DIR`).
public struct BatchOptions: Sendable {
    /// Packing with these options, or unpacking.
    public enum Operation: Sendable {
        case pack(PackOptions)
        case unpack
    }

    /// Pack or unpack, with that operation's settings.
    public var operation: Operation
    /// The root of the output tree; `nil` writes each output next to its input.
    public var output: FilePath?
    /// Which files of the tree are taken (globs, sizes, ages).
    public var filter = FileFilter()
    /// What a symbolic link in the tree does.
    public var symlinks: SymlinkPolicy = .skip
    /// What an output that already exists does.
    public var existing: ExistingOutputPolicy = .skipUpToDate
    /// Replace existing outputs that are not skipped (`--force`).
    public var overwrite = false
    /// Delete each input once its output is synced to disk and verified.
    public var removeSource = false
    /// Pack: record name, size, mode and mtime in each header. Unpack: restore mode and mtime.
    public var keepMetadata = true
    /// Unpack: keep setuid, setgid and sticky bits of the recorded modes (``RestoredMode``).
    public var preserveSpecialBits = false
    /// Unpack: fail a file whose header records another name than its output's (``RecordedName``)
    /// instead of warning (`--strict`); the other files go on.
    public var strictNames = false
    /// Report what would be done, touching nothing.
    public var dryRun = false
    /// Stop at the first failure instead of going on with the other files.
    public var failFast = false
    /// Pack only: what to do with already-compressed input.
    public var compressedInput: CompressedInputPolicy = .pack
    /// I/O tokens; `nil`: the default of ``storage``.
    public var ioTokens: Int?
    /// The storage kind; `nil`: detected under the input.
    public var storage: StorageKind?
    /// Budget for the buffers of every file in flight; `nil`: 256 MiB, or less than a quarter of RAM.
    public var memoryLimit: ByteCount?
    /// CPU workers; `nil`: one per core.
    public var workers: Int?
    /// Unpack: supplies the key the first time an encrypted file needs one (it may prompt), and never
    /// again; `nil`: encrypted files fail.
    public var key: (@Sendable () throws -> KeySource?)?
    /// Unpack: what a decoder accepts.
    public var limits = DecodeLimits()
    /// Send a ``BatchEvent/processed(source:output:bytesIn:bytesOut:)`` for every file, and a skip
    /// event for filtered files too.
    public var reportEachFile = false

    /// `--shard I/N` and `--retry-failed`: the files this run takes; `nil`: every file.
    public var selection: ShardSelection?
    /// `--manifest FILE`: record every file's outcome there (JSON lines, written atomically at the end).
    public var manifest: FilePath?

    /// A test seam: called on an I/O thread just before each small input file is opened.
    var beforeOpening: (@Sendable (FilePath) -> Void)?

    /// Options for `operation`, every other setting at its default.
    public init(operation: Operation) { self.operation = operation }

    /// Whether the batch packs (else it unpacks).
    public var isPacking: Bool { if case .pack = operation { true } else { false } }

    /// Files up to this size are read whole by an I/O thread and encoded by one worker in memory;
    /// larger ones are cut into chunks across all workers by ``Pipeline/packFile``.
    static let smallFileLimit = 1 << 20
    /// Unpack: `.slc` files up to this size whose plaintext is at most ``smallPlainLimit`` are
    /// decoded whole by one worker.
    static let smallPlainLimit = 4 << 20
}
