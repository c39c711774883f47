/// A speed as people read it: "512 MB/s", "3.4 MB/s", "850 kB/s"; none at all when the run was too
/// small to measure (a tiny file packs in a millisecond or two, mostly start-up, and "0 MB/s" or
/// "331 B/s" says nothing true about the speed).
struct Throughput {
    /// Bytes per second, or `nil` when the run was under ``shortest`` or ``smallest``.
    let bytesPerSecond: Double?

    /// Below these, a run's time is mostly start-up, key derivation and clock granularity.
    static let shortest = 0.005
    static let smallest: UInt64 = 1 << 20

    init(bytes: UInt64, seconds: Double) {
        bytesPerSecond = seconds >= Self.shortest && bytes >= Self.smallest ? Double(bytes) / seconds : nil
    }

    /// The speed in decimal units with two or three significant digits, or `nil` when unmeasured.
    var text: String? {
        guard let rate = bytesPerSecond else { return nil }
        return Self.format(rate, unit: "B/s")
    }

    /// `value` with a decimal prefix (k, M, G): "512 MB/s", "3.4 MB/s", "850 kB/s", "12 B/s".
    static func format(_ value: Double, unit: String) -> String {
        let prefixes: [(Double, String)] = [(1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, prefix) in prefixes where value >= scale {
            return number(value / scale) + " \(prefix)\(unit)"
        }
        return number(value) + " \(unit)"
    }

    /// Three significant digits up to 100, none after the point above.
    private static func number(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }
}
