#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DequeModule

/// A first-in first-out queue between threads, with a capacity that makes producers wait: the
/// back-pressure between the directory walker, the I/O threads and the dispatcher of a batch.
///
/// Unlike ``Monitor``, which wakes every waiter on every change, a push wakes one consumer and a pop
/// wakes one producer, so a queue served by many I/O threads does not stampede on each item.
///
/// `@unchecked Sendable` because `items` and `closed` are only touched with `mutex` held; the
/// elements themselves are `Sendable`.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    /// Items the queue holds before ``push(_:)`` waits.
    let capacity: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var items = Deque<Element>()
    private var closed = false

    init(capacity: Int = .max) {
        self.capacity = max(1, capacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(notEmpty, nil)
        pthread_cond_init(notFull, nil)
    }

    deinit {
        pthread_cond_destroy(notFull)
        pthread_cond_destroy(notEmpty)
        pthread_mutex_destroy(mutex)
        notFull.deallocate()
        notEmpty.deallocate()
        mutex.deallocate()
    }

    private func locked<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Appends `item`, waiting while the queue is full. Returns `false` (and drops the item) once the
    /// queue is closed.
    @discardableResult
    func push(_ item: Element) -> Bool {
        locked {
            while items.count >= capacity, !closed { pthread_cond_wait(notFull, mutex) }
            guard !closed else { return false }
            items.append(item)
            pthread_cond_signal(notEmpty)
            return true
        }
    }

    /// Appends `item` without waiting, even beyond the capacity: for items whose number is already
    /// bounded elsewhere, pushed by threads that must never block.
    @discardableResult
    func pushIgnoringCapacity(_ item: Element) -> Bool {
        locked {
            guard !closed else { return false }
            items.append(item)
            pthread_cond_signal(notEmpty)
            return true
        }
    }

    /// Removes the oldest item, waiting while the queue is empty; `nil` once it is closed and drained.
    func pop() -> Element? {
        locked {
            while items.isEmpty, !closed { pthread_cond_wait(notEmpty, mutex) }
            guard let item = items.popFirst() else { return nil }
            pthread_cond_signal(notFull)
            if !items.isEmpty { pthread_cond_signal(notEmpty) }
            return item
        }
    }

    /// Removes up to `limit` items at once, waiting for the first; empty once closed and drained.
    func pop(upTo limit: Int) -> [Element] {
        locked {
            while items.isEmpty, !closed { pthread_cond_wait(notEmpty, mutex) }
            var batch: [Element] = []
            batch.reserveCapacity(min(limit, items.count))
            while batch.count < limit, let item = items.popFirst() { batch.append(item) }
            if !batch.isEmpty { pthread_cond_broadcast(notFull) }
            if !items.isEmpty { pthread_cond_signal(notEmpty) }
            return batch
        }
    }

    /// The oldest item if there is one, without waiting.
    func tryPop() -> Element? {
        locked {
            guard let item = items.popFirst() else { return nil }
            pthread_cond_signal(notFull)
            return item
        }
    }

    /// No more pushes: waiting consumers drain what is left and then get `nil`; waiting producers
    /// return `false`.
    func close() {
        locked {
            closed = true
            pthread_cond_broadcast(notEmpty)
            pthread_cond_broadcast(notFull)
        }
    }

    /// Items waiting right now.
    var count: Int { locked { items.count } }
}
