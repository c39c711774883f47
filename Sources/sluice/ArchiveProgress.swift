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
final class ArchiveProgressRecords: Sendable {
    private let interval: Double
    private let start = ContinuousClock.now
    private let packed = Atomic<UInt64>(0)
    /// Whether records may still be printed; a record is printed and this cleared under the lock.
    private let running = Mutex<Bool>(true)

    init(interval: Double) { self.interval = interval }

    /// Starts the thread that prints the records.
    func begin() {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: interval)
                let more = running.withLock { running -> Bool in
                    guard running else { return false }
                    let elapsed = ContinuousClock.now - start
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    // Written at once (not through print's buffer), so a reader of the log sees it now.
                    var line = #"{"event":"progress","stream":\#(packed.load(ordering: .relaxed)),"seconds":\#(String(format: "%.1f", seconds))}"# + "\n"
                    line.withUTF8 { bytes in _ = write(1, bytes.baseAddress, bytes.count) }
                    return true
                }
                if !more { return }
            }
        }
        thread.name = "sluice-progress"
        thread.start()
    }

    /// The tar stream's bytes packed so far.
    func update(_ bytes: UInt64) { packed.store(bytes, ordering: .relaxed) }

    func stop() { running.withLock { $0 = false } }
}
