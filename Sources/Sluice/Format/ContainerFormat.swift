import SystemPackage

/// A container format: the byte layout of a packed file, written and read by the one engine
/// (docs/architecture.md, "How to add a format").
///
/// The engine (reader → CPU pool → ordered writer, with the I/O pool) never looks inside a frame: it
/// asks the format for a header, hands it one finished chunk at a time to turn into a frame, gives its
/// ledger the frames in order, and writes the tail the ledger makes. Reading, it asks the format to
/// open the header, to locate the frames (from an index at the end of a seekable file, or by walking
/// frame headers from the front), to decode one frame, and to check the tail against the frames seen.
/// What differs between formats is data the engine reads (``FormatTraits``), not control flow.
///
/// A format is registered in ``ContainerKind`` (one line) and found by its first bytes.
protocol ContainerFormat {
    associatedtype Writer: FormatWriter
    associatedtype Reader: FormatReader

    /// The registry entry.
    static var kind: ContainerKind { get }
    /// What the engine needs to know to drive this format.
    static var traits: FormatTraits { get }
    /// How many leading bytes ``recognises(_:)`` needs.
    static var signatureSize: Int { get }
    /// Whether a file starting with `prefix` (``signatureSize`` bytes, fewer for a shorter file) is in
    /// this format.
    static func recognises(_ prefix: [UInt8]) -> Bool

    /// The write side for one new file: its header, keys and per-file state.
    static func writer(for request: WriteRequest) throws -> Writer

    /// Reads and validates the header from `input` (positioned at the start of the file) and obtains the
    /// file key through `keys` when the file is encrypted.
    static func reader(from input: HeaderInput, keys: KeyProvider, limits: DecodeLimits, requireKey: Bool) throws -> Reader
}

/// What a format declares about itself, for the engine to read instead of branching on the format.
struct FormatTraits: Sendable {
    /// Plaintext bytes per frame the format allows; the plan keeps its chunk size within it.
    var chunkSizes: ClosedRange<Int>
    /// Chunk sizes must be a multiple of this (age: 64 KiB STREAM chunks); 1 for any size.
    var chunkSizeMultiple = 1
    /// Each frame's plaintext size is known before it is decoded (from the index or the frame header),
    /// so verified chunks can be written at their offsets, several at once; otherwise in order.
    var plainSizeKnownBeforeDecoding = true
    /// A regular file's frames can be located before any is decoded — from an index or seek table at
    /// its end, or by walking frame headers over a mapping (parallel reads, range restore). Every
    /// located frame decodes on its own; frames that do not (linked LZ4 blocks, one zstd frame) are not
    /// located but streamed (``FormatReader/decodeStream(_:into:memoryLimit:)``).
    var indexedFromTheEnd = true
    /// Frames can be found by walking frame headers from the front (a pipe); otherwise a file whose frames
    /// cannot be located is decoded front to back by ``FormatReader/decodeStream(_:into:memoryLimit:)``.
    var walkable = true
    /// Frames carry no size: every frame but the last has ``FormatReader/maxFrameSize`` bytes, and the
    /// last one is whatever remains when the input ends (age's STREAM). A walk then reads frames whole,
    /// one byte ahead to see the end, and asks ``FormatReader/frameEndedByInput(size:isLast:index:offset:)``.
    var lastFrameEndsAtEndOfInput = false

    /// `size` rounded down into the allowed chunk sizes; `nil` when no allowed size fits under it.
    func fitting(_ size: Int) -> Int? {
        let rounded = size / chunkSizeMultiple * chunkSizeMultiple
        guard rounded >= chunkSizes.lowerBound else { return nil }
        return min(rounded, chunkSizes.upperBound / chunkSizeMultiple * chunkSizeMultiple)
    }

    /// Whether `size` is an allowed chunk size.
    func allows(_ size: Int) -> Bool { chunkSizes.contains(size) && size % chunkSizeMultiple == 0 }
}

/// Everything a format needs to write a new file's header.
struct WriteRequest {
    var codec: CodecSettings
    var cipher: Cipher
    var checksum: ChecksumKind
    var chunkSize: Int
    /// The secret a cipher needs (``KeySource``); `nil` without a cipher.
    var key: KeySource?
    var kdfCost: ScryptCost
    /// Bound into the key derivation (``KeyContext``); a format that cannot bind one refuses it.
    var context: KeyContext?
    var metadata: FileMetadata?
}

