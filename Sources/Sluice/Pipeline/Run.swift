import Foundation

/// The shared state of one pack or unpack run: the free slots (back-pressure), the slots finished
/// out of order, the first failure, and the count of jobs still in the CPU pool.
///
/// The reader takes free slots, the workers hand finished ones in, the writer takes them out in index
/// order and frees them. Any failure wakes everyone; later work for the run is skipped.
final class Run<Slot: AnyObject & Sendable>: Sendable {
    private struct State {
        var free: [Slot]
        var finished: [UInt64: Slot] = [:]
        var failure: (any Error)?
        var total: UInt64?
        var jobsInFlight = 0
        var ioInFlight = 0
        var readerRunning = false
    }

    private let state: Monitor<State>
    /// Waits, busy times and queue depths of this run.
    let statistics = StatisticsRecorder()

    init(slots: [Slot]) {
        state = Monitor(State(free: slots))
    }

    /// A free slot, waiting for one; `nil` once the run has failed.
    func takeFreeSlot() -> Slot? {
        let start = StatisticsRecorder.now
        defer { statistics.waited(.buffer, since: start) }
        return state.wait { state -> Slot?? in
            if state.failure != nil { return .some(nil) }
            return state.free.popLast().map { .some($0) }
        }
    }

    func release(_ slot: Slot) { state.withLock { $0.free.append(slot) } }

    /// Records the first failure; later ones are dropped.
    func fail(_ error: any Error) {
        state.withLock { if $0.failure == nil { $0.failure = error } }
    }

    var hasFailed: Bool { state.withLock { $0.failure != nil } }

