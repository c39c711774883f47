/// Everything that decides how a file is packed.
public struct PackOptions: Sendable {
    public var codec: CodecSettings
    public var cipher: Cipher = .none
    /// `nil`: XXH3 without a cipher, none with one (the AEAD tags already authenticate every frame).
    public var checksum: ChecksumKind?
    /// Required when `cipher` is not `.none`.
    public var key: KeySource?
    public var kdfCost: ScryptCost = .default
    /// Bound into the key derivation (`--context`); needs a cipher. A reader must give the same one.
    public var context: KeyContext?
    /// `nil`: chosen by ``Plan``.
    public var chunkSize: Int?
    /// `nil`: one per core.
    public var workers: Int?
    /// `nil`: a quarter of physical memory.
    public var memoryLimit: ByteCount?

    public init(codec: CodecSettings) { self.codec = codec }

    /// The checksum actually used.
    public var effectiveChecksum: ChecksumKind { checksum ?? (cipher == .none ? .xxh3 : .none) }

    /// The header of a new file and its keys: a fresh salt and per-file keys when there is a cipher.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` for `--checksum none` without a cipher (nothing
    ///   would detect corruption), for a cipher without a key and for a context without a cipher.
    func newHeader(codec: CodecSettings, chunkSize: Int, metadata: FileMetadata?) throws -> (Header, FileKeys?) {
        let checksum = effectiveChecksum
        guard cipher != .none || checksum != .none else {
            throw SluiceError.invalid("--checksum none needs a cipher: without one nothing would detect corruption")
        }
        var keyBlock: KeyBlock?
        var keys: FileKeys?
        guard context == nil || cipher != .none else {
            throw SluiceError.invalid("--context needs encryption (a key file or a passphrase): only the keys are bound to it")
        }
        if cipher != .none {
            guard let source = key else { throw SluiceError.invalid("encryption needs a passphrase or a key file") }
            (keyBlock, keys) = try FileKeys.create(source: source, cipher: cipher, cost: kdfCost, context: context)
        }
        let header = Header(
            codec: codec, cipher: cipher, checksum: checksum, chunkSize: chunkSize, keyBlock: keyBlock, metadata: metadata)
        return (header, keys)
    }

    /// Makes a plan for an input of `inputSize` bytes (`nil` for a pipe).
    public func plan(inputSize: Int?) throws -> Plan {
        try Plan.make(
            inputSize: inputSize, codec: codec, chunkSize: chunkSize, workers: workers,
            memoryLimit: memoryLimit ?? Memory.defaultLimit)
    }
}

/// What a finished pack run did.
public struct PackReport: Sendable {
    public var header: Header
    public var plan: Plan
    /// Plaintext bytes read.
    public var plainBytes: UInt64
    /// Bytes of `.slc` written, header to footer.
    public var packedBytes: UInt64
    public var chunks: UInt64
    /// Chunks stored without compression because it did not pay.
    public var rawChunks: UInt64
    public var statistics: RunStatistics
}

/// What a finished unpack (or verify) run did.
public struct UnpackReport: Sendable {
    public var header: Header
    public var plainBytes: UInt64
    public var packedBytes: UInt64
    public var chunks: UInt64
    /// `nil` for runs too short to measure (an empty range).
    public var statistics: RunStatistics?
    /// The whole-file digest, recomputed from the frames and equal to the trailer's (empty without
    /// checksums, and for a range restore, which does not decode every frame).
    public var digest: [UInt8] = []
}
