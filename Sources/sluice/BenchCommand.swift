import ArgumentParser
import Foundation
import Sluice
import SluiceBench

/// `sluice bench`: measure the codecs, the ciphers and the whole pipeline on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Sluice's codecs, ciphers and pipeline on this machine (lzbench-style).",
        discussion: """
            Every cell of the matrix (codec and level or cipher x chunk size x workers) is warmed up, \
            then timed for at least --runs passes and --min-time seconds per direction; tables show the \
            median speed with the slowest and fastest pass, CPU time over wall time, and the peak memory \
            the cell added. Every pass is verified: a round trip that does not give back the input is an \
            error, never a number. Every option: `sluice bench run --help`; the full guide: docs/bench.md.

            EXAMPLES
              sluice bench --generate mixed:64M                       # default codecs and ciphers, 1 worker
              sluice bench --generate text:16M --codecs zstd:1,3,9,19 lz4 lz4hc:9 brotli:1,5,11
              sluice bench --generate mixed:64M --codecs zstd:3 --ciphers aes-256-gcm --workers 1,2
              sluice bench big.tar --mode file --codecs zstd:3 lz4 --ciphers none aes-256-gcm --chunk-sizes 1M,4M
              sluice bench ~/data --join --format json --output run.json --plot run.svg
              sluice bench --generate mixed:64M --recommend --goal balanced --min-speed 300
              sluice bench --config Benchmarks/suites/quick.yaml
              sluice bench report a.json b.json --format markdown
              sluice bench report run.json --clock cpu                 # speeds from CPU time, for a busy machine
            """,
        subcommands: [BenchRunCommand.self, BenchReportCommand.self, BenchGenerateCommand.self, BenchPeakCommand.self],
        defaultSubcommand: BenchRunCommand.self
    )
}

/// Where the results go and what is said about them; shared by `bench` and `bench report`.
struct BenchOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("table, markdown, csv, json or html (default: from the --output name, else table).", valueName: "FORMAT"))
    var format: BenchFormat?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the results to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    @Option(help: ArgumentHelp("Also write both charts (ratio vs speed with its Pareto front, throughput vs workers) to FILE.svg.", valueName: "FILE"))
    var plot: String?

    @Flag(help: "Pick a setting from the measured cells and say why.")
    var recommend = false

    @Option(help: ArgumentHelp("For --recommend: speed, ratio or balanced.", valueName: "GOAL"))
    var goal: BenchGoal?

    @Option(help: ArgumentHelp("For --recommend: the slowest acceptable compression, MB/s.", valueName: "MB/S"))
    var minSpeed: Double?

    @Option(help: ArgumentHelp("For --recommend: the largest acceptable output, as a share of the input (40% or 0.4).", valueName: "SHARE"))
    var maxSize: String?

    @Option(help: ArgumentHelp("Speeds shown from wall time (default) or from CPU time per worker, which waiting for a busy core does not inflate (memory mode; results files keep both).", valueName: "wall|cpu"))
    var clock: BenchSpeedClock?

    /// The options these flags set, for overlaying on a suite.
    func apply(to options: inout BenchOptions) {
        if let format { options.format = format }
        if let output { options.output = output }
        if let plot { options.plot = plot }
        if recommend || goal != nil || minSpeed != nil || maxSize != nil { options.recommend = true }
        if let goal { options.goal = goal }
        if let minSpeed { options.minSpeed = minSpeed }
        if let maxSize { options.maxSize = maxSize }
        if let clock { options.clock = clock }
    }
}

