import Foundation
import Yams
import Sluice

/// A benchmark suite file (`--config suite.yaml`): the data to prepare, the matrix, how hard to
/// measure, where to write the results, and what to clean up afterwards. See
/// `Benchmarks/suites/default.yaml` and docs/bench.md for the format.
///
///     name: quick
///     prepare:
///       - generate: mixed:16M          # in memory
///         seed: 1
///       - generate: text:8M            # written to a file first (file mode packs real files)
///         file: .bench/text-8M.txt
///       - path: /usr/share/doc         # an existing file or directory
///         join: true
///     matrix:
///       mode: memory
///       codecs: zstd:1,3 lz4           # a string or a list
///       ciphers: [aes-256-gcm]
///       chunk-sizes: [1M, 4M]
///       workers: [1, 2]
///     runs: 3
///     min-time: 0.5
///     output: { format: markdown, file: results.md, plot: results.svg }
///     recommend: { goal: balanced, min-speed: 200 }
///     cleanup: { remove-prepared: true }
///
/// Relative paths are relative to the directory of the suite file.
public struct BenchSuite: Sendable {
    /// One entry of `prepare`.
    public enum Step: Sendable, Equatable {
        /// Generated data, kept in memory, or written to `file` first when one is named.
        case generate(GeneratedData, file: String?)
        /// An existing file or directory.
        case path(String, join: Bool)
    }

    public var name: String?
    public var description: String?
    public var prepare: [Step]
    /// The matrix, measurement and output settings, as options the command line can override.
    public var options: BenchOptions
    /// Delete the files `prepare` wrote once the run is over.
    public var removePrepared: Bool
    /// More paths to delete once the run is over.
    public var remove: [String]

    /// Reads and checks a suite file.
    ///
    /// - Throws: ``SluiceError/Code/io`` when it cannot be read, `invalidArgument` when it is not a
    ///   valid suite (the message names the field).
    public static func load(_ path: String) throws -> BenchSuite {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SluiceError(.io, "cannot read \(path)")
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(text, baseDirectory: base.isEmpty ? "." : base, origin: path)
    }

