import ArgumentParser
import Foundation
import Sluice
import Synchronization
import SystemPackage

/// The directory branch of `pack` and `unpack`: runs the batch, prints as it goes, and exits 77 when a
/// file was refused for its key (wrong key, or unencrypted although a key was given), else 1 when any
/// file failed (docs/batch.md).
enum BatchCommand {
    static func run(
        input: String, output: String?, options: BatchOptions, arguments: BatchArguments, io: IOArguments,
        reporting: OutputOptions
    ) throws {
        var options = options
        arguments.apply(to: &options)
        io.apply(to: &options)
        try arguments.scale.apply(to: &options, input: input, output: output)
        options.output = output.map { FilePath($0) }
        options.reportEachFile = reporting.verbose
        let progress = BatchProgress()
        let console = BatchConsole(
            format: arguments.logFormat, verbose: reporting.verbose, quiet: reporting.quiet, packing: options.isPacking,
            interval: arguments.progressInterval, progress: progress)
        console.start()
        let report: BatchReport
        let keyRefused = Atomic<Bool>(false)
        do {
            report = try Batch.run(FilePath(input), options: options, progress: progress) { event in
                if case .failed(_, let error) = event, error.code == .wrongKey { keyRefused.store(true, ordering: .relaxed) }
                console.handle(event)
            }
        } catch {
            console.stop()
            throw error
        }
        console.stop()
        console.summarize(report)
        if report.filesFailed > 0 {
            throw ExitCode(keyRefused.load(ordering: .relaxed) ? ExitCodes.wrongKey : ExitCodes.failure)
        }
    }
}

extension PackCommand {
    /// `sluice pack DIR [-o OUTDIR]`.
    func runBatch(_ input: String, options: PackOptions) throws {
        if toStandardOutput { throw SluiceError(.invalidArgument, "a directory cannot be packed to stdout (use -o DIR)") }
        if case .passphrase = options.key {
            Terminal.warning("a passphrase costs one scrypt per file (--kdf-cost); use --key-file for many files")
        }
        var batchOptions = BatchOptions(operation: .pack(options))
        batchOptions.overwrite = force
        batchOptions.removeSource = removeSource
        batchOptions.keepMetadata = keepMetadata
        batchOptions.memoryLimit = memoryLimit
        batchOptions.workers = options.workers
        try BatchCommand.run(input: input, output: output, options: batchOptions, arguments: batch, io: ioArguments, reporting: reporting)
    }
}

extension UnpackCommand {
    /// `sluice unpack DIR [-o OUTDIR]`.
    func runBatch(_ input: String) throws {
        if toStandardOutput { throw SluiceError(.invalidArgument, "a directory cannot be unpacked to stdout (use -o DIR)") }
        var batchOptions = BatchOptions(operation: .unpack)
        batchOptions.overwrite = force
        batchOptions.removeSource = removeSource
        batchOptions.keepMetadata = restoreMetadata
        batchOptions.preserveSpecialBits = preserveSpecialBits
        batchOptions.strictNames = keys.strict
        batchOptions.memoryLimit = memoryLimit
        batchOptions.workers = try parseWorkers(workers)
        batchOptions.limits = try decoding.limits()
        batchOptions.key = try identities.batchSupply(falling: keys)
        try BatchCommand.run(input: input, output: output, options: batchOptions, arguments: batch, io: ioArguments, reporting: reporting)
    }
}

extension VerifyCommand {
    /// `sluice verify DIR [--shard I/N]`: every `.slc`, `.zst`, `.lz4` and `.age` file of the tree decoded and checked, nothing written.
    func runBatch(_ input: String) throws {
        var options = BatchOptions(operation: .verify)
        options.workers = try parseWorkers(workers)
        options.limits = try decoding.limits()
        options.key = try identities.batchSupply(falling: keys)
        ioArguments.apply(to: &options)
        if let shard {
            let slice = shard == "auto"
                ? try Shard.fromEnvironment(ProcessInfo.processInfo.environment, count: shards)
                : try Shard(parsing: shard)
            options.selection = try ShardSelection(shard: slice, retry: nil)
        }
        let progress = BatchProgress()
        let console = BatchConsole(format: .text, verbose: false, quiet: quiet, packing: false, interval: nil, progress: progress)
        let keyRefused = Atomic<Bool>(false)
        let report = try Batch.run(FilePath(input), options: options, progress: progress) { event in
            if case .failed(_, let error) = event, error.code == .wrongKey { keyRefused.store(true, ordering: .relaxed) }
            console.handle(event)
        }
        if !quiet {
            try Terminal.output("\(input): \(report.filesFailed == 0 ? "OK" : "FAILED") (\(counted(report.filesOK, "file")) verified, \(report.filesFailed) failed, \(report.filesSkipped) skipped)\n")
        }
        if report.filesFailed > 0 {
            throw ExitCode(keyRefused.load(ordering: .relaxed) ? ExitCodes.wrongKey : ExitCodes.failure)
        }
    }
}

extension KeyOptions {
    /// The key of a batch that opens files: read now when an option names it, else asked for (a prompt)
    /// the first time an encrypted file needs it.
    func batchSupply() throws -> @Sendable () throws -> KeySource? {
        let keys = self
        guard keys.isGiven else { return { try keys.secret(confirm: false) } }
        let key = try keys.secret(confirm: false)
        return { key }
    }
}

extension IdentityOptions {
    /// The key of a batch that opens files: the identities of `-i` when given (read once for every
    /// file), else the key options' supply.
    func batchSupply(falling keys: KeyOptions) throws -> @Sendable () throws -> KeySource? {
        if let given = try batchKey(strict: keys.strict) { return { given } }  // RecipientOptions.swift
        return try keys.batchSupply()
    }
}