struct BenchRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the benchmark (the default: `sluice bench ...` means `sluice bench run ...`).")

    @Argument(help: ArgumentHelp("Files or directories to measure on.", valueName: "PATH"))
    var paths: [String] = []

    @Option(name: .customLong("generate"), parsing: .singleValue,
            help: ArgumentHelp("Generated data: zeros, random, text, binary or mixed, with a size (repeatable).", valueName: "KIND:SIZE"))
    var generate: [String] = []

    @Option(help: ArgumentHelp("Seed for --generate: the same seed gives the same bytes (default 1).", valueName: "N"))
    var seed: UInt64?

    @Flag(help: "Measure a directory's files as one stream instead of one by one.")
    var join = false

    @Option(help: ArgumentHelp("memory: each codec and cipher alone, in process; file: the real pack/unpack pipeline on temporary files.", valueName: "MODE"))
    var mode: BenchMode?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Codecs and levels, e.g. zstd:1,3,9,19 lz4 lz4hc:9 brotli:1..5 store.", valueName: "CODEC[:LEVELS]"))
    var codecs: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Ciphers: none, aes-256-gcm, chacha20-poly1305 (memory mode: each measured alone; file mode: with every codec).", valueName: "CIPHER"))
    var ciphers: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Chunk sizes, e.g. 64K,1M,4M,16M (default 4M).", valueName: "SIZES"))
    var chunkSizes: [String] = []

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Worker counts, e.g. 1,2 or auto (default 1).", valueName: "COUNTS"))
    var workers: [String] = []

    @Flag(inversion: .prefixedNo, help: "Measure the memcpy and xxh3 baseline rows (memory mode).")
    var baselines = true

    @Option(help: ArgumentHelp("Timed passes per direction, at least (default 5).", valueName: "N"))
    var runs: Int?

    @Option(help: ArgumentHelp("Seconds of timed passes per direction, at least (default 1).", valueName: "SECONDS"))
    var minTime: Double?

    @Option(help: ArgumentHelp("Untimed passes before timing (default 1).", valueName: "N"))
    var warmup: Int?

    @Flag(help: "File mode: measure every cell a second time with the page cache emptied before each pass (fsync + posix_fadvise DONTNEED), beside the warm row.")
    var cold = false

    @Option(help: ArgumentHelp("A suite file (YAML): data to prepare, matrix, output, cleanup. Options given here override it.", valueName: "FILE"))
    var config: String?

    @Option(help: ArgumentHelp("A name for this run in merged reports.", valueName: "NAME"))
    var label: String?

    @Option(help: ArgumentHelp("Where file mode writes its temporary files (default $TMPDIR or /tmp).", valueName: "DIR"))
    var tempDir: String?

    @OptionGroup
    var outputOptions: BenchOutputOptions

    @Flag(name: .shortAndLong, help: "No progress lines on stderr.")
    var quiet = false

    func run() throws {
        try reportingErrors {
            var options = BenchOptions()
            options.paths = paths
            options.generate = generate
            options.seed = seed
            if join { options.join = true }
            options.mode = mode
            options.codecs = codecs.isEmpty ? nil : codecs
            options.ciphers = ciphers.isEmpty ? nil : ciphers
            options.chunkSizes = chunkSizes.isEmpty ? nil : chunkSizes
            options.workers = workers.isEmpty ? nil : workers
            if !baselines { options.baselines = false }
            options.runs = runs
            options.minTime = minTime
            options.warmup = warmup
            if cold { options.cold = true }
            options.label = label
            options.temporaryDirectory = tempDir
            outputOptions.apply(to: &options)

            var suite: BenchSuite?
            var inputs: [BenchInput] = []
            if let config {
                let loaded = try BenchSuite.load(config)
                suite = loaded
                options = loaded.options.overlaid(by: options)
                if paths.isEmpty, generate.isEmpty { inputs = try loaded.prepareInputs() }
            }
            defer { suite?.cleanUp() }
            let matrix = try options.matrix()
            let settings = try options.settings()
            if inputs.isEmpty { inputs = try options.inputs() }
            if inputs.isEmpty {
                throw SluiceError(.invalidArgument, "nothing to measure: give a file or directory, --generate KIND:SIZE or --config FILE")
            }

            var runner = BenchRunner(matrix: matrix, settings: settings)
            runner.toolVersion = SluiceCommand.configuration.version
            runner.executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            if let directory = options.temporaryDirectory { runner.temporaryDirectory = directory }
            let minRatio = try options.minRatio()
            if !quiet {
                if BenchEnvironment.isDebugBuild { Terminal.warning("this is a debug build: measure with `swift build -c release`") }
                let cells = runner.matrix.cells.count
                Terminal.printError("sluice bench: \(cells) cell\(cells == 1 ? "" : "s") per dataset, \(runner.matrix.mode.rawValue) mode")
                runner.progress = { result in
                    let decode = result.decompress.map { ", \(Int($0.speed.median.rounded())) MB/s back" } ?? ""
                    Terminal.printError("  \(result.name) · \(ByteCount(bytes: result.effectiveChunkSize)) · \(result.workers)w: "
                        + "ratio \(String(format: "%.3f", result.ratio)), \(Int(result.compress.speed.median.rounded())) MB/s\(decode)")
                }
            }
            let run = try runner.run(inputs, label: options.label)
            try BenchOutput.write(BenchReport(runs: [run]), options: options, minRatio: minRatio)
        }
    }
}

