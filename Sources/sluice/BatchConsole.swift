#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Sluice
import Synchronization
import SystemPackage

/// Everything a batch prints: one line per failure, skip lines and per-file lines with `-v`, a
/// progress bar on a terminal, or JSON lines (progress every few seconds, failures, the summary).
///
/// `@unchecked Sendable`: the progress bar is touched only with `lock` held (a pthread mutex, which
/// ThreadSanitizer sees; `Synchronization.Mutex` locks with futex calls it cannot, so every line drawn from
/// two I/O threads was reported as a race).
final class BatchConsole: @unchecked Sendable {
    private let format: LogFormat
    private let verbose: Bool
    private let quiet: Bool
    private let packing: Bool
    private let showsBar: Bool
    private let interval: Double
    /// The progress line, drawn and erased only under this lock.
    private let lock = NSLock()
    private let bar = ProgressBar()
    private let stopped = Atomic<Bool>(false)
    private let progress: BatchProgress

    init(format: LogFormat, verbose: Bool, quiet: Bool, packing: Bool, interval: Double?, progress: BatchProgress) {
        self.format = format
        self.verbose = verbose
        self.quiet = quiet
        self.packing = packing
        self.progress = progress
        showsBar = format == .text && !quiet && Terminal.standardErrorIsTerminal
        self.interval = interval ?? (format == .json ? 2 : 0.2)
    }

