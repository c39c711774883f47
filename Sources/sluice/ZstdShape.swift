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
        "--shards", "--manifest", "--retry-failed", "-D", "--patch-from",
    ]

    /// `arguments` (without the program name) in sluice's own shape.
    static func translate(_ arguments: [String]) throws -> [String] {
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
        return try [command] + verbosity(list, command: command).flatMap { try translate($0, command: command) }
    }

    /// A zstd flag sluice understands but cannot honour, refused with the reason (exit 64) instead of
    /// "unknown option".
    struct Refusal: Error, CustomStringConvertible {
        var description: String
        init(_ flag: String, _ why: String) { description = "\(flag): \(why)" }
    }

    /// zstd's `-q` and `-v` counted as zstd counts them (`-qq`, `-vv`, `-qv`): one `-q` or `-v` or
    /// none, where the first of them stood. `verify` prints its OK lines anyway and has no `-v`.
    static func verbosity(_ list: [Token], command: String) -> [Token] {
        var level = 0
        var first: Int?
        for (index, token) in list.enumerated() {
            guard case .word(let word) = token, word == "-q" || word == "-v" || word == "--quiet" || word == "--verbose" else { continue }
            level += word.hasSuffix("q") || word == "--quiet" ? -1 : 1
            first = first ?? index
        }
        guard let first else { return list }
        var result = list
        result.removeAll { if case .word(let word) = $0 { ["-q", "-v", "--quiet", "--verbose"].contains(word) } else { false } }
        if level < 0 { result.insert(.word("-q"), at: first) }
        if level > 0, command != "verify" { result.insert(.word("-v"), at: first) }
        return result
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
    static func translate(_ token: Token, command: String) throws -> [String] {
        let packing = command == "pack"
        switch token {
        case .rest(let rest):
            return rest
        case .option(let name, let value):
            // `-o -`: standard output, as everywhere else.
            if (name == "-o" || name == "--output") && value == "-" { return ["--stdout"] }
            if name == "--format" { return try format(value, command: command) }
            if let refusal = refusal(name, packing: packing) { throw refusal }
            return [name, value]
        case .word(let argument):
            if let refusal = refusal(argument, packing: packing) { throw refusal }
            if argument.hasPrefix("--format=") { return try format(String(argument.dropFirst("--format=".count)), command: command) }
            if argument == "--long" || argument.hasPrefix("--long=") {
                // Decoding: any window up to 2^31 is read (within --memory-limit), as `zstd -d --long=31` asks.
                if !packing { return [] }
                throw Refusal(argument, "sluice compresses each chunk (at most --chunk-size 256M) on its own, without zstd's long-distance matching; leave it out")
            }
            // zstd's independent jobs of # bytes are sluice's chunks.
            if argument.hasPrefix("-B"), argument.count > 2, argument.dropFirst(2).first?.isNumber == true {
                let size = String(argument.dropFirst(2))
                return packing ? ["--chunk-size", size == "0" ? "auto" : size] : []
            }
            if argument == "--no-check" {
                throw Refusal(argument, packing
                    ? "sluice checksums every chunk unless a cipher authenticates it (then it has no checksum already)"
                    : "sluice checks every frame it restores; that cannot be turned off")
            }
            if argument == "--output=-" || argument == "-o-" { return ["--stdout"] }
            if let level = zstdLevel(argument) { return packing ? ["--level=\(level)"] : [] }  // `=`: "-3" is no option
            for prefix in ["-T", "--threads="] where argument.hasPrefix(prefix) {
                if let count = Int(argument.dropFirst(prefix.count)), count >= 0 {
                    return ["--workers", count == 0 ? "auto" : "\(count)"]
                }
            }
            switch argument {
            case "-k", "--keep", "--ultra", "--no-progress", "--check", "-C": return []  // the default, or nothing to do
            case "--rm": return ["--remove-source"]
            default: return [argument]
            }
        }
    }

    /// `--format=F` (or `--format F`): when packing, the formats sluice writes pass (`--format zstd`,
    /// `lz4`); when decoding, zstd and LZ4 need no flag (the first bytes tell); gzip, xz and lzma are
    /// refused with the tool that writes them.
    static func format(_ value: String, command: String) throws -> [String] {
        let foreign = ["gzip": "gzip or pigz", "xz": "xz", "lzma": "xz --format=lzma"]
        if let tool = foreign[value] {
            let verb = command == "pack" ? "writes" : "reads"
            throw Refusal("--format=\(value)", "sluice \(verb) .slc, zstd, LZ4 and age files, not \(value) (use \(tool))")
        }
        if command == "pack" { return ["--format", value] }
        guard ["zstd", "lz4"].contains(value) else { throw Refusal("--format=\(value)", "sluice reads .slc, zstd, LZ4 and age files, telling them by their first bytes") }
        return []
    }

    /// The zstd flags that have no counterpart in sluice, refused with why.
    static func refusal(_ argument: String, packing: Bool) -> Refusal? {
        if argument == "-D" || argument.hasPrefix("--dictionary") || (argument.hasPrefix("-D") && argument.count > 2 && !argument.hasPrefix("--")) {
            return Refusal("-D", "sluice compresses without dictionaries (each chunk is a frame of its own), and refuses zstd files that need one")
        }
        if argument == "--patch-from" || argument.hasPrefix("--patch-from=") {
            return Refusal("--patch-from", "sluice has no patch mode (it would need the old file as a dictionary); pack the new file on its own")
        }
        if argument == "--train" || argument.hasPrefix("--train-") {
            return Refusal(argument, "sluice trains no dictionaries (use zstd --train)")
        }
        if argument == "--rsyncable" {
            return Refusal(argument, "sluice has no rsync-friendly mode (its chunks are cut at fixed sizes)")
        }
        if argument == "--adapt" || argument.hasPrefix("--adapt=") {
            return Refusal(argument, "sluice keeps the level it is given (--codec auto chooses a codec from a sample instead)")
        }
        return nil
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