struct BenchReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Merge results files (--format json) and render them again, without re-running anything.",
        discussion: """
            EXAMPLES
              sluice bench report a.json b.json --format markdown
              sluice bench report before.json after.json --format html -o compare.html
              sluice bench report run.json --recommend --goal ratio --min-speed 100
            """)

    @Argument(help: ArgumentHelp("Results files written with --format json.", valueName: "FILE"))
    var files: [String]

    @OptionGroup
    var outputOptions: BenchOutputOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give one or more results files (written with --format json)") }
    }

    func run() throws {
        try reportingErrors {
            var options = BenchOptions()
            outputOptions.apply(to: &options)
            let report = try BenchReport.load(files)
            try BenchOutput.write(report, options: options, minRatio: try options.minRatio())
        }
    }
}

struct BenchGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write generated benchmark data to a file (the same bytes --generate measures).",
        discussion: """
            For feeding the same data to other tools, such as the C harness in Benchmarks/c-harness.

            EXAMPLES
              sluice bench generate mixed:64M -o /tmp/mixed.bin
              sluice bench generate text:1G --seed 7 -o text.bin
            """)

    @Argument(help: ArgumentHelp("What to make: zeros, random, text, binary or mixed, and a size.", valueName: "KIND:SIZE"))
    var spec: String

    @Option(help: ArgumentHelp("Seed (default 1).", valueName: "N"))
    var seed: UInt64 = 1

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write.", valueName: "FILE"))
    var output: String

    func run() throws {
        try reportingErrors {
            let data = try GeneratedData(parsing: spec, seed: seed)
            do {
                try Data(data.generate()).write(to: URL(fileURLWithPath: output))
            } catch {
                throw SluiceError(.io, "cannot write \(output)")
            }
        }
    }
}

/// `sluice bench peak-rss --report FILE -- pack ...`: runs another sluice command in this process and
/// writes this process's peak resident size (bytes) to FILE. File mode's memory column comes from it.
struct BenchPeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peak-rss", abstract: "Run a sluice command and record its peak memory (used by --mode file).",
        shouldDisplay: false)

    @Option(help: ArgumentHelp("Where to write the peak resident size, in bytes.", valueName: "FILE"))
    var report: String

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The sluice command and its arguments.", valueName: "COMMAND"))
    var command: [String]

    func run() throws {
        var inner = try SluiceCommand.parseAsRoot(command.first == "--" ? Array(command.dropFirst()) : command)
        try inner.run()
        let peak = ResidentMemory.peak
        try reportingErrors {
            do {
                try "\(peak.bytes)\n".write(toFile: report, atomically: true, encoding: .utf8)
            } catch {
                throw SluiceError(.io, "cannot write \(report)")
            }
        }
    }
}

/// Writing a report where the options say, in the format they say.
enum BenchOutput {
    static func write(_ report: BenchReport, options: BenchOptions, minRatio: Double?) throws {
        let format = options.format ?? options.output.flatMap(BenchFormat.init(fileName:)) ?? .table
        // Results files keep the measured wall-time speeds; what people read may use CPU time.
        let shown = report.speeds(by: options.clock ?? .wall)
        let recommendation = options.recommend == true
            ? BenchRecommendation.make(from: shown, goal: options.goal ?? .balanced, minSpeed: options.minSpeed, minRatio: minRatio)
            : nil
        let text = try format.render(format == .json || format == .csv ? report : shown, recommendation: recommendation)
        if let path = options.output {
            try save(text, to: path)
            if let recommendation, format == .csv || format == .json {
                try Terminal.output(recommendation.lines.joined(separator: "\n") + "\n")
            }
        } else {
            try Terminal.output(text)
        }
        if let plot = options.plot { try save(shown.svg(), to: plot) }
    }

    private static func save(_ text: String, to path: String) throws {
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw SluiceError(.io, "cannot write \(path)")
        }
    }
}
