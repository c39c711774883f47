/// The read side of one opened `.slc`: its header and keys, the index from its footer and trailer, the
/// frames walked from the front, one frame decoded (tag or payload check → decompress → checksum), and the
/// trailer, digest and footer checked against the frames.
struct SlcReader: FormatReader {
    let header: Header
    let headerSize: Int
    let keys: FileKeys?

    var info: ContainerInfo { header.info }
    var keyWrappings: [KeyWrapping] { header.keyBlock.map { [$0.wrapping] } ?? [] }
    var boundToContext: Bool { header.keyBlock?.hasContext == true }
    var maxFrameSize: Int { header.frameHeaderSize + header.maxStoredSize }
    var maxPlainSize: Int { header.chunkSize }
    var framePrefixSize: Int { header.frameHeaderSize }

    /// The footer, then the trailer (authenticated when it can be), then an index that is contiguous from
    /// the header to the trailer, lists at least one frame, and has every chunk but the last full.
    func index(fileSize: UInt64, read: (UInt64, Int) throws -> [UInt8]) throws -> FrameIndex {
        guard fileSize >= UInt64(headerSize + Footer.size) else { throw SluiceError.corrupt("truncated input: no footer") }
        let footerBytes = try read(fileSize - UInt64(Footer.size), Footer.size)
        let footer = try Footer.decode(footerBytes)
        guard footer.trailerSize <= fileSize, footer.trailerOffset <= fileSize,
              footer.trailerOffset + footer.trailerSize + UInt64(Footer.size) == fileSize,
              footer.trailerSize <= (1 << 34)
        else { throw SluiceError.corrupt("the footer does not point at a trailer") }
        let trailerBytes = try read(footer.trailerOffset, Int(footer.trailerSize))
        let trailer = try Trailer.decode(trailerBytes, header: header, keys: keys)
        guard !trailer.entries.isEmpty else { throw SluiceError.corrupt("the trailer's index lists no frames") }
        var expected = UInt64(headerSize)
        var rawFrames = 0
        for (i, entry) in trailer.entries.enumerated() {
            let isLast = i == trailer.entries.count - 1
            guard entry.offset == expected, Int(entry.storedSize) <= header.maxStoredSize,
                  isLast ? Int(entry.plainSize) <= header.chunkSize : Int(entry.plainSize) == header.chunkSize
            else { throw SluiceError.corrupt("the trailer's index is inconsistent at chunk \(i)") }
            if Int(entry.storedSize) == Int(entry.plainSize) + header.cipher.tagSize { rawFrames += 1 }
            expected += UInt64(header.frameHeaderSize) + UInt64(entry.storedSize)
        }
        guard expected == footer.trailerOffset else { throw SluiceError.corrupt("the trailer's index does not reach the trailer") }
        return FrameIndex(
            entries: trailer.entries.map(frameEntry), tail: trailerBytes + footerBytes,
            verified: keys != nil || header.cipher == .none, rawFrames: rawFrames, digest: trailer.digest)
    }

    private func frameEntry(_ entry: IndexEntry) -> FrameEntry {
        FrameEntry(offset: entry.offset, size: header.frameHeaderSize + Int(entry.storedSize), plainSize: Int(entry.plainSize))
    }

    func walk(prefix: UnsafeRawBufferPointer, index: UInt64, offset: UInt64) throws -> (entry: FrameEntry, isLast: Bool) {
        let frameHeader = try FrameHeader.read(from: prefix, header: header, index: index)
        let entry = FrameEntry(offset: offset, size: header.frameHeaderSize + frameHeader.storedSize, plainSize: frameHeader.plainSize)
        return (entry, frameHeader.isFinal)
    }

    func check(frame: UnsafeRawBufferPointer, against entry: FrameEntry, index: UInt64, isLast: Bool) throws {
        let frameHeader = try FrameHeader.read(from: frame, header: header, index: index)
        guard header.frameHeaderSize + frameHeader.storedSize == entry.size, frameHeader.plainSize == entry.plainSize,
              frameHeader.isFinal == isLast
        else { throw SluiceError.corrupt("frame \(index) does not match the index") }
    }

