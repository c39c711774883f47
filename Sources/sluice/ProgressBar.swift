import Foundation
import Sluice
import SystemPackage

/// A one-line progress bar on stderr: bytes done, percent, speed and ETA, redrawn at most ten times a
/// second and erased at the end so the summary line stands alone.
final class ProgressBar {
    private let total: UInt64?
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var drawn = false

    init(total: UInt64?) { self.total = total }

    /// The bar's total for an input path: the size of a regular file, `nil` (no percentage) for
    /// anything else.
    static func total(of path: FilePath) -> UInt64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path.string),
              attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
        return (attributes[.size] as? NSNumber)?.uint64Value
    }

    func update(_ done: UInt64) {
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        let elapsed = seconds(now - start)
        let speed = elapsed > 0 ? Double(done) / elapsed : 0
        var line = "\(ByteCount(bytes: Int(done)))"
        if let total, total > 0 {
            let fraction = min(1, Double(done) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            let eta = speed > 0 ? Double(total - min(done, total)) / speed : 0
            line = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                + String(format: "%3.0f%% ", fraction * 100) + "\(line) / \(ByteCount(bytes: Int(total)))"
                + String(format: "  %.0f MB/s  ETA %.0fs", speed / 1e6, eta)
        } else {
            line += String(format: "  %.0f MB/s", speed / 1e6)
        }
        Terminal.emit("\r\u{1B}[K" + line)
        drawn = true
    }

    func finish() {
        if drawn { Terminal.emit("\r\u{1B}[K") }
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
