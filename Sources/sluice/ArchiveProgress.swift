#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// `pack --archive --log-format json`: a progress record on stdout every few seconds while the archive
/// is written (`{"event":"progress","stream":BYTES,"seconds":S}`: the tar stream's bytes packed so far),
/// as a batch's JSON log has; none after ``stop()``, so the summary is the last line.
///
/// `@unchecked Sendable`: `running` is touched only with `lock` held (a pthread mutex ThreadSanitizer sees).
final class ArchiveProgressRecords: @unchecked Sendable {
    private let interval: Double
    private let start = ContinuousClock.now
    private let packed = Atomic<UInt64>(0)
    /// Whether records may still be printed; a record is printed and this cleared under the lock.
    private var running = true
    private let lock = NSLock()

    init(interval: Double) { self.interval = interval }

    /// Starts the thread that prints the records.
    func begin() {
        let thread = Thread { [self] in
            repeat { Thread.sleep(forTimeInterval: interval) } while printRecord()
        }
        thread.name = "sluice-progress"
        thread.start()
    }

    /// Prints one record unless stopped, under the lock ``stop()`` takes; whether it did.
    private func printRecord() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard running else { return false }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Written at once (not through print's buffer), so a reader of the log sees it now.
        var line = #"{"event":"progress","stream":\#(packed.load(ordering: .relaxed)),"seconds":\#(String(format: "%.1f", seconds))}"# + "\n"
        line.withUTF8 { bytes in _ = write(1, bytes.baseAddress, bytes.count) }
        return true
    }

    /// The tar stream's bytes packed so far.
    func update(_ bytes: UInt64) { packed.store(bytes, ordering: .relaxed) }

    func stop() {
        lock.lock()
        defer { lock.unlock() }
        running = false
    }
}
