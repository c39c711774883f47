import Foundation

/// The last line of a manifest: which shards it covers completely, and its counts.
///
///     {"complete":true,"covers":[2],"files_failed":0,"files_ok":250,"files_skipped":0,"files_up_to_date":0,"operation":"pack","shard":2,"shards":4,"type":"shard"}
///
/// A shard's run writes `"type":"shard"`; `sluice manifest merge` writes `"type":"merge"` with the
/// shards still `missing`. A shard is covered when every file of it is accounted for: a run that stopped
/// early (`--fail-fast`) covers nothing, and a `--retry-failed` run covers the missing shards it reran.
public struct ManifestTotals: Sendable, Equatable {
    /// Whose totals these are.
    enum Kind: String, Sendable {
        case shard
        case merge
    }

    /// One shard's run, or a merge of several.
    var kind: Kind
    /// `pack` or `unpack`.
    var operation: String
    /// The shard this run was (`nil`: unsharded, or a retry of every shard).
    var shard: Int?
    /// The shard count (1 for an unsharded run).
    public var shards: Int
    /// The shards whose every file is accounted for in this manifest (with the manifests it was merged from).
    var covers: [Int]
    /// Whether the run took only a retry list's files.
    var retry = false
    /// Files processed and written.
    public var filesOK = 0
    /// Files skipped because their output was already up to date.
    public var filesUpToDate = 0
    /// Files that failed.
    public var filesFailed = 0
    /// Files skipped for any other reason.
    public var filesSkipped = 0

    init(kind: Kind, operation: String, shard: Int?, shards: Int, covers: [Int]) {
        self.kind = kind
        self.operation = operation
        self.shard = shard
        self.shards = shards
        self.covers = covers
    }

    /// Shards of `0..<shards` not covered.
    public var missing: [Int] {
        let covered = Set(covers)
        return (0..<shards).filter { !covered.contains($0) }
    }

    mutating func count(_ status: ManifestEntry.Status) {
        switch status {
        case .ok: filesOK += 1
        case .upToDate: filesUpToDate += 1
        case .failed: filesFailed += 1
        case .skipped: filesSkipped += 1
        }
    }

    var jsonLine: [UInt8] {
        var line = JSONLine()
        line.add("covers", covers)
        line.add("files_failed", Int64(filesFailed))
        line.add("files_ok", Int64(filesOK))
        line.add("files_skipped", Int64(filesSkipped))
        line.add("files_up_to_date", Int64(filesUpToDate))
        if kind == .merge { line.add("missing", missing) }
        line.add("operation", operation)
        line.add("retry", retry)
        line.add("shard", shard.map(Int64.init))
        line.add("shards", Int64(shards))
        line.add("type", kind.rawValue)
        return line.finish()
    }

    init(record: [String: Any]) throws {
        guard let text = record["type"] as? String, let kind = Kind(rawValue: text),
              let shards = (record["shards"] as? NSNumber)?.intValue, (1...Shard.maximumCount).contains(shards),
              let covers = (record["covers"] as? [NSNumber])?.map(\.intValue), covers.allSatisfy({ (0..<shards).contains($0) })
        else { throw SluiceError.corrupt("a closing record without valid shards and covers") }
        self.init(
            kind: kind, operation: record["operation"] as? String ?? "pack", shard: (record["shard"] as? NSNumber)?.intValue,
            shards: shards, covers: covers)
        retry = (record["retry"] as? Bool) ?? false
        filesOK = (record["files_ok"] as? NSNumber)?.intValue ?? 0
        filesUpToDate = (record["files_up_to_date"] as? NSNumber)?.intValue ?? 0
        filesFailed = (record["files_failed"] as? NSNumber)?.intValue ?? 0
        filesSkipped = (record["files_skipped"] as? NSNumber)?.intValue ?? 0
    }
}