/// The write side of a format for one file, made once and then shared read-only by the workers.
protocol FormatWriter: Sendable {
    associatedtype Ledger: FrameLedger
    /// The bytes before the first frame.
    var headerBytes: [UInt8] { get }
    /// What the file records, for reports.
    var info: ContainerInfo { get }
    /// The largest frame a chunk of `plainSize` bytes can become.
    func frameCapacity(plainSize: Int) -> Int
    /// Turns one finished chunk into a frame in `frame` (on a worker).
    ///
    /// - Returns: whether the chunk was stored without compression because compression did not pay.
    func encode(
        _ plain: UnsafeRawBufferPointer, index: UInt64, isFinal: Bool, into frame: RawBuffer, context: WorkerContext,
        timings: inout StageTimings
    ) throws -> Bool
    /// A fresh record of the frames, kept by the ordered writer.
    func ledger() throws -> Ledger
}

/// The ordered writer's record of the frames of one file, from which the tail is made.
protocol FrameLedger {
    /// Records a frame written at `offset`, made from `plain`.
    mutating func add(frame: UnsafeRawBufferPointer, plain: UnsafeRawBufferPointer, at offset: UInt64)
    /// The bytes after the last frame (an index, a seek table, a digest, a footer), which start at `offset`.
    mutating func tail(at offset: UInt64) throws -> [UInt8]
}

/// Where a frame is, as the index or a walk found it.
struct FrameEntry: Equatable, Sendable {
    /// From the start of the file.
    var offset: UInt64
    /// The whole frame, its header included.
    var size: Int
    /// Plaintext bytes the frame decodes to.
    var plainSize: Int
    /// Whether this is the file's last frame, for formats whose frames do not say so themselves (age);
    /// always `false` for the others.
    var isLast = false
}

/// The frames of a seekable file, located from its end, and the bytes that told.
struct FrameIndex: Sendable {
    var entries: [FrameEntry]
    /// The tail as stored, for the checks a full decode makes at its end.
    var tail: [UInt8]
    /// Whether the index could be authenticated (not for an encrypted file opened without its key).
    var verified: Bool
    /// Frames stored without compression, as far as the index tells (for `inspect`).
    var rawFrames: Int
    /// The whole-file digest the tail records (empty when the format keeps none).
    var digest: [UInt8]
    /// The packed size when the frames and the tail do not add up to it (skippable frames between the
    /// frames of a zstd or LZ4 file); `nil`: they do.
    var packedSize: UInt64? = nil
    /// Frames to report when an entry is not one frame (runs of LZ4 blocks); `nil`: one per entry.
    var frameCount: Int? = nil
    /// Whether every entry's ``FrameEntry/plainSize`` is exact; otherwise it is an upper bound (a zstd
    /// frame without content size, a run of LZ4 blocks), so plaintext offsets are known only once the
    /// frames before are decoded and a range is found by decoding from the first frame.
    var plainSizesExact = true
}

/// The tail a verifier checks at the end of a read: the index it was read from (already checked by
/// ``FormatReader/index(fileSize:read:)``, so nothing is decoded or authenticated twice), or the tail
/// bytes read from a stream after its last frame.
enum ReadTail {
    case indexed(FrameIndex)
    case streamed([UInt8])
}

/// The read side of a format for one opened file, shared read-only by the workers.
protocol FormatReader: Sendable {
    associatedtype Verifier: FrameVerifier
    /// What the header says, for reports and `inspect`.
    var info: ContainerInfo { get }
    /// Bytes of the header: the first frame starts here.
    var headerSize: Int { get }
    /// How the header wraps the file key (empty when the file is not encrypted), for the key policy.
    var keyWrappings: [KeyWrapping] { get }
    /// Whether the header says the file key is bound to a ``KeyContext``, for the key policy.
    var boundToContext: Bool { get }
    /// The largest frame this file may hold: nothing bigger is ever allocated on its say-so.
    var maxFrameSize: Int { get }
    /// The largest plaintext one frame may decode to.
    var maxPlainSize: Int { get }

    /// Locates every frame from the index at the end of a seekable file of `fileSize` bytes, checked
    /// for consistency and (when it can be) authenticated; `read(offset, count)` reads exactly.
    func index(fileSize: UInt64, read: (UInt64, Int) throws -> [UInt8]) throws -> FrameIndex

