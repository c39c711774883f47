import ArgumentParser
import Sluice
import SystemPackage

struct UnpackCommand: ParsableCommand, OpensFiles {
    static let configuration = CommandConfiguration(
        commandName: "unpack",
        abstract: "Restore the original file from a .slc, .zst or .lz4 file (the format is told by its first bytes).",
        discussion: """
            Every frame is authenticated (or checksummed) before it is used, and a named output appears \
            only after the whole file, its index and its digest verified. Written to stdout (-c), \
            verified chunks stream out as they are decoded and a failure is reported by the exit code; \
            on a terminal, an original that is not text is refused (exit 64) unless -f is given.

            EXAMPLES
              sluice unpack access.log.slc                   # -> access.log with its mode and mtime
              sluice unpack -o /tmp/x data.slc
              sluice unpack -c --key-file k.key db.sql.slc | psql db
              cat big.slc | sluice unpack - -o big           # from a pipe, still in parallel
              sluice unpack big.csv.zst                      # any zstd file: seek table, frames or one stream
              sluice unpack logs.lz4                         # any LZ4 frame file
            """
    )

    @Argument(help: ArgumentHelp("The .slc, .zst, .lz4 or .age files and directories; - or none: standard input.", valueName: "FILE"))
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE (default: FILE without .slc; stdout for stdin).", valueName: "FILE"))
    var output: String?

    @Flag(name: [.customShort("c"), .customLong("stdout")], help: "Write to standard output.")
    var toStandardOutput = false

    @OptionGroup
    var decoding: DecodeKeyOptions

    @Option(help: ArgumentHelp("Worker threads, or auto (one per core).", valueName: "N"))
    var workers: String = "auto"

    @Flag(name: .shortAndLong, help: "Overwrite an existing output; with -c on a terminal, show an original that is not text.")
    var force = false

    @Flag(help: "Delete the .slc file after the output is fsynced.")
    var removeSource = false

    @Flag(help: "fsync the output before reporting success.")
    var sync = false

    @Flag(inversion: .prefixedNo, help: "Restore the mode (masked by the umask) and mtime recorded in the header.")
    var restoreMetadata = true

    @Flag(help: "Keep setuid, setgid and sticky bits of the recorded mode (dropped by default, as tar does without -p).")
    var preserveSpecialBits = false

    @Flag(inversion: .prefixedNo, help: "Leave runs of zeros in a restored file as holes (as zstd and cp --sparse=auto do).")
    var sparse = true

    @Option(help: ArgumentHelp(
        "Restore only LENGTH bytes from OFFSET of the original (sizes like 1G:4M), decoding just the chunks that cover them.",
        valueName: "OFFSET:LENGTH"))
    var range: String?

    @Flag(help: "Print how the input is read (parallel or sequential, read-ahead) and why, on stderr.")
    var explain = false

    @OptionGroup
    var reporting: OutputOptions

    @OptionGroup
    var runReporting: RunReportingOptions

    @OptionGroup(title: "I/O")
    var ioArguments: IOArguments

    // Batch: a directory input (docs/batch.md); the logic is in BatchCommand.swift.
    @OptionGroup(title: "Directories")
    var batch: BatchArguments

    @Option(help: ArgumentHelp("Budget for chunk buffers (default: a quarter of RAM; 256M for directories).", valueName: "SIZE"))
    var memoryLimit: ByteCount?

    // Archives (docs/archives.md); the logic is in ArchiveUnpack.swift.
    @OptionGroup(title: "Archives")
    var archiveArguments: ArchiveUnpackArguments

    func validate() throws {
        if output != nil, toStandardOutput { throw ValidationError("give either -o or -c, not both") }
        if toStandardOutput || inputs.isEmpty || inputs.contains("-"), removeSource { throw ValidationError("--remove-source needs files on both sides") }
        // Several archives (the parts of `pack --archive --shard`) may all be extracted into one directory.
        if inputs.count > 1, output != nil, !inputs.allSatisfy({ $0 != "-" && Archive.isArchive(FilePath($0)) }) {
            throw ValidationError("-o names one output: with several inputs, each is unpacked beside itself (archives: into -o DIR)")
        }
        if inputs.count > 1, range != nil { throw ValidationError("--range reads one file: give one input") }
        if range != nil, removeSource { throw ValidationError("--remove-source cannot be combined with --range") }
    }

    func run() throws {
        try ManyInputs.run(inputs, verb: "unpacked", quiet: reporting.quiet) { try unpack($0) }
    }

    /// Unpacks one input: a file, standard input (`-`), an archive or a directory.
    func unpack(_ input: String) throws {
        try reportingErrors(input: input) {
            // Binary data is not shown on a terminal without -f (BinaryOutputGuard.swift).
            try BinaryOutputGuard.guarding(input, when: toStandardOutput || (input == "-" && output == nil), force: force) {
                try unpackGuarded(input)
            }
        }
    }

