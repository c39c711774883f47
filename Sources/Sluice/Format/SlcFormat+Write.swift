/// The write side of `.slc` for one file: the header with a fresh salt and per-file keys, one frame per
/// chunk (checksum → compress, or keep raw → payload check or seal), and the trailer and footer.
struct SlcWriter: FormatWriter {
    let header: Header
    let keys: FileKeys?
    let headerBytes: [UInt8]

    /// - Throws: ``SluiceError/Code/invalidArgument`` for a checksum of `none` without a cipher (nothing
    ///   would detect corruption), for a cipher without a key and for a context without a cipher.
    init(_ request: WriteRequest) throws {
        guard request.cipher != .none || request.checksum != .none else {
            throw SluiceError.invalid("--checksum none needs a cipher: without one nothing would detect corruption")
        }
        guard request.context == nil || request.cipher != .none else {
            throw SluiceError.invalid("--context needs encryption (a key file or a passphrase): only the keys are bound to it")
        }
        var keyBlock: KeyBlock?
        var keys: FileKeys?
        if request.cipher != .none {
            guard let source = request.key else { throw SluiceError.invalid("encryption needs a passphrase or a key file") }
            (keyBlock, keys) = try FileKeys.create(source: source, cipher: request.cipher, cost: request.kdfCost, context: request.context)
        }
        header = Header(
            codec: request.codec, cipher: request.cipher, checksum: request.checksum, chunkSize: request.chunkSize,
            keyBlock: keyBlock, metadata: request.metadata)
        self.keys = keys
        headerBytes = try header.encoded(keys: keys)
    }

    var info: ContainerInfo { header.info }

    func frameCapacity(plainSize: Int) -> Int { header.frameHeaderSize + header.codec.codec.bound(plainSize) + header.cipher.tagSize }

    /// A chunk that saves less than 1/64 of its plaintext is stored raw, which decodes at memcpy speed.
    static func worthCompressing(_ compressed: Int, plain: Int) -> Bool { compressed < plain - plain / 64 }

    func encode(
        _ plain: UnsafeRawBufferPointer, index: UInt64, isFinal: Bool, into frame: RawBuffer, context: WorkerContext,
        timings: inout StageTimings
    ) throws -> Bool {
        let headerSize = header.frameHeaderSize
        let tagSize = header.cipher.tagSize
        frame.reserve(frameCapacity(plainSize: plain.count))

        let room = frame[headerSize..<frame.bytes.count - tagSize]
        let checksumField = frame[header.checksumOffset..<headerSize]
        // A chunk of zeros (from the zero region) whose frame this worker made before reuses its
        // payload and checksum (``ZeroFrames``); the frame is an ordinary one.
        let zeros = ZeroRegion.contains(plain) ? context.zeroFrames : nil
        var size: Int
        if let known = zeros?.frame(codec: header.codec, checksum: header.checksum, plainSize: plain.count) {
            checksumField.copyBytes(from: known.checksumBytes)
            UnsafeMutableRawBufferPointer(rebasing: room[0..<known.payload.count]).copyBytes(from: known.payload)
            size = known.payload.count
        } else {
            try timings.measure(0, bytes: plain.count) {
                try header.checksum.checksum(plain, into: frame.bytes.baseAddress! + header.checksumOffset)
            }
            size = try timings.measure(1, bytes: plain.count) {
                try context.codecs.compress(plain, into: room, settings: header.codec) ?? Int.max
            }
            if let zeros, Self.worthCompressing(size, plain: plain.count) {
                zeros.remember(codec: header.codec, checksum: header.checksum, plainSize: plain.count,
                               payload: UnsafeRawBufferPointer(rebasing: room[0..<size]),
                               checksumBytes: UnsafeRawBufferPointer(checksumField))
            }
        }
        let isRaw = !Self.worthCompressing(size, plain: plain.count)
        if isRaw {
            size = plain.count
            // With a cipher, the seal below reads the plaintext from where it is instead.
            if size > 0, keys == nil { room.baseAddress!.copyMemory(from: plain.baseAddress!, byteCount: size) }
        }

        var flags: FrameHeader.Flags = []
        if isFinal { flags.insert(.final) }
        if isRaw { flags.insert(.raw) }
        FrameHeader(storedSize: size + tagSize, plainSize: plain.count, flags: flags).write(to: frame.bytes)

        if header.cipher == .none {
            let check = UInt32(truncatingIfNeeded: XXH3.hash64(UnsafeRawBufferPointer(frame[headerSize..<headerSize + size])))
            frame.bytes.storeLittleEndian(check, at: FrameHeader.fixedSize)
        }
        if let keys {
            try timings.measure(2, bytes: size) {
                try context.cipher().seal(
                    frame[headerSize..<headerSize + size], from: isRaw ? plain : nil,
                    tag: frame[headerSize + size..<headerSize + size + tagSize],
                    cipher: header.cipher, key: keys.payloadKey, nonce: FrameHeader.nonce(index: index, isFinal: isFinal),
                    authenticating: UnsafeRawBufferPointer(frame[FrameHeader.authenticatedRange(header)]))
            }
        }
        frame.count = headerSize + size + tagSize
        return isRaw
    }

    func ledger() throws -> SlcLedger { try SlcLedger(header: header, keys: keys) }
}

/// The index and the digest of a `.slc` being written, built as the frames land in order.
struct SlcLedger: FrameLedger {
    let header: Header
    let keys: FileKeys?
    private var entries: [IndexEntry] = []
    private let digest: FileDigest
    private var plainBytes: UInt64 = 0

    init(header: Header, keys: FileKeys?) throws {
        self.header = header
        self.keys = keys
        digest = try FileDigest(kind: header.checksum)
    }

    mutating func add(frame: UnsafeRawBufferPointer, plain: UnsafeRawBufferPointer, at offset: UInt64) {
        add(frame: frame, plainCount: plain.count, at: offset)
    }

    /// Files a frame of `plainCount` plaintext bytes written at `offset` (the frame holds its checksum).
    mutating func add(frame: UnsafeRawBufferPointer, plainCount: Int, at offset: UInt64) {
        entries.append(IndexEntry(
            offset: offset, storedSize: UInt32(frame.count - header.frameHeaderSize), plainSize: UInt32(plainCount)))
        digest.add(frameChecksum: UnsafeRawBufferPointer(rebasing: frame[header.checksumOffset..<header.frameHeaderSize]))
        plainBytes += UInt64(plainCount)
    }

    /// The trailer and the footer.
    mutating func tail(at offset: UInt64) throws -> [UInt8] {
        let trailer = try Trailer(entries: entries, digest: digest.finish(totalSize: plainBytes)).encoded(header: header, keys: keys)
        return trailer + Footer(trailerOffset: offset, trailerSize: UInt64(trailer.count)).encoded
    }
}