    /// Bytes of a frame's start from which ``walk(prefix:index:offset:)`` learns its size.
    var framePrefixSize: Int { get }
    /// The frame that starts with `prefix` at `offset`, and whether it is the last one, when walking a
    /// stream front to back. Its sizes are checked against the header's caps before anything is read.
    func walk(prefix: UnsafeRawBufferPointer, index: UInt64, offset: UInt64) throws -> (entry: FrameEntry, isLast: Bool)
    /// The frame of `size` bytes at `offset` that a walk read whole (``FormatTraits/lastFrameEndsAtEndOfInput``);
    /// `isLast` when the input ended with it.
    func frameEndedByInput(size: Int, isLast: Bool, index: UInt64, offset: UInt64) throws -> FrameEntry
    /// Checks a frame read where the index said against its entry.
    func check(frame: UnsafeRawBufferPointer, against entry: FrameEntry, index: UInt64, isLast: Bool) throws

    /// Authenticates and decodes one frame (on a worker); returns the verified plaintext, which is in
    /// `plain` or, for a frame stored raw without a cipher, inside `frame`.
    func decode(
        _ frame: UnsafeMutableRawBufferPointer, entry: FrameEntry, index: UInt64, into plain: RawBuffer, context: WorkerContext,
        timings: inout StageTimings
    ) throws -> UnsafeRawBufferPointer

    /// The bytes already read from the input to open the file, which a streamed decode starts with
    /// (empty for the formats whose header holds them: they are never decoded again).
    var openingBytes: [UInt8] { get }
    /// Locates every frame of the regular file `input` of `fileSize` bytes (``index(fileSize:read:)``
    /// for a format with an index at its end); `nil` when the file's frames cannot be located ahead or
    /// decoded apart, and the file is decoded front to back by ``decodeStream(_:into:memoryLimit:)``.
    func locate(in input: FileDescriptor, fileSize: UInt64) throws -> FrameIndex?
    /// Decodes the whole input front to back on the calling thread, for a format that is not
    /// ``FormatTraits/walkable``: a single zstd frame, linked LZ4 blocks, anything from a pipe. `source`
    /// starts with ``openingBytes``; returns the frames decoded.
    func decodeStream(_ source: PieceReader, into out: StreamOutput, memoryLimit: ByteCount) throws -> UInt64

    /// A fresh checker of the frames in order and of the tail, kept by the ordered writer.
    func verifier() throws -> Verifier
    /// The size of the tail after `frames` frames, read from a stream once the last frame is seen.
    func streamTailSize(frames: Int) -> Int
}

extension FormatReader {
    /// Formats whose frames say their size (every one but age) are never asked.
    func frameEndedByInput(size: Int, isLast: Bool, index: UInt64, offset: UInt64) throws -> FrameEntry {
        throw SluiceError(.library, "\(info.format) frames are not delimited by the end of the input")
    }

    /// A format that cannot bind a ``KeyContext`` never says so (and is refused when one is given).
    var boundToContext: Bool { false }

    var openingBytes: [UInt8] { [] }

    /// From the index at the end of the file, read with `pread`.
    func locate(in input: FileDescriptor, fileSize: UInt64) throws -> FrameIndex? {
        try index(fileSize: fileSize) { offset, count in try Pipeline.pread(input, at: offset, count: count) }
    }

    /// Formats that walk their frames (``FormatTraits/walkable``) are never asked.
    func decodeStream(_ source: PieceReader, into out: StreamOutput, memoryLimit: ByteCount) throws -> UInt64 {
        throw SluiceError(.library, "\(info.format) files are walked frame by frame, not streamed")
    }
}

/// The ordered writer's check of one file's frames and tail, on the read side.
protocol FrameVerifier {
    /// Records frame `entry` (decoded to `plain`), in order; throws when a check that spans frames fails
    /// at this one (an LZ4 frame's content size or checksum at its last block).
    mutating func add(frame: UnsafeRawBufferPointer, entry: FrameEntry, plain: UnsafeRawBufferPointer) throws
    /// Checks the tail against the frames recorded (`entries`, in order): index, digest, footer,
    /// recorded size; returns the whole-file digest recomputed from the frames (empty when the format
    /// keeps none), which equals the one the tail records.
    mutating func finish(entries: [FrameEntry], tail: ReadTail) throws -> [UInt8]
}

/// The header's first bytes as read from the input, and a way to read more of it.
struct HeaderInput {
    /// The first bytes of the file (``ContainerFormat/signatureSize`` of the longest registered format,
    /// or fewer for a shorter file).
    var prefix: [UInt8]
    /// Reads exactly `count` more bytes, or fails with a "truncated" error naming `what`.
    var readMore: (_ count: Int, _ what: String) throws -> [UInt8]
}
