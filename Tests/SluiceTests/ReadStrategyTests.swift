import SystemPackage
import Testing
@testable import Sluice

/// How a regular input is read (``ReadChoice``), chosen from what the page cache and the device's queue
/// say, and the proof that the choice changes nothing but speed: every strategy, with and without
/// read-ahead hints, reads the same bytes.
@Suite struct ReadStrategyTests {
    static let virtio = DeviceQueue(name: "vda", rotational: true, requests: 256, readAhead: 8 << 20)
    static let spinning = DeviceQueue(name: "sda", rotational: true, requests: 64, readAhead: 128 << 10)
    static let nvme = DeviceQueue(name: "nvme0n1", rotational: false, requests: 1023, readAhead: 128 << 10)
    static let sataSSD = DeviceQueue(name: "sdb", rotational: false, requests: 64, readAhead: 128 << 10)

    private func choose(cached: Double?, _ queue: DeviceQueue?, storage: StorageKind? = nil) -> ReadChoice {
        ReadChoice.choose(probe: ReadProbe(cached: cached, queue: queue), storage: storage, chunkSize: 4 << 20, tokens: 8)
    }

    @Test func aWarmInputIsReadInParallelWithoutHints() {
        for queue in [Self.virtio, Self.spinning, Self.nvme, nil] {
            let choice = choose(cached: 0.9, queue)
            #expect(choice.strategy == .parallel)
            #expect(choice.readAhead == 0)
            #expect(choice.reason.contains("in the page cache (90% cached)"))
            #expect(!choice.readsFromDevice)
        }
        #expect(choose(cached: ReadChoice.warmFraction, Self.spinning).strategy == .parallel)
    }

    @Test func aColdInputOnASpinningDiskIsOneSequentialStream() {
        let choice = choose(cached: 0.1, Self.spinning)
        #expect(choice.strategy == .sequential)
        // One chunk per token ahead: larger than this disk's own 128 KiB window.
        #expect(choice.readAhead == 8 * (4 << 20))
        #expect(choice.reason.contains("sda: rotational 1, nr_requests 64, read_ahead_kb 128 is a spinning disk"))
        #expect(choice.reason.contains("not in the page cache (10% cached)"))
        #expect(choice.readsFromDevice)
    }

    @Test func aColdInputOnAVirtualOrFlashDeviceIsReadInParallelWithReadAhead() {
        for queue in [Self.virtio, Self.nvme, Self.sataSSD] {
            let choice = choose(cached: 0, queue)
            #expect(choice.strategy == .parallel, "\(queue.name)")
            #expect(choice.readAhead == 32 << 20, "\(queue.name)")
            #expect(choice.reason.contains("8 positional reads at once"), "\(queue.name)")
            #expect(choice.readsFromDevice, "\(queue.name)")
        }
        #expect(choose(cached: 0, Self.virtio).reason.contains("a virtual disk"))
        // A device whose own read-ahead window is larger than a chunk per token sets the distance.
        let wide = DeviceQueue(name: "vdb", rotational: true, requests: 256, readAhead: 64 << 20)
        #expect(choose(cached: 0, wide).readAhead == 64 << 20)
    }

    @Test func unknownCacheOrDeviceFallsBackToParallelReads() {
        let noQueue = choose(cached: nil, nil)
        #expect(noQueue.strategy == .parallel)
        #expect(noQueue.reason.contains("the page cache cannot be asked"))
        #expect(noQueue.reason.contains("the device is unknown"))
        #expect(choose(cached: nil, Self.spinning).strategy == .sequential)
    }

    @Test func storageOverridesWhatTheProbeSays() {
        let hdd = choose(cached: 1, Self.nvme, storage: .hdd)
        #expect(hdd.strategy == .sequential)
        #expect(hdd.reason.contains("(--storage hdd)"))
        #expect(!hdd.readsFromDevice)  // the probe found it cached
        for storage in [StorageKind.ssd, .nvme] {
            let choice = choose(cached: 0, Self.spinning, storage: storage)
            #expect(choice.strategy == .parallel)
            #expect(choice.reason.contains("(--storage \(storage.rawValue))"))
        }
    }