    /// Parses suite YAML; relative paths are resolved against `baseDirectory`.
    public static func parse(_ yaml: String, baseDirectory: String = ".", origin: String = "suite") throws -> BenchSuite {
        let document: Document
        do {
            try checkKeys(try Yams.compose(yaml: yaml), origin: origin)
            document = try YAMLDecoder().decode(Document.self, from: yaml)
        } catch let error as SluiceError {
            throw SluiceError.invalid("\(origin): \(error.message)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw SluiceError.invalid("\(origin): missing '\(key.stringValue)' at \(pathText(context.codingPath))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            throw SluiceError.invalid("\(origin): bad value at \(pathText(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw SluiceError.invalid("\(origin) is not valid YAML: \(error)")
        }
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") || path.hasPrefix("~") ? (path as NSString).expandingTildeInPath : "\(baseDirectory)/\(path)"
        }
        var steps: [Step] = []
        for (index, entry) in (document.prepare ?? []).enumerated() {
            switch (entry.generate, entry.path) {
            case (let spec?, nil):
                let data: GeneratedData
                do { data = try GeneratedData(parsing: spec, seed: entry.seed ?? 1) } catch let error as SluiceError {
                    throw SluiceError.invalid("\(origin): prepare[\(index)]: \(error.message)")
                }
                steps.append(.generate(data, file: entry.file.map(resolve)))
            case (nil, let path?):
                steps.append(.path(resolve(path), join: entry.join ?? false))
            default:
                throw SluiceError.invalid("\(origin): prepare[\(index)] needs exactly one of 'generate' or 'path'")
            }
        }
        var options = BenchOptions()
        let matrix = document.matrix
        options.mode = try (matrix?.mode ?? document.mode).map { text in
            guard let mode = BenchMode(rawValue: text) else { throw SluiceError.invalid("\(origin): mode '\(text)' is not memory or file") }
            return mode
        }
        options.codecs = matrix?.codecs?.values
        options.ciphers = matrix?.ciphers?.values
        options.chunkSizes = matrix?.chunkSizes?.values
        options.workers = matrix?.workers?.values
        options.baselines = matrix?.baselines
        options.runs = document.runs
        options.minTime = document.minTime
        options.warmup = document.warmup
        options.label = document.label ?? document.name
        if let output = document.output {
            options.format = try output.format.map { text in
                guard let format = BenchFormat(rawValue: text) else {
                    throw SluiceError.invalid("\(origin): output format '\(text)' is not one of \(BenchFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return format
            }
            options.output = output.file.map(resolve)
            options.plot = output.plot.map(resolve)
        }
        if let recommend = document.recommend {
            options.recommend = true
            options.goal = try recommend.goal.map { text in
                guard let goal = BenchGoal(rawValue: text) else { throw SluiceError.invalid("\(origin): goal '\(text)' is not speed, ratio or balanced") }
                return goal
            }
            options.minSpeed = recommend.minSpeed
            options.maxSize = recommend.maxSize?.values.first
        }
        // Check the matrix now, so a typo fails before any data is generated.
        do { _ = try options.matrix() } catch let error as SluiceError { throw SluiceError.invalid("\(origin): \(error.message)") }
        return BenchSuite(
            name: document.name, description: document.description, prepare: steps, options: options,
            removePrepared: document.cleanup?.removePrepared ?? true, remove: (document.cleanup?.remove ?? []).map(resolve))
    }

    /// The keys each mapping may have: a misspelt key is an error, not a silently ignored setting.
    private static let allowedKeys: [String: Set<String>] = [
        "": ["name", "description", "label", "mode", "prepare", "matrix", "runs", "min-time", "warmup", "output", "recommend", "cleanup"],
        "prepare": ["generate", "seed", "file", "path", "join"],
        "matrix": ["mode", "codecs", "ciphers", "chunk-sizes", "workers", "baselines"],
        "output": ["format", "file", "plot"],
        "recommend": ["goal", "min-speed", "max-size"],
        "cleanup": ["remove-prepared", "remove"],
    ]

    private static func checkKeys(_ node: Node?, origin: String) throws {
        guard let root = node?.mapping else { return }
        func check(_ mapping: Node.Mapping, section: String) throws {
            for (key, value) in mapping {
                guard let name = key.string else { continue }
                guard allowedKeys[section]!.contains(name) else {
                    let allowed = allowedKeys[section]!.sorted().joined(separator: ", ")
                    throw SluiceError.invalid("\(origin): unknown key '\(name)'\(section.isEmpty ? "" : " in \(section)") (expected one of \(allowed))")
                }
                if section.isEmpty, allowedKeys[name] != nil {
                    if let mapping = value.mapping { try check(mapping, section: name) }
                    for item in value.sequence ?? [] { if let mapping = item.mapping { try check(mapping, section: name) } }
                }
            }
        }
        try check(root, section: "")
    }

    private static func pathText(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// Runs `prepare`: writes the generated files it names, and returns the inputs in order.
    ///
    /// - Throws: ``SluiceError/Code/io`` when a file cannot be written.
    public func prepareInputs() throws -> [BenchInput] {
        try prepare.map { step in
            switch step {
            case .generate(let data, nil):
                return .generated(data)
            case .generate(let data, let file?):
                let url = URL(fileURLWithPath: file)
                do {
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try Data(data.generate()).write(to: url)
                } catch {
                    throw SluiceError(.io, "cannot write \(file) for the suite")
                }
                return .file(file)
            case .path(let path, let join):
                return try BenchInput.path(path, join: join)
            }
        }
    }

    /// Runs `cleanup`: removes what `prepare` wrote (when `removePrepared`) and the `remove` paths.
    public func cleanUp() {
        var paths = remove
        if removePrepared {
            for case .generate(_, let file?) in prepare { paths.append(file) }
        }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }

    // MARK: The YAML shape

    /// A list given either as a YAML sequence or as one string (`codecs: zstd:1,3 lz4`).
    struct Values: Decodable, Sendable {
        var values: [String]

        init(from decoder: any Decoder) throws {
            if var list = try? decoder.unkeyedContainer() {
                var values: [String] = []
                while !list.isAtEnd {
                    if let text = try? list.decode(String.self) { values.append(text) }
                    else if let number = try? list.decode(Int.self) { values.append(String(number)) }
                    else { throw SluiceError.invalid("list items must be strings or numbers") }
                }
                self.values = values
            } else {
                let single = try decoder.singleValueContainer()
                if let text = try? single.decode(String.self) { values = [text] }
                else { values = [String(try single.decode(Int.self))] }
            }
        }
    }

    struct Document: Decodable {
        struct Prepare: Decodable {
            var generate: String?
            var seed: UInt64?
            var file: String?
            var path: String?
            var join: Bool?
        }

        struct Matrix: Decodable {
            var mode: String?
            var codecs: Values?
            var ciphers: Values?
            var chunkSizes: Values?
            var workers: Values?
            var baselines: Bool?

            enum CodingKeys: String, CodingKey {
                case mode, codecs, ciphers, workers, baselines
                case chunkSizes = "chunk-sizes"
            }
        }

        struct Output: Decodable {
            var format: String?
            var file: String?
            var plot: String?
        }

        struct Recommend: Decodable {
            var goal: String?
            var minSpeed: Double?
            var maxSize: Values?

            enum CodingKeys: String, CodingKey {
                case goal
                case minSpeed = "min-speed"
                case maxSize = "max-size"
            }
        }

        struct Cleanup: Decodable {
            var removePrepared: Bool?
            var remove: [String]?

            enum CodingKeys: String, CodingKey {
                case remove
                case removePrepared = "remove-prepared"
            }
        }

        var name: String?
        var description: String?
        var label: String?
        var mode: String?
        var prepare: [Prepare]?
        var matrix: Matrix?
        var runs: Int?
        var minTime: Double?
        var warmup: Int?
        var output: Output?
        var recommend: Recommend?
        var cleanup: Cleanup?

        enum CodingKeys: String, CodingKey {
            case name, description, label, mode, prepare, matrix, runs, warmup, output, recommend, cleanup
            case minTime = "min-time"
        }
    }
}
