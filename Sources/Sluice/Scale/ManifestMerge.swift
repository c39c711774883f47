import SystemPackage

/// `sluice manifest merge M… -o MERGED`: joins shard manifests (or merged ones, or those of
/// `--retry-failed` runs) into one, and says what is missing or failed.
///
/// Memory grows with the number of files only by an 8-byte hash per file: entries stream from the
/// inputs to the output as they are read (lines as Sluice writes them are copied unchanged, without a
/// full JSON parse), and only failed entries are held back, so that a later manifest in which the same
/// file succeeded (a retry) can supersede them. Whether a failed file
/// succeeded elsewhere, and whether a file is listed as done twice, is judged by XXH3-64 of its path
/// (a false match needs a 64-bit collision: about 1 in 10¹³ for a million files).
public enum ManifestMerge {
    /// What a merge found.
    public struct Report: Sendable {
        /// The merged totals: shard count, covered shards, counts.
        public var totals: ManifestTotals
        /// Failed entries not superseded by a later success.
        public var failed: [ManifestEntry]
        /// Inputs that could not be read: (path, error). Their shards count as missing unless another input covers them.
        public var unreadable: [(FilePath, SluiceError)]
        /// Files listed as done (`ok` or `up to date`) in more than one input: the first few.
        public var duplicates: [FilePath]
        /// How many paths appeared in more than one input (``duplicates`` lists the first ones).
        public var duplicateCount = 0

        /// Whether every shard is covered and nothing failed.
        mutating func duplicate(_ path: FilePath) {
            duplicateCount += 1
            if duplicates.count < 10 { duplicates.append(path) }
        }

        /// Whether the tree is done: every shard present, nothing failed, unreadable or duplicated.
        public var isComplete: Bool { totals.missing.isEmpty && failed.isEmpty && unreadable.isEmpty && duplicateCount == 0 }
    }

    /// Merges `inputs` into `output` (written atomically).
    ///
    /// - Parameter shards: the expected shard count (`--shards`); `nil`: the inputs' own.
    /// - Throws: ``SluiceError/Code/invalidArgument`` when the inputs disagree on the shard count or
    ///   none can be read; ``SluiceError/Code/io`` when the output cannot be written.
    public static func merge(_ inputs: [FilePath], into output: FilePath, shards: Int?) throws -> Report {
        let file = try AtomicOutputFile(destination: output, overwrite: true)
        var buffer: [UInt8] = []
        func flush() throws {
            do {
                try buffer.withUnsafeBytes { _ = try file.descriptor.writeAll($0) }
            } catch {
                throw SluiceError(.io, "cannot write \(output)", cause: error)
            }
            buffer.removeAll(keepingCapacity: true)
        }
        var done = Set<UInt64>()
        // One hash per done file: sized up front from the inputs' bytes (lines are ~200 bytes, up to 4 M
        // entries reserved), so the set is not rehashed a dozen times on the way to a million entries.
        let inputBytes = inputs.reduce(0) { $0 + ((try? FileSystem.status(ofPath: $1))??.size ?? 0) }
        done.reserveCapacity(min(inputBytes / 256, 1 << 22))
        var failed: [[UInt8]: ManifestEntry] = [:]
        var failedOrder: [[UInt8]] = []
        // Files split across shards (few: only the large ones): which ranges are packed, and whether
        // some run found or made the whole file.
        var splits: [[UInt8]: (ranges: Int, packed: Set<Int>, whole: Bool)] = [:]
        var splitOrder: [[UInt8]] = []
        var covers = Set<Int>()
        var count = shards
        var operation: String?
        var totals = ManifestTotals(kind: .merge, operation: "pack", shard: nil, shards: 1, covers: [])
        var report = Report(totals: totals, failed: [], unreadable: [], duplicates: [])

        for input in inputs {
            var closing: ManifestTotals?
            do {
                try ManifestReader.forEachLine(input) { line, number in
                    // Lines as Sluice writes them are copied unchanged; only failed entries, closing
                    // records and unusual lines are parsed in full.
                    if let (status, path) = ManifestReader.quickFile(line) {
                        if status != .skipped, !done.insert(path.withUnsafeBytes { XXH3.hash64($0) }).inserted {
                            report.duplicate(FilePath(bytes: Array(path)))
                        }
                        buffer += line
                        buffer.append(UInt8(ascii: "\n"))
                        totals.count(status)
                    } else {
                        switch try ManifestReader.record(line, in: input, number: number) {
                        case .totals(let last):
                            closing = last
                        case .file(let entry):
                            let key = entry.path.bytes
                            if let range = entry.range, let ranges = entry.ranges, entry.status != .failed {
                                // A range of a split file: the file is done once assembled, which its own
                                // record (or a range that found the whole output up to date) says.
                                if splits[key] == nil { splitOrder.append(key) }
                                var split = splits[key] ?? (ranges, [], false)
                                split.packed.insert(range)
                                if let last = entry.output?.lastComponent, !DirectoryWalker.isTemporaryOutput(last) { split.whole = true }
                                splits[key] = split
                                buffer += entry.jsonLine
                                buffer.append(UInt8(ascii: "\n"))
                                totals.count(entry.status)
                                break
                            }
                            switch entry.status {
                            case .failed:
                                if failed.updateValue(entry, forKey: key) == nil { failedOrder.append(key) }
                            case .ok, .upToDate, .skipped:
                                if entry.status != .skipped, !done.insert(XXH3.hash64(key)).inserted { report.duplicate(entry.path) }
                                buffer += entry.jsonLine
                                buffer.append(UInt8(ascii: "\n"))
                                totals.count(entry.status)
                            }
                        }
                    }
                    if buffer.count >= 1 << 20 { try flush() }
                }
                guard let closing else { throw SluiceError.corrupt("\(input): no closing record (cut short?)") }
                if let count, count != closing.shards {
                    throw SluiceError.invalid("\(input) is one of \(closing.shards) shards, the others of \(count)")
                }
                if let operation, operation != closing.operation {
                    throw SluiceError.invalid("\(input) records a \(closing.operation), the others a \(operation)")
                }
                count = closing.shards
                operation = closing.operation
                covers.formUnion(closing.covers)
            } catch let error as SluiceError where error.code != .invalidArgument {
                report.unreadable.append((input, error))
            }
        }
        guard let count else {
            file.discard()
            throw SluiceError.invalid("no manifest could be read, and --shards was not given")
        }
        for key in splitOrder {
            guard let split = splits[key], !split.whole, !done.contains(XXH3.hash64(key)), failed[key] == nil else { continue }
            var entry = ManifestEntry(path: FilePath(bytes: key), status: .failed)
            entry.ranges = split.ranges
            entry.message = "\(split.packed.count) of \(split.ranges) ranges packed, not assembled into one file (rerun with --retry-failed)"
            failed[key] = entry
            failedOrder.append(key)
        }
        for key in failedOrder {
            guard let entry = failed[key], !done.contains(XXH3.hash64(key)), splits[key]?.whole != true else { continue }
            report.failed.append(entry)
            buffer += entry.jsonLine
            buffer.append(UInt8(ascii: "\n"))
            totals.count(.failed)
        }
        totals.shards = count
        totals.operation = operation ?? "pack"
        totals.covers = covers.sorted()
        buffer += totals.jsonLine
        buffer.append(UInt8(ascii: "\n"))
        try flush()
        try file.commit(mode: 0o644, modification: nil, sync: true)
        report.totals = totals
        return report
    }
}
