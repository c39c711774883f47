import Sluice
/// `--format csv`: one line per result, every number in plain units (bytes, seconds, MB/s), for
/// spreadsheets and scripts. The header line names the columns; ``columns`` is the schema.
enum BenchCSV {
    /// The columns, in order.
    static let columns = [
        "label", "mode", "dataset", "input_bytes", "kind", "name", "codec", "level", "cipher", "chunk_size", "workers",
        "chunks", "output_bytes", "ratio",
        "compress_runs", "compress_mbps_median", "compress_mbps_min", "compress_mbps_max",
        "compress_wall_s_median", "compress_cpu_s_median",
        "decompress_runs", "decompress_mbps_median", "decompress_mbps_min", "decompress_mbps_max",
        "decompress_wall_s_median", "decompress_cpu_s_median",
        "peak_memory_bytes", "verified", "cpu", "build",
    ]

    static func render(_ report: BenchReport) -> String {
        var lines = [columns.joined(separator: ",")]
        for (run, r) in report.rows {
            func timing(_ t: BenchTiming?) -> [String] {
                guard let t else { return ["", "", "", "", "", ""] }
                return ["\(t.runs)", number(t.speed.median), number(t.speed.min), number(t.speed.max),
                        number(t.wallSeconds.median), number(t.cpuSeconds.median)]
            }
            let fields: [String] = [
                run.label ?? "", run.mode.rawValue, r.dataset, "\(r.inputBytes)", r.kind.rawValue, r.name, r.codec ?? "",
                r.level.map(String.init) ?? "", r.cipher ?? "", "\(r.chunkSize)", "\(r.workers)", "\(r.chunks)",
                "\(r.outputBytes)", number(r.ratio),
            ] + timing(r.compress) + timing(r.decompress) + [
                r.peakMemoryBytes.map(String.init) ?? "", r.verified ? "true" : "false", run.environment.cpu,
                run.environment.build,
            ]
            lines.append(fields.map(escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Full precision, no exponent for the values benchmarks produce.
    static func number(_ value: Double) -> String {
        BenchFormatting.fixed(value, digits: value >= 1000 ? 1 : 6).trimmingZeros()
    }

    /// RFC 4180: quote fields with commas, quotes or line breaks; double the quotes inside.
    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }

    /// Splits CSV text into records of fields (RFC 4180, quoted fields may hold commas, quotes and
    /// newlines). Used to read our own output back.
    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field)
                field = ""
            } else if c == "\n" || c == "\r\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}

extension String {
    /// `2.500000` → `2.5`, `3.000000` → `3`.
    func trimmingZeros() -> String {
        guard contains(".") else { return self }
        var text = self
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
