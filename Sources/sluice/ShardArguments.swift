import ArgumentParser
import Foundation
import Sluice
import SystemPackage

/// `--shard`, `--shards`, `--manifest` and `--retry-failed`: one slice of a tree for an array job
/// (docs/scale-out.md).
struct ShardArguments: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Take only shard I of N (files by a hash of their path), or auto: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX.",
        valueName: "I/N|auto"))
    var shard: String?

    @Option(help: ArgumentHelp("The shard count for --shard auto (required with JOB_COMPLETION_INDEX).", valueName: "N"))
    var shards: Int?

    @Option(help: ArgumentHelp(
        "Record every file's outcome here, as JSON lines (default with --shard or --retry-failed: OUT.shard-I-of-N.jsonl beside OUT).",
        valueName: "FILE"))
    var manifest: String?

    @Option(help: ArgumentHelp("Run only the files a merged manifest lists as failed, and the shards it lists as missing.", valueName: "MERGED"))
    var retryFailed: String?

    @Option(help: ArgumentHelp(
        "With --shard, packing unencrypted .slc: cut files larger than SIZE into ranges of SIZE spread over the shards, assembled by the last shard to finish (0: never; default 64M).",
        valueName: "SIZE"))
    var shardSplit: ByteCount?

    func validate() throws {
        if let shards, !(1...Shard.maximumCount).contains(shards) { throw ValidationError("--shards must be 1…\(Shard.maximumCount)") }
        if shards != nil, shard != "auto" { throw ValidationError("--shards goes with --shard auto") }
        if shardSplit != nil, shard == nil, retryFailed == nil { throw ValidationError("--shard-split goes with --shard or --retry-failed") }
    }

    /// Refuses the scale-out options for a single file.
    func requireDirectory(_ input: String) throws {
        if shard != nil || retryFailed != nil || manifest != nil {
            throw SluiceError(.invalidArgument, "--shard, --manifest and --retry-failed take a directory, not the file \(input)")
        }
    }

    /// `--shard I/N`, or `--shard auto` from the scheduler's environment; `nil` without `--shard`.
    func slice() throws -> Shard? {
        guard let shard else { return nil }
        return shard == "auto"
            ? try Shard.fromEnvironment(ProcessInfo.processInfo.environment, count: shards)
            : try Shard(parsing: shard)
    }

    /// `pack --archive --shard I/N -o OUT`: the part's name (``ArchivePart``) and its shard, or `OUT`
    /// and `nil` without `--shard`. An archive part writes no manifest and takes no retry list.
    func archivePart(_ output: String) throws -> (output: String, shard: Shard?) {
        guard let slice = try slice() else {
            if manifest != nil || retryFailed != nil || shardSplit != nil {
                throw SluiceError(.invalidArgument, "--manifest, --retry-failed and --shard-split are for trees, not --archive")
            }
            return (output, nil)
        }
        guard manifest == nil, retryFailed == nil, shardSplit == nil else {
            throw SluiceError(.invalidArgument, "--archive --shard writes one archive part: leave out --manifest, --retry-failed and --shard-split")
        }
        return (ArchivePart.name(of: FilePath(output), shard: slice).string, slice)
    }

    /// Sets the selection and the manifest of a batch from `input` to `output` (`nil`: in place).
    func apply(to options: inout BatchOptions, input: String, output: String?) throws {
        let slice = try slice()
        let retry = try retryFailed.map { try RetryList(merged: FilePath($0)) }
        guard slice != nil || retry != nil else {
            options.manifest = manifest.map { FilePath($0) }
            return
        }
        options.selection = try ShardSelection(shard: slice, retry: retry)
        if let shardSplit { options.selection?.splitAbove = shardSplit.bytes > 0 ? shardSplit.bytes : nil }
        if let manifest {
            options.manifest = FilePath(manifest)
        } else if !options.dryRun {
            options.manifest = try Self.defaultManifest(beside: FilePath(output ?? input), shard: slice, retry: retry != nil)
        }
    }

    /// `OUT.shard-I-of-N.jsonl` (a retry: `OUT.retry[-I-of-N].jsonl`) in the directory that holds OUT.
    static func defaultManifest(beside root: FilePath, shard: Shard?, retry: Bool) throws -> FilePath {
        guard let name = root.lastComponent, name.kind == .regular else {
            throw SluiceError(.invalidArgument, "cannot name a manifest beside '\(root)': give --manifest FILE")
        }
        let slice = shard.map { "-\($0.index)-of-\($0.count)" } ?? ""
        return root.removingLastComponent().appending("\(name.string).\(retry ? "retry" : "shard")\(slice).jsonl")
    }
}
