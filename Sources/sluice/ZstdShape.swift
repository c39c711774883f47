/// zstd's (and gzip's, lz4's) command shape, turned into sluice's subcommands before parsing, so the
/// habits people have work as they expect (docs/cli.md, "Coming from zstd, gzip, lz4, tar, age"):
///
///     sluice FILE…             → sluice pack FILE…
///     sluice -d FILE…          → sluice unpack FILE…        (also --decompress, --uncompress)
///     sluice -t FILE…          → sluice verify FILE…        (also --test)
///     sluice -l FILE…          → sluice inspect FILE…       (also --list)
///     sluice                   → sluice pack                (stdin to stdout: tar -I sluice)
///
/// and, in both shapes, zstd's short flags where sluice has the same idea: `-#` (`-1`…`-19`) and
/// `--fast[=N]` are `--level`, `-T#` (`-T0`: every core) and `--threads=#` are `--workers`, `-k`/`--keep`
/// is the default and accepted, `--rm` is `--remove-source`, `-o -` is `--stdout`, and letters run
/// together (`-dc`, `-kf`) are split. `-c`, `-f`, `-q`, `-v` and `-o` already mean the same. `-r`
/// stays age's recipient (a directory is always walked); `pack -l N` stays `--level`.
enum ZstdShape {
    /// The subcommands and root options that are given as they are (only their flags translated).
    static let subcommands: Set<String> = ["pack", "unpack", "inspect", "verify", "list", "keygen", "bench", "manifest", "help"]
    static let rootOptions: Set<String> = [
        "-h", "--help", "--version", "--generate-completion-script", "--experimental-dump-help",
    ]

    /// The flags that choose an operation in zstd's shape, and the subcommand each means.
    static let operations: [String: String] = [
        "-d": "unpack", "--decompress": "unpack", "--uncompress": "unpack",
        "-t": "verify", "--test": "verify",
        "-l": "inspect", "--list": "inspect",
        "-z": "pack", "--compress": "pack",
    ]

    /// Short letters that may be run together (`-dcf`) and are then split.
    static let clusterable: Set<Character> = ["d", "t", "l", "z", "c", "k", "f", "q", "v"]

    /// The options of sluice's commands that take a value: their value is never translated (`--level -3`,
    /// `-o -19`).
    static let takesValue: Set<String> = [
        "-o", "--output", "-l", "--level", "--codec", "--format", "--cipher", "--window", "--priority", "--key-file",
        "--passphrase-file", "--passphrase-env", "--passphrase-fd", "--context", "--kdf-cost", "--checksum",
        "--chunk-size", "--workers", "--memory-limit", "--io-tokens", "--storage", "-r", "--recipient", "-R",
        "--recipients-file", "-i", "--identity", "--max-kdf-cost", "--range", "--include", "--exclude",
        "--older-than", "--newer-than", "--min-size", "--max-size", "--log-format", "--progress-interval", "--shard",
        "--shards", "--manifest", "--retry-failed",
    ]

    /// `arguments` (without the program name) in sluice's own shape.
    static func translate(_ arguments: [String]) -> [String] {
        guard let first = arguments.first else { return ["pack"] }
        if rootOptions.contains(first) || first.hasPrefix("--generate-completion-script") { return arguments }
        var command = "pack"
        var list: [Token]
        if subcommands.contains(first) {
            guard ["pack", "unpack", "verify", "inspect"].contains(first) else { return arguments }
            command = first
            list = tokens(Array(arguments.dropFirst()), valueOptions: takesValue)
        } else {
            // Here `-l` lists instead of taking a level.
            list = tokens(arguments, valueOptions: takesValue.subtracting(operations.keys))
            // zstd's shape: the operation comes from a flag anywhere before `--` (the last one wins).
            for token in list {
                if case .word(let word) = token, let operation = operations[word] { command = operation }
            }
            list.removeAll { if case .word(let word) = $0 { operations[word] != nil } else { false } }
        }
        return [command] + list.flatMap { translate($0, command: command) }
    }

    /// One piece of a command line.
    enum Token {
        /// An option that takes a value, with it (`-o FILE`).
        case option(String, value: String)
        /// Anything else: a flag, a file, `-19`.
        case word(String)
        /// `--` and everything after it, never translated.
        case rest([String])
    }

    /// `arguments` as tokens: `valueOptions` with their values, letters run together (`-dcf`, when every
    /// one is in ``clusterable``) split.
    static func tokens(_ arguments: [String], valueOptions: Set<String>) -> [Token] {
        var result: [Token] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                result.append(.rest(Array(arguments[(index - 1)...])))
                break
            }
            if valueOptions.contains(argument), index < arguments.count {
                result.append(.option(argument, value: arguments[index]))
                index += 1
                continue
            }
            let letters = argument.dropFirst()
            if argument.hasPrefix("-"), !argument.hasPrefix("--"), letters.count > 1, letters.allSatisfy(clusterable.contains) {
                result += letters.map { .word("-\($0)") }
            } else {
                result.append(.word(argument))
            }
        }
        return result
    }

    /// One token as sluice's arguments for `command`. A level means nothing when decoding and is
    /// dropped there (`tar -I 'sluice -19'` passes it to `-d` too).
    static func translate(_ token: Token, command: String) -> [String] {
        let packing = command == "pack"
        switch token {
        case .rest(let rest):
            return rest
        case .option(let name, let value):
            // `-o -`: standard output, as everywhere else.
            return (name == "-o" || name == "--output") && value == "-" ? ["--stdout"] : [name, value]
        case .word(let argument):
            if argument == "--output=-" || argument == "-o-" { return ["--stdout"] }
            if let level = zstdLevel(argument) { return packing ? ["--level=\(level)"] : [] }  // `=`: "-3" is no option
            for prefix in ["-T", "--threads="] where argument.hasPrefix(prefix) {
                if let count = Int(argument.dropFirst(prefix.count)), count >= 0 {
                    return ["--workers", count == 0 ? "auto" : "\(count)"]
                }
            }
            // `-lv`: inspect always says it all.
            if command == "inspect", argument == "-q" || argument == "-v" { return [] }
            switch argument {
            case "-k", "--keep", "--ultra", "--no-progress": return []  // the default, or nothing to do
            case "--rm": return ["--remove-source"]
            default: return [argument]
            }
        }
    }

    /// The level `-19`, `--fast` or `--fast=N` asks for (`--fast=N` is level −N, as in zstd), or `nil`.
    static func zstdLevel(_ argument: String) -> String? {
        if argument == "--fast" { return "-1" }
        if argument.hasPrefix("--fast="), let speed = Int(argument.dropFirst("--fast=".count)), speed >= 1 { return "-\(speed)" }
        let digits = argument.dropFirst()
        guard argument.hasPrefix("-"), !digits.isEmpty, digits.count <= 2, digits.allSatisfy(\.isASCII), let level = Int(digits),
              level >= 1
        else { return nil }
        return "\(level)"
    }
}
