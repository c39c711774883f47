import SystemPackage

/// One range of a large file that a sharded pack splits across shards (`--shard-split`,
/// docs/scale-out.md, *Large files*): range `index` of `count`, the file's bytes
/// `index · size ..< min((index + 1) · size, file size)`.
///
/// Range `k` of a file whose key hashes to shard `h` belongs to shard `(h + k) mod N`, so the ranges of
/// one file go round the shards from its own one: every node computes it from the path and the size,
/// with no coordination, and range 0 stays with the shard the whole file would have had. Each range's
/// shard packs its chunks into a *part* (``partName(of:)``); the shard that finds every part of a file
/// present at its end assembles them into the file's `.slc` (``SplitAssembly``).
struct SplitRange: Sendable, Hashable {
    /// From 0 to `count - 1`.
    let index: Int
    /// How many ranges the file is cut into (2 or more).
    let count: Int
    /// Bytes of every range but the last: a multiple of the chunk size.
    let size: Int

    /// How many ranges a file of `fileSize` bytes is cut into, in ranges of `rangeSize`.
    static func count(fileSize: Int, rangeSize: Int) -> Int { max(1, (fileSize + rangeSize - 1) / rangeSize) }

    /// The shard, of `shards`, that range `range` of the file with key `key` belongs to.
    static func shard(ofKey key: [UInt8], range: Int, shards: Int) -> Int {
        Int((XXH3.hash64(key) % UInt64(shards) + UInt64(range)) % UInt64(shards))
    }

    /// The file's bytes this range holds.
    func bytes(fileSize: Int) -> Range<Int> { index * size..<min((index + 1) * size, fileSize) }

    /// The chunks (of `chunkSize`) this range holds, and how many the whole file has.
    func chunks(fileSize: Int, chunkSize: Int) -> (range: Range<UInt64>, total: UInt64) {
        let total = UInt64(max(1, (fileSize + chunkSize - 1) / chunkSize))
        let first = UInt64(index * (size / chunkSize))
        return (first..<min(total, first + UInt64(size / chunkSize)), total)
    }

    /// `.NAME.slc.sluice-part-K-of-M.tmp` beside `output` (`NAME.slc`): hidden, and passed over by every
    /// walk as a temporary output (``DirectoryWalker/isTemporaryOutput(_:)``).
    func partName(of output: FilePath) -> FilePath {
        Self.partName(of: output, index: index, count: count)
    }

    static func partName(of output: FilePath, index: Int, count: Int) -> FilePath {
        let name = output.lastComponent?.string ?? ""
        return output.removingLastComponent().appending(".\(name).sluice-part-\(index)-of-\(count).tmp")
    }
}

extension SplitRange {
    /// The chunk size of a split file: the same in every shard whatever its worker count, and the one
    /// an unsharded pack of a file this large picks (`--chunk-size`, else the codec's largest automatic
    /// chunk), so the assembled file is byte for byte the unsharded one.
    static func chunkSize(_ pack: PackOptions, codec: CodecSettings) -> Int {
        pack.chunkSize ?? Plan.largestAutoChunkSize(codec)
    }

    /// The range size of a batch, or `nil` when it splits no file: only a pack to `.slc` without a
    /// cipher (the frames of a sealed file depend on its per-file random salt, which shards cannot agree
    /// on without coordination), into more than one shard, keeping metadata (a part is checked against
    /// its source by the size and mtime its header records), without `--remove-source`.
    static func rangeSize(for options: BatchOptions, pack: PackOptions) -> Int? {
        guard let selection = options.selection, selection.shards > 1, let above = selection.splitAbove, above > 0,
              pack.format == .slc, pack.cipher == .none, options.keepMetadata, !options.removeSource
        else { return nil }
        // A multiple of every chunk size a split file may get: the user's, or the largest automatic one
        // of any codec (8 MiB, zstd's), so a codec changed to store for an incompressible file still fits.
        let multiple = pack.chunkSize ?? 2 * Plan.defaultChunkSize
        return (above + multiple - 1) / multiple * multiple
    }
}
