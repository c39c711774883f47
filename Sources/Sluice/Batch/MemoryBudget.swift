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
