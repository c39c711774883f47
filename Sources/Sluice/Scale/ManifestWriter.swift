import SystemPackage

/// Writes a batch's manifest (`--manifest FILE`): one ``ManifestEntry`` line per file as the batch goes,
/// then the ``ManifestTotals`` line. The file is an ``AtomicOutputFile``: it appears at its name,
/// complete and synced, only after the batch's own `syncfs` (so a manifest that says `ok` means the
/// outputs are on disk); a run that is killed leaves no manifest, and the merge reports its shard as
/// missing. A re-run replaces the manifest.
final class ManifestWriter: Sendable {
    private struct State {
        var file: AtomicOutputFile?
        var buffer: [UInt8] = []
        var totals: ManifestTotals
        var failure: SluiceError?
    }

    private let layout: OutputLayout
    private let shards: Int
    /// Set when the run is a slice: failures and skips the walk reports in every slice (a symbolic
    /// link, a directory it cannot read) are recorded only by the slice their path belongs to.
    private let selection: ShardSelection?
    private let state: Locked<State>
    /// Lines are gathered and written in blocks of this many bytes.
    private static let block = 256 << 10

    /// Creates the temporary file beside `destination`.
    ///
    /// - Throws: ``SluiceError/Code/io`` when it cannot be created.
    init(destination: FilePath, layout: OutputLayout, selection: ShardSelection) throws {
        self.layout = layout
        shards = selection.shards
        self.selection = selection.shard == nil && selection.retry == nil ? nil : selection
        var totals = ManifestTotals(
            kind: .shard, operation: layout.packing ? "pack" : "unpack", shard: selection.shard?.index, shards: selection.shards,
            covers: selection.covers)
        totals.retry = selection.retry != nil
        let file = try AtomicOutputFile(destination: destination, overwrite: true)
        state = Locked(State(file: file, totals: totals))
    }

    /// Records what became of the input at `source` (a path under the input root).
    func record(
        _ source: FilePath, _ status: ManifestEntry.Status, output: FilePath? = nil, message: String? = nil,
        range: SplitRange? = nil, ranges: Int? = nil
    ) {
        let relative = Self.relative(source, to: layout.inputRoot)
        if range == nil, status == .skipped || status == .failed, let selection, !selection.selects(relative, packing: layout.packing) {
            return
        }
        var entry = ManifestEntry(path: relative, status: status)
        entry.message = message
        entry.range = range?.index
        entry.ranges = range?.count ?? ranges
        let key = Shard.key(of: relative, packing: layout.packing)
        if shards > 1 {
            entry.shard = range.map { SplitRange.shard(ofKey: key, range: $0.index, shards: shards) } ?? Shard.index(ofKey: key, count: shards)
        }
        if let status = try? FileSystem.status(ofPath: source, followLinks: false) {
            entry.size = status.size
            entry.modification = status.modificationSeconds * 1_000_000_000 + Int64(status.modificationNanoseconds)
        }
        if status == .ok || status == .upToDate, let output = output ?? layout.output(relative) {
            entry.output = Self.relative(output, to: layout.outputRoot)
            // A range found done because the whole file is: not the whole file's digest once per range.
            if range == nil || output.lastComponent.map(DirectoryWalker.isTemporaryOutput) == true {
                entry.digest = Self.digest(of: output)
            }
        }
        let line = entry.jsonLine
        state.withLock { state in
            if ranges == nil { state.totals.count(status) }
            state.buffer += line
            state.buffer.append(UInt8(ascii: "\n"))
            if state.buffer.count >= Self.block { Self.flush(&state) }
        }
    }

    /// Ends the manifest with its totals and publishes it.
    ///
    /// - Parameter complete: whether the batch went through every file (`false` after `--fail-fast`
    ///   stopped it: the manifest then covers no shard).
    /// - Throws: ``SluiceError/Code/io`` when it cannot be written.
    func finish(complete: Bool) throws {
        try state.withLock { state in
            if !complete { state.totals.covers = [] }
            state.buffer += state.totals.jsonLine
            state.buffer.append(UInt8(ascii: "\n"))
            Self.flush(&state)
            if let failure = state.failure { throw failure }
            try state.file?.commit(mode: 0o644, modification: nil, sync: true)
            state.file = nil
        }
    }

    /// Removes the temporary file (the batch failed as a whole).
    func discard() {
        state.withLock { $0.file?.discard() }
    }

    private static func flush(_ state: inout State) {
        guard state.failure == nil, let file = state.file, !state.buffer.isEmpty else { return }
        do {
            try state.buffer.withUnsafeBytes { _ = try file.descriptor.writeAll($0) }
        } catch {
            state.failure = SluiceError(.io, "cannot write the manifest \(file.destination)", cause: error)
        }
        state.buffer.removeAll(keepingCapacity: true)
    }

    /// `path` relative to `root` (`path` is `root` with components pushed onto it).
    static func relative(_ path: FilePath, to root: FilePath) -> FilePath {
        let components = path.components.dropFirst(root.components.count)
        return components.isEmpty ? FilePath(".") : FilePath(root: nil, components)
    }

    /// `xxh128:HEX`, the XXH3-128 of the file's bytes, or `nil` when it cannot be read.
    static func digest(of path: FilePath) -> String? {
        guard let fd = try? FileDescriptor.open(path, .readOnly, options: [.closeOnExec]) else { return nil }
        defer { _ = try? fd.close() }
        guard let stream = try? XXH3Stream() else { return nil }
        let buffer = RawBuffer(capacity: 256 << 10)
        while true {
            guard let count = try? fd.read(into: buffer.bytes) else { return nil }
            if count == 0 { break }
            stream.update(UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<count]))
        }
        return "xxh128:" + stream.finish().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
