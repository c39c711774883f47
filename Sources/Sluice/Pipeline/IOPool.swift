#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import SystemPackage

/// The kind of storage under a path, which decides how many blocking reads and writes pay off at once.
public enum StorageKind: String, CaseIterable, Sendable {
    /// A spinning disk: concurrent streams mostly add seeks.
    case hdd
    /// A SATA/SAS solid-state disk or a virtual disk.
    case ssd
    /// An NVMe device: deep queues.
    case nvme

    /// I/O tokens (``IOPool/tokens``) used when `--io-tokens` is not given.
    var defaultIOTokens: Int {
        switch self {
        case .hdd: 2
        case .ssd: 8
        case .nvme: 16
        }
    }

    /// The kind of the block device that holds `path`, read from sysfs
    /// (`/sys/dev/block/MAJOR:MINOR/…/queue/rotational`; a partition uses its disk's queue; a virtual
    /// disk counts as an SSD whatever it says).
    /// `nil` when it cannot be told: not Linux, a file system without a block device (tmpfs, overlay,
    /// NFS), or a device without a queue.
    static func detect(for path: FilePath) -> StorageKind? {
        DeviceQueue.of(path).map(kind(of:))
    }

    /// The kind of a device queue: NVMe by name; virtio and Xen disks (vda, xvda) say "rotational"
    /// because the guest cannot know, and sit on whatever the host has, nearly always flash or a network
    /// volume that likes concurrency, so they count as SSDs.
    static func kind(of queue: DeviceQueue) -> StorageKind {
        if queue.isNVMe { return .nvme }
        if queue.isVirtual { return .ssd }
        return queue.rotational ? .hdd : .ssd
    }
}

/// The I/O pool: a fixed number of *I/O tokens* bounds how many blocking reads and writes run at once,
/// whoever issues them, and a set of threads (one per token) runs the I/O jobs a batch submits.
///
/// Blocking I/O stays off the ``WorkerPool``'s threads, which only compute. A thread outside the pool
/// (the reader or writer of a single-file run) takes a token with ``withToken(_:)``; a job on the pool
/// holds one for as long as it runs, so pool threads and outside callers together never exceed
/// ``tokens``.
public final class IOPool: Sendable {
    typealias Job = @Sendable () -> Void

    /// The number of blocking I/O operations (jobs or token holders) allowed at once.
    let tokens: Int
    private let jobs = BoundedQueue<Job>()
    private let available: DispatchSemaphore
    private let running = DispatchGroup()

    /// Starts `tokens` threads.
    ///
    /// - Parameter name: the threads' name prefix, as seen in `top -H` and debuggers.
    init(tokens: Int, name: String = "sluice-io") {
        self.tokens = max(1, tokens)
        available = DispatchSemaphore(value: self.tokens)
        for index in 0..<self.tokens {
            running.enter()
            let thread = Thread { [jobs, available, running] in
                while let job = jobs.pop() {
                    available.wait()
                    job()
                    available.signal()
                }
                running.leave()
            }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    /// The token count for a path: `explicit` when given, else the default of `storage`, else of the
    /// storage detected under `path` (``StorageKind/ssd`` when it cannot be told).
    package static func tokens(explicit: Int?, storage: StorageKind?, for path: FilePath) -> Int {
        if let explicit { return max(1, explicit) }
        return (storage ?? StorageKind.detect(for: path) ?? .ssd).defaultIOTokens
    }

    private static let pools = Locked<[Int: IOPool]>([:])

    /// The process-wide pool with `tokens` tokens, created on first use and never shut down: the one
    /// single-file runs share (a batch starts its own, see ``Batch``).
    package static func shared(tokens: Int) -> IOPool {
        pools.withLock { pools in
            if let pool = pools[tokens] { return pool }
            let pool = IOPool(tokens: tokens)
            pools[tokens] = pool
            return pool
        }
    }

    /// The process-wide pool that runs writing under `path` share: `tokens` I/O tokens when given
    /// (`--io-tokens`), else as many as the kind of storage suits (`storage`, `--storage`, else the kind
    /// detected under `path`, ``StorageKind/ssd`` when it cannot be told). Pass it as the `io:` of
    /// ``Pipeline/packFile(_:to:options:keepMetadata:armored:policy:io:storage:explain:progress:)`` and
    /// the other file operations; it lives as long as the process.
    public static func pool(for path: FilePath, tokens: Int? = nil, storage: StorageKind? = nil) -> IOPool {
        shared(tokens: self.tokens(explicit: tokens, storage: storage, for: path))
    }

    /// The process-wide pool for runs not given one: ``StorageKind/ssd``'s token count.
    static var standard: IOPool { shared(tokens: StorageKind.ssd.defaultIOTokens) }

    /// Queues `job` to run on one of the pool's threads while it holds a token.
    func submit(_ job: @escaping Job) {
        jobs.push(job)
    }

    /// Runs `body` on the calling thread once a token is free, and gives the token back afterwards.
    func withToken<Result>(_ body: () throws -> Result) rethrows -> Result {
        available.wait()
        defer { available.signal() }
        return try body()
    }

    /// Lets the threads finish the jobs already queued, then waits for them to exit. Nothing may be
    /// submitted afterwards.
    func shutdown() {
        jobs.close()
        running.wait()
    }
}
