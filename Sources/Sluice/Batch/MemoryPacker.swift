/// Packs a whole file held in memory into a complete image of its format, on one worker: the small-file
/// half of a batch, where a file is too small to be worth spreading over several workers.
///
/// The image is byte for byte what ``Pipeline/pack(from:inputSize:to:options:metadata:plan:pool:io:positional:reads:progress:)``
/// would write for the same chunks (but for the fresh salt of an encrypted file): the same format writer
/// makes the header, the frames and the tail.
struct MemoryPacker: Sendable {
    let options: PackOptions
    /// The chunk size of every small file (the plan's for the largest small file).
    let chunkSize: Int

    /// Encodes `slots` (the file's chunks, in order, at least one; every one but the last holds
    /// exactly `chunkSize` bytes) and writes the whole file into `image`.
    ///
    /// - Returns: whether compression paid on any chunk (`false`: every frame was stored raw).
    func pack(
        _ slots: [PackSlot], metadata: FileMetadata?, codec: CodecSettings, into image: RawBuffer, context: WorkerContext
    ) throws -> Bool {
        try pack(slots, writer: try options.writer(codec: codec, chunkSize: chunkSize, metadata: metadata), into: image, context: context)
    }

    private func pack(_ slots: [PackSlot], writer: some FormatWriter, into image: RawBuffer, context: WorkerContext) throws -> Bool {
        var ledger = try writer.ledger()
        var offset = UInt64(writer.headerBytes.count)
        for (index, slot) in slots.enumerated() {
            slot.isFinal = index == slots.count - 1
            try slot.encode(with: writer, index: UInt64(index), context: context)
            ledger.add(frame: slot.frame.contents, plain: slot.input, at: offset)
            offset += UInt64(slot.frame.count)
        }
        let tail = try ledger.tail(at: offset)

        let total = Int(offset) + tail.count
        image.reserve(total)
        var cursor = 0
        func put(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count > 0 else { return }
            (image.bytes.baseAddress! + cursor).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            cursor += bytes.count
        }
        writer.headerBytes.withUnsafeBytes(put)
        for slot in slots { put(slot.frame.contents) }
        tail.withUnsafeBytes(put)
        image.count = total
        return slots.contains { !$0.isRaw }
    }
}
