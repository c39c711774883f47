import Foundation
import SystemPackage

/// Write-back of an output file kept behind the writers, as databases do with `bytes_per_sync`: each
/// time the finished prefix of the file (every byte before it written, whatever order the positional
/// writes completed in) grows by ``step``, write-back of that new stretch is started at once
/// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`); once more than ``dirtyLimit`` of the prefix may still be
/// dirty, the writer that moved it waits for the stretch that is furthest behind to reach the device.
///
/// Without it, a run leaves its whole output dirty in the page cache and the kernel throttles whoever
/// writes next (a later stage, the next run, another process) while it flushes hundreds of MiB at once:
/// the unsteadiness docs/performance.md measures. A run whose input comes from the device keeps only
/// the bound (``startsEarly`` false): early write-back would compete with its reads.
///
/// The calls are made by the I/O threads after their writes, never by the workers, and only hints are
/// given: on a file system or platform without `sync_file_range` the first failure turns it off and
/// the output is the same.
final class WriteBack: Sendable {
    /// Write-back starts each time the finished prefix has grown by this much.
    let step: UInt64
    /// The most of the finished prefix left dirty before a writer waits; `nil`: never wait.
    let dirtyLimit: UInt64?
    /// Whether write-back is started every ``step``; if not, only the bound is kept (the wait starts
    /// the write-back of what it waits for).
    let startsEarly: Bool
    private let fd: FileDescriptor
    private let state = Locked(State())

    private struct State {
        /// Every byte below this offset has been written.
        var prefix: UInt64 = 0
        /// Write-back has been started for everything below this offset.
        var started: UInt64 = 0
        /// Write-back has been waited for below this offset.
        var settled: UInt64 = 0
        /// Ranges written above `prefix`, by start offset: their ends.
        var ahead: [UInt64: UInt64] = [:]
        var enabled = true
        /// Calls made, for the tests and `--stats`.
        var starts = 0
        var waits = 0
    }

    /// Write-back starts every 8 MiB of finished output: the read-ahead window of a typical disk, large
    /// enough for the device to merge the requests, small enough to start within a few milliseconds.
    static let defaultStep: UInt64 = 8 << 20

    /// The dirty data a run may leave before its writers wait: half the kernel's background write-back
    /// threshold (`vm.dirty_background_bytes`, or `vm.dirty_background_ratio` of the available memory;
    /// 1.1 GiB on a 24 GiB machine), at least 64 MiB. Below it the kernel would not throttle anyone
    /// anyway, so waiting there would only slow a run down to the device's write speed (measured: a
    /// 128 MiB bound made a 384 MiB unpack 0.7× as fast on a disk writing 210 MB/s); above it, one run
    /// would push every writer on the machine into throttling.
    static let defaultDirtyLimit: UInt64 = {
        func number(_ name: String) -> UInt64? {
            (try? String(contentsOfFile: "/proc/sys/vm/\(name)", encoding: .utf8)).flatMap { UInt64($0.trimmingWhitespace()) }
        }
        var threshold = number("dirty_background_bytes") ?? 0
        if threshold == 0 {
            let available = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
                .split(separator: "\n").first { $0.hasPrefix("MemAvailable:") }
                .flatMap { UInt64($0.split(separator: " ").dropFirst().first ?? "") }.map { $0 << 10 }
            threshold = (available ?? UInt64(Memory.physical)) / 100 * (number("dirty_background_ratio") ?? 10)
        }
        return max(64 << 20, threshold / 2)
    }()

    /// - Parameters:
    ///   - fd: a regular file being written with positional writes.
    ///   - start: the offset of the first byte the run writes (everything below counts as written).
    init(
        _ fd: FileDescriptor, start: UInt64 = 0, step: UInt64 = defaultStep, dirtyLimit: UInt64? = defaultDirtyLimit,
        startsEarly: Bool = true
    ) {
        self.fd = fd
        self.step = max(1, step)
        self.dirtyLimit = dirtyLimit
        self.startsEarly = startsEarly
        state.withLock {
            $0.prefix = start
            $0.started = start
            $0.settled = start
        }
    }

    /// Write-back behind the positional writes to `fd` from `start` on, unless the environment says
    /// `SLUICE_WRITE_BACK=off` (to measure what it costs or saves: docs/performance.md, "Cold cache").
    ///
    /// - Parameter reads: how the run reads its input. When the input comes from the device, write-back
    ///   is not started early — the output's writes would compete with the input's reads (measured: a
    ///   cold decrypt 0.78–0.85× as fast with it) — and only the dirty-data bound is kept.
    static func behind(_ fd: FileDescriptor, start: UInt64 = 0, reads: ReadChoice?) -> WriteBack? {
        guard isEnabled else { return nil }
        return WriteBack(fd, start: start, startsEarly: reads?.readsFromDevice != true)
    }

    private static let isEnabled = ProcessInfo.processInfo.environment["SLUICE_WRITE_BACK"] != "off"

    /// How many write-backs were started and waited for so far.
    var calls: (starts: Int, waits: Int) { state.withLock { ($0.starts, $0.waits) } }

    /// Records that `range` was written; starts, or waits for, write-back of what it completes. Called
    /// by the writer of `range` after its write returned.
    func wrote(_ range: Range<UInt64>) {
        guard !range.isEmpty else { return }
        let (start, wait) = state.withLock { state -> (Range<UInt64>?, Range<UInt64>?) in
            guard state.enabled else { return (nil, nil) }
            state.ahead[range.lowerBound] = range.upperBound
            while let end = state.ahead.removeValue(forKey: state.prefix) { state.prefix = end }
            var start: Range<UInt64>?
            if state.prefix - state.started >= step {
                if startsEarly {
                    start = state.started..<state.prefix
                    state.starts += 1
                }
                state.started = state.prefix
            }
            var wait: Range<UInt64>?
            if let dirtyLimit, state.started - state.settled > dirtyLimit {
                wait = state.settled..<(state.started - dirtyLimit)
                state.settled = state.started - dirtyLimit
                state.waits += 1
            }
            return (start, wait)
        }
        if let start, !PageCache.startWriteBack(fd, start) { disable() }
        if let wait, !PageCache.waitForWriteBack(fd, wait) { disable() }
    }

    private func disable() { state.withLock { $0.enabled = false } }
}
