import ArgumentParser
import Sluice
import SystemPackage

extension StorageKind: ExpressibleByArgument {}

extension TimeSpan: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

/// How a batch reports: lines for people, or JSON lines for programs.
enum LogFormat: String, CaseIterable, ExpressibleByArgument {
    case text
    case json
}

/// The options `pack` and `unpack` take when the input is a directory (docs/batch.md).
struct BatchArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Only files matching GLOB (fnmatch; a pattern with / matches the relative path). Repeatable.", valueName: "GLOB"))
    var include: [String] = []

    @Option(help: ArgumentHelp("Leave out files and directories matching GLOB. Repeatable.", valueName: "GLOB"))
    var exclude: [String] = []

    @Option(help: ArgumentHelp("Only files modified more than DURATION ago (7d, 12h, 30m, 1d12h).", valueName: "DURATION"))
    var olderThan: TimeSpan?

    @Option(help: ArgumentHelp("Only files modified less than DURATION ago.", valueName: "DURATION"))
    var newerThan: TimeSpan?

    @Option(help: ArgumentHelp("Only files of at least SIZE.", valueName: "SIZE"))
    var minSize: ByteCount?

    @Option(help: ArgumentHelp("Only files of at most SIZE.", valueName: "SIZE"))
    var maxSize: ByteCount?

    @Flag(help: "Pack: skip already-compressed files (.gz .zst .xz .jpg .png .mp4 .zip .slc ..., or a trial that does not shrink).")
    var skipCompressed = false

    @Flag(help: "Pack: store already-compressed files (checksummed, encrypted with a key) instead of compressing them.")
    var storeCompressed = false

    @Flag(help: "Follow symbolic links inside the tree (loops are detected and skipped). Default: report links as skipped.")
    var followSymlinks = false

    @Flag(inversion: .prefixedNo, help: "Skip files whose output is complete and up to date (resumes an interrupted batch).")
    var skipExisting = true

    @Flag(help: "Stop at the first failed file.")
    var failFast = false

    @Flag(help: "Print what would be done; write nothing.")
    var dryRun = false

    @Option(help: "Log format on a directory: text (stderr) or json (JSON lines on stdout).")
    var logFormat: LogFormat = .text

    @Option(help: ArgumentHelp("Seconds between progress records (JSON) or redraws of the progress bar.", valueName: "SECONDS"))
    var progressInterval: Double?

    @OptionGroup(title: "Scale-out")
    var scale: ShardArguments

    func validate() throws {
        if skipCompressed, storeCompressed { throw ValidationError("give --skip-compressed or --store-compressed, not both") }
        if let progressInterval, !(progressInterval > 0) { throw ValidationError("--progress-interval must be positive") }
        if dryRun, scale.manifest != nil { throw ValidationError("--dry-run writes no manifest: leave out --manifest") }
    }

    /// Fills in everything these arguments decide.
    func apply(to options: inout BatchOptions) {
        options.filter.include = include.map(Glob.init)
        options.filter.exclude = exclude.map(Glob.init)
        options.filter.olderThan = olderThan
        options.filter.newerThan = newerThan
        options.filter.minSize = minSize
        options.filter.maxSize = maxSize
        options.compressedInput = skipCompressed ? .skip : storeCompressed ? .store : .pack
        options.symlinks = followSymlinks ? .follow : .skip
        options.existing = skipExisting ? .skipUpToDate : .check
        options.failFast = failFast
        options.dryRun = dryRun
    }
}

/// `--io-tokens` and `--storage`: how many blocking reads and writes run at once, for a file or a tree.
struct IOArguments: ParsableArguments {
    @Option(help: ArgumentHelp("Blocking reads/writes at once (default by --storage: hdd 2, ssd 8, nvme 16).", valueName: "N"))
    var ioTokens: Int?

    @Option(help: "Storage kind for the default --io-tokens and the read strategy (hdd: one sequential stream): hdd, ssd, nvme, auto (from /sys/block/*/queue and the page cache).")
    var storage: String = "auto"

    func validate() throws {
        if let ioTokens, !(1...1024).contains(ioTokens) { throw ValidationError("--io-tokens must be 1…1024") }
        if storage != "auto", StorageKind(rawValue: storage) == nil { throw ValidationError("--storage must be hdd, ssd, nvme or auto") }
    }

    func apply(to options: inout BatchOptions) {
        options.ioTokens = ioTokens
        options.storage = StorageKind(rawValue: storage)
    }

    /// `--storage` when it names a kind (not `auto`): it then decides the read strategy too.
    var storageOverride: StorageKind? { StorageKind(rawValue: storage) }

    /// The process's I/O pool for a single-file run whose output (or, for stdout, input) is at `path`.
    func pool(for path: FilePath) -> IOPool {
        IOPool.pool(for: path, tokens: ioTokens, storage: StorageKind(rawValue: storage))
    }
}

extension OutputTarget {
    /// Where the storage kind is looked up: the output file's directory, or for standard output the
    /// input's (or the working directory).
    func directory(else input: FilePath?) -> FilePath {
        let path: FilePath? = switch self {
        case .file(let path, _): path
        case .standardOutput: input
        }
        guard let path else { return FilePath(".") }
        let parent = path.removingLastComponent()
        return parent.isEmpty ? FilePath(".") : parent
    }
}

/// Whether `path` names a directory (following links), for the commands' batch branch.
func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return path != "-" && stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
