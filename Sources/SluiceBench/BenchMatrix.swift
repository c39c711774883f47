import Sluice
/// The cells to measure: codecs × levels, ciphers, chunk sizes and worker counts.
///
/// Every list is parsed from the spelling the CLI and suite files use:
///
///     try BenchMatrix.codecs(["zstd:1,3,19", "lz4", "brotli:1..5"])   // 3 + 1 + 5 cells
///     try BenchMatrix.chunkSizes(["64K,1M", "4M"])
public struct BenchMatrix: Sendable, Equatable {
    /// How cells run.
    public var mode: BenchMode
    /// Codec settings, in row order.
    public var codecs: [CodecSettings]
    /// In memory mode each cipher other than `none` is a row of its own; in file mode every codec is
    /// run with every cipher.
    public var ciphers: [Cipher]
    /// Chunk sizes, each a column of cells.
    public var chunkSizes: [ByteCount]
    /// Worker counts, each a column of cells.
    public var workers: [Int]
    /// Include the `memcpy` and `xxh3` rows (memory mode).
    public var baselines: Bool

    /// The codecs measured when none are named: one fast, one default and one strong setting of each.
    public static let defaultCodecs = "zstd:1,3,9 lz4 lz4hc:9 brotli:1,5"

    /// A matrix; `nil` codecs or ciphers take the defaults for the mode.
    public init(
        mode: BenchMode = .memory, codecs: [CodecSettings]? = nil, ciphers: [Cipher]? = nil,
        chunkSizes: [ByteCount] = [.mebibytes(4)], workers: [Int] = [1], baselines: Bool = true
    ) {
        self.mode = mode
        self.codecs = codecs ?? (try! BenchMatrix.codecs([BenchMatrix.defaultCodecs]))
        self.ciphers = ciphers ?? (mode == .memory ? [.aes256gcm, .chacha20poly1305] : [.none])
        self.chunkSizes = chunkSizes
        self.workers = workers
        self.baselines = baselines
    }

    /// The subjects in row order: baselines, codecs, ciphers (memory), or codec × cipher (file).
    public var subjects: [BenchSubject] {
        switch mode {
        case .memory:
            (baselines ? [.memcpy, .checksum] : [])
                + codecs.map { .codec($0) }
                + ciphers.filter { $0 != .none }.map { .cipher($0) }
        case .file:
            codecs.flatMap { codec in (ciphers.isEmpty ? [.none] : ciphers).map { .pipeline(codec, $0) } }
        }
    }

    /// Every cell, in the order they run: subject, then chunk size, then workers.
    public var cells: [BenchCell] {
        subjects.flatMap { subject in
            chunkSizes.flatMap { chunk in workers.map { BenchCell(subject: subject, chunkSize: chunk, workers: $0) } }
        }
    }

    // MARK: Parsing

