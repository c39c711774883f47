import SystemPackage

/// How a run reads a regular input whose chunks (pack) or frames (unpack) are known up front.
enum ReadStrategy: String, Sendable, CaseIterable {
    /// Positional reads (`pread`) at the chunks' offsets on the I/O pool's threads, several at once:
    /// the fastest way out of the page cache, and into a device with deep queues.
    case parallel
    /// One stream: the reader thread reads the chunks in order itself, told to the kernel as sequential
    /// (`POSIX_FADV_SEQUENTIAL`) and kept fed by read-ahead of the next chunks (`readahead`), so the
    /// device sees one long sequential read — what a spinning disk, and the kernel's read-ahead, reward.
    case sequential
}

/// What was found out about an input before choosing how to read it.
struct ReadProbe: Sendable, Equatable {
    /// The fraction of the input (its first 256 MiB) in the page cache; `nil`: unknown.
    var cached: Double?
    /// The queue of the device under the input; `nil`: unknown (tmpfs, overlay, not Linux).
    var queue: DeviceQueue?

    init(cached: Double?, queue: DeviceQueue?) {
        self.cached = cached
        self.queue = queue
    }

    /// Looks at the open regular file `fd` of `size` bytes (`mincore` and sysfs; no data is read).
    static func of(_ fd: FileDescriptor, size: UInt64) -> ReadProbe {
        ReadProbe(cached: PageCache.cachedFraction(of: fd, size: size), queue: DeviceQueue.of(fd))
    }
}

/// The read strategy of a run and the hints that go with it, with the reason (`--explain`).
struct ReadChoice: Sendable, Equatable {
    var strategy: ReadStrategy
    /// How far ahead of the reader the kernel is asked to read (`readahead`), bytes; 0 for none.
    var readAhead: Int
    var reason: String
    /// The input comes from the device, not the page cache: early write-back of the output would
    /// compete with its reads (``WriteBack``), so it waits for the dirty-data bound.
    var readsFromDevice: Bool

    init(strategy: ReadStrategy, readAhead: Int, reason: String, readsFromDevice: Bool = false) {
        self.strategy = strategy
        self.readAhead = readAhead
        self.reason = reason
        self.readsFromDevice = readsFromDevice
    }

    /// A file at least this much of which is in the page cache counts as warm.
    static let warmFraction = 0.5

    /// Chooses how to read an input of `size` bytes in `chunkSize` pieces from what `probe` found,
    /// unless `storage` (`--storage`) names the kind of device.
    ///
    /// - A warm input (half or more in the page cache) is read in parallel: copies out of the cache run
    ///   several at once, and no device is involved.
    /// - A cold input on a spinning disk (`rotational` and not a virtual disk, or `--storage hdd`) is
    ///   read as one stream: concurrent reads at scattered offsets cost seeks and defeat the kernel's
    ///   read-ahead.
    /// - A cold input on an NVMe or non-rotational device, or on a virtual disk (whose `rotational` says
    ///   nothing), is read in parallel, with the kernel told the file is read front to back and asked to
    ///   read the next chunks ahead: on this project's virtual disks, 8 concurrent 4 MiB reads reached
    ///   0.7–1.5 GB/s where one stream reached 0.3–1.0 (docs/performance.md, "Cold cache").
    static func choose(probe: ReadProbe, storage: StorageKind?, chunkSize: Int, tokens: Int) -> ReadChoice {
        // Read ahead: the device's own window, or one chunk per token, whichever is larger.
        let ahead = max(probe.queue?.readAhead ?? 0, chunkSize * max(1, tokens))
        let cold = (probe.cached ?? 0) < warmFraction
        if let storage {
            return storage == .hdd
                ? ReadChoice(strategy: .sequential, readAhead: ahead, reason: "reads: one sequential stream with read-ahead (--storage hdd)",
                             readsFromDevice: cold)
                : ReadChoice(strategy: .parallel, readAhead: 0, reason: "reads: \(tokens) positional reads at once (--storage \(storage.rawValue))",
                             readsFromDevice: cold)
        }
        if let cached = probe.cached, cached >= warmFraction {
            return ReadChoice(
                strategy: .parallel, readAhead: 0,
                reason: "reads: \(tokens) positional reads at once, the input is in the page cache (\(percent(cached)))")
        }
        let coldness = probe.cached.map { "the input is not in the page cache (\(percent($0)))" } ?? "the page cache cannot be asked"
        guard let queue = probe.queue else {
            return ReadChoice(
                strategy: .parallel, readAhead: ahead,
                reason: "reads: \(tokens) positional reads at once with read-ahead, \(coldness) and the device is unknown",
                readsFromDevice: true)
        }
        let device = "\(queue.name): rotational \(queue.rotational ? 1 : 0)"
            + (queue.requests.map { ", nr_requests \($0)" } ?? "")
            + (queue.readAhead.map { ", read_ahead_kb \($0 >> 10)" } ?? "")
        if queue.rotational, !queue.isVirtual {
            return ReadChoice(
                strategy: .sequential, readAhead: ahead,
                reason: "reads: one sequential stream with \(ByteCount(bytes: ahead)) read-ahead, \(coldness) and \(device) is a spinning disk",
                readsFromDevice: true)
        }
        let why = queue.isVirtual ? "a virtual disk (measured to reward concurrent reads)" : "a device with queues that reward concurrent reads"
        return ReadChoice(
            strategy: .parallel, readAhead: ahead,
            reason: "reads: \(tokens) positional reads at once with \(ByteCount(bytes: ahead)) read-ahead, \(coldness) and \(device) is \(why)",
            readsFromDevice: true)
    }

    private static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))% cached" }
}
