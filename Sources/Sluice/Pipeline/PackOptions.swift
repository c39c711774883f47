/// Everything that decides how a file is packed.
public struct PackOptions: Sendable {
    /// The container to write.
    public var format: ContainerKind = .slc
    /// The compression stage and its level.
    public var codec: CodecSettings
    /// The AEAD cipher; `.none` for no encryption.
    public var cipher: Cipher = .none
    /// `nil`: XXH3 without a cipher, none with one (the AEAD tags already authenticate every frame).
    public var checksum: ChecksumKind?
    /// Required when `cipher` is not `.none`.
    public var key: KeySource?
    /// The scrypt cost when `key` is a passphrase.
    public var kdfCost: ScryptCost = .default
    /// Bound into the key derivation (`--context`); needs a cipher. A reader must give the same one.
    public var context: KeyContext?
    /// `nil`: chosen by ``Plan``.
    public var chunkSize: Int?
    /// `nil`: one per core.
    public var workers: Int?
    /// `nil`: a quarter of physical memory.
    public var memoryLimit: ByteCount?

    /// Options with `codec` and every other choice left to its default.
    public init(codec: CodecSettings) { self.codec = codec }

    /// The checksum actually used.
    public var effectiveChecksum: ChecksumKind { checksum ?? (cipher == .none ? .xxh3 : .none) }

    /// The write side of a new file in ``format``: its header, with a fresh salt and per-file keys when
    /// there is a cipher.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` for `--checksum none` without a cipher (nothing
    ///   would detect corruption), for a cipher without a key and for a context without a cipher.
    func writer(codec: CodecSettings? = nil, chunkSize: Int, metadata: FileMetadata?) throws -> any FormatWriter {
        try format.format.writer(for: WriteRequest(
            codec: codec ?? self.codec, cipher: cipher, checksum: effectiveChecksum, chunkSize: chunkSize, key: key,
            kdfCost: kdfCost, context: context, metadata: metadata))
    }

    /// Makes a plan for an input of `inputSize` bytes (`nil` for a pipe).
    func plan(inputSize: Int?) throws -> Plan {
        try Plan.make(
            inputSize: inputSize, codec: codec, format: format, chunkSize: chunkSize, workers: workers,
            memoryLimit: memoryLimit ?? Memory.defaultLimit)
    }
}

/// What a finished pack run did.
public struct PackReport: Sendable {
    /// What the new file's header records.
    public var info: ContainerInfo
    /// How the run was cut up and spread.
    package var plan: Plan
    /// Plaintext bytes read.
    public var plainBytes: UInt64
    /// Bytes of `.slc` written, header to footer.
    public var packedBytes: UInt64
    /// Frames written.
    public var chunks: UInt64
    /// Chunks stored without compression because it did not pay.
    public var rawChunks: UInt64
    /// Where the time went (`--stats`).
    public var statistics: RunStatistics
}

/// What a finished unpack (or verify) run did.
public struct UnpackReport: Sendable {
    /// What the file's header records.
    public var info: ContainerInfo
    /// Plaintext bytes restored (or verified).
    public var plainBytes: UInt64
    /// Bytes of the packed file.
    public var packedBytes: UInt64
    /// Frames decoded.
    public var chunks: UInt64
    /// `nil` for runs too short to measure (an empty range).
    public var statistics: RunStatistics?
    /// The whole-file digest, recomputed from the frames and equal to the trailer's (empty without
    /// checksums, and for a range restore, which does not decode every frame).
    public var digest: [UInt8] = []
}
