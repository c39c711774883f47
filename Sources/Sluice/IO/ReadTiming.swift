import Foundation
import SystemPackage

/// How fast a cold input came off its device in the two patterns a run can read it with, measured on
/// the input itself: one stream of large reads in order, and several positional reads at once. The
/// read strategy is chosen from this rather than from what the device calls itself (``ReadChoice``).
struct ReadTiming: Sendable, Equatable {
    /// Bytes per second of one thread reading a stretch of the input front to back.
    var sequential: Double
    /// Bytes per second of `streams` threads each reading its own part of another stretch at once.
    var parallel: Double
    /// How many positional reads ran at once.
    var streams: Int
    /// Measured by an earlier run on the same device in this process, not on this input.
    var reused: Bool

    init(sequential: Double, parallel: Double, streams: Int, reused: Bool = false) {
        self.sequential = sequential
        self.parallel = parallel
        self.streams = streams
        self.reused = reused
    }

    /// One pattern must be at least this much faster to decide; closer than that, the device's queue
    /// properties decide, as without a measurement.
    static let margin = 1.15

    /// The pattern that measured faster by more than ``margin``; `nil` when they are too close to tell.
    var winner: ReadStrategy? {
        if sequential > parallel * Self.margin { return .sequential }
        if parallel > sequential * Self.margin { return .parallel }
        return nil
    }

    /// What was measured on `device`, for `--explain`.
    func summary(on device: String) -> String {
        "a probe on \(device) read \(rate(sequential)) in one stream vs \(rate(parallel)) in \(streams) positional reads"
            + (reused ? " (measured on this device earlier in the run)" : "")
    }

    private func rate(_ bytesPerSecond: Double) -> String {
        bytesPerSecond >= 1e9 ? String(format: "%.2f GB/s", bytesPerSecond / 1e9) : String(format: "%.0f MB/s", bytesPerSecond / 1e6)
    }

    /// Bytes each pattern reads: a few milliseconds at the speeds of today's disks.
    static let sample = 8 << 20
    /// The smallest input worth a probe: its two stretches are then at most a quarter of it (they are
    /// not wasted — the run finds them in the page cache).
    static let minimumInput: UInt64 = 64 << 20
    /// The most positional reads at once in the probe.
    static let maximumStreams = 8

    /// Per device (`st_dev`), what the first probe in this process measured: a batch or a process doing
    /// several runs probes each device once.
    private static let measured = Locked<[UInt64: ReadTiming]>([:])

    /// The timing for the cold regular file `fd` of `size` bytes on device `device`, read with up to
    /// `streams` reads at once: the one measured earlier on the same device, else a new measurement;
    /// `nil` when the file is too small or its stretches are already cached (nothing cold to time).
    static func of(_ fd: FileDescriptor, size: UInt64, device: UInt64, streams: Int) -> ReadTiming? {
        if var earlier = measured.withLock({ $0[device] }) {
            earlier.reused = true
            return earlier
        }
        guard let timing = measure(fd, size: size, streams: streams) else { return nil }
        measured.withLock { $0[device] = timing }
        return timing
    }

    /// Times one stream of 1 MiB reads (after a `readahead` of the stretch) over one stretch of `fd` (at
    /// a third of its `size`) and
    /// `streams` threads reading their shares of another (at two thirds) at once, ``sample`` bytes each;
    /// `nil` when the file is under ``minimumInput``, either stretch is already a tenth in the page cache
    /// (it would time the cache), or a read fails or comes up short.
    static func measure(_ fd: FileDescriptor, size: UInt64, streams requested: Int, sample: Int = sample) -> ReadTiming? {
        let streams = min(max(requested, 2), maximumStreams)
        guard size >= minimumInput, size >= UInt64(4 * sample) else { return nil }
        let align: UInt64 = 1 << 20
        let first = size / 3 / align * align
        let second = size * 2 / 3 / align * align
        for start in [first, second] {
            guard let cached = PageCache.cachedFraction(of: fd, size: size, offset: start, limit: UInt64(sample)), cached < 0.1
            else { return nil }
        }
        let piece = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: sample, alignment: 4096)
        defer { buffer.deallocate() }
        // One stream: in order, 1 MiB at a time, with the stretch asked for ahead (`readahead`), as the
        // sequential strategy's reader does with its hints.
        let sequentialStart = DispatchTime.now().uptimeNanoseconds
        PageCache.willNeed(fd, first..<first + UInt64(sample))
        for offset in stride(from: 0, to: sample, by: piece) {
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + piece])
            guard (try? fd.readFully(into: slice, at: Int64(first) + Int64(offset))) == piece else { return nil }
        }
        let sequentialTime = DispatchTime.now().uptimeNanoseconds - sequentialStart
        // Several at once: each thread its own share, as the I/O pool's threads read chunks.
        let share = sample / streams / 4096 * 4096
        let done = DispatchGroup()
        let failures = Locked(0)
        let parallelStart = DispatchTime.now().uptimeNanoseconds
        for index in 0..<streams {
            done.enter()
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[index * share..<(index + 1) * share])
            let offset = Int64(second) + Int64(index * share)
            nonisolated(unsafe) let target = slice
            Thread.detachNewThread {
                if (try? fd.readFully(into: target, at: offset)) != share { failures.withLock { $0 += 1 } }
                done.leave()
            }
        }
        done.wait()
        let parallelTime = DispatchTime.now().uptimeNanoseconds - parallelStart
        guard failures.withLock({ $0 }) == 0 else { return nil }
        return ReadTiming(
            sequential: Double(sample) * 1e9 / Double(max(sequentialTime, 1)),
            parallel: Double(share * streams) * 1e9 / Double(max(parallelTime, 1)), streams: streams)
    }

    /// Forgets the per-device measurements (tests).
    static func forget() { measured.withLock { $0 = [:] } }
}