    /// Throws the run's failure, if there is one.
    func checkFailure() throws {
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    /// Runs the ordered writer's loop `body`, then waits until the run is quiet and throws the run's
    /// failure, if any; when `body` throws, fails the run with that error first, waits the same way and
    /// rethrows it. Either way nothing of the run touches its buffers or descriptors afterwards.
    func draining<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            let result = try body()
            waitUntilQuiet()
            try checkFailure()
            return result
        } catch {
            fail(error)
            waitUntilQuiet()
            throw error
        }
    }

    /// The reader found the end: `total` slots were handed out.
    func finishReading(total: UInt64) { state.withLock { $0.total = total } }

    /// Runs `work` for `slot` on the CPU pool, then files the slot as finished under `index`.
    ///
    /// With `then`, the slot goes on from the worker to a thread of `io`, which runs `then` holding an
    /// I/O token (the positional write of an unpack) before the slot is filed: the workers only compute.
    func process(
        _ slot: Slot, index: UInt64, on pool: WorkerPool, work: @escaping @Sendable (Slot, WorkerContext) throws -> Void,
        then io: IOPool? = nil, write: (@Sendable (Slot) throws -> Void)? = nil
    ) {
        let depth = state.withLock { state in
            state.jobsInFlight += 1
            return state.jobsInFlight
        }
        statistics.queueDepth(depth)
        let submitted = StatisticsRecorder.now
        pool.submit { [self] context in
            let start = StatisticsRecorder.now
            statistics.waited(.worker, since: submitted)
            var failure: (any Error)?
            if !hasFailed {
                do { try work(slot, context) } catch { failure = error }
            }
            statistics.busy(.worker, since: start)
            guard failure == nil, !hasFailed, let io, let write else { return file(slot, index: index, failure: failure) }
            onIO(slot, io, .writer, write) { [self] slot, failure in file(slot, index: index, failure: failure) }
        }
    }

    private func file(_ slot: Slot, index: UInt64, failure: (any Error)?) {
        state.withLock { state in
            state.jobsInFlight -= 1
            if let failure, state.failure == nil { state.failure = failure }
            state.finished[index] = slot
        }
    }

    /// Fills `slot` with `read` on a thread of `io` (holding an I/O token), then hands it to `next` (which
    /// submits its CPU work): the reader only hands out offsets, and reads run several at once. A failed
    /// read fails the run and frees the slot. ``waitUntilQuiet(reader:)`` waits for these too.
    func readBehind(_ slot: Slot, on io: IOPool, _ read: @escaping @Sendable (Slot) throws -> Void, then next: @escaping @Sendable (Slot) -> Void) {
        onIO(slot, io, .reader, read) { [self] slot, failure in
            if let failure { fail(failure) }
            if failure == nil, !hasFailed { next(slot) } else { release(slot) }
        }
    }

    /// Writes a slot the writer has taken in order on a thread of `io` (holding an I/O token), then
    /// `done` frees it; a failed write fails the run. ``waitUntilQuiet(reader:)`` waits for these too.
    func writeBehind(_ slot: Slot, on io: IOPool, _ write: @escaping @Sendable (Slot) throws -> Void, done: @escaping @Sendable (Slot) -> Void) {
        onIO(slot, io, .writer, write) { [self] slot, failure in
            done(slot)
            if let failure { fail(failure) }
        }
    }

    /// Runs `body` for `slot` on a thread of `io` (holding a token) unless the run has failed, timing
    /// it as `side`; `then` gets the slot and `body`'s error, and records it. Counted in `ioInFlight`
    /// until `then` returns: the one way I/O work of a run is handed to the I/O pool.
    private func onIO(
        _ slot: Slot, _ io: IOPool, _ side: StatisticsRecorder.Side, _ body: @escaping @Sendable (Slot) throws -> Void,
        then: @escaping @Sendable (Slot, (any Error)?) -> Void
    ) {
        state.withLock { $0.ioInFlight += 1 }
        let queued = StatisticsRecorder.now
        io.submit { [self] in
            statistics.waited(.ioToken, since: queued)
            let start = StatisticsRecorder.now
            var failure: (any Error)?
            if !hasFailed {
                do { try body(slot) } catch { failure = error }
            }
            statistics.busy(side, since: start)
            then(slot, failure)
            state.withLock { $0.ioInFlight -= 1 }
        }
    }

    /// Waits until every ``writeBehind(_:on:_:done:)`` has finished, then throws the run's failure if any.
    func waitForWrites() throws {
        try state.wait { state -> Void? in
            guard state.ioInFlight == 0 else { return nil }
            if let failure = state.failure { throw failure }
            return ()
        }
    }

    /// Runs `body` (a read or write on the reader's or writer's own thread) holding a token of `io`, when
    /// there is a pool; the time spent waiting for the token is recorded.
    func withToken<Result>(_ io: IOPool?, _ body: () throws -> Result) rethrows -> Result {
        guard let io else { return try body() }
        let queued = StatisticsRecorder.now
        return try io.withToken {
            statistics.waited(.ioToken, since: queued)
            return try body()
        }
    }

    /// The slot with `index` once it is processed, or `nil` after the last one.
    ///
    /// - Throws: the run's failure, as soon as there is one.
    func finished(_ index: UInt64) throws -> Slot? {
        let start = StatisticsRecorder.now
        defer { statistics.waited(.writer, since: start) }
        return try state.wait { state -> Slot?? in
            if let failure = state.failure { throw failure }
            if let slot = state.finished.removeValue(forKey: index) { return .some(slot) }
            if let total = state.total, index >= total { return .some(nil) }
            return nil
        }
    }

    /// Starts `body` on a thread of its own (the I/O side); a thrown error fails the run.
    func startReader(name: String, _ body: @escaping @Sendable () throws -> Void) {
        state.withLock { $0.readerRunning = true }
        let thread = Thread { [self] in
            // Set from the thread itself: on Linux, Foundation names the OS thread (ps -L, gdb,
            // /proc/PID/task/*/comm; at most 15 bytes) only then.
            Thread.current.name = name
            do { try body() } catch { fail(error) }
            state.withLock { $0.readerRunning = false }
        }
        thread.name = name
        thread.start()
    }

    /// Waits until no job of this run is left in the pool and, with `reader`, until the reader has
    /// returned, so nothing touches the run's buffers or descriptors afterwards.
    ///
    /// A reader blocked on a pipe that never delivers again cannot be waited for; a failed run over a
    /// pipe passes `reader: false` and leaves that thread to notice the failure on its next chunk.
    func waitUntilQuiet(reader: Bool = true) {
        state.wait { state in
            (state.jobsInFlight == 0 && state.ioInFlight == 0 && !(reader && state.readerRunning)) ? () : nil
        }
    }
}
