/// The `--memory-limit` of a batch: bytes of buffers that files in flight may hold at once.
///
/// Only the dispatcher waits for room (``reserve(_:)``), before it hands out work; jobs already in
/// flight never wait, they may only ``charge(_:)`` extra bytes they discover they need (a small
/// `.slc` that decodes to more than expected), which holds the dispatcher back until they finish.
/// So memory high means no new work, never a job stuck holding an I/O token.
final class MemoryBudget: Sendable {
    let limit: Int
    private let used = Monitor(0)

    init(limit: ByteCount) { self.limit = max(1 << 20, limit.bytes) }

    /// Waits until `bytes` fit (or nothing else is held, so one job larger than the limit still runs
    /// alone), then takes them.
    func reserve(_ bytes: Int) {
        used.wait { used -> Void? in
            guard used == 0 || used + bytes <= limit else { return nil }
            used += bytes
            return ()
        }
    }

    /// Takes `bytes` at once, even beyond the limit.
    func charge(_ bytes: Int) { used.withLock { $0 += bytes } }

    func release(_ bytes: Int) { used.withLock { $0 -= bytes } }

    var inUse: Int { used.withLock { $0 } }
}

/// Reusable objects (chunk slots, image buffers) handed between the stages of small-file jobs, so
/// that a tree of small files does not allocate and fault in fresh buffers for every file.
///
/// At most `retainedBytes` of capacity is kept for reuse; anything beyond is freed when returned.
final class ObjectPool<Object: AnyObject & Sendable>: Sendable {
    private let free = Monitor<(objects: [Object], bytes: Int)>(([], 0))
    private let make: @Sendable () -> Object
    private let size: @Sendable (Object) -> Int
    private let retainedBytes: Int

    init(retainedBytes: Int, make: @escaping @Sendable () -> Object, size: @escaping @Sendable (Object) -> Int) {
        self.retainedBytes = retainedBytes
        self.make = make
        self.size = size
    }

    func take() -> Object {
        let object = free.withLock { state -> Object? in
            guard let object = state.objects.popLast() else { return nil }
            state.bytes -= size(object)
            return object
        }
        return object ?? make()
    }

    func give(_ object: Object) {
        let bytes = size(object)
        free.withLock { state in
            guard state.bytes + bytes <= retainedBytes else { return }
            state.objects.append(object)
            state.bytes += bytes
        }
    }
}
