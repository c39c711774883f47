/// A number of bytes, written and parsed the way people write sizes: `4M`, `64KiB`, `1.5G`, `512`.
///
/// Suffixes are binary (K = KiB = 1024) as in `zstd` and `dd`; a trailing `B`/`iB` is accepted.
///
///     ByteCount(parsing: "4M")      // 4_194_304 bytes
///     ByteCount.mebibytes(4).bytes  // 4_194_304
public struct ByteCount: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The count in bytes.
    public var bytes: Int

    /// A count of `bytes` bytes.
    public init(bytes: Int) { self.bytes = bytes }

    /// `count` bytes.
    public static func bytes(_ count: Int) -> ByteCount { ByteCount(bytes: count) }
    /// `count` KiB (1024 bytes each).
    public static func kibibytes(_ count: Int) -> ByteCount { ByteCount(bytes: count << 10) }
    /// `count` MiB (2²⁰ bytes each).
    public static func mebibytes(_ count: Int) -> ByteCount { ByteCount(bytes: count << 20) }
    /// `count` GiB (2³⁰ bytes each).
    public static func gibibytes(_ count: Int) -> ByteCount { ByteCount(bytes: count << 30) }

    /// Parses `"4M"`, `"64KiB"`, `"1.5g"`, `"512"`, `"2TB"`; `nil` for anything else, for negative
    /// numbers and for values that overflow `Int`.
    public init?(parsing text: String) {
        var body = Substring(text.trimmingWhitespace().lowercased())
        if body.hasSuffix("ib") { body = body.dropLast(2) } else if body.hasSuffix("b") { body = body.dropLast() }
        var shift = 0
        if let last = body.last, let power = "kmgtp".firstIndex(of: last) {
            shift = 10 * ("kmgtp".distance(from: "kmgtp".startIndex, to: power) + 1)
            body = body.dropLast()
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              body.filter({ $0 == "." }).count <= 1, let value = Double(body), value.isFinite, value >= 0
        else { return nil }
        let scaled = value * Double(1 << shift)
        guard scaled < 9.2e18 else { return nil }
        bytes = Int(scaled.rounded())
        if shift == 0, body.contains(".") { return nil }
    }

    /// Orders counts by their size in bytes.
    public static func < (lhs: ByteCount, rhs: ByteCount) -> Bool { lhs.bytes < rhs.bytes }

    /// `4 MiB`, `1.5 GiB`, `812 B`: the largest unit that keeps the number at or above 1.
    public var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        if unit == 0 { return "\(bytes) B" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }
}

extension String {
    package func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
