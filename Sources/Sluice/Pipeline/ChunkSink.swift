/// Where a producer that pushes its bytes (the tar writer of an archive) hands them to a pack run:
/// they are copied straight into the run's chunk slots, each submitted for encoding once the next byte
/// shows it is not the last — no pipe, no reader thread copying from one.
///
/// Used on the run's reader thread only (``Pipeline/pack(producing:to:options:plan:pool:io:progress:)``).
final class ChunkSink {
    private let chunkSize: Int
    private let take: () -> PackSlot?
    private let submit: (PackSlot, _ isFinal: Bool) -> Void
    /// The slot being filled: full ones wait here until more bytes arrive or the stream ends.
    private var current: PackSlot?
    /// Bytes written so far.
    private(set) var bytesWritten: UInt64 = 0

    /// - Parameters:
    ///   - take: a free slot, waiting for one; `nil` once the run failed.
    ///   - submit: hands a filled slot on (in order), saying whether it is the last.
    init(chunkSize: Int, take: @escaping () -> PackSlot?, submit: @escaping (PackSlot, Bool) -> Void) {
        self.chunkSize = chunkSize
        self.take = take
        self.submit = submit
    }

    /// Appends `bytes` to the stream.
    ///
    /// - Throws: a ``SluiceError`` when the run failed meanwhile (the run reports its own error).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let slot = try slotWithRoom()
            let count = min(bytes.count - done, chunkSize - slot.plain.count)
            (slot.plain.bytes.baseAddress! + slot.plain.count).copyMemory(from: bytes.baseAddress! + done, byteCount: count)
            slot.plain.count += count
            done += count
        }
        bytesWritten += UInt64(bytes.count)
    }

    /// Ends the stream: the last slot (an empty one for an empty stream) is submitted as final.
    func finish() throws {
        let last = try current ?? freshSlot()
        current = nil
        submit(last, true)
    }

    private func slotWithRoom() throws -> PackSlot {
        if let slot = current {
            if slot.plain.count < chunkSize { return slot }
            submit(slot, false)
            current = nil
        }
        let slot = try freshSlot()
        current = slot
        return slot
    }

    private func freshSlot() throws -> PackSlot {
        guard let slot = take() else { throw SluiceError(.io, "the packing run stopped") }
        slot.isHole = false
        slot.plain.reserve(chunkSize)
        slot.plain.count = 0
        return slot
    }
}
