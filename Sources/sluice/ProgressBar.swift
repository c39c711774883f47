import Foundation
import Sluice
import SystemPackage

/// The one progress line on stderr, for a single file and for a directory: a gauge and a few fields,
/// cut to the terminal's width (read again after a resize, see ``TerminalSize``) so it never wraps,
/// and erased at the end so the summary line stands alone.
///
/// Not thread-safe: a single file's bar is updated from the progress callback, a batch's under
/// ``BatchConsole``'s lock.
final class ProgressBar {
    private let total: UInt64?
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    /// Columns of the line on screen (0: nothing drawn).
    private var shown = 0
    /// The ``TerminalSize/generation`` the line on screen was drawn for.
    private var drawnGeneration = TerminalSize.generation

    /// A bar for a single file of `total` bytes (`nil`: unknown, a stream).
    init(total: UInt64?) { self.total = total }

    /// A bar drawn by its owner with ``draw(fraction:fields:)`` (a batch).
    convenience init() { self.init(total: nil) }

    /// The bar's total for an input path: the size of a regular file, `nil` (no percentage) for
    /// anything else.
    /// One `stat` (not `FileManager`'s attributes, which look the owner up in /etc/passwd and /etc/group
    /// for every input of `sluice pack f1 … f1000`).
    static func total(of path: FilePath) -> UInt64? {
        var status = stat()
        guard stat(path.string, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(status.st_size)
    }

    /// Called with the bytes done so far; redraws at most ten times a second, and at once after a resize.
    func update(_ done: UInt64) {
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(100) || drawnGeneration != TerminalSize.generation else { return }
        lastDraw = now
        let seconds = Self.seconds(now - start)
        let rate = Throughput(bytes: done, seconds: seconds)
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            var fields = [String(format: "%3.0f%%", fraction * 100), "\(ByteCount(bytes: Int(done))) / \(ByteCount(bytes: Int(total)))"]
            if let speed = rate.text {
                fields.append(speed)
                if let perSecond = rate.bytesPerSecond, perSecond > 0 {
                    fields.append(String(format: "ETA %.0fs", Double(total - min(done, total)) / perSecond))
                }
            }
            draw(fraction: fraction, fields: fields)
        } else {
            draw(fraction: nil, fields: ["\(ByteCount(bytes: Int(done)))"] + (rate.text.map { [$0] } ?? []))
        }
    }

    /// Draws the gauge (when `fraction` is given) and as many of `fields` as fit, in order: the last
    /// ones are the first left out on a narrow terminal.
    func draw(fraction: Double?, fields: [String]) {
        let columns = TerminalSize.columns
        let line = Self.line(fraction: fraction, fields: fields, columns: columns)
        var prefix = "\r\u{1B}[K"
        if drawnGeneration != TerminalSize.generation {
            // A terminal that reflows puts a line wider than the new width on several rows: go up to its
            // first one and clear to the end of the screen.
            let rows = shown == 0 ? 1 : (shown + columns - 1) / columns
            prefix = (rows > 1 ? "\u{1B}[\(rows - 1)A" : "") + "\r\u{1B}[J"
            drawnGeneration = TerminalSize.generation
        }
        Terminal.emit(prefix + line)
        shown = line.unicodeScalars.count
    }

    /// Erases the line, if one is drawn.
    func finish() {
        if shown > 0 { Terminal.emit("\r\u{1B}[K") }
        shown = 0
    }

    /// Whether a line is on screen.
    var isDrawn: Bool { shown > 0 }

    /// The line for a terminal `columns` wide: at most `columns - 1` characters (a line that fills the
    /// last column wraps on some terminals). The gauge takes what the fields leave, 10 to 30 cells; it
    /// goes before the fields do.
    static func line(fraction: Double?, fields: [String], columns: Int) -> String {
        let limit = max(1, columns - 1)
        var kept = fields
        func gauge(_ cells: Int) -> String {
            guard let fraction, cells > 0 else { return "" }
            let filled = Int(min(1, max(0, fraction)) * Double(cells))
            return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: cells - filled) + "] "
        }
        while true {
            let text = kept.joined(separator: "  ")
            let room = limit - text.unicodeScalars.count - 3
            if fraction == nil, room >= -3 { return text }
            if fraction != nil, room >= 10 { return gauge(min(30, room)) + text }
            if kept.count > 1 { kept.removeLast(); continue }
            // One field left, without a gauge, cut to fit.
            return String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
