import Sluice
extension String {
    init(format1 value: Double) { self = BenchFormatting.fixed(value, digits: 1) }
    init(format2 value: Double) { self = BenchFormatting.fixed(value, digits: 2) }
    init(format3 value: Double) { self = BenchFormatting.fixed(value, digits: 3) }

    func trimmingTrailingSpaces() -> String {
        String(reversed().drop(while: { $0 == " " }).reversed())
    }

    func replacingPipes() -> String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
}

/// Fixed-point formatting without Foundation's locale-dependent `String(format:)`.
enum BenchFormatting {
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "—" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled) - whole * Int(scale)
        let sign = value < 0 && scaled > 0 ? "-" : ""
        guard digits > 0 else { return "\(sign)\(whole)" }
        let text = String(fraction)
        return "\(sign)\(whole).\(String(repeating: "0", count: digits - text.count))\(text)"
    }
}