    /// ``unpack(_:)`` once its output is settled.
    private func unpackGuarded(_ input: String) throws {
        if input != "-", Archive.isArchive(FilePath(input)) { return try runArchive(input) }  // ArchiveUnpack.swift
        guard archiveArguments.only.isEmpty, !archiveArguments.devices else {
            throw SluiceError(.invalidArgument, "--only and --devices are for archives (pack --archive); \(input) is not one")
        }
        if isDirectory(input) { return try runBatch(input) }  // batch: BatchCommand.swift
        try batch.scale.requireDirectory(input)
        let workerCount = try parseWorkers(workers)
        let source: FilePath? = input == "-" ? nil : FilePath(input)
        if source == nil, Terminal.standardInputIsTerminal {
            throw SluiceError(.invalidArgument, "standard input is a terminal: name a FILE to unpack, or pipe data in")
        }
        let target: OutputTarget
        var derivedName = false
        if toStandardOutput || (source == nil && output == nil) {
            target = .standardOutput
        } else if let output {
            target = .file(FilePath(output), overwrite: force)
        } else {
            guard let name = Pipeline.unpackedName(for: source!) else {
                throw SluiceError(.invalidArgument, "\(input) does not end in .slc, .zst, .lz4 or .age; name the output with -o")
            }
            target = .file(name, overwrite: force)
            derivedName = true
        }
        if case .file(let path, _) = target { try OutputPath.requireDirectory(of: path) }
        let byteRange = try range.map(ByteRange.parse)
        let start = ContinuousClock.now
        var bar: ProgressBar?
        defer { bar?.finish() }
        let report = try namingInput(input) { try Pipeline.unpackFile(
            source, to: target, key: SecretOnce.caching(try identities.provider(falling: keys)), workers: workerCount, memoryLimit: memoryLimit,
            limits: try decoding.limits(),
            restoreMetadata: restoreMetadata,
            policy: OutputPolicy(sync: sync, removeSource: removeSource, preserveSpecialBits: preserveSpecialBits, sparse: sparse), range: byteRange,
            io: ioArguments.pool(for: target.directory(else: source)), storage: ioArguments.storageOverride,
            opened: { header in
                if derivedName, case .file(let path, _) = target { try checkRecordedName(header, input: input, output: path) }
                if let byteRange, let size = header.metadata?.size { try checkRange(byteRange, of: input, size: size) }
                bar = runReporting.bar(total: byteRange.map { $0.upperBound - $0.lowerBound } ?? header.metadata?.size,
                                       quiet: reporting.quiet, from: input, target: target)
            },
            explain: { if explain { Terminal.printError($0) } },
            progress: { bar?.update($0) }) }
        bar?.finish()
        runReporting.print(report.statistics)
        if reporting.showsSummary(for: target) {
            let name: String = switch target {
            case .standardOutput: "stdout"
            case .file(let path, _): path.string
            }
            Terminal.printError(Summary.line(
                from: input == "-" ? "stdin" : input, to: name, plain: report.plainBytes,
                packed: report.packedBytes, elapsed: ContinuousClock.now - start, packing: false))
        }
    }
}

extension UnpackCommand {
    /// A `.slc` renamed to another file's name would restore under that name without a word: the name
    /// the authenticated header records is compared with the output name taken from the `.slc` name
    /// (not with one given by -o). A warning, or with --strict a refusal (exit 65) before any output.
    func checkRecordedName(_ header: ContainerInfo, input: String, output: FilePath) throws {
        guard let message = RecordedName.mismatch(header.metadata, input: input, output: output) else { return }
        if keys.strict { throw RecordedName.refusal(message) }
        Terminal.warning("\(message) (-o names the output explicitly)")
    }
}

extension UnpackCommand {
    /// A `--range` that ends past the original's recorded size: said in the user's terms, before any output.
    func checkRange(_ byteRange: Range<UInt64>, of input: String, size: UInt64) throws {
        guard byteRange.upperBound > size else { return }
        let span = byteRange.isEmpty ? "" : " (bytes \(byteRange.lowerBound)…\(byteRange.upperBound - 1))"
        throw SluiceError(.invalidArgument,
            "--range \(range ?? "")\(span) reaches past the end of \(input): its original is \(size) bytes\(size >= 1024 ? " (\(ByteCount(bytes: Int(size))))" : "")")
    }
}

/// `auto` or a positive count.
func parseWorkers(_ text: String) throws -> Int? {
    if text == "auto" { return nil }
    guard let count = Int(text), count >= 1, count <= 1024 else {
        throw SluiceError(.invalidArgument, "--workers: '\(text)' is not a number from 1 to 1024 or auto")
    }
    return count
}

