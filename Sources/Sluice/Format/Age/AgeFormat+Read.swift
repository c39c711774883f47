/// The read side of one opened age file: frames of ``AgeFormat/readChunksPerFrame`` sealed STREAM
/// chunks, located from the file size (seekable) or read until the input ends (a pipe), each opened on
/// a worker with the nonce counter of its first chunk; the last frame carries the last-chunk flag.
struct AgeReader: FormatReader {
    let header: AgeHeader
    let headerSize: Int
    /// `nil` when opened without a key (`inspect`).
    let payloadKey: [UInt8]?

    var info: ContainerInfo { AgeFormat.info(stanzas: header.stanzas) }
    var keyWrappings: [KeyWrapping] { AgeFormat.wrappings(of: header.stanzas) }
    var maxFrameSize: Int { AgeFormat.readChunksPerFrame * Age.sealedChunkSize }
    var maxPlainSize: Int { AgeFormat.readChunksPerFrame * Age.chunkSize }
    /// Frames are found by size, not by a prefix.
    var framePrefixSize: Int { 0 }

    func frameEndedByInput(size: Int, isLast: Bool, index: UInt64, offset: UInt64) throws -> FrameEntry {
        let first = index * UInt64(AgeFormat.readChunksPerFrame)
        guard let plainSize = AgeStream.plainSize(sealedSize: size, isFinal: isLast, firstChunk: first) else {
            throw Age.Failure.payload.error(
                size == 0 && index == 0 ? "the payload has no chunks" : "the last chunk is truncated or empty")
        }
        return FrameEntry(offset: offset, size: size, plainSize: plainSize, isLast: isLast)
    }

    /// Every frame from the file size: whole frames, then what remains (at least one frame).
    func index(fileSize: UInt64, read: (UInt64, Int) throws -> [UInt8]) throws -> FrameIndex {
        guard fileSize >= UInt64(headerSize) else { throw Age.Failure.header.error("the payload nonce is missing or short") }
        let payload = fileSize - UInt64(headerSize)
        let full = UInt64(maxFrameSize)
        let count = max(1, (payload + full - 1) / full)
        var entries: [FrameEntry] = []
        entries.reserveCapacity(Int(count))
        for frame in 0..<count {
            let offset = UInt64(headerSize) + frame * full
            let size = Int(min(full, payload - frame * full))
            entries.append(try frameEndedByInput(size: size, isLast: frame == count - 1, index: frame, offset: offset))
        }
        return FrameIndex(entries: entries, tail: [], verified: payloadKey != nil, rawFrames: 0, digest: [])
    }

    func walk(prefix: UnsafeRawBufferPointer, index: UInt64, offset: UInt64) throws -> (entry: FrameEntry, isLast: Bool) {
        throw SluiceError(.library, "age frames are read whole, not walked")
    }

    func check(frame: UnsafeRawBufferPointer, against entry: FrameEntry, index: UInt64, isLast: Bool) throws {}

    /// - Throws: the ``Age/Failure/payload`` failure when a chunk does not authenticate.
    func decode(
        _ frame: UnsafeMutableRawBufferPointer, entry: FrameEntry, index: UInt64, into plain: RawBuffer, context: WorkerContext,
        timings: inout StageTimings
    ) throws -> UnsafeRawBufferPointer {
        guard let payloadKey else { throw SluiceError(.wrongKey, "no identity matches: the age file was opened without a key") }
        plain.reserve(max(entry.plainSize, 1))
        _ = try timings.measure(0, bytes: entry.size) {
            try AgeStream.open(
                UnsafeRawBufferPointer(frame), into: plain[0..<entry.plainSize],
                firstChunk: index * UInt64(AgeFormat.readChunksPerFrame), isFinal: entry.isLast, key: payloadKey,
                context: try context.cipher())
        }
        plain.count = entry.plainSize
        return plain.contents
    }

    func verifier() throws -> AgeVerifier { AgeVerifier() }

    func streamTailSize(frames: Int) -> Int { 0 }
}

/// age's end-of-file check: the frames seen end with the one flagged last (STREAM has already refused
/// any other ending).
struct AgeVerifier: FrameVerifier {
    mutating func add(frame: UnsafeRawBufferPointer, entry: FrameEntry, plain: UnsafeRawBufferPointer) {}

    /// age keeps no whole-file digest: returns none.
    mutating func finish(entries: [FrameEntry], tail: ReadTail) throws -> [UInt8] {
        guard entries.last?.isLast == true else { throw Age.Failure.payload.error("the last chunk is missing") }
        if case .indexed(let index) = tail, index.entries != entries {
            throw Age.Failure.payload.error("the frames read do not match the file's layout")
        }
        return []
    }
}
