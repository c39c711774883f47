/// Packs a whole file held in memory into a complete `.slc` image, on one worker: the small-file half of
/// a batch, where a file is too small to be worth spreading over several workers.
///
/// The image is byte for byte what ``Pipeline/pack(from:inputSize:to:options:metadata:plan:pool:)`` would
/// write for the same chunks (but for the fresh salt of an encrypted file).
struct MemoryPacker: Sendable {
    let options: PackOptions
    /// The chunk size of every small file (the plan's for the largest small file).
    let chunkSize: Int

    /// Encodes `slots` (the file's chunks, in order, at least one; every one but the last holds
    /// exactly `chunkSize` bytes) and writes header, frames, trailer and footer into `image`.
    ///
    /// - Returns: whether compression paid on any chunk (`false`: every frame was stored raw).
    func pack(
        _ slots: [PackSlot], metadata: FileMetadata?, codec: CodecSettings, into image: RawBuffer, context: WorkerContext
    ) throws -> Bool {
        let checksum = options.effectiveChecksum
        let (header, keys) = try options.newHeader(codec: codec, chunkSize: chunkSize, metadata: metadata)
        let headerBytes = try header.encoded(keys: keys)
        let encoder = ChunkEncoder(header: header, keys: keys)
        for (index, slot) in slots.enumerated() {
            slot.isFinal = index == slots.count - 1
            try encoder.encode(slot, index: UInt64(index), context: context)
        }

        let digest = try FileDigest(kind: checksum)
        var entries: [IndexEntry] = []
        entries.reserveCapacity(slots.count)
        var offset = headerBytes.count
        var plainBytes: UInt64 = 0
        for slot in slots {
            let frame = slot.frame.contents
            entries.append(IndexEntry(
                offset: UInt64(offset), storedSize: UInt32(frame.count - header.frameHeaderSize), plainSize: UInt32(slot.plain.count)))
            digest.add(frameChecksum: UnsafeRawBufferPointer(rebasing: frame[header.checksumOffset..<header.frameHeaderSize]))
            offset += frame.count
            plainBytes += UInt64(slot.plain.count)
        }
        let trailer = try Trailer(entries: entries, digest: digest.finish(totalSize: plainBytes)).encoded(header: header, keys: keys)
        let footer = Footer(trailerOffset: UInt64(offset), trailerSize: UInt64(trailer.count)).encoded

        let total = offset + trailer.count + footer.count
        image.reserve(total)
        var cursor = 0
        func put(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count > 0 else { return }
            (image.bytes.baseAddress! + cursor).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            cursor += bytes.count
        }
        headerBytes.withUnsafeBytes(put)
        for slot in slots { put(slot.frame.contents) }
        trailer.withUnsafeBytes(put)
        footer.withUnsafeBytes(put)
        image.count = total
        return slots.contains { !$0.isRaw }
    }
}
