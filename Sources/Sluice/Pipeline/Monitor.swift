import Foundation

/// A value guarded by a lock, with a condition to wait for it to change: what a run's hand-overs wait
/// on (the CPU pool's job queue, free slots, slots finished out of order, results in order). Plain
/// locks without waiting are ``Locked``; the I/O pool counts its tokens with a semaphore and queues
/// jobs in a ``BoundedQueue``; a batch also uses `Mutex` and `Atomic` for its counters.
///
/// `@unchecked Sendable` because `state` is only ever touched with `condition` held: every access goes
/// through ``withLock(_:)`` or ``wait(until:)``, which take the lock, and every change wakes all waiters.
package final class Monitor<State>: @unchecked Sendable {
    private let condition = NSCondition()
    private var state: State

    package init(_ state: State) { self.state = state }

    /// Runs `body` with the lock held and wakes every waiter afterwards.
    @discardableResult
    package func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Blocks until `ready` returns a value, re-checking it after every change.
    package func wait<Result>(until ready: (inout State) throws -> Result?) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        while true {
            if let result = try ready(&state) { return result }
            condition.wait()
        }
    }
}