    /// A timing measured on the cold input decides over the queue's label, both ways.
    @Test func aMeasurementOnTheInputDecidesOverTheLabel() {
        // The AMD guest of NOTES.md: one stream 2.1 GB/s, 8 positional reads 1.3 GB/s, on a virtio disk.
        let streamWins = ReadTiming(sequential: 2.1e9, parallel: 1.3e9, streams: 8)
        let onVirtio = ReadChoice.choose(probe: ReadProbe(cached: 0, queue: Self.virtio, timing: streamWins),
                                         storage: nil, chunkSize: 4 << 20, tokens: 8)
        #expect(onVirtio.strategy == .sequential)
        #expect(onVirtio.readAhead == 32 << 20)
        #expect(onVirtio.readsFromDevice)
        #expect(onVirtio.reason.contains("not in the page cache (0% cached) and a probe on vda read 2.10 GB/s in one stream vs 1.30 GB/s in 8 positional reads"),
                "\(onVirtio.reason)")
        // A "spinning" disk that measured faster with concurrent reads (a RAID set, a SAN volume).
        let parallelWins = ReadTiming(sequential: 180e6, parallel: 540e6, streams: 4, reused: true)
        let onSpinning = ReadChoice.choose(probe: ReadProbe(cached: 0.02, queue: Self.spinning, timing: parallelWins),
                                           storage: nil, chunkSize: 4 << 20, tokens: 4)
        #expect(onSpinning.strategy == .parallel)
        #expect(onSpinning.reason.contains("4 positional reads at once"))
        #expect(onSpinning.reason.contains("a probe on sda read 180 MB/s in one stream vs 540 MB/s in 4 positional reads (measured on this device earlier in the run)"),
                "\(onSpinning.reason)")
        // No queue to look at (an overlay, a network file system): the measurement alone decides.
        let unknown = ReadChoice.choose(probe: ReadProbe(cached: nil, queue: nil, timing: streamWins),
                                        storage: nil, chunkSize: 4 << 20, tokens: 8)
        #expect(unknown.strategy == .sequential)
        #expect(unknown.reason.contains("a probe on its device read"))
    }

    /// Timings within ``ReadTiming/margin`` of each other say nothing: the queue decides, and
    /// `--explain` says so.
    @Test func closeTimingsLeaveTheChoiceToTheQueue() {
        let close = ReadTiming(sequential: 1.0e9, parallel: 1.1e9, streams: 8)
        #expect(close.winner == nil)
        #expect(ReadTiming(sequential: 1.0e9, parallel: 1.16e9, streams: 8).winner == .parallel)
        #expect(ReadTiming(sequential: 1.16e9, parallel: 1.0e9, streams: 8).winner == .sequential)
        let virtio = ReadChoice.choose(probe: ReadProbe(cached: 0, queue: Self.virtio, timing: close),
                                       storage: nil, chunkSize: 4 << 20, tokens: 8)
        #expect(virtio.strategy == .parallel)
        #expect(virtio.reason.hasSuffix("is a virtual disk (measured to reward concurrent reads), a probe on vda read 1.00 GB/s in one stream vs 1.10 GB/s in 8 positional reads, too close to decide"),
                "\(virtio.reason)")
        let spinning = ReadChoice.choose(probe: ReadProbe(cached: 0, queue: Self.spinning, timing: close),
                                         storage: nil, chunkSize: 4 << 20, tokens: 8)
        #expect(spinning.strategy == .sequential)
        #expect(spinning.reason.contains("too close to decide"))
    }

    /// `--storage` overrides a measurement, and a warm input ignores one.
    @Test func storageAndAWarmCacheOverrideAMeasurement() {
        let streamWins = ReadTiming(sequential: 2.1e9, parallel: 1.3e9, streams: 8)
        let ssd = ReadChoice.choose(probe: ReadProbe(cached: 0, queue: Self.virtio, timing: streamWins),
                                    storage: .ssd, chunkSize: 4 << 20, tokens: 8)
        #expect(ssd.strategy == .parallel)
        #expect(!ssd.reason.contains("probe"))
        let warm = ReadChoice.choose(probe: ReadProbe(cached: 0.8, queue: Self.virtio, timing: streamWins),
                                     storage: nil, chunkSize: 4 << 20, tokens: 8)
        #expect(warm.strategy == .parallel)
        #expect(!warm.readsFromDevice)
    }

    /// The probe itself on a real file: holes of a sparse file are not in the page cache, so both
    /// stretches are timed (the figures are whatever the machine gives: only that both exist); a file
    /// under the minimum is not probed; the first measurement on a device is reused for the next input.
    @Test func theProbeTimesBothPatternsOncePerDevice() throws {
        let small = try ScratchFile()
        try small.descriptor.resize(to: Int64(ReadTiming.minimumInput) - 4096)
        #expect(ReadTiming.measure(small.descriptor, size: ReadTiming.minimumInput - 4096, streams: 8) == nil)

        let large = try ScratchFile()
        try large.descriptor.resize(to: Int64(ReadTiming.minimumInput))
        let device = UInt64.max - 7  // no real st_dev: this test's own slot in the per-device cache
        defer { ReadTiming.forget() }
        let first = try #require(ReadTiming.of(large.descriptor, size: ReadTiming.minimumInput, device: device, streams: 3))
        #expect(first.sequential > 0 && first.parallel > 0)
        #expect(first.streams == 3)
        #expect(!first.reused)
        let again = try #require(ReadTiming.of(small.descriptor, size: 1, device: device, streams: 8))
        #expect(again.reused)
        #expect(again.sequential == first.sequential && again.streams == 3)
        // One token: nothing to compare, no probe.
        #expect(ReadProbe.of(large.descriptor, size: ReadTiming.minimumInput, measuring: 1).timing == nil)
    }

    @Test func storageKindFollowsTheQueue() {
        #expect(StorageKind.kind(of: Self.virtio) == .ssd)
        #expect(StorageKind.kind(of: Self.spinning) == .hdd)
        #expect(StorageKind.kind(of: Self.nvme) == .nvme)
        #expect(StorageKind.kind(of: Self.sataSSD) == .ssd)
        #expect(DeviceQueue(name: "xvda", rotational: true).isVirtual)
    }

    /// The probe on a real file: one just written and read back is in the page cache, whatever the
    /// file system; an empty one has nothing to measure.
    @Test func probeSeesAFileThatWasJustRead() throws {
        let file = try ScratchFile(DataKind.text.bytes(count: 3 << 20))
        _ = try file.contents()
        let probe = ReadProbe.of(file.descriptor, size: 3 << 20)
        #expect(probe.cached == 1)
        #expect(PageCache.cachedFraction(of: try ScratchFile().descriptor, size: 0) == nil)
        #expect(choose(cached: probe.cached, probe.queue).strategy == .parallel)
    }

    /// Read-ahead hints: the file is declared sequential and the next stretch requested in steps of
    /// half the distance; no hints at a distance of 0.
    @Test func readAheadHintsInHalfDistanceSteps() throws {
        let file = try ScratchFile(DataKind.random.bytes(count: 1 << 20))
        let none = ReadAhead(file.descriptor, end: 1 << 20, distance: 0)
        for offset in stride(from: 0, to: 1 << 20, by: 64 << 10) { none.reading(at: UInt64(offset)) }
        #expect(none.hints == 0)
        let ahead = ReadAhead(file.descriptor, end: 1 << 20, distance: 256 << 10)
        for offset in stride(from: 0, to: 1 << 20, by: 64 << 10) { ahead.reading(at: UInt64(offset)) }
        // Hints at 0 (to 256 KiB), 128 KiB (to 384), 256 (512), … 768 (to the 1 MiB end): 7.
        #expect(ahead.hints == 7)
    }

    /// Every strategy, with and without hints, packs to the same bytes and unpacks to the input.
    @Test(arguments: [Codec.store, .zstd])
    func everyStrategyGivesTheSameBytes(codec: Codec) throws {
        let io = IOPool.shared(tokens: 3)
        let data = DataKind.text.bytes(count: 9 * Harness.chunkSize + 17)
        let options = try Harness.options(codec)
        let reference = try Harness.pack(data, options: options, io: nil).bytes
        let choices = [ReadStrategy.parallel, .sequential].flatMap { strategy in
            [0, 3 * Harness.chunkSize].map { ReadChoice(strategy: strategy, readAhead: $0, reason: "") }
        }
        for choice in choices {
            let input = try ScratchFile(data)
            let output = try ScratchFile()
            let plan = try options.plan(inputSize: data.count)
            _ = try Pipeline.pack(
                from: input.descriptor, inputSize: data.count, to: output.descriptor, options: options,
                metadata: Harness.metadata(size: data.count), plan: plan, pool: Harness.pool, io: io, positional: true,
                reads: choice)
            #expect(try output.contents() == reference, "\(choice.strategy) \(choice.readAhead)")

            let packed = try ScratchFile(reference)
            let restored = try ScratchFile()
            let opened = try Pipeline.readHeader(from: packed.descriptor, key: { _ in nil })
            let report = try Pipeline.unpack(
                opened, from: packed.descriptor, to: restored.descriptor, workers: Harness.workers, pool: Harness.pool,
                io: io, positional: true, reads: choice)
            #expect(try restored.contents() == data, "\(choice.strategy) \(choice.readAhead)")
            #expect(report.chunks == 10)
        }
    }

    /// A sequential read that fails (the input shrank under the reader) fails the run cleanly.
    @Test func aFailedSequentialReadFailsTheRun() throws {
        let io = IOPool.shared(tokens: 2)
        let data = DataKind.text.bytes(count: 6 * Harness.chunkSize)
        let options = try Harness.options(.zstd)
        let input = try ScratchFile(data)
        let plan = try options.plan(inputSize: data.count + Harness.chunkSize)
        let output = try ScratchFile()
        #expect(throws: SluiceError.self) {
            try Pipeline.pack(
                from: input.descriptor, inputSize: data.count + Harness.chunkSize, to: output.descriptor, options: options,
                metadata: nil, plan: plan, pool: Harness.pool, io: io, positional: true,
                reads: ReadChoice(strategy: .sequential, readAhead: 0, reason: ""))
        }
    }
}