struct VerifyCommand: ParsableCommand, OpensFiles {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Decode a .slc file completely and check every frame, the index and the digest; write nothing.",
        discussion: """
            Prints "OK" and exits 0 when the file is intact (and, if encrypted, the key opens it); \
            otherwise prints the first problem and exits 65 (corrupt) or 77 (wrong key).

            A directory: every .slc, .zst, .lz4 and .age file under it is verified (with --shard I/N only those of one \
            shard); one line per failed file, a summary, exit 1 when any failed (77 when a key was \
            refused).

            EXAMPLES
              sluice verify backup.tar.slc
              sluice verify --key-file k.key secrets.slc
              sluice verify packed/ --shard 2/4
            """
    )

    @Argument(help: ArgumentHelp("The files to check; - or none: standard input.", valueName: "FILE"))
    var inputs: [String] = []

    @OptionGroup
    var decoding: DecodeKeyOptions

    @Option(help: ArgumentHelp("Worker threads, or auto (one per core).", valueName: "N"))
    var workers: String = "auto"

    @Flag(name: .shortAndLong, help: "Print nothing; the exit code tells.")
    var quiet = false

    @OptionGroup(title: "I/O")
    var ioArguments: IOArguments

    @Option(help: ArgumentHelp(
        "A directory: verify only shard I of N of its .slc, .zst, .lz4 and .age files (as pack/unpack --shard split them), or auto.", valueName: "I/N|auto"))
    var shard: String?

    @Option(help: ArgumentHelp("The shard count for --shard auto.", valueName: "N"))
    var shards: Int?

    func run() throws {
        try ManyInputs.run(inputs, verb: "verified", quiet: quiet) { try verify($0) }
    }

    /// Checks one input: a file, standard input, an archive, or a directory (every packed file under it).
    func verify(_ input: String) throws {
        try reportingErrors(input: input) {
            if input != "-", Archive.isArchive(FilePath(input)) { return try verifyArchive(input) }  // ArchiveUnpack.swift
            if isDirectory(input) { return try runBatch(input) }  // a tree: BatchCommand.swift
            if shard != nil { throw SluiceError(.invalidArgument, "--shard takes a directory, not the file \(input)") }
            let source = input == "-" ? nil : FilePath(input)
            if source == nil, Terminal.standardInputIsTerminal {
                throw SluiceError(.invalidArgument, "standard input is a terminal: name a FILE to verify, or pipe data in")
            }
            let report = try namingInput(input) { try Pipeline.verifyFile(
                source, key: SecretOnce.caching(try identities.provider(falling: keys)), workers: try parseWorkers(workers),
                limits: try decoding.limits(),
                io: ioArguments.pool(for: OutputTarget.standardOutput.directory(else: source)),
                storage: ioArguments.storageOverride) }
            if !quiet {
                let digest = report.info.checksum.describeDigest(report.digest).map { ", digest \($0)" } ?? ""
                try Terminal.output("\(input): OK (\(counted(report.chunks, "chunk")), \(counted(report.plainBytes, "byte")), \(report.info.codec), cipher \(report.info.cipher.rawValue)\(digest))\n")
            }
        }
    }
}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a key file (32 random bytes) or an age X25519 identity; print an identity's public key.",
        discussion: """
            A key file (-o FILE) is 32 random bytes, mode 0600: whoever has it can decrypt every file \
            packed with it (each file still gets its own key through HKDF and a fresh salt).

            An identity (--identity) is an age X25519 key pair, written as age-keygen writes it \
            ("# created:" and "# public key:" comments, then AGE-SECRET-KEY-1..., mode 0600); its public \
            key (age1...) is printed on stdout. Give the public key to whoever packs files for you \
            (pack -r age1...); keep the identity to unpack them (unpack -i FILE). age and age-keygen \
            read and write the same keys. -y FILE prints the public key of every identity in FILE.

            Neither form ever overwrites an existing file.

            EXAMPLES
              sluice keygen -o ~/.config/sluice/backup.key
              sluice keygen --identity -o ~/.config/sluice/me.txt    # prints age1...
              sluice keygen -y ~/.config/sluice/me.txt
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to create the key file or identity (an identity without -o goes to stdout).", valueName: "FILE"))
    var output: String?

    @Flag(help: "Create an age X25519 identity instead of a 32-byte key file.")
    var identity = false

    @Option(name: .customShort("y"), help: ArgumentHelp("Print the public key (age1...) of each identity in FILE.", valueName: "FILE"))
    var publicKeyOf: String?

    func validate() throws {
        if publicKeyOf != nil, output != nil || identity { throw ValidationError("-y takes no -o or --identity") }
        if publicKeyOf == nil, !identity, output == nil { throw ValidationError("give -o FILE, --identity, or -y FILE") }
    }

    func run() throws {
        try reportingErrors {
            if let output { try OutputPath.requireFileName(output, for: identity ? "identity" : "key") }
            if let publicKeyOf {
                for identity in try IdentityFile.identities(at: FilePath(publicKeyOf)) { try Terminal.output("\(identity.recipient)\n") }
            } else if identity {
                if let output {
                    try Terminal.output("\(try IdentityFile.generate(at: FilePath(output)).recipient)\n")
                } else {
                    let identity = try AgeIdentity.generate()
                    Terminal.printError("Public key: \(identity.recipient)")
                    try Terminal.output(IdentityFile.text(of: identity))
                }
            } else if let output {
                try KeyFile.generate(at: FilePath(output))
            }
        }
    }
}
