extension Run {
    /// Fills `slot` with `read` the way `strategy` says, then hands it to `next` (which submits its CPU
    /// work): ``ReadStrategy/parallel`` on a thread of `io` (``readBehind(_:on:_:then:)``), several at
    /// once; ``ReadStrategy/sequential`` right here on the reader thread, holding a token, so the reads
    /// reach the device in order as one stream.
    ///
    /// - Throws: a sequential read's failure (the reader then stops; its slot is given back).
    func read(
        _ slot: Slot, _ strategy: ReadStrategy, on io: IOPool, _ read: @escaping @Sendable (Slot) throws -> Void,
        then next: @escaping @Sendable (Slot) -> Void
    ) throws {
        switch strategy {
        case .parallel:
            readBehind(slot, on: io, read, then: next)
        case .sequential:
            let start = StatisticsRecorder.now
            do {
                try withToken(io) { try read(slot) }
            } catch {
                release(slot)
                throw error
            }
            statistics.busy(.reader, since: start)
            next(slot)
        }
    }
}
