import ArgumentParser
import Foundation
import Sluice
import SluiceBench

@main
struct SluiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Compress and encrypt files in parallel chunks, and restore them.",
        discussion: """
            Sluice cuts its input into chunks and runs them through checksum, compression (lz4, lz4hc, \
            zstd, brotli) and authenticated encryption (AES-256-GCM, ChaCha20-Poly1305) on every core. \
            The .slc file it writes records every stage, so unpacking needs no flags but the key.

            EXAMPLES
              sluice pack access.log                      # -> access.log.slc (zstd level 3)
              sluice pack --codec lz4 -o db.slc db.dump   # fastest
              sluice keygen -o backup.key
              sluice pack --key-file backup.key data.tar  # zstd + AES-256-GCM
              tar c dir | sluice pack - -o dir.tar.slc    # from a pipe
              sluice unpack access.log.slc                # -> access.log, mode and mtime restored
              sluice inspect --json data.tar.slc          # stages, sizes, ratio (no key needed)
              sluice verify --key-file backup.key data.tar.slc

            EXIT CODES
              0 success; 1 failure; 64 usage; 65 corrupt, truncated or not a .slc file; \
            70 internal library error; 73 output exists; 74 I/O error; 77 wrong or missing key; \
            130 interrupted (SIGINT); 141 reader of the output gone; 143 terminated (SIGTERM); 128+N other signal N

            See docs/cli.md for every option and docs/format.md for the file format.
            """,
        version: "0.1.0",
        subcommands: [
            PackCommand.self, UnpackCommand.self, InspectCommand.self, VerifyCommand.self, KeygenCommand.self, BenchCommand.self,
            ManifestCommand.self, ListCommand.self,
        ]
    )

    static func main() {
        Signals.install()
        do {
            // zstd's command shape and short flags (ZstdShape.swift); bare `sluice` on a terminal: the help.
            var arguments = Array(CommandLine.arguments.dropFirst())
            if !(arguments.isEmpty && Terminal.standardInputIsTerminal) { arguments = try ZstdShape.translate(arguments) }
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let refusal as ZstdShape.Refusal {
            // A zstd flag with no counterpart: the one line says why, without the usage.
            Terminal.error(refusal.description)
            Foundation.exit(ExitCodes.usage)
        } catch {
            exit(withUsageError: error)
        }
    }

    /// Like `exit(withError:)`, but a usage error prints the one line every sluice error prints
    /// (`sluice: error: …`, docs/cli.md), then the command's usage, and exits 64.
    static func exit(withUsageError error: Error) -> Never {
        let code = exitCode(for: error)
        guard code.rawValue == ExitCodes.usage, !(error is ExitCode) else { exit(withError: error) }
        let full = fullMessage(for: error, columns: TerminalSize.columns)
        var lines = full.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let first = lines.first, first.hasPrefix("Error: ") { lines[0] = "sluice: error: " + first.dropFirst("Error: ".count) }
        else { lines.insert("sluice: error: \(message(for: error))", at: 0) }
        Terminal.emit(lines.joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n")
        Foundation.exit(ExitCodes.usage)
    }
}

/// `-q`/`-v`, shared by the commands that report.
struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print a summary line even when stderr is not a terminal.")
    var verbose = false

    /// Whether the closing summary line is printed.
    var showsSummary: Bool { !quiet && (verbose || Terminal.standardErrorIsTerminal) }

    /// Whether the summary line is printed after writing to `target`: not after writing to standard
    /// output (a filter, as gzip and zstd are in a pipe or under `tar -I`; or data shown on the
    /// terminal itself, `unpack -c`), unless `-v` asks for it.
    func showsSummary(for target: OutputTarget) -> Bool {
        if case .standardOutput = target, !verbose { return false }
        return showsSummary
    }
}
