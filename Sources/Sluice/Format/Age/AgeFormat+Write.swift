/// The write side of age for one file: a fresh file key and nonce, the header with one stanza per
/// recipient (or one scrypt stanza), and each frame sealed as a run of STREAM chunks on a worker.
struct AgeWriter: FormatWriter {
    let headerBytes: [UInt8]
    let payloadKey: [UInt8]
    let chunkSize: Int
    let info: ContainerInfo

    /// - Throws: ``SluiceError/Code/invalidArgument`` for a codec other than `store` (age has no
    ///   compression), a checksum, a chunk size that is not whole STREAM chunks, or a key that is
    ///   neither recipients nor a passphrase.
    init(_ request: WriteRequest) throws {
        guard request.codec.codec == .store else {
            throw SluiceError.invalid(
                "age files have no compression, so --format age takes no --codec \(request.codec.codec.rawValue); compress first: sluice pack --codec zstd -c FILE | sluice pack --format age -r …")
        }
        guard request.checksum == .none else {
            throw SluiceError.invalid("age files carry no checksum of their own: STREAM authenticates every chunk (no --checksum)")
        }
        guard AgeFormat.traits.allows(request.chunkSize) else {
            throw SluiceError.invalid("an age chunk size must be a multiple of 64 KiB")
        }
        guard request.context == nil else {
            throw SluiceError.invalid("age files cannot bind a --context into their keys (a .slc feature)")
        }
        let lock: AgeFile.Lock
        switch request.key {
        case .recipients(let recipients): lock = .recipients(recipients)
        case .passphrase(let passphrase): lock = .passphrase(passphrase, workFactor: request.kdfCost.logN)
        case .keyFile: throw SluiceError.invalid("age files are encrypted to recipients (-r, -R) or a passphrase, not a key file")
        case .identities, nil: throw SluiceError.invalid("an age file needs recipients (-r, -R) or a passphrase")
        }
        let fileKey = try LibCrypto.randomBytes(Age.fileKeySize)
        let nonce = try LibCrypto.randomBytes(Age.nonceSize)
        let header = try AgeFile.header(for: lock, fileKey: fileKey)
        headerBytes = header + nonce
        payloadKey = try AgeKeySchedule.payloadKey(fileKey, nonce: nonce)
        chunkSize = request.chunkSize
        info = AgeFormat.info(stanzas: try AgeHeader.parse(header)?.stanzas ?? [])
    }

    func frameCapacity(plainSize: Int) -> Int { Int(AgeStream.sealedSize(plainSize: UInt64(plainSize))) }

    func encode(
        _ plain: UnsafeRawBufferPointer, index: UInt64, isFinal: Bool, into frame: RawBuffer, context: WorkerContext,
        timings: inout StageTimings
    ) throws -> Bool {
        let size = frameCapacity(plainSize: plain.count)
        frame.reserve(size)
        try timings.measure(2, bytes: plain.count) {
            try AgeStream.seal(
                plain, into: frame[0..<size], firstChunk: index * UInt64(chunkSize / Age.chunkSize), isFinal: isFinal,
                key: payloadKey, context: try context.cipher())
        }
        frame.count = size
        return false
    }

    func ledger() throws -> AgeLedger { AgeLedger() }
}

/// age has nothing after its last chunk.
struct AgeLedger: FrameLedger {
    mutating func add(frame: UnsafeRawBufferPointer, plain: UnsafeRawBufferPointer, at offset: UInt64) {}
    mutating func tail(at offset: UInt64) throws -> [UInt8] { [] }
}
