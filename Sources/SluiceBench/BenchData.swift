import Sluice
/// The kinds of data `sluice bench --generate` makes, from best to worst case for a compressor.
public enum BenchDataKind: String, CaseIterable, Sendable, Codable {
    /// All zero bytes: the best case, and a check that nothing is slow on trivial input.
    case zeros
    /// Uniformly random bytes: incompressible, like media or already-compressed files.
    case random
    /// Text that reads like real prose, logs, CSV and JSON (words with a skewed frequency, numbers,
    /// timestamps, punctuation), so ratios land where real text lands.
    case text
    /// Structured binary: machine-code-like instruction streams, offset tables, records with
    /// counters and timestamps, and noisy float samples.
    case binary
    /// Segments of 64 KiB–1 MiB of the other kinds, shuffled: text 45%, binary 35%, random 15%,
    /// zeros 5% — the shape of a home directory or a tarball of a system.
    case mixed
}

/// A recipe for generated data: `mixed:64M` with a seed. The same recipe gives the same bytes on
/// every machine.
///
///     let spec = try GeneratedData(parsing: "text:1M", seed: 7)
///     let bytes = spec.generate()   // 1_048_576 bytes, identical on every run
public struct GeneratedData: Hashable, Sendable, CustomStringConvertible {
    /// What kind of bytes.
    public var kind: BenchDataKind
    /// Exactly this many bytes are made.
    public var size: ByteCount
    /// The same seed gives the same bytes.
    public var seed: UInt64

    /// A recipe for `size` bytes of `kind`.
    public init(kind: BenchDataKind, size: ByteCount, seed: UInt64 = 1) {
        self.kind = kind
        self.size = size
        self.seed = seed
    }

    /// Parses `KIND:SIZE`, e.g. `text:16M`.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` for an unknown kind or a size that is not a
    ///   positive size.
    public init(parsing text: String, seed: UInt64 = 1) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let kinds = BenchDataKind.allCases.map(\.rawValue).joined(separator: ", ")
        guard parts.count == 2 else {
            throw SluiceError.invalid("--generate '\(text)': expected KIND:SIZE, e.g. mixed:64M (kinds: \(kinds))")
        }
        guard let kind = BenchDataKind(rawValue: parts[0].lowercased()) else {
            throw SluiceError.invalid("--generate '\(text)': unknown kind '\(parts[0])' (kinds: \(kinds))")
        }
        guard let size = ByteCount(parsing: String(parts[1])), size.bytes > 0, size.bytes <= 1 << 40 else {
            throw SluiceError.invalid("--generate '\(text)': '\(parts[1])' is not a size between 1 byte and 1 TiB")
        }
        self.init(kind: kind, size: size, seed: seed)
    }

    /// `mixed:64M`.
    public var description: String {
        let b = size.bytes
        let compact: String = if b % (1 << 30) == 0 { "\(b >> 30)G" } else if b % (1 << 20) == 0 { "\(b >> 20)M" }
            else if b % (1 << 10) == 0 { "\(b >> 10)K" } else { "\(b)" }
        return "\(kind.rawValue):\(compact)"
    }

    /// Makes the bytes.
    public func generate() -> [UInt8] {
        var random = BenchRandom(seed: seed ^ (UInt64(kind.hashSalt) << 56))
        var out: [UInt8] = []
        out.reserveCapacity(size.bytes + 4096)
        DataGenerator.append(kind, count: size.bytes, to: &out, random: &random)
        return out
    }
}

extension BenchDataKind {
    /// Mixed into the seed so that `text` and `binary` with the same seed do not share a stream.
    fileprivate var hashSalt: UInt8 {
        switch self {
        case .zeros: 1
        case .random: 2
        case .text: 3
        case .binary: 4
        case .mixed: 5
        }
    }
}

/// The generators behind ``GeneratedData``. Each appends exactly `count` bytes.
enum DataGenerator {
    static func append(_ kind: BenchDataKind, count: Int, to out: inout [UInt8], random: inout BenchRandom) {
        let end = out.count + count
        switch kind {
        case .zeros: out.append(contentsOf: repeatElement(0, count: count))
        case .random: appendRandom(count, to: &out, random: &random)
        case .text: while out.count < end { appendTextBlock(to: &out, random: &random) }
        case .binary: while out.count < end { appendBinaryBlock(to: &out, random: &random) }
        case .mixed: appendMixed(count, to: &out, random: &random)
        }
        if out.count > end { out.removeLast(out.count - end) }
    }