    /// Starts the thread that draws the bar or emits progress records.
    func start() {
        guard showsBar || format == .json else { return }
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: interval)
                if stopped.load(ordering: .relaxed) { break }
                tick()
            }
        }
        thread.name = "sluice-progress"
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        withBar { $0.finish() }
    }

    private func tick() {
        let snapshot = progress.snapshot
        // Checked under the lock that stop() also takes, so no progress record follows the summary.
        withBar { bar in
            guard !stopped.load(ordering: .relaxed) else { return }
            if format == .json {
                Self.writeRecord(["type": "progress"].merging(Self.counters(snapshot)) { $1 })
            } else {
                bar.draw(fraction: min(1, Double(snapshot.filesDone) / Double(max(snapshot.filesFound, 1))), fields: Self.fields(snapshot))
            }
        }
    }

    /// Prints one event as it happens.
    func handle(_ event: BatchEvent) {
        switch event {
        case .failed(let path, let error):
            if format == .json {
                emit(["type": "failure", "path": path.string, "code": error.code.rawValue, "message": error.description])
            } else {
                line("sluice: error: \(Self.display(path)): \(error.description)")
            }
        case .warning(let path, let message):
            if format == .json {
                emit(["type": "warning", "path": path.string, "message": message])
            } else {
                line("sluice: warning: \(message)")
            }
        case .skipped(let path, let reason):
            guard verbose else { return }
            if format == .json {
                emit(["type": "skip", "path": path.string, "reason": reason.rawValue])
            } else {
                line("sluice: skipped \(Self.display(path)) (\(reason.rawValue))")
            }
        case .processed(let source, let output, let bytesIn, let bytesOut):
            if format == .json {
                emit(["type": "file", "path": source.string, "output": output.string, "bytes_in": bytesIn, "bytes_out": bytesOut])
            } else {
                line("\(Self.display(source)) → \(Self.display(output)) (\(ByteCount(bytes: bytesIn)) → \(ByteCount(bytes: bytesOut)))")
            }
        case .planned(let source, let output, let replacing):
            let action = (packing ? "pack" : "unpack") + (replacing ? " (replace)" : "")
            if format == .json {
                emit(["type": "plan", "path": source.string, "output": output.string, "action": action])
            } else {
                line("would \(action) \(Self.display(source)) → \(Self.display(output))")
            }
        }
    }

    /// The closing summary.
    func summarize(_ report: BatchReport) {
        if format == .json {
            var record: [String: Any] = [
                "type": "summary", "files_ok": report.filesOK, "files_skipped": report.filesSkipped,
                "files_failed": report.filesFailed, "bytes_in": report.bytesIn, "bytes_out": report.bytesOut,
                "ratio": Self.rounded(report.ratio, 3), "seconds": Self.rounded(report.seconds, 3),
                "sync_seconds": Self.rounded(Self.seconds(report.syncTime), 3),
                "files_per_second": Self.rounded(report.filesPerSecond, 1), "mb_per_second": Self.rounded(report.megabytesPerSecond, 1),
                "skipped": Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.key.rawValue, $0.value) }),
                "dry_run": report.dryRun, "stopped_early": report.stoppedEarly,
            ]
            record["operation"] = packing ? "pack" : "unpack"
            emit(record)
            return
        }
        guard !quiet || report.filesFailed > 0 else { return }
        var skipped = "\(report.filesSkipped) skipped"
        if !report.skipped.isEmpty {
            let parts = report.skipped.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
            skipped += " (\(parts.joined(separator: ", ")))"
        }
        let verb = report.dryRun ? (packing ? "would pack" : "would unpack") : (packing ? "packed" : "unpacked")
        var text = "sluice: \(verb) \(counted(report.filesOK, "file")), \(skipped), \(report.filesFailed) failed"
        if !report.dryRun {
            text += " · \(ByteCount(bytes: report.bytesIn)) → \(ByteCount(bytes: report.bytesOut)), ratio \(String(format: "%.3f", report.ratio))"
            let speed = Throughput(bytes: UInt64(max(0, report.bytesIn)), seconds: report.seconds).text.map { ", \($0)" } ?? ""
            if report.seconds >= Throughput.shortest {
                text += " · \(Throughput.format(report.filesPerSecond, unit: "files/s"))\(speed)"
            }
            text += " · \(String(format: "%.2f", report.seconds)) s (sync \(String(format: "%.2f", Self.seconds(report.syncTime))) s)"
        }
        if report.stoppedEarly { text += " · stopped at the first failure (--fail-fast)" }
        line(text)
    }

    /// The progress line's fields, the most useful first (the last ones go first on a narrow terminal).
    static func fields(_ s: BatchProgress.Snapshot) -> [String] {
        let rate = Throughput(bytes: UInt64(max(0, s.bytesIn)), seconds: s.seconds)
        let filesRate = s.seconds > 0 ? Double(s.filesDone) / s.seconds : 0
        var fields = ["\(s.filesDone)/\(s.filesFound)\(s.walkFinished ? "" : "+") \(s.filesFound == 1 && s.walkFinished ? "file" : "files")" + (s.filesFailed > 0 ? " (\(s.filesFailed) failed)" : ""),
                      "\(ByteCount(bytes: s.bytesIn))"]
        if s.seconds >= Throughput.shortest { fields.append(Throughput.format(filesRate, unit: "files/s") + (rate.text.map { ", " + $0 } ?? "")) }
        if s.walkFinished, filesRate > 0 {
            let total = max(s.filesFound, 1)
            let remaining = max(0, s.bytesFound - s.bytesIn)
            let perSecond = rate.bytesPerSecond ?? 0
            let seconds = perSecond > 0 && remaining > 0 ? Double(remaining) / perSecond : Double(total - s.filesDone) / filesRate
            fields.append(String(format: "ETA %d:%02d", Int(seconds) / 60, Int(seconds) % 60))
        }
        return fields
    }

    private static func counters(_ s: BatchProgress.Snapshot) -> [String: Any] {
        [
            "files_found": s.filesFound, "bytes_found": s.bytesFound, "files_ok": s.filesOK,
            "files_skipped": s.filesSkipped, "files_failed": s.filesFailed, "bytes_in": s.bytesIn,
            "bytes_out": s.bytesOut, "walk_finished": s.walkFinished, "seconds": rounded(s.seconds, 3),
            "files_per_second": rounded(s.seconds > 0 ? Double(s.filesDone) / s.seconds : 0, 1),
            "mb_per_second": rounded(s.seconds > 0 ? Double(s.bytesIn) / s.seconds / 1e6 : 0, 1),
        ]
    }

    private static func rounded(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A path for a terminal: control characters (a newline in a name) shown escaped.
    static func display(_ path: FilePath) -> String {
        String(path.string.unicodeScalars.flatMap { scalar -> [Character] in
            scalar.value < 0x20 || scalar.value == 0x7F ? Array(scalar.escaped(asASCII: true)) : [Character(scalar)]
        })
    }

    /// Runs `body` with the lock held.
    private func withBar<Result>(_ body: (ProgressBar) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(bar)
    }

    private func line(_ text: String) {
        withBar { bar in
            bar.finish()
            writeError(text + "\n")
        }
    }

    private func emit(_ record: [String: Any]) {
        withBar { _ in Self.writeRecord(record) }
    }

    /// One JSON line on stdout; the caller holds the lock. A reader that went away ends the run when it
    /// returns (``Terminal/outputLine(_:)``).
    private static func writeRecord(_ record: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        Terminal.outputLine(String(decoding: data, as: UTF8.self))
    }

    private func writeError(_ text: String) { Terminal.emit(text) }
}
