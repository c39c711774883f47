/// Decodes a whole `.slc` image held in memory, on one worker: the small-file half of an unpack batch.
///
/// It applies every rule of docs/format.md ("Decoding rules") that ``Pipeline/unpack`` applies to a
/// stream: header, key check, every frame's lengths, flags, tag and checksum, the trailer's tag and
/// index against the frames, the digest, the footer, and the end of the image right after it.
struct MemoryUnpacker: Sendable {
    let limits: DecodeLimits

    /// The header at the start of `image`, with its raw bytes.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when it is not a valid header.
    func header(of image: UnsafeRawBufferPointer) throws -> (header: Header, bytes: [UInt8]) {
        guard image.count >= Header.prefixSize else { throw SluiceError.corrupt("not a Sluice file (too short)") }
        let length = try Header.length(fromPrefix: Array(image[0..<Header.prefixSize]))
        guard image.count >= length else { throw SluiceError.corrupt("truncated input: the header is incomplete") }
        let bytes = Array(image[0..<length])
        return (try Header.decode(bytes, limits: limits), bytes)
    }

    /// The plaintext size the trailer declares, after checking the footer points at it; `nil` when the
    /// footer or trailer is malformed (``decode`` then reports exactly what).
    func declaredPlainSize(of image: UnsafeRawBufferPointer, header: Header) -> Int? {
        guard let (trailerOffset, trailerSize) = try? trailerLocation(in: image) else { return nil }
        let count = (trailerSize - Trailer.size(count: 0, header: header)) / IndexEntry.encodedSize
        guard count >= 1, trailerSize == Trailer.size(count: count, header: header) else { return nil }
        var total = 0
        for index in 0..<count {
            total += Int(image.loadLittleEndian(at: trailerOffset + 12 + IndexEntry.encodedSize * index + 12, as: UInt32.self))
        }
        return total
    }

    private func trailerLocation(in image: UnsafeRawBufferPointer) throws -> (offset: Int, size: Int) {
        guard image.count >= Footer.size else { throw SluiceError.corrupt("truncated input: no footer") }
        let footer = try Footer.decode(Array(image[(image.count - Footer.size)...]))
        guard footer.trailerOffset <= UInt64(image.count), footer.trailerSize <= UInt64(image.count),
              footer.trailerOffset + footer.trailerSize + UInt64(Footer.size) == UInt64(image.count)
        else { throw SluiceError.corrupt("the footer does not point at the trailer") }
        return (Int(footer.trailerOffset), Int(footer.trailerSize))
    }

    /// Verifies and decodes the frames of `image` (whose header is `opened`) into `plain`.
    ///
    /// - Parameters:
    ///   - keys: the file's keys when it is encrypted (the header already authenticated with them).
    ///   - slot: scratch space for one frame, reused.
    /// - Throws: ``SluiceError/Code/corrupt`` naming the first problem; `plain` then holds garbage.
    func decode(
        _ image: UnsafeRawBufferPointer, header: Header, headerSize: Int, keys: FileKeys?, slot: UnpackSlot,
        into plain: RawBuffer, context: WorkerContext
    ) throws {
        let (trailerOffset, trailerSize) = try trailerLocation(in: image)
        let trailer = try Trailer.decode(Array(image[trailerOffset..<trailerOffset + trailerSize]), header: header, keys: keys)
        let total = trailer.entries.reduce(0) { $0 + Int($1.plainSize) }
        plain.reserve(total)
        let frameHeaderSize = header.frameHeaderSize
        let decoder = ChunkDecoder(header: header, keys: keys)
        let digest = try FileDigest(kind: header.checksum)
        var offset = headerSize
        var produced = 0
        for (index, entry) in trailer.entries.enumerated() {
            guard entry.offset == UInt64(offset), offset + frameHeaderSize <= trailerOffset else {
                throw SluiceError.corrupt("the trailer's index does not match the frames")
            }
            let frameHeader = try FrameHeader.read(
                from: UnsafeRawBufferPointer(rebasing: image[offset..<offset + frameHeaderSize]), header: header, index: UInt64(index))
            let frameSize = frameHeaderSize + frameHeader.storedSize
            guard offset + frameSize <= trailerOffset, frameHeader.storedSize == Int(entry.storedSize),
                  frameHeader.plainSize == Int(entry.plainSize), frameHeader.isFinal == (index == trailer.entries.count - 1),
                  produced + frameHeader.plainSize <= total
            else { throw SluiceError.corrupt("frame \(index) does not match the trailer's index") }
            slot.frame.reserve(frameSize)
            slot.frame.bytes.baseAddress!.copyMemory(from: image.baseAddress! + offset, byteCount: frameSize)
            slot.frame.count = frameSize
            slot.frameHeader = frameHeader
            try decoder.decode(slot, index: UInt64(index), context: context)
            let text = slot.plaintext(headerSize: frameHeaderSize)
            if text.count > 0 { (plain.bytes.baseAddress! + produced).copyMemory(from: text.baseAddress!, byteCount: text.count) }
            produced += text.count
            digest.add(frameChecksum: UnsafeRawBufferPointer(slot.frame[header.checksumOffset..<frameHeaderSize]))
            offset += frameSize
        }
        guard offset == trailerOffset else { throw SluiceError.corrupt("the trailer's index does not reach the trailer") }
        guard LibCrypto.constantTimeEqual(digest.finish(totalSize: UInt64(produced)), trailer.digest) else {
            throw SluiceError.corrupt("whole-file digest mismatch")
        }
        if let size = header.metadata?.size, size != UInt64(produced) {
            throw SluiceError.corrupt("decoded \(produced) bytes, but the header records \(size)")
        }
        plain.count = produced
    }
}
