/// One chunk slot of an unpack run: the frame read from the input and the plaintext decoded from it.
///
/// `@unchecked Sendable` for the same reason as ``RawBuffer``.
final class UnpackSlot: @unchecked Sendable {
    let frame = RawBuffer()
    let plain = RawBuffer()
    var frameHeader = FrameHeader(storedSize: 0, plainSize: 0, flags: [])
    var timings = StageTimings()

    static let stageNames = ["decrypt", "decompress", "verify"]

    /// The decoded plaintext: inside `frame` for a raw frame (no copy), in `plain` otherwise.
    func plaintext(headerSize: Int) -> UnsafeRawBufferPointer {
        frameHeader.flags.contains(.raw)
            ? UnsafeRawBufferPointer(frame[headerSize..<headerSize + frameHeader.plainSize])
            : plain.contents
    }
}

/// The reverse stages for one chunk, run on a worker: decrypt → decompress → verify the checksum.
struct ChunkDecoder: Sendable {
    let header: Header
    let keys: FileKeys?

    /// Authenticates and decodes `slot.frame`; on return `slot.plaintext` is the verified chunk.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` naming the frame when any check fails.
    func decode(_ slot: UnpackSlot, index: UInt64, context: WorkerContext) throws {
        let headerSize = header.frameHeaderSize
        let frameHeader = slot.frameHeader
        var payloadSize = frameHeader.storedSize
        slot.timings = StageTimings()
        do {
            if let keys {
                payloadSize -= header.cipher.tagSize
                try slot.timings.measure(0, bytes: payloadSize) {
                    try context.cipher().open(
                    slot.frame[headerSize..<headerSize + payloadSize],
                    tag: UnsafeRawBufferPointer(slot.frame[headerSize + payloadSize..<headerSize + frameHeader.storedSize]),
                    cipher: header.cipher, key: keys.payloadKey,
                    nonce: FrameHeader.nonce(index: index, isFinal: frameHeader.isFinal),
                    authenticating: UnsafeRawBufferPointer(slot.frame[4..<headerSize]))
                }
            }
            if header.cipher == .none {
                let stored = UnsafeRawBufferPointer(slot.frame[headerSize..<headerSize + payloadSize])
                guard UInt32(truncatingIfNeeded: XXH3.hash64(stored))
                        == slot.frame.contents.loadLittleEndian(at: FrameHeader.fixedSize, as: UInt32.self)
                else { throw SluiceError.corrupt("the stored bytes are damaged (payload check mismatch)") }
            }
            if !frameHeader.flags.contains(.raw) {
                slot.plain.reserve(frameHeader.plainSize)
                try slot.timings.measure(1, bytes: frameHeader.plainSize) {
                    try context.codecs.decompress(
                        UnsafeRawBufferPointer(slot.frame[headerSize..<headerSize + payloadSize]),
                        into: slot.plain[0..<frameHeader.plainSize], codec: header.codec.codec)
                }
                slot.plain.count = frameHeader.plainSize
            }
            if header.checksum != .none {
                let start = StatisticsRecorder.now
                defer {
                    slot.timings.nanoseconds[2] += StatisticsRecorder.now - start
                    slot.timings.bytes[2] += UInt64(frameHeader.plainSize)
                }
                var computed = [UInt8](repeating: 0, count: header.checksum.frameSize)
                try computed.withUnsafeMutableBytes {
                    try header.checksum.checksum(slot.plaintext(headerSize: headerSize), into: $0.baseAddress!)
                }
                guard computed.elementsEqual(slot.frame[header.checksumOffset..<headerSize]) else {
                    throw SluiceError.corrupt("checksum mismatch")
                }
            }
        } catch let error as SluiceError where error.code == .corrupt {
            throw SluiceError.corrupt("frame \(index): \(error.message)")
        }
    }
}
