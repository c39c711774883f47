import Foundation

/// A value guarded by a lock, with a condition to wait for it to change: the one synchronisation
/// primitive of the pipeline (job queue, slots in flight, results in order all use it).
///
/// `@unchecked Sendable` because `state` is only ever touched with `condition` held: every access goes
/// through ``withLock(_:)`` or ``wait(until:)``, which take the lock, and every change wakes all waiters.
final class Monitor<State>: @unchecked Sendable {
    private let condition = NSCondition()
    private var state: State

    init(_ state: State) { self.state = state }

    /// Runs `body` with the lock held and wakes every waiter afterwards.
    @discardableResult
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Blocks until `ready` returns a value, re-checking it after every change.
    func wait<Result>(until ready: (inout State) throws -> Result?) rethrows -> Result {
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
