import SystemPackage

/// The read side of a standard zstd or LZ4 file (``ZstdFormat``, ``LZ4Format``) for the generic engine.
///
/// Such a file has no header of Sluice's: its frames start at offset 0 and nothing written before them
/// says how many there are or where. ``locate(in:fileSize:)`` finds them in a regular file — from a
/// zstd seek table, or by walking a mapping of the file's frame and block headers — and cuts them into
/// jobs the workers decode apart (one zstd frame, or a run of independent LZ4 blocks). The reader
/// remembers those jobs: ``decode(_:entry:index:into:context:timings:)`` of entry `index` decodes job
/// `index`. A file whose frames cannot be decoded apart (one zstd frame, linked LZ4 blocks) or cannot be
/// located ahead (a pipe) is decoded front to back by ``decodeStream(_:into:memoryLimit:)``.
///
/// `@unchecked Sendable`: the located layout is set once, before any frame is read, behind a lock.
final class StandardReader: FormatReader, @unchecked Sendable {
    /// ``ContainerKind/zstd`` or ``ContainerKind/lz4``.
    let format: ContainerKind
    /// The file's first bytes, read to recognise it: the start of its first frame.
    let openingBytes: [UInt8]
    let info: ContainerInfo
    private let located = Locked<StandardFileLayout?>(nil)

    init(format: ContainerKind, prefix: [UInt8]) throws {
        self.format = format
        openingBytes = prefix
        info = ContainerInfo.standard(format, codec: try CodecSettings(format == .zstd ? .zstd : .lz4))
    }

    /// The frames start at offset 0; the input has moved past the bytes read to recognise the file, so
    /// a regular file read from its start is positioned here when it is opened.
    var headerSize: Int { openingBytes.count }
    var keyWrappings: [KeyWrapping] { [] }
    /// The largest job located (0 before ``locate(in:fileSize:)``).
    var maxFrameSize: Int { located.withLock { $0?.jobs.map(\.storedSize).max() } ?? 0 }
    var maxPlainSize: Int { located.withLock { $0?.jobs.map(\.plainCapacity).max() } ?? 0 }
    var framePrefixSize: Int { 0 }

    /// The layout of the regular file `input` of `fileSize` bytes (its seek table, or its frames found in
    /// a mapping of it); `jobs` is empty when the file must be streamed.
    func layout(of input: FileDescriptor, fileSize: UInt64) throws -> StandardFileLayout {
        try StandardFileLayout.read(format, input, fileSize: fileSize)
    }

    /// Locates the jobs of a regular file, remembered for ``decode(_:entry:index:into:context:timings:)``
    /// and the verifier; `nil` when the file is streamed instead.
    func locate(in input: FileDescriptor, fileSize: UInt64) throws -> FrameIndex? {
        let layout = try layout(of: input, fileSize: fileSize)
        // No job holding a byte (empty frames only): nothing to do in parallel.
        guard layout.jobs.contains(where: { StandardFormatReader.memory($0) > 0 }) else { return nil }
        located.withLock { $0 = layout }
        var entries = layout.jobs.map { FrameEntry(offset: $0.offset, size: $0.storedSize, plainSize: $0.exactPlainSize ?? $0.plainCapacity) }
        if !entries.isEmpty { entries[entries.count - 1].isLast = true }
        return FrameIndex(
            entries: entries, tail: [], verified: true, rawFrames: 0, digest: [], packedSize: fileSize, frameCount: layout.frames,
            plainSizesExact: layout.jobs.allSatisfy { $0.exactPlainSize != nil })
    }

    /// A standard file has no index at its end that a byte reader alone can use: see ``locate(in:fileSize:)``.
    func index(fileSize: UInt64, read: (UInt64, Int) throws -> [UInt8]) throws -> FrameIndex {
        throw SluiceError.invalid("a \(format.rawValue) file's frames are located from the file itself")
    }

    func walk(prefix: UnsafeRawBufferPointer, index: UInt64, offset: UInt64) throws -> (entry: FrameEntry, isLast: Bool) {
        throw SluiceError(.library, "\(format.rawValue) frames are located or streamed, never walked by prefix")
    }

    /// Nothing to check before decoding: ``decode(_:entry:index:into:context:timings:)`` checks that the
    /// bytes are exactly the frame or blocks the layout promised.
    func check(frame: UnsafeRawBufferPointer, against entry: FrameEntry, index: UInt64, isLast: Bool) throws {}

    /// - Throws: ``SluiceError/Code/corrupt`` when the bytes are malformed, fail a checksum, or do not
    ///   match what the seek table or frame header promised.
    func decode(
        _ frame: UnsafeMutableRawBufferPointer, entry: FrameEntry, index: UInt64, into plain: RawBuffer, context: WorkerContext,
        timings: inout StageTimings
    ) throws -> UnsafeRawBufferPointer {
        let job = try self.job(Int(index))
        plain.reserve(job.plainCapacity)
        plain.count = try timings.measure(1, bytes: job.storedSize) {
            try StandardFormatReader.decode(job, stored: UnsafeRawBufferPointer(frame), into: plain.bytes, context: context.codecs)
        }
        return plain.contents
    }

    private func job(_ index: Int) throws -> StandardFormatReader.Job {
        guard let job = located.withLock({ $0?.jobs.indices.contains(index) == true ? $0!.jobs[index] : nil }) else {
            throw SluiceError(.library, "\(format.rawValue) job \(index) was not located")
        }
        return job
    }

    func verifier() throws -> StandardVerifier {
        StandardVerifier(layout: located.withLock { $0 })
    }

    func streamTailSize(frames: Int) -> Int { 0 }
}

/// The in-order checks of a standard file's jobs: each LZ4 frame's content size and checksum once its
/// last job is written, and the plaintext size the file records.
struct StandardVerifier: FrameVerifier {
    let layout: StandardFileLayout?
    private var next = 0
    private var frameBytes: UInt64 = 0
    private var frameHash: XXH32Stream?
    private var plainBytes: UInt64 = 0

    init(layout: StandardFileLayout?) { self.layout = layout }

    mutating func add(frame: UnsafeRawBufferPointer, entry: FrameEntry, plain: UnsafeRawBufferPointer) throws {
        defer { next += 1 }
        plainBytes += UInt64(plain.count)
        guard let layout, next < layout.jobs.count else { return }
        let job = layout.jobs[next]
        if job.inChecksummedFrame {
            if frameHash == nil { frameHash = try XXH32Stream() }
            frameHash!.update(plain)
        }
        frameBytes += UInt64(plain.count)
        if let frame = job.endsFrame {
            try StandardFileLayout.checkEnd(of: frame, plainBytes: frameBytes, hash: frameHash)
            frameBytes = 0
            frameHash = nil
        }
    }

    mutating func finish(entries: [FrameEntry], tail: ReadTail) throws -> [UInt8] {
        if let size = layout?.plainSize, size != plainBytes {
            throw SluiceError.corrupt("decoded \(plainBytes) bytes, but the file records \(size)")
        }
        return []
    }
}
