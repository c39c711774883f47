import Foundation

/// A value behind a pthread mutex (`NSLock`), with the `withLock` of `Synchronization.Mutex`.
///
/// Used instead of `Mutex` because on Linux `Mutex` locks with futex calls inside the standard library,
/// which ThreadSanitizer cannot see: every access under it is then reported as a race, and those reports
/// would bury a real one (`swift test --sanitize=thread`, docs/reliability.md). ThreadSanitizer
/// intercepts `pthread_mutex_lock`, so accesses under this lock are ordered for it as they are for the CPU.
///
/// `@unchecked Sendable` because `value` is only ever touched inside `withLock`, with `lock` held.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    /// Runs `body` with the lock held.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
