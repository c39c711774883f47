import SystemPackage
@testable import Sluice

/// Packs and unpacks bytes in memory through the library's file-descriptor API, the way the CLI
/// does, with small chunks so that a few KiB already make a multi-frame file.
enum Harness {
    /// The smallest chunk size the format allows: multi-frame files stay small and fast.
    static let chunkSize = 4096
    static let workers = 2
    static var pool: WorkerPool { WorkerPool.shared(workers: workers) }
    /// The I/O pool `unpack` and `decode` run with: `nil` (the default) reads a seekable input front to
    /// back, as a pipe; a pool makes them read it through the footer and the index, frames at their
    /// offsets on the pool's threads, as the CLI does (``Harness/withIndexedReads(_:)``).
    @TaskLocal static var io: IOPool?

    /// Runs `body` with `unpack` and `decode` reading seekable inputs through the index and a 2-token
    /// I/O pool (without it they read front to back with a 1-token pool).
    static func withIndexedReads<T>(_ body: () throws -> T) rethrows -> T {
        try $io.withValue(IOPool.shared(tokens: 2), operation: body)
    }

    /// A fixed 32-byte key file secret (tests that need a different key build their own).
    static let key = KeySource.keyFile((0..<32).map { UInt8($0) &* 7 &+ 3 })
    static let otherKey = KeySource.keyFile((0..<32).map { UInt8($0) &* 5 &+ 1 })
    static let passphrase = KeySource.passphrase(Array("correct horse battery staple".utf8))
    /// scrypt at N = 2^10: fast enough for tests; the default cost takes a noticeable fraction of a second.
    static let cheapCost = ScryptCost(logN: 10)

    /// Options for `codec` and `cipher`, encrypted with `key` (the key file by default) when `cipher`
    /// is not `.none`.
    static func options(
        _ codec: Codec, _ cipher: Cipher = .none, key: KeySource? = nil, checksum: ChecksumKind? = nil,
        chunkSize: Int = chunkSize
    ) throws -> PackOptions {
        var options = PackOptions(codec: try CodecSettings(codec))
        options.cipher = cipher
        options.checksum = checksum
        options.chunkSize = chunkSize
        options.workers = workers
        options.kdfCost = cheapCost
        if cipher != .none { options.key = key ?? Harness.key }
        return options
    }

    static func metadata(size: Int?, name: String = "data.bin") -> FileMetadata {
        FileMetadata(
            size: size.map(UInt64.init), mode: 0o640, modificationSeconds: 1_700_000_000,
            modificationNanoseconds: 123_456_789, name: name)
    }

    /// Packs `data` with `Pipeline.pack(from:inputSize:to:options:metadata:plan:pool:)`; the input is a
    /// seekable file, or a pipe (size unknown) with `viaPipe`. With `io`, a file is read at chunk offsets
    /// and the frames written at theirs on that I/O pool, as the CLI does.
    static func pack(
        _ data: [UInt8], options: PackOptions, metadata: FileMetadata? = nil, viaPipe: Bool = false, io: IOPool? = nil
    ) throws -> (bytes: [UInt8], report: PackReport) {
        let output = try ScratchFile()
        let size: Int? = viaPipe ? nil : data.count
        let plan = try options.plan(inputSize: size)
        let report: PackReport
        if viaPipe {
            report = try withPipe(feeding: data) { input in
                try Pipeline.pack(
                    from: input, inputSize: nil, to: output.descriptor, options: options,
                    metadata: metadata ?? Harness.metadata(size: nil, name: ""), plan: plan, pool: pool)
            }
        } else {
            let input = try ScratchFile(data)
            report = try Pipeline.pack(
                from: input.descriptor, inputSize: size, to: output.descriptor, options: options,
                metadata: metadata ?? Harness.metadata(size: data.count), plan: plan, pool: pool, io: io, positional: io != nil)
        }
        return (try output.contents(), report)
    }

    /// Packs `data` and returns only the `.slc` bytes.
    static func packed(_ data: [UInt8], _ codec: Codec, _ cipher: Cipher = .none, key: KeySource? = nil) throws -> [UInt8] {
        try pack(data, options: try options(codec, cipher, key: key)).bytes
    }

    /// Unpacks `.slc` bytes with `Pipeline.readHeader(from:key:)` and `Pipeline.unpack(_:from:to:workers:pool:)`;
    /// the input is a seekable file, or a pipe with `viaPipe`.
    static func unpack(
        _ packed: [UInt8], key: KeySource?, viaPipe: Bool = false, limits: DecodeLimits = DecodeLimits()
    ) throws -> (bytes: [UInt8], report: UnpackReport) {
        let output = try ScratchFile()
        let report: UnpackReport
        if viaPipe {
            report = try withPipe(feeding: packed) { input in
                let opened = try Pipeline.readHeader(from: input, key: { _ in key }, limits: limits)
                // isStream: false makes a failed run wait for its reader, which cannot block for
                // long here because the writer thread always writes everything and closes.
                return try Pipeline.unpack(opened, from: input, to: output.descriptor, workers: workers, pool: pool, isStream: false)
            }
        } else {
            let input = try ScratchFile(packed)
            report = try decode(input, key: key, to: output.descriptor, limits: limits)
        }
        return (try output.contents(), report)
    }

    /// Decodes whatever `input` holds from its start, writing the plaintext to `output` (`nil`: verify only).
    @discardableResult
    static func decode(
        _ input: ScratchFile, key: KeySource?, to output: FileDescriptor? = nil, limits: DecodeLimits = DecodeLimits()
    ) throws -> UnpackReport {
        try input.rewind()
        let opened = try Pipeline.readHeader(from: input.descriptor, key: { _ in key }, limits: limits)
        // Without `withIndexedReads` the file is read front to back, as a pipe is (`isStream`), so the
        // tamper and truncation suites run both ways over the same bytes.
        return try Pipeline.unpack(
            opened, from: input.descriptor, to: output, workers: workers, pool: pool, io: io ?? IOPool.shared(tokens: 1),
            isStream: io == nil, positional: io != nil && output != nil)
    }
}

/// What became of an attempt to decode damaged input.
enum Outcome: Hashable, CustomStringConvertible {
    case decoded
    /// Decoded, and the output is byte for byte the original plaintext (only ``Tamper`` checks this).
    case decodedIntact
    case rejected(SluiceError.Code)
    /// Something other than a ``SluiceError`` was thrown: never acceptable.
    case foreignError(String)

    init(_ body: () throws -> Void) {
        do {
            try body()
            self = .decoded
        } catch let error as SluiceError {
            self = .rejected(error.code)
        } catch {
            self = .foreignError(String(describing: error))
        }
    }

    var description: String {
        switch self {
        case .decoded: "decoded"
        case .decodedIntact: "decoded to the original plaintext"
        case .rejected(let code): code.rawValue
        case .foreignError(let text): "non-SluiceError: \(text)"
        }
    }
}
