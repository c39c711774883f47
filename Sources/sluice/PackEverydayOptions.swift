import ArgumentParser
import Sluice

/// `sluice pack`'s everyday options: where the output goes, the codec and level, the format, and
/// what to replace or remove. A titled group, so `pack --help` shows them before keys, I/O and
/// directory options.
struct PackEverydayOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE (default: FILE.slc; stdout for stdin).", valueName: "FILE"))
    var output: String?

    @Flag(name: [.customShort("c"), .customLong("stdout")], help: "Write to standard output.")
    var toStandardOutput = false

    @Option(help: "Compression: store, lz4, lz4hc, zstd, brotli, or auto (sample the input, pick by --priority). Default: zstd (lz4 with --format lz4). age files take none.")
    var codec: String?

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Codec level: zstd -7...22 (3), lz4 acceleration 1...65537 (1), lz4hc 1...12 (9), brotli 0...11 (5).",
        valueName: "N"))
    var level: Int?

    @Option(help: ArgumentHelp(
        "File format: slc (default), zstd (a standard seekable .zst), lz4 (a standard .lz4 frame) or age (age v1, encryption only); an output name ending in .zst, .lz4 or .age chooses it too, --armor chooses age (-r/-R encrypt a .slc or an age file). zstd and lz4 take no cipher; age takes no compression.",
        valueName: "FORMAT"))
    var format: ContainerKind?

    @Flag(name: .shortAndLong, help: "Overwrite an existing output.")
    var force = false

    @Flag(help: "Delete the input after the output is fsynced and verified.")
    var removeSource = false

    @OptionGroup
    var reporting: OutputOptions
}
