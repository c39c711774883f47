import SystemPackage

/// Which files of a tree one run takes: those of its shard (`--shard I/N`), and of those, with
/// `--retry-failed MERGED`, only the files a merged manifest lists as failed and every file of the
/// shards it lists as missing.
public struct ShardSelection: Sendable {
    /// `nil`: every shard.
    var shard: Shard?
    /// `nil`: not a retry.
    var retry: RetryList?
    /// `--shard-split SIZE`: when packing `.slc` without a cipher into more than one shard, a file larger
    /// than this is cut into ranges of this many bytes (rounded up to a multiple of the chunk size),
    /// spread over the shards (docs/scale-out.md, *Large files*); `nil`: every file whole.
    public var splitAbove: Int? = ShardSelection.defaultSplit

    /// The default of ``splitAbove``: 64 MiB.
    static let defaultSplit = 64 << 20

    /// - Throws: ``SluiceError/Code/invalidArgument`` when a retry's shard count differs from the shard's.
    public init(shard: Shard?, retry: RetryList?) throws {
        if let shard, let retry, shard.count != retry.shards {
            throw SluiceError.invalid("--shard \(shard) does not match the \(retry.shards) shards of the merged manifest")
        }
        self.shard = shard
        self.retry = retry
    }

    /// Whether the run takes the file at `relative` (under the input root).
    func selects(_ relative: FilePath, packing: Bool) -> Bool {
        if let shard, !shard.contains(relative, packing: packing) { return false }
        guard let retry else { return true }
        return retry.selects(relative, packing: packing)
    }

    /// The ranges this run takes of a file of `fileSize` bytes cut into ranges of `rangeSize`: those of
    /// its shard and, in a retry, of a missing shard or all of a failed file.
    func ranges(of relative: FilePath, fileSize: Int, rangeSize: Int) -> [SplitRange] {
        let count = SplitRange.count(fileSize: fileSize, rangeSize: rangeSize)
        let key = Shard.key(of: relative, packing: true)
        let failed = retry?.selectsFailed(relative) ?? false
        return (0..<count).filter { range in
            let owner = SplitRange.shard(ofKey: key, range: range, shards: shards)
            if let shard, shard.index != owner { return false }
            guard let retry else { return true }
            return failed || retry.missing.contains(owner)
        }.map { SplitRange(index: $0, count: count, size: rangeSize) }
    }

    /// The shard count the manifest records.
    var shards: Int { shard?.count ?? retry?.shards ?? 1 }

    /// The shards a complete run accounts for entirely.
    var covers: [Int] {
        guard let retry else { return shard.map { [$0.index] } ?? [0] }
        return retry.missing.filter { missing in shard.map { $0.index == missing } ?? true }.sorted()
    }
}

/// What `--retry-failed MERGED` reruns: read from a merged manifest.
public struct RetryList: Sendable {
    /// The shard count of the merged manifest.
    let shards: Int
    /// Shards no manifest covered: all their files are run again.
    let missing: Set<Int>
    /// The paths (bytes, relative to the input root) of the failed files and directories; a failed
    /// directory reruns everything under it.
    let failed: Set<[UInt8]>

    /// A selection rerunning every file of the `missing` shards (of `shards`) and the `failed` paths.
    init(shards: Int, missing: Set<Int>, failed: Set<[UInt8]>) {
        self.shards = shards
        self.missing = missing
        self.failed = failed
    }

    /// Reads the closing record and the failed entries of a merged manifest.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when it is not a merged manifest; ``SluiceError/Code/io``
    ///   when it cannot be read.
    public init(merged path: FilePath) throws {
        var totals: ManifestTotals?
        var failed = Set<[UInt8]>()
        try ManifestReader.read(path) { record in
            switch record {
            case .file(let entry): if entry.status == .failed { failed.insert(entry.path.bytes) }
            case .totals(let closing): totals = closing
            }
        }
        guard let totals, totals.kind == .merge else {
            throw SluiceError.corrupt("\(path) is not a merged manifest (sluice manifest merge writes one)")
        }
        self.init(shards: totals.shards, missing: Set(totals.missing), failed: failed)
    }

    func selects(_ relative: FilePath, packing: Bool) -> Bool {
        if !missing.isEmpty, missing.contains(Shard.index(ofKey: Shard.key(of: relative, packing: packing), count: shards)) {
            return true
        }
        return selectsFailed(relative)
    }

    /// Whether `relative` or a directory above it failed.
    func selectsFailed(_ relative: FilePath) -> Bool {
        var path = relative
        while !path.isEmpty {
            if failed.contains(path.bytes) { return true }
            path = path.removingLastComponent()
        }
        return false
    }
}