    /// Splits arguments on commas and spaces as well, so `["zstd:1,3 lz4"]` and `["zstd:1,3", "lz4"]`
    /// mean the same. A comma followed by a number continues the level list before it.
    static func tokens(_ arguments: [String]) -> [String] {
        arguments.flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) }.map(String.init)
            .filter { !$0.isEmpty }
    }

    /// Parses codec specs: `NAME` (default level) or `NAME:LEVELS`, where LEVELS is a comma list of
    /// levels and `A..B` ranges, e.g. `zstd:-1,1..3,19`. `memcpy` and `xxh3` are accepted and ignored
    /// (they are the baselines, always measured). Duplicates are dropped, order is kept.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` naming the bad spec.
    public static func codecs(_ arguments: [String]) throws -> [CodecSettings] {
        var result: [CodecSettings] = []
        for token in tokens(arguments) {
            // "zstd:1,3,lz4" is a typo for "zstd:1,3 lz4": split a comma-joined list at each name.
            for spec in splitCodecList(token) {
                for settings in try codec(spec) where !result.contains(settings) { result.append(settings) }
            }
        }
        guard !result.isEmpty || tokens(arguments).contains(where: { ["memcpy", "xxh3"].contains($0.lowercased()) })
        else { throw SluiceError.invalid("--codecs: no codec given (try \(defaultCodecs))") }
        return result
    }

    private static func splitCodecList(_ token: String) -> [String] {
        var specs: [String] = []
        for part in token.split(separator: ",", omittingEmptySubsequences: false) {
            let text = String(part)
            if let last = specs.last, text.first.map({ $0.isNumber || $0 == "-" }) ?? true, last.contains(":") || text.isEmpty {
                specs[specs.count - 1] = last + "," + text
            } else {
                specs.append(text)
            }
        }
        return specs
    }

    private static func codec(_ spec: String) throws -> [CodecSettings] {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0].lowercased()
        if name == "memcpy" || name == "xxh3", parts.count == 1 { return [] }
        guard let codec = Codec(rawValue: name) else {
            let names = Codec.allCases.map(\.rawValue).joined(separator: ", ")
            let hint = spec.contains("/") || spec.contains(".") && !spec.contains("..") ? "; put files before --codecs" : ""
            throw SluiceError.invalid("--codecs '\(spec)': unknown codec '\(parts[0])' (codecs: \(names)\(hint))")
        }
        guard parts.count == 2 else { return [try CodecSettings(codec)] }
        let levels = try self.levels(String(parts[1]), in: spec)
        do {
            return try levels.map { try CodecSettings(codec, level: $0) }
        } catch let error as SluiceError {
            throw SluiceError.invalid("--codecs '\(spec)': \(error.message)")
        }
    }

    private static func levels(_ text: String, in spec: String) throws -> [Int] {
        var levels: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            if let range = item.range(of: "..") {
                guard let low = Int(item[..<range.lowerBound]), let high = Int(item[range.upperBound...]), low <= high,
                      high - low <= 64
                else { throw SluiceError.invalid("--codecs '\(spec)': '\(item)' is not a level range like 1..5") }
                levels += Array(low...high)
            } else {
                guard let level = Int(item) else {
                    throw SluiceError.invalid("--codecs '\(spec)': '\(item)' is not a level (expected e.g. zstd:1,3,19)")
                }
                levels.append(level)
            }
        }
        return levels
    }

    /// Parses cipher names (`none`, `aes-256-gcm`, `chacha20-poly1305`, also `aes`, `chacha`),
    /// separated by commas or given as separate arguments.
    public static func ciphers(_ arguments: [String]) throws -> [Cipher] {
        var result: [Cipher] = []
        for name in tokens(arguments).flatMap({ $0.split(separator: ",") }).map({ $0.lowercased() }) {
            let cipher: Cipher? = switch name {
            case "aes", "aes-gcm", "aes256gcm": .aes256gcm
            case "chacha", "chacha20", "chacha20poly1305": .chacha20poly1305
            default: Cipher(rawValue: name)
            }
            guard let cipher else {
                let names = Cipher.allCases.map(\.rawValue).joined(separator: ", ")
                throw SluiceError.invalid("--ciphers: unknown cipher '\(name)' (ciphers: \(names))")
            }
            if !result.contains(cipher) { result.append(cipher) }
        }
        guard !result.isEmpty else { throw SluiceError.invalid("--ciphers: no cipher given") }
        return result
    }

    /// Parses chunk sizes like `64K,1M,4M`; each must be a size the format allows (4 KiB…256 MiB).
    public static func chunkSizes(_ arguments: [String]) throws -> [ByteCount] {
        var result: [ByteCount] = []
        for text in tokens(arguments).flatMap({ $0.split(separator: ",") }).map(String.init) {
            guard let size = ByteCount(parsing: text) else {
                throw SluiceError.invalid("--chunk-sizes: '\(text)' is not a size (try 64K,1M,4M)")
            }
            guard Plan.chunkSizes.contains(size.bytes) else {
                throw SluiceError.invalid("--chunk-sizes: \(size) is outside 4 KiB…256 MiB")
            }
            if !result.contains(size) { result.append(size) }
        }
        guard !result.isEmpty else { throw SluiceError.invalid("--chunk-sizes: no size given") }
        return result
    }

    /// Parses worker counts like `1,2,4`; `auto` or `cores` means one per available core.
    public static func workers(_ arguments: [String]) throws -> [Int] {
        var result: [Int] = []
        for text in tokens(arguments).flatMap({ $0.split(separator: ",") }).map(String.init) {
            let count = (text == "auto" || text == "cores") ? WorkerPool.availableCores : Int(text)
            guard let count, (1...1024).contains(count) else {
                throw SluiceError.invalid("--workers: '\(text)' is not a number from 1 to 1024 (or auto)")
            }
            if !result.contains(count) { result.append(count) }
        }
        guard !result.isEmpty else { throw SluiceError.invalid("--workers: no count given") }
        return result
    }
}

/// One cell of the matrix.
public struct BenchCell: Hashable, Sendable, CustomStringConvertible {
    /// What is measured.
    public var subject: BenchSubject
    /// How the input is cut.
    public var chunkSize: ByteCount
    /// Threads working on the chunks.
    public var workers: Int

    /// `zstd-3, 4 MiB chunks, 2 workers`.
    public var description: String {
        "\(subject), \(chunkSize) chunks, \(workers) worker\(workers == 1 ? "" : "s")"
    }
}
