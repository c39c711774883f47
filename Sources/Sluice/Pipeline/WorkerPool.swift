import Foundation

/// The state a worker thread keeps for its whole life: one context per codec, one AEAD context and the
/// frames of zeros it has seen, reused for every chunk it processes. Never shared between threads.
package final class WorkerContext {
    package let codecs = CodecContext()
    /// Frames of zeros made or checked before, reused for the next (``ZeroFrames``).
    let zeroFrames = ZeroFrames()
    private var aead: AEADContext?

    package func cipher() throws -> AEADContext {
        if let aead { return aead }
        let made = try AEADContext()
        aead = made
        return made
    }
}

/// The CPU pool: a fixed set of threads that run the CPU-bound stage work (checksum, compress,
/// encrypt, and back) for every file in flight. No job here reads or writes a file: reads and writes
/// run on the ``IOPool``'s threads, or on a run's reader and writer threads holding an I/O token.
///
/// Jobs run in the order they were submitted. The pool lives as long as the process (threads park on a
/// condition when idle), so any number of runs, one after another or at once, share the same threads.
package final class WorkerPool: Sendable {
    package typealias Job = @Sendable (WorkerContext) -> Void

    /// The number of worker threads.
    package let workers: Int
    private let queue = Monitor(JobQueue())

    private struct JobQueue {
        var jobs: [Job] = []
        var head = 0

        mutating func pop() -> Job? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head > 64, head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    /// Starts `workers` threads.
    package init(workers: Int) {
        self.workers = max(1, workers)
        for index in 0..<self.workers {
            let thread = Thread { [queue] in
                Thread.current.name = "sluice-worker-\(index)"  // names the OS thread too (see Run.startReader)
                let context = WorkerContext()
                while true {
                    let job = queue.wait { $0.pop() }
                    job(context)
                }
            }
            thread.name = "sluice-worker-\(index)"
            thread.start()
        }
    }

    /// Queues `job` to run on one of the workers.
    package func submit(_ job: @escaping Job) {
        queue.withLock { $0.jobs.append(job) }
    }

    /// The cores this process may run on.
    package static var availableCores: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    private static let pools = Locked<[Int: WorkerPool]>([:])

    /// The process-wide pool with `workers` threads, created on first use.
    package static func shared(workers: Int = availableCores) -> WorkerPool {
        pools.withLock { pools in
            if let pool = pools[workers] { return pool }
            let pool = WorkerPool(workers: workers)
            pools[workers] = pool
            return pool
        }
    }
}
