/// One chunk slot of a pack run: the plaintext read from the input and the frame built from it.
///
/// `@unchecked Sendable` for the same reason as ``RawBuffer``: the reader, one worker and the writer
/// use it in turn, each hand-over through the run's ``Monitor``.
final class PackSlot: @unchecked Sendable {
    let plain = RawBuffer()
    let frame = RawBuffer()
    var isFinal = false
    var isRaw = false
    var timings = StageTimings()

    static let stageNames = ["checksum", "compress", "encrypt"]
}

/// The forward stages for one chunk, run on a worker: checksum → compress (or keep raw) → encrypt.
struct ChunkEncoder: Sendable {
    let header: Header
    let keys: FileKeys?

    /// A frame saves less than 1/64 of its plaintext → it is stored raw, which decodes at memcpy speed.
    static func worthCompressing(_ compressed: Int, plain: Int) -> Bool { compressed < plain - plain / 64 }

    /// Turns `slot.plain` into a complete frame in `slot.frame`.
    func encode(_ slot: PackSlot, index: UInt64, context: WorkerContext) throws {
        let plain = slot.plain.contents
        let headerSize = header.frameHeaderSize
        let tagSize = header.cipher.tagSize
        slot.frame.reserve(headerSize + header.codec.codec.bound(plain.count) + tagSize)
        let frame = slot.frame
        slot.timings = StageTimings()

        try slot.timings.measure(0, bytes: plain.count) {
            try header.checksum.checksum(plain, into: frame.bytes.baseAddress! + header.checksumOffset)
        }

        let room = frame[headerSize..<frame.bytes.count - tagSize]
        var size = try slot.timings.measure(1, bytes: plain.count) {
            try context.codecs.compress(plain, into: room, settings: header.codec) ?? Int.max
        }
        slot.isRaw = !ChunkEncoder.worthCompressing(size, plain: plain.count)
        if slot.isRaw {
            size = plain.count
            // With a cipher, the seal below reads the plaintext from where it is instead.
            if size > 0, keys == nil { room.baseAddress!.copyMemory(from: plain.baseAddress!, byteCount: size) }
        }

        var flags: FrameHeader.Flags = []
        if slot.isFinal { flags.insert(.final) }
        if slot.isRaw { flags.insert(.raw) }
        FrameHeader(storedSize: size + tagSize, plainSize: plain.count, flags: flags).write(to: frame.bytes)

        if header.cipher == .none {
            let check = UInt32(truncatingIfNeeded: XXH3.hash64(UnsafeRawBufferPointer(frame[headerSize..<headerSize + size])))
            frame.bytes.storeLittleEndian(check, at: FrameHeader.fixedSize)
        }
        if let keys {
            try slot.timings.measure(2, bytes: size) {
                try context.cipher().seal(
                frame[headerSize..<headerSize + size], from: slot.isRaw ? plain : nil,
                tag: frame[headerSize + size..<headerSize + size + tagSize],
                cipher: header.cipher, key: keys.payloadKey, nonce: FrameHeader.nonce(index: index, isFinal: slot.isFinal),
                authenticating: UnsafeRawBufferPointer(frame[4..<headerSize]))
            }
        }
        frame.count = headerSize + size + tagSize
    }
}
