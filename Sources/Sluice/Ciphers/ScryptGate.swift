/// Bounds the memory of the scrypt runs in flight in this process (docs/security.md, "scrypt memory"):
/// a counting semaphore in bytes. A run waits until its memory fits under ``limit`` alongside the
/// others — or until it is the only one, so a single run larger than the limit still goes ahead (its
/// cost was already checked against the machine's memory). A batch sets the limit to its
/// `--memory-limit` (`Batch.run`); otherwise it is the default limit, a quarter of RAM.
///
/// Waiting here cannot deadlock: a run holds nothing else the others need while it derives.
final class ScryptGate: Sendable {
    private struct State {
        var limit: Int
        var used = 0
        var peak = 0
    }

    private let state: Monitor<State>

    /// The gate every scrypt run of the process goes through.
    static let shared = ScryptGate(limit: Memory.defaultLimit)

    init(limit: ByteCount) { state = Monitor(State(limit: limit.bytes)) }

    /// The bytes of scrypt memory allowed at once.
    var limit: ByteCount {
        get { .bytes(state.withLock { $0.limit }) }
        set { state.withLock { $0.limit = newValue.bytes } }
    }

    /// The most scrypt memory held at once since the process started (or ``resetPeak()``).
    var peak: ByteCount { .bytes(state.withLock { $0.peak }) }

    func resetPeak() { state.withLock { $0.peak = $0.used } }

    /// Runs `body` once `bytes` fit under the limit, holding them meanwhile.
    func withMemory<T>(_ bytes: Int, _ body: () throws -> T) rethrows -> T {
        state.wait { state -> Void? in
            guard state.used == 0 || state.used + bytes <= state.limit else { return nil }
            state.used += bytes
            state.peak = max(state.peak, state.used)
            return ()
        }
        defer { state.withLock { $0.used -= bytes } }
        return try body()
    }
}