    private static func appendRandom(_ count: Int, to out: inout [UInt8], random: inout BenchRandom) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        out.withUnsafeMutableBytes { bytes in
            var i = start
            while i + 8 <= bytes.count {
                bytes.storeBytes(of: random.next(), toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < bytes.count {
                bytes[i] = UInt8(truncatingIfNeeded: random.next())
                i += 1
            }
        }
    }

    private static func appendMixed(_ count: Int, to out: inout [UInt8], random: inout BenchRandom) {
        let end = out.count + count
        while out.count < end {
            let segment = min(end - out.count, (64 << 10) + random.below(960 << 10))
            let pick = random.below(100)
            let kind: BenchDataKind = pick < 45 ? .text : pick < 80 ? .binary : pick < 95 ? .random : .zeros
            append(kind, count: segment, to: &out, random: &random)
        }
    }

    // MARK: Text

    private static let words: [[UInt8]] = """
        the of and to in a is that for it as was with be by on not he I this are or his from at which but have an \
        they you were her she there been one all we their has would when if will more no out so said what up its \
        about into than them can only other new some could time these two may then do first any my now such like \
        our over man me even most made after also did many before must through back years where much your way well \
        down should because each just those people how too little state good very make world still own see men work \
        long get here between both life being under never day same another know while last might us great old year \
        off come since against go came right used take three file data server request user system value error \
        process memory buffer chunk stream thread queue network client connection session token cache index table \
        record field column query result status config version update build release test module package function \
        return string number array object service storage volume backup archive compress encrypt signal timeout retry \
        latency throughput average minimum maximum total count length offset header footer payload frame checksum
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Array($0.utf8) }

    private static let levels: [[UInt8]] = ["INFO ", "INFO ", "INFO ", "DEBUG", "WARN ", "ERROR"].map { Array($0.utf8) }
    private static let paths: [[UInt8]] = [
        "/api/v1/users", "/api/v1/orders", "/api/v2/search", "/static/app.js", "/static/style.css", "/login",
        "/api/v1/items", "/health", "/metrics", "/api/v1/upload",
    ].map { Array($0.utf8) }
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let methods: [[UInt8]] = ["GET", "GET", "GET", "POST", "PUT", "DELETE"].map { Array($0.utf8) }

    private static func appendTextBlock(to out: inout [UInt8], random: inout BenchRandom) {
        switch random.below(10) {
        case 0..<4: appendProse(to: &out, random: &random)
        case 4..<8: appendLogLines(to: &out, random: &random)
        case 8: appendCSV(to: &out, random: &random)
        default: appendJSON(to: &out, random: &random)
        }
    }

    private static func appendWord(_ out: inout [UInt8], _ random: inout BenchRandom, capitalized: Bool = false) {
        let word = words[random.skewed(below: words.count)]
        if capitalized, let first = word.first, first >= 97, first <= 122 {
            out.append(first - 32)
            out.append(contentsOf: word.dropFirst())
        } else {
            out.append(contentsOf: word)
        }
    }

    private static func appendNumber(_ value: Int, to out: inout [UInt8], width: Int = 0) {
        var digits: [UInt8] = []
        var v = value
        repeat {
            digits.append(UInt8(48 + v % 10))
            v /= 10
        } while v > 0
        if digits.count < width { digits.append(contentsOf: repeatElement(48, count: width - digits.count)) }
        out.append(contentsOf: digits.reversed())
    }

    private static func appendString(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func appendProse(to out: inout [UInt8], random: inout BenchRandom) {
        for _ in 0..<(2 + random.below(6)) {  // sentences
            let length = 4 + random.below(18)
            for i in 0..<length {
                if i > 0 { out.append(32) }
                if random.below(40) == 0 {
                    appendNumber(random.skewed(below: 5000), to: &out)
                } else {
                    appendWord(&out, &random, capitalized: i == 0)
                }
                if i < length - 1, random.below(9) == 0 { out.append(44) }  // ,
            }
            out.append([46, 46, 46, 33, 63, 46, 46, 59][random.below(8)])  // . ! ? ;
            out.append(32)
        }
        out.append(10)
        out.append(10)
    }

    private static func appendLogLines(to out: inout [UInt8], random: inout BenchRandom) {
        var seconds = 3600 * 6 + random.below(3600 * 12)
        let day = 10 + random.below(18)
        for _ in 0..<(5 + random.below(40)) {
            seconds += random.below(3)
            appendString("2026-11-", to: &out)
            appendNumber(day, to: &out)
            out.append(84)  // T
            appendNumber(seconds / 3600 % 24, to: &out, width: 2)
            out.append(58)
            appendNumber(seconds / 60 % 60, to: &out, width: 2)
            out.append(58)
            appendNumber(seconds % 60, to: &out, width: 2)
            out.append(46)
            appendNumber(random.below(1000), to: &out, width: 3)
            appendString("Z ", to: &out)
            out.append(contentsOf: levels[random.below(levels.count)])
            appendString(" [worker-", to: &out)
            appendNumber(random.below(16), to: &out)
            appendString("] ", to: &out)
            if random.below(3) == 0 {
                for i in 0..<(3 + random.below(8)) {
                    if i > 0 { out.append(32) }
                    appendWord(&out, &random)
                }
            } else {
                out.append(contentsOf: methods[random.below(methods.count)])
                out.append(32)
                out.append(contentsOf: paths[random.skewed(below: paths.count)])
                if random.below(2) == 0 {
                    out.append(47)
                    appendNumber(random.skewed(below: 100_000), to: &out)
                }
                appendString(" status=", to: &out)
                appendNumber([200, 200, 200, 200, 304, 201, 404, 500][random.below(8)], to: &out)
                appendString(" bytes=", to: &out)
                appendNumber(random.skewed(below: 200_000), to: &out)
                appendString(" took=", to: &out)
                appendNumber(random.skewed(below: 900), to: &out)
                out.append(46)
                appendNumber(random.below(10), to: &out)
                appendString("ms id=", to: &out)
                for _ in 0..<8 { out.append(hexDigits[random.below(16)]) }
            }
            out.append(10)
        }
    }

    private static func appendCSV(to out: inout [UInt8], random: inout BenchRandom) {
        appendString("id,name,city,amount,quantity,active\n", to: &out)
        var id = random.below(1_000_000)
        for _ in 0..<(10 + random.below(50)) {
            id += 1 + random.below(5)
            appendNumber(id, to: &out)
            out.append(44)
            appendWord(&out, &random, capitalized: true)
            out.append(32)
            appendWord(&out, &random, capitalized: true)
            out.append(44)
            appendWord(&out, &random, capitalized: true)
            out.append(44)
            appendNumber(random.skewed(below: 10_000), to: &out)
            out.append(46)
            appendNumber(random.below(100), to: &out, width: 2)
            out.append(44)
            appendNumber(1 + random.skewed(below: 50), to: &out)
            out.append(44)
            if random.below(4) == 0 { appendString("false", to: &out) } else { appendString("true", to: &out) }
            out.append(10)
        }
    }

    private static func appendJSON(to out: inout [UInt8], random: inout BenchRandom) {
        for _ in 0..<(3 + random.below(12)) {
            appendString("{\"event\":\"", to: &out)
            appendWord(&out, &random)
            appendString("\",\"user\":", to: &out)
            appendNumber(random.skewed(below: 50_000), to: &out)
            appendString(",\"tags\":[\"", to: &out)
            appendWord(&out, &random)
            appendString("\",\"", to: &out)
            appendWord(&out, &random)
            appendString("\"],\"score\":", to: &out)
            appendNumber(random.below(100), to: &out)
            out.append(46)
            appendNumber(random.below(1000), to: &out, width: 3)
            appendString(",\"message\":\"", to: &out)
            for i in 0..<(2 + random.below(7)) {
                if i > 0 { out.append(32) }
                appendWord(&out, &random)
            }
            appendString("\"}\n", to: &out)
        }
    }

    // MARK: Binary

    private static func appendBinaryBlock(to out: inout [UInt8], random: inout BenchRandom) {
        switch random.below(4) {
        case 0, 1: appendCode(to: &out, random: &random)
        case 2: appendRecords(to: &out, random: &random)
        default: appendSamples(to: &out, random: &random)
        }
    }

    /// Instruction-stream-like bytes: a small alphabet of opcodes, register bytes, and immediates
    /// that are mostly small, with jump targets near each other.
    private static func appendCode(to out: inout [UInt8], random: inout BenchRandom) {
        let opcodes: [[UInt8]] = [
            [0x48, 0x89], [0x48, 0x8B], [0x89], [0x8B], [0xE8], [0x48, 0x83, 0xC4], [0x0F, 0x84], [0x74], [0x75],
            [0xC3], [0x55], [0x5D], [0x31, 0xC0], [0x48, 0x8D], [0xFF, 0x15], [0x90],
        ]
        var target = random.below(1 << 20)
        for _ in 0..<(256 + random.below(2048)) {
            let op = opcodes[random.skewed(below: opcodes.count)]
            out.append(contentsOf: op)
            switch op.last! {
            case 0x89, 0x8B, 0x8D: out.append(UInt8(0xC0 | random.below(64)))
            case 0xE8, 0x15, 0x84:
                target += random.below(512) - 256
                withUnsafeBytes(of: Int32(truncatingIfNeeded: target).littleEndian) { out.append(contentsOf: $0) }
            case 0xC4, 0x74, 0x75: out.append(UInt8(random.skewed(below: 128)) & 0xF8)
            default: break
            }
        }
    }

    /// Fixed-size records: an increasing id, a small type, an increasing timestamp, a value.
    private static func appendRecords(to out: inout [UInt8], random: inout BenchRandom) {
        var id = UInt32(random.below(1 << 24))
        var time = UInt64(1_790_000_000_000) + UInt64(random.below(1 << 30))
        for _ in 0..<(128 + random.below(1024)) {
            id += 1
            time += UInt64(random.skewed(below: 5000))
            withUnsafeBytes(of: id.littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt16(random.skewed(below: 12)).littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt16(0)) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: time.littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: Int32(random.skewed(below: 100_000) - 20_000).littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(random.below(4) == 0 ? random.below(1 << 16) : 0).littleEndian) { out.append(contentsOf: $0) }
        }
    }

    /// 32-bit float samples of a noisy random walk: the low mantissa bits are close to incompressible.
    private static func appendSamples(to out: inout [UInt8], random: inout BenchRandom) {
        var value = Float(random.unit() * 100)
        for _ in 0..<(256 + random.below(2048)) {
            value += Float(random.unit() - 0.5)
            let quantized = (value * 64).rounded() / 64  // sensors and codecs quantize
            withUnsafeBytes(of: quantized.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
    }
}
