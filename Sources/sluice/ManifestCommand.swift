import ArgumentParser
import Sluice
import SystemPackage

/// `sluice manifest merge`: joins the manifests of a sharded batch (docs/scale-out.md).
struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Work with the manifests of sharded batches (--shard, --manifest).",
        subcommands: [ManifestMergeCommand.self]
    )
}

struct ManifestMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join shard manifests into one; report missing shards and failed files.",
        discussion: """
            Exits 0 when every shard is covered and no file failed; 1 otherwise, after writing the merged \
            manifest anyway, so that `--retry-failed MERGED` can rerun exactly what is left. A manifest \
            that is absent or unreadable counts as a missing shard.

            EXAMPLES
              sluice manifest merge out.shard-*-of-4.jsonl -o out.jsonl
              sluice pack tree -o out --retry-failed out.jsonl --manifest out.retry.jsonl
              sluice manifest merge out.jsonl out.retry.jsonl -o out.2.jsonl
            """
    )

    @Argument(help: ArgumentHelp("Shard manifests, merged manifests or manifests of --retry-failed runs.", valueName: "MANIFEST"))
    var inputs: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("The merged manifest (replaced atomically).", valueName: "MERGED"))
    var output: String

    @Option(help: ArgumentHelp("The expected shard count (default: the manifests' own).", valueName: "N"))
    var shards: Int?

    @Flag(name: .shortAndLong, help: "Print only problems.")
    var quiet = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("name at least one manifest") }
        if let shards, !(1...Shard.maximumCount).contains(shards) { throw ValidationError("--shards must be 1…\(Shard.maximumCount)") }
        if inputs.contains(output) { throw ValidationError("-o \(output) is also an input") }
    }

    func run() throws {
        let report = try reportingErrors { try ManifestMerge.merge(inputs.map { FilePath($0) }, into: FilePath(output), shards: shards) }
        for (path, error) in report.unreadable { Terminal.error("\(path): \(error)") }
        let totals = report.totals
        let missing = totals.missing
        if !missing.isEmpty {
            let listed = missing.prefix(20).map(String.init).joined(separator: " ")
            Terminal.error("\(missing.count) of \(counted(totals.shards, "shard")) missing: \(listed)\(missing.count > 20 ? " …" : "")")
        }
        for entry in report.failed.prefix(20) { Terminal.error("failed: \(entry.path): \(entry.message ?? "")") }
        if report.failed.count > 20 { Terminal.error("… and \(report.failed.count - 20) more failed files (in \(output))") }
        if report.duplicateCount > 0 {
            Terminal.error("\(counted(report.duplicateCount, "file")) listed as done in two manifests, e.g. \(report.duplicates.map(\.string).joined(separator: ", "))")
        }
        if !quiet {
            Terminal.printError(
                "sluice: merged \(counted(inputs.count, "manifest")) → \(output): \(totals.shards - missing.count)/\(counted(totals.shards, "shard")) · "
                    + "\(totals.filesOK) ok, \(totals.filesUpToDate) up to date, \(totals.filesFailed) failed, \(totals.filesSkipped) skipped")
        }
        if !report.isComplete { throw ExitCode(ExitCodes.failure) }
    }
}