/// The read strategy from the command line: `--explain` says what was chosen and why, `--storage`
/// overrides it, and every choice restores the same file.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct ReadStrategyCLITests {
    @Test func explainSaysHowTheInputIsReadAndStorageOverridesIt() throws {
        try withTemporaryDirectory { dir in
            let data = DataKind.text.bytes(count: 300_000, seed: 5)
            try writeFile(dir.appending("x"), data)
            // The file was just written: it is in the page cache.
            let pack = try SluiceProcess.run(["pack", "--explain", "--chunk-size", "64K", "x"], in: dir)
            #expect(pack.status == 0, "\(pack)")
            #expect(pack.stderr.contains("reads: "), "\(pack.stderr)")
            let hdd = try SluiceProcess.run(["pack", "--explain", "--storage", "hdd", "--chunk-size", "64K", "-o", "y.slc", "x"], in: dir)
            #expect(hdd.status == 0, "\(hdd)")
            #expect(hdd.stderr.contains("reads: one sequential stream with read-ahead (--storage hdd)"), "\(hdd.stderr)")
            #expect(try readFile(dir.appending("x.slc")) == (try readFile(dir.appending("y.slc"))))
            for storage in ["hdd", "ssd", "auto"] {
                let unpack = try SluiceProcess.run(["unpack", "--explain", "--storage", storage, "-o", "x.\(storage)", "y.slc"], in: dir)
                #expect(unpack.status == 0, "\(unpack)")
                #expect(unpack.stderr.hasPrefix("reads: "), "\(unpack.stderr)")
                #expect(try readFile(dir.appending("x.\(storage)")) == data)
                let verify = try SluiceProcess.run(["verify", "--storage", storage, "y.slc"], in: dir)
                #expect(verify.status == 0, "\(verify)")
            }
            let quiet = try SluiceProcess.run(["unpack", "-o", "x.quiet", "y.slc"], in: dir)
            #expect(quiet.stderr.isEmpty, "--explain is off by default")
        }
    }
}
