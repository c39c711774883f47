/// A length of time written the way people write ages: `7d`, `12h`, `30m`, `45s`, `2w`, `1d12h`.
///
/// Units: `s` seconds, `m` minutes, `h` hours, `d` days, `w` weeks; a bare number is seconds.
///
///     TimeSpan(parsing: "1d12h")?.seconds  // 129_600
public struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length in whole seconds.
    public var seconds: Int64

    /// A span of `seconds` seconds.
    public init(seconds: Int64) { self.seconds = seconds }

    /// Parses `"7d"`, `"12h"`, `"1d12h"`, `"90"`; `nil` for anything else, for negative numbers and
    /// for values that overflow.
    public init?(parsing text: String) {
        let body = text.trimmingWhitespace().lowercased()
        guard !body.isEmpty else { return nil }
        var total: Int64 = 0
        var number: Int64?
        for character in body {
            if let digit = character.wholeNumberValue, character.isASCII {
                let (times, overflow1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
                guard !overflow1, !overflow2 else { return nil }
                number = sum
                continue
            }
            guard let value = number else { return nil }
            let unit: Int64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            case "w": unit = 604_800
            default: return nil
            }
            let (scaled, overflow1) = value.multipliedReportingOverflow(by: unit)
            let (sum, overflow2) = total.addingReportingOverflow(scaled)
            guard !overflow1, !overflow2 else { return nil }
            total = sum
            number = nil
        }
        if let number {
            let (sum, overflow) = total.addingReportingOverflow(number)
            guard !overflow else { return nil }
            total = sum
        }
        seconds = total
    }

    /// Orders spans by their length.
    public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }

    /// `1d12h`, `30m`, `0s`: the largest units first.
    public var description: String {
        var rest = seconds
        var text = ""
        for (unit, name) in [(Int64(86400), "d"), (3600, "h"), (60, "m"), (1, "s")] where rest >= unit {
            text += "\(rest / unit)\(name)"
            rest %= unit
        }
        return text.isEmpty ? "0s" : text
    }
}