    /// - Throws: ``SluiceError/Code/corrupt`` naming the frame when any check fails.
    func decode(
        _ frame: UnsafeMutableRawBufferPointer, entry: FrameEntry, index: UInt64, into plain: RawBuffer, context: WorkerContext,
        timings: inout StageTimings
    ) throws -> UnsafeRawBufferPointer {
        let headerSize = header.frameHeaderSize
        let frameHeader = try FrameHeader.read(from: UnsafeRawBufferPointer(frame), header: header, index: index)
        var payloadSize = frameHeader.storedSize
        do {
            if let keys {
                payloadSize -= header.cipher.tagSize
                try timings.measure(0, bytes: payloadSize) {
                    try context.cipher().open(
                        UnsafeMutableRawBufferPointer(rebasing: frame[headerSize..<headerSize + payloadSize]),
                        tag: UnsafeRawBufferPointer(rebasing: frame[headerSize + payloadSize..<headerSize + frameHeader.storedSize]),
                        cipher: header.cipher, key: keys.payloadKey,
                        nonce: FrameHeader.nonce(index: index, isFinal: frameHeader.isFinal),
                        authenticating: UnsafeRawBufferPointer(rebasing: frame[FrameHeader.authenticatedRange(header)]))
                }
            }
            let payload = UnsafeRawBufferPointer(rebasing: frame[headerSize..<headerSize + payloadSize])
            if header.cipher == .none {
                guard UInt32(truncatingIfNeeded: XXH3.hash64(payload))
                        == UnsafeRawBufferPointer(frame).loadLittleEndian(at: FrameHeader.fixedSize, as: UInt32.self)
                else { throw SluiceError.corrupt("the stored bytes are damaged (payload check mismatch)") }
            }
            let checksumField = UnsafeRawBufferPointer(rebasing: frame[header.checksumOffset..<headerSize])
            let isRaw = frameHeader.flags.contains(.raw)
            if !isRaw, context.zeroFrames.decodesToZeros(
                codec: header.codec.codec, checksum: header.checksum, plainSize: frameHeader.plainSize, payload: payload,
                checksumBytes: checksumField) {
                // The same authenticated bytes as a frame that decoded and verified to zeros (``ZeroFrames``).
                return ZeroRegion.bytes(frameHeader.plainSize)
            }
            let plaintext: UnsafeRawBufferPointer
            if isRaw {
                plaintext = UnsafeRawBufferPointer(rebasing: payload[payload.startIndex..<payload.startIndex + frameHeader.plainSize])
            } else {
                plain.reserve(frameHeader.plainSize)
                try timings.measure(1, bytes: frameHeader.plainSize) {
                    try context.codecs.decompress(payload, into: plain[0..<frameHeader.plainSize], codec: header.codec.codec)
                }
                plain.count = frameHeader.plainSize
                plaintext = plain.contents
            }
            if header.checksum != .none {
                let start = StatisticsRecorder.now
                defer {
                    timings.nanoseconds[2] += StatisticsRecorder.now - start
                    timings.bytes[2] += UInt64(frameHeader.plainSize)
                }
                var computed = [UInt8](repeating: 0, count: header.checksum.frameSize)
                try computed.withUnsafeMutableBytes { try header.checksum.checksum(plaintext, into: $0.baseAddress!) }
                guard computed.elementsEqual(frame[header.checksumOffset..<headerSize]) else {
                    throw SluiceError.corrupt("checksum mismatch")
                }
            }
            // Verified zeros come back as the zero region, which a sparse output skips without looking.
            guard frameHeader.plainSize > 0, ZeroRegion.isZero(plaintext) else { return plaintext }
            if !isRaw {
                context.zeroFrames.remember(
                    codec: header.codec, checksum: header.checksum, plainSize: frameHeader.plainSize, payload: payload,
                    checksumBytes: checksumField)
            }
            return ZeroRegion.bytes(frameHeader.plainSize)
        } catch let error as SluiceError where error.code == .corrupt {
            throw SluiceError.corrupt("frame \(index): \(error.message)")
        }
    }

    func verifier() throws -> SlcVerifier { try SlcVerifier(reader: self) }

    func streamTailSize(frames: Int) -> Int { Trailer.size(count: frames, header: header) + Footer.size }
}

/// The end-of-file checks of a `.slc`: the trailer's tag, its index against the frames seen, the
/// whole-file digest over the frames' checksums, the footer, and the size the header records.
struct SlcVerifier: FrameVerifier {
    let reader: SlcReader
    private let digest: FileDigest
    private var plainBytes: UInt64 = 0

    init(reader: SlcReader) throws {
        self.reader = reader
        digest = try FileDigest(kind: reader.header.checksum)
    }

    mutating func add(frame: UnsafeRawBufferPointer, entry: FrameEntry, plain: UnsafeRawBufferPointer) {
        let header = reader.header
        digest.add(frameChecksum: UnsafeRawBufferPointer(rebasing: frame[header.checksumOffset..<header.frameHeaderSize]))
        plainBytes += UInt64(plain.count)
    }

    mutating func finish(entries: [FrameEntry], tail: ReadTail) throws -> [UInt8] {
        let header = reader.header
        let recordedDigest: [UInt8]
        switch tail {
        case .indexed(let index):
            // `SlcReader.index` authenticated the trailer and checked it against the footer and the
            // layout; the frames were read from its entries and each checked against one.
            guard index.entries == entries else { throw SluiceError.corrupt("the trailer's index does not match the frames") }
            recordedDigest = index.digest
        case .streamed(let tail):
            guard tail.count >= Footer.size else { throw SluiceError.corrupt("truncated input: no footer") }
            let trailerBytes = Array(tail[0..<tail.count - Footer.size])
            let trailer = try Trailer.decode(trailerBytes, header: header, keys: reader.keys)
            let listed = trailer.entries.map {
                FrameEntry(offset: $0.offset, size: header.frameHeaderSize + Int($0.storedSize), plainSize: Int($0.plainSize))
            }
            guard listed == entries else { throw SluiceError.corrupt("the trailer's index does not match the frames") }
            let footer = try Footer.decode(Array(tail[(tail.count - Footer.size)...]))
            let trailerOffset = entries.last.map { $0.offset + UInt64($0.size) } ?? 0
            guard footer.trailerOffset == trailerOffset, footer.trailerSize == UInt64(trailerBytes.count) else {
                throw SluiceError.corrupt("the footer does not point at the trailer")
            }
            recordedDigest = trailer.digest
        }
        let computed = digest.finish(totalSize: plainBytes)
        guard LibCrypto.constantTimeEqual(computed, recordedDigest) else {
            throw SluiceError.corrupt("whole-file digest mismatch")
        }
        if let size = header.metadata?.size, size != plainBytes {
            throw SluiceError.corrupt("decoded \(plainBytes) bytes, but the header records \(size)")
        }
        return computed
    }
}
