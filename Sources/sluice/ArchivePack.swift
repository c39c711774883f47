import ArgumentParser
import Foundation
import Sluice
import SystemPackage

extension PackCommand {
    /// `pack DIR… --archive -o NAME.tar.slc` (docs/archives.md): exits 1 when a member could not be read.
    func runArchive(options: PackOptions) throws {
        guard let requested = output, !toStandardOutput else {
            throw SluiceError(.invalidArgument, "--archive needs -o NAME.tar.slc (an archive is written to a file: its index follows the content)")
        }
        let inputs = self.inputs.isEmpty ? ["-"] : self.inputs
        guard !inputs.contains("-") else { throw SluiceError(.invalidArgument, "--archive packs directories and files, not standard input") }
        guard !removeSource else { throw SluiceError(.invalidArgument, "--archive does not take --remove-source") }
        // `--shard I/N`: part I of N, a member filter (docs/scale-out.md, "Archive parts").
        let (output, shard) = try batch.scale.archivePart(requested)
        if archiveArguments.fromTar {
            guard shard == nil else { throw SluiceError(.invalidArgument, "--from-tar packs one tar stream whole: leave out --shard") }
            guard inputs.count == 1, let input = inputs.first else { throw SluiceError(.invalidArgument, "--from-tar takes one tar file") }
            let report = try Archive.pack(
                tar: FilePath(input), to: FilePath(output), overwrite: force, options: options,
                io: ioArguments.pool(for: FilePath(output).removingLastComponent()))
            if reporting.showsSummary {
                Terminal.printError("indexed \(report.members) members of \(input) → \(output): \(ByteCount(bytes: Int(report.packedBytes)))")
            }
            return
        }
        var settings = ArchiveOptions()
        var batchOptions = BatchOptions(operation: .pack(options))
        batch.apply(to: &batchOptions)
        settings.filter = batchOptions.filter
        settings.dryRun = batch.dryRun
        settings.extendedAttributes = !archiveArguments.noXattrs
        settings.shard = shard
        let console = ArchiveConsole(json: batch.logFormat == .json, quiet: reporting.quiet)
        let listing = batch.dryRun
        let start = ContinuousClock.now
        let bar = batch.dryRun ? nil : runReporting.bar(total: nil, quiet: reporting.quiet, from: inputs[0], target: .file(FilePath(output), overwrite: force))
        let records = batch.logFormat == .json && !batch.dryRun ? ArchiveProgressRecords(interval: batch.progressInterval ?? 2) : nil
        records?.begin()
        let report: ArchivePackReport
        do {
            defer { records?.stop() }
            report = try Archive.pack(
                inputs, to: FilePath(output), overwrite: force, options: options, archive: settings,
                io: ioArguments.pool(for: FilePath(output).removingLastComponent()),
                events: { console.handle($0, listing: listing) }, progress: { bar?.update($0); records?.update($0) })
        }
        bar?.finish()
        try Terminal.checkOutput()  // the reader of the listing went away: exit 141, no summary
        if let pack = report.pack { runReporting.print(pack.statistics) }
        if batch.logFormat == .json {
            try Terminal.output(#"{"event":"summary","members":\#(report.members),"failed":\#(report.failures),"bytes":\#(report.contentBytes),"stream":\#(report.streamBytes),"packed":\#(report.packedBytes)}"# + "\n")
        } else if !reporting.quiet, reporting.showsSummary || report.failures > 0 || batch.dryRun {
            let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
            let what = batch.dryRun ? "would archive" : "archived"
            Terminal.printError("\(what) \(report.members) members (\(ByteCount(bytes: Int(report.contentBytes)))) → \(output)"
                + (batch.dryRun ? "" : ": \(ByteCount(bytes: Int(report.packedBytes))), \(String(format: "%.2f", seconds)) s")
                + (report.failures > 0 ? "; \(report.failures) failed" : ""))
        }
        if report.failures > 0 { throw ExitCode(ExitCodes.failure) }
    }
}
