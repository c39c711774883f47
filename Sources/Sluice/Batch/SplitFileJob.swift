import SystemPackage

/// A file split across shards that this run took ranges of.
struct SplitFile: Sendable {
    var source: FilePath
    var output: FilePath
    var status: FileSystem.Status
    var ranges: Int
    var rangeSize: Int
}

extension BatchRun {
    /// Packs one range of a file split across shards into its part (docs/scale-out.md, *Large files*).
    /// Up to date when the whole output already is, or when the part is.
    func packRange(_ entry: WalkEntry, _ range: SplitRange, source: FilePath, output: FilePath, options pack: PackOptions) throws {
        let part = range.partName(of: output)
        let bytes = range.bytes(fileSize: entry.status.size)
        let decision = try decide(output) { _ in UpToDate.packed(output, source: entry.status) }
        guard case .write(let replacing) = decision else { return reporter.skipRange(source, output: output, range: range) }
        if options.dryRun { return reporter.plan(source, output: part, size: bytes.count, replacing: replacing) }
        splitFiles.withLock {
            $0[output] = SplitFile(source: source, output: output, status: entry.status, ranges: range.count, rangeSize: range.size)
        }
        if options.existing == .skipUpToDate, SplitAssembly.partIsCurrent(part, range: range, source: entry.status) {
            return reporter.skipRange(source, output: part, range: range)
        }
        var fileOptions = pack
        let shrinks = entry.storeOnly || options.compressedInput == .pack ? true : try trialShrinks(source)
        if entry.storeOnly || !shrinks {
            // Decided on the file's first bytes, so every shard decides the same for every range.
            if options.compressedInput == .skip, !entry.storeOnly { return reporter.skip(source, .doesNotShrink) }
            fileOptions.codec = try CodecSettings(.store)
        }
        let report = try SplitAssembly.pack(
            source, range: range, to: part, options: fileOptions, chunkSize: SplitRange.chunkSize(pack, codec: fileOptions.codec))
        reporter.succeed(source, output: part, bytesIn: Int(report.plainBytes), bytesOut: Int(report.packedBytes), range: range)
    }

    /// At the run's end, before the directories' mtimes are set: assembles every split file of which this run packed or found a range and
    /// whose parts are now all present and current (the last shard to finish finds them all), then
    /// removes the parts. A file whose parts are not all there yet is left to the shard that finishes
    /// later, or to `--retry-failed` (`manifest merge` names it).
    func assembleSplitFiles() {
        let files = splitFiles.withLock { $0.values.sorted { $0.output.string < $1.output.string } }
        for file in files {
            let parts = (0..<file.ranges).map { SplitRange.partName(of: file.output, index: $0, count: file.ranges) }
            let current = parts.indices.allSatisfy { index in
                SplitAssembly.partIsCurrent(
                    parts[index], range: SplitRange(index: index, count: file.ranges, size: file.rangeSize), source: file.status)
            }
            guard current else { continue }
            do {
                _ = try SplitAssembly.assemble(parts, to: file.output, overwrite: options.overwrite, mode: file.status.mode & 0o666)
                reporter.assembled(file.source, output: file.output, ranges: file.ranges)
            } catch {
                // Another shard that found every part at the same time may have won: its output is the
                // same bytes.
                if !UpToDate.packed(file.output, source: file.status) {
                    reporter.fail(file.source, error)
                    continue
                }
            }
            for part in parts { try? FileSystem.remove(part) }
        }
    }
}
