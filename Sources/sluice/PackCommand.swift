import ArgumentParser
import Foundation
import Sluice
import SystemPackage

struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Compress (and optionally encrypt) a file or stdin into a .slc file.",
        discussion: """
            The output is written to a temporary file beside its final name and renamed into place only \
            when complete; an error or Ctrl-C leaves nothing behind. An existing output is never \
            replaced without --force.

            EXAMPLES
              sluice pack big.csv                     # -> big.csv.slc (zstd-3)
              sluice pack --codec zstd -l 19 big.csv  # smaller, slower
              sluice pack --codec auto big.csv        # sample the data, pick
              sluice pack --passphrase-env PASS notes.txt
              sluice pack --key-file k.key --remove-source db.dump
              sluice pack -r age1... -R team.txt db.dump     # -> db.dump.slc, opened by any one identity (-i)
              pg_dump db | sluice pack - --key-file k.key -o db.sql.slc
              sluice pack --explain --stats big.csv   # the plan, and where time went
              sluice pack --format zstd big.csv       # -> big.csv.zst, read by zstd -d (and in parallel by sluice)
              sluice pack big.csv -o big.csv.lz4      # an LZ4 frame, read by lz4 -d
            """
    )

    @Argument(help: ArgumentHelp("The files and directories to pack; - or none: standard input.", valueName: "FILE"))
    var inputs: [String] = []

    // The options most runs use, shown first by --help (PackEverydayOptions.swift).
    @OptionGroup(title: "Everyday options")
    var everyday: PackEverydayOptions

    var output: String? { everyday.output }
    var toStandardOutput: Bool { everyday.toStandardOutput }
    var format: ContainerKind? { everyday.format }
    var codec: String? { everyday.codec }
    var level: Int? { everyday.level }
    var force: Bool { everyday.force }
    var removeSource: Bool { everyday.removeSource }
    var reporting: OutputOptions { everyday.reporting }

    @Flag(help: "With --format age: write the ASCII armor (PEM-style text) instead of binary.")
    var armor = false

    @OptionGroup(title: "age recipients")
    var recipients: RecipientOptions

    @Option(help: "With --codec auto: speed, balanced or ratio.")
    var priority: Priority = .balanced

    @Option(help: ArgumentHelp("Brotli window, log2 bytes, 10...24 (22).", valueName: "N"))
    var window: Int?

    @Option(help: "Encryption: none, aes-256-gcm, chacha20-poly1305, or auto (AES-GCM where the CPU has AES instructions). Default: auto when a key option is given, else none.")
    var cipher: String?

    @OptionGroup(title: "Keys")
    var keys: KeyOptions

    @Option(help: ArgumentHelp("scrypt cost as log2 N, 10...22 (.slc: 17, 128 MiB, about 0.3 s; age: 18, as age).", valueName: "LOG2N"))
    var kdfCost: Int?

    @Option(help: "Per-chunk checksum: xxh3, sha256, none (default: xxh3 without a cipher, none with one).")
    var checksum: ChecksumKind?

    @Option(help: ArgumentHelp("Plaintext bytes per chunk, 4K...256M, or auto.", valueName: "SIZE"))
    var chunkSize: String = "auto"

    @Option(help: ArgumentHelp("Worker threads, or auto (one per core).", valueName: "N"))
    var workers: String = "auto"

    @Option(help: ArgumentHelp("Budget for chunk buffers (default: a quarter of RAM); the window and workers shrink to fit.", valueName: "SIZE"))
    var memoryLimit: ByteCount?

    @Flag(help: "fsync the output before reporting success.")
    var sync = false

    @Flag(inversion: .prefixedNo, help: "Record name, size, mode and mtime in the header.")
    var keepMetadata = true

    @Flag(help: "Print the plan (chunk size, workers, window, how the input is read) and why, on stderr.")
    var explain = false

    @OptionGroup
    var runReporting: RunReportingOptions

    @OptionGroup(title: "I/O")
    var ioArguments: IOArguments

    // Batch: a directory input (docs/batch.md); the logic is in BatchCommand.swift.
    @OptionGroup(title: "Directories")
    var batch: BatchArguments

    // Archives: one file for whole trees (docs/archives.md); the logic is in ArchivePack.swift.
    @OptionGroup(title: "Archives")
    var archiveArguments: ArchivePackArguments

    func validate() throws {
        if output != nil, toStandardOutput { throw ValidationError("give either -o or -c, not both") }
        if toStandardOutput, removeSource { throw ValidationError("--remove-source needs an output file, not stdout") }
        if inputs.isEmpty || inputs.contains("-"), removeSource { throw ValidationError("--remove-source needs an input file, not stdin") }
        if inputs.count > 1, output != nil, !archiveArguments.archive {
            throw ValidationError("-o names one output: with several inputs, each is packed beside itself (or give --archive: one archive of them all)")
        }
        if inputs.count > 1, toStandardOutput { throw ValidationError("-c writes one .slc file to standard output: give one input") }
    }

    func run() throws {
        // An archive takes every input into one file: one run, not one per input (ArchivePack.swift).
        if archiveArguments.archive { return try pack(inputs.first ?? "-") }
        try ManyInputs.run(inputs, verb: "packed", quiet: reporting.quiet) { try pack($0) }
    }

    /// Packs one input: a file, standard input (`-`) or a directory.
    func pack(_ input: String) throws {
        try reportingErrors {
            let source: FilePath? = input == "-" ? nil : FilePath(input)
            let kind = try containerKind()  // AgePack.swift
            var reasons: [String] = []
            var options: PackOptions
            if kind == .age {
                options = try ageOptions()  // AgePack.swift
            } else {
                let codec = self.codec ?? (kind == .lz4 ? "lz4" : "zstd")
                if kind != .slc, codec == "auto" {
                    throw SluiceError(.invalidArgument, "--codec auto picks among .slc codecs: --format \(kind.rawValue) holds \(kind.rawValue) data")
                }
                let encrypting = keys.isGiven || recipients.isGiven
                if kind != .slc, cipher != nil || encrypting {
                    throw SluiceError(.invalidArgument,
                        "--format \(kind.rawValue) writes a standard \(kind.rawValue) file, which has no encryption: encryption and the chunk index stay .slc features")
                }
                let settings: CodecSettings
                if codec == "auto" {
                    let choice = try AutoChoice.codec(for: source, priority: priority)
                    settings = choice.0
                    reasons.append(choice.reason)
                } else {
                    guard let named = Codec(rawValue: codec) else {
                        throw SluiceError(.invalidArgument, "--codec: '\(codec)' is not one of \(Codec.allCases.map(\.rawValue).joined(separator: ", ")), auto")
                    }
                    settings = try CodecSettings(named, level: level, window: window)
                }
                options = PackOptions(codec: settings)
                options.format = kind
                switch cipher ?? (encrypting ? "auto" : "none") {
                case "auto":
                    let choice = AutoChoice.cipher()
                    options.cipher = choice.0
                    reasons.append(choice.reason)
                case let name:
                    guard let named = Cipher(rawValue: name) else {
                        throw SluiceError(.invalidArgument, "--cipher: '\(name)' is not one of \(Cipher.allCases.map(\.rawValue).joined(separator: ", ")), auto")
                    }
                    options.cipher = named
                }
                options.checksum = checksum
                let kdfCost = self.kdfCost ?? ScryptCost.default.logN
                options.kdfCost = ScryptCost(logN: kdfCost)
                if options.cipher != .none {
                    guard ScryptCost.packRange.contains(kdfCost) else {
                        throw SluiceError(.invalidArgument, "--kdf-cost must be within \(ScryptCost.packRange)")
                    }
                    options.key = try SecretOnce.value { try slcKey() }  // AgePack.swift
                } else if encrypting {
                    throw SluiceError(.invalidArgument, "a key was given but --cipher is none")
                }
            }
            options.memoryLimit = memoryLimit
            if chunkSize != "auto" {
                guard let size = ByteCount(parsing: chunkSize) else {
                    throw SluiceError(.invalidArgument, "--chunk-size: '\(chunkSize)' is not a size (try 1M, 256K, auto)")
                }
                options.chunkSize = size.bytes
            }
            if workers != "auto" {
                guard let count = Int(workers), count >= 1 else {
                    throw SluiceError(.invalidArgument, "--workers: '\(workers)' is not a positive number or auto")
                }
                options.workers = count
            }
            options.context = try keys.keyContext()
            if options.context != nil, kind == .age {
                throw SluiceError(.invalidArgument, "--context binds a .slc file's keys: age files cannot record one")
            }
            if options.context != nil, options.cipher == .none {
                throw SluiceError(.invalidArgument, "--context needs encryption: give --key-file or a passphrase option")
            }

            if archiveArguments.archive { return try runArchive(options: options) }  // ArchivePack.swift
            if isDirectory(input) {  // batch: BatchCommand.swift
                guard kind == .slc else { throw SluiceError(.invalidArgument, "--format \(kind.rawValue) packs one file: a directory is packed to .slc files") }
                return try runBatch(input, options: options)
            }
            try batch.scale.requireDirectory(input)

            if source == nil, Terminal.standardInputIsTerminal {
                throw SluiceError(.invalidArgument, "standard input is a terminal: name a FILE to pack, or pipe data in")
            }
            let target: OutputTarget
            if toStandardOutput || (source == nil && output == nil) {
                guard !Terminal.standardOutputIsTerminal || (kind == .age && armor) else {
                    throw SluiceError(.invalidArgument, "refusing to write a .\(kind.rawValue) file to a terminal (use -o FILE)")
                }
                target = .standardOutput
            } else {
                target = .file(output.map { FilePath($0) } ?? Pipeline.packedName(for: source!, format: kind), overwrite: force)
            }

            if case .file(let path, _) = target { try OutputPath.requireDirectory(of: path) }
            let start = ContinuousClock.now
            let size = source.flatMap { ProgressBar.total(of: $0) }
            let bar = runReporting.bar(total: size, quiet: reporting.quiet, from: input, target: target)
            defer { bar?.finish() }
            let report = try Pipeline.packFile(
                source, to: target, options: options, keepMetadata: keepMetadata && kind != .age, armored: armor,
                policy: OutputPolicy(sync: sync, removeSource: removeSource), io: ioArguments.pool(for: target.directory(else: source)),
                storage: ioArguments.storageOverride,
                explain: { planReasons in
                    if explain { Terminal.printError((reasons + planReasons).joined(separator: "\n")) }
                },
                progress: { bar?.update($0) })
            bar?.finish()
            runReporting.print(report.statistics)
            if reporting.showsSummary(for: target) {
                let name = output ?? (source.map { Pipeline.packedName(for: $0, format: kind).string } ?? "stdout")
                Terminal.printError(Summary.line(
                    from: input == "-" ? "stdin" : input, to: toStandardOutput ? "stdout" : name,
                    plain: report.plainBytes, packed: report.packedBytes, elapsed: ContinuousClock.now - start,
                    packing: true))
            }
        }
    }
}
