#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SystemPackage

/// Decodes a file front to back on one thread through its format's
/// ``FormatReader/decodeStream(_:into:memoryLimit:)``, for what cannot be cut into independent jobs: a
/// single-frame zstd file (what `zstd` and `zstd -T` write), LZ4 frames with linked blocks (`lz4 -BD`),
/// and anything read from a pipe. A reader thread keeps the next input pieces ready and a writer
/// thread writes the finished output behind it, so decoding overlaps both, as `zstd -d` does.
enum StandardStreamDecoder {
    /// Input is read and output written in pieces of this size.
    static let pieceSize = 1 << 20

    /// Decodes everything readable from `input` (after the ``FormatReader/openingBytes`` already read from it).
    ///
    /// - Returns: plaintext bytes, stored bytes, frames decoded.
    /// With `sparse`, `output` is a new regular file in which zero blocks are left as holes (``SparseOutput``).
    static func run(
        _ reader: some FormatReader, from input: FileDescriptor, to output: FileDescriptor?, isStream: Bool, sparse: Bool = false,
        memoryLimit: ByteCount, clip: inout Pipeline.RangeClip, progress: (UInt64) -> Void
    ) throws -> (UInt64, UInt64, UInt64) {
        let source = PieceReader(input, first: reader.openingBytes, isStream: isStream)
        defer { source.stop() }
        // `out` lives only for this call: the progress closure does not outlive it.
        let (kept, frames) = try withoutActuallyEscaping(progress) { progress in
            let out = StreamOutput(sink: output.map { PieceWriter($0, sparse: sparse) }, clip: clip, progress: progress)
            defer { out.sink?.stop() }
            let frames = try reader.decodeStream(source, into: out, memoryLimit: memoryLimit)
            try out.sink?.finish()
            return (out.clip, frames)
        }
        clip = kept
        return (clip.position, source.total, frames)
    }
}

extension Pipeline {
    /// The engine's front-to-back path for a format that does not walk its frames (a single zstd frame,
    /// linked LZ4 blocks, a pipe): its ``FormatReader/decodeStream(_:into:memoryLimit:)`` on this thread,
    /// with a read-ahead and a write-behind thread; `range` keeps only those bytes of the plaintext.
    static func unpackStreamed(
        _ reader: some FormatReader, from input: FileDescriptor, to output: FileDescriptor?, isStream: Bool, sparse: Bool,
        memoryLimit: ByteCount, range: Range<UInt64>?, progress: (UInt64) -> Void
    ) throws -> UnpackReport {
        var clip = RangeClip(range: range)
        let (_, packedBytes, frames) = try StandardStreamDecoder.run(
            reader, from: input, to: output, isStream: isStream, sparse: sparse, memoryLimit: memoryLimit, clip: &clip,
            progress: progress)
        try clip.checkEnd()
        return UnpackReport(info: reader.info, plainBytes: clip.written, packedBytes: packedBytes, chunks: frames, statistics: nil)
    }
}

/// Where the stream decoder puts plaintext: straight into the write-behind's next piece when all of it
/// is kept (no copy), otherwise into a scratch buffer from which the `--range` clip keeps its part.
final class StreamOutput {
    let sink: PieceWriter?
    private(set) var clip: Pipeline.RangeClip
    private let progress: (UInt64) -> Void
    /// Made on first use, 64 KiB, doubled each time the decoder fills it, up to a piece: a small file
    /// takes what its plaintext needs, a large one reaches a piece after four fills.
    private lazy var scratch = RawBuffer(capacity: 64 << 10)

    init(sink: PieceWriter?, clip: Pipeline.RangeClip, progress: @escaping (UInt64) -> Void) {
        self.sink = sink
        self.clip = clip
        self.progress = progress
    }

    private var direct: Bool { sink != nil && clip.range == nil }

    /// Where the decoder may write next.
    func space() -> UnsafeMutableRawBufferPointer { direct ? sink!.space : scratch.bytes }

    /// The decoder wrote `count` bytes into the last ``space()``.
    func commit(_ count: Int) throws {
        guard count > 0 else { return }
        if direct {
            _ = clip.clip(UnsafeRawBufferPointer(rebasing: sink!.space[..<count]))
            try sink!.commit(count)
            progress(clip.written)
        } else {
            try emit(UnsafeRawBufferPointer(rebasing: scratch.bytes[..<count]))
            if count == scratch.bytes.count, count < StandardStreamDecoder.pieceSize {
                scratch.reserve(min(2 * count, StandardStreamDecoder.pieceSize))
            }
        }
    }

    /// Plaintext decoded elsewhere: the part the clip keeps is copied out.
    func emit(_ piece: UnsafeRawBufferPointer) throws {
        let inside = clip.clip(piece)
        if !inside.isEmpty { try sink?.write(inside) }
        progress(clip.written)
    }
}

/// Sequential input. From a pipe, a read-ahead thread reads the next pieces while the decoder works on
/// the current one; from a regular file the decoder's own thread reads (a page-cache copy costs less
/// than waking a thread under load, measured in docs/performance.md). ``available`` is a contiguous
/// window the decoder consumes from.
final class PieceReader: @unchecked Sendable {
    private let filled = BoundedQueue<(RawBuffer, (any Error)?)>(capacity: 2)
    private let empty = BoundedQueue<RawBuffer>()
    /// The bytes not consumed yet, contiguous (a piece, or pieces joined when a caller needs more).
    /// Four pieces at first, or from a regular file the bytes it holds if fewer (``size``): a 10 KB file
    /// does not take 4 MiB, which each small file a batch streams would pay for.
    private var window: RawBuffer
    /// What a regular file holds from where it was opened, ``first`` included; `nil` for a pipe.
    private let size: Int?
    private var start = 0
    private let isStream: Bool
    private let done = Monitor(false)
    private let input: FileDescriptor
    private var ended = false
    /// Bytes taken from the input so far.
    private(set) var total: UInt64 = 0

    init(_ input: FileDescriptor, first: [UInt8], isStream: Bool) {
        self.isStream = isStream
        self.input = input
        size = isStream ? nil : Self.size(of: input, first: first.count)
        window = RawBuffer(capacity: min(4 * StandardStreamDecoder.pieceSize, size ?? .max))
        first.withUnsafeBytes { window.bytes.copyMemory(from: $0) }
        window.count = first.count
        total = UInt64(first.count)
        guard isStream else {
            done.withLock { $0 = true }
            return
        }
        for _ in 0..<3 { _ = empty.push(RawBuffer(capacity: StandardStreamDecoder.pieceSize)) }
        let thread = Thread { [filled, empty, done] in
            while let buffer = empty.pop() {
                do {
                    buffer.count = try Pipeline.readInput(input, into: buffer.bytes)
                    guard filled.push((buffer, nil)), buffer.count > 0 else { break }
                } catch {
                    _ = filled.push((buffer, error))
                    break
                }
            }
            done.withLock { $0 = true }
        }
        thread.name = "sluice-reader"
        thread.start()
    }

    /// The bytes `input`, a regular file, holds after its position, plus the `first` already read from it;
    /// `nil` when that cannot be told.
    private static func size(of input: FileDescriptor, first: Int) -> Int? {
        guard let status = try? FileSystem.status(of: input), status.isRegular,
              let position = try? input.seek(offset: 0, from: .current)
        else { return nil }
        return first + max(0, status.size - Int(position))
    }

    var available: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: window.bytes[start..<window.count]) }

    func consume(_ count: Int) { start += count }

    /// Makes at least `count` bytes available, unless the input ends first.
    func fill(atLeast count: Int) throws {
        if !isStream { return try read(atLeast: count) }
        while window.count - start < count, !ended {
            guard let (piece, error) = filled.pop() else { ended = true; break }
            if let error { throw error }
            if piece.count == 0 {
                ended = true
                _ = empty.push(piece)
                break
            }
            // Keep the unconsumed rest, then append the piece.
            let rest = window.count - start
            if window.bytes.count < rest + piece.count {
                let grown = RawBuffer(capacity: 2 * (rest + piece.count))
                if rest > 0 { grown.bytes.baseAddress!.copyMemory(from: available.baseAddress!, byteCount: rest) }
                window = grown
            } else if rest > 0, start > 0 {
                window.bytes.baseAddress!.copyMemory(from: window.bytes.baseAddress! + start, byteCount: rest)
            }
            window.bytes.baseAddress!.advanced(by: rest).copyMemory(from: piece.bytes.baseAddress!, byteCount: piece.count)
            window.count = rest + piece.count
            start = 0
            total += UInt64(piece.count)
            _ = empty.push(piece)
        }
    }

    /// ``fill(atLeast:)`` for a regular file: the rest moves to the front and the input is read behind it;
    /// the window grows when `count` is more than it holds (an LZ4 legacy block of more than 4 MiB), unless
    /// the file is too short to give that many (it is then read to its end, truncated).
    private func read(atLeast count: Int) throws {
        while window.count - start < count, !ended {
            let rest = window.count - start
            if count > window.bytes.count, count <= rest + max(0, (size ?? .max) - Int(total)) {
                let grown = RawBuffer(capacity: count)
                if rest > 0 { grown.bytes.baseAddress!.copyMemory(from: available.baseAddress!, byteCount: rest) }
                window = grown
            } else if rest > 0, start > 0 {
                window.bytes.baseAddress!.copyMemory(from: window.bytes.baseAddress! + start, byteCount: rest)
            }
            window.count = rest
            start = 0
            let got = try Pipeline.readInput(input, into: window[rest..<window.bytes.count])
            window.count += got
            total += UInt64(got)
            if got == 0 { ended = true }
        }
    }

    /// Ends the read-ahead and waits for the thread, so nothing reads the input afterwards; a thread
    /// blocked on a pipe that never delivers again cannot be waited for, and notices on its next read.
    func stop() {
        filled.close()
        empty.close()
        if !isStream { done.wait { $0 ? () : nil } }
    }
}

/// Sequential output with write-behind: a thread writes full pieces while the decoder fills the next
/// (leaving holes for zero blocks when `sparse`: ``SequentialOutput``).
///
/// The pieces are small (``pieceSize``) and few, as `zstd -d`'s 128 KiB write buffers are: a piece is
/// written while the bytes the decoder just put in it are still in the CPU's cache, so the kernel's
/// copy into the page cache does not read them back from memory (docs/performance.md, "Writing in
/// cache-sized pieces"; 8 MiB pieces cost about twice the CPU per byte written).
final class PieceWriter: @unchecked Sendable {
    /// The size of one piece: well inside a core's L2 cache.
    static let pieceSize = 256 << 10
    /// Pieces in flight (being filled, queued, being written): 2 MiB, so the writer thread finds them cached.
    static let pieces = 8
    private let full = BoundedQueue<RawBuffer>(capacity: pieces - 2)
    private let empty = BoundedQueue<RawBuffer>()
    private let failure = Monitor<(error: (any Error)?, done: Bool)>((nil, false))
    private var current: RawBuffer

    init(_ output: FileDescriptor, sparse: Bool = false) {
        current = RawBuffer(capacity: Self.pieceSize)
        for _ in 1..<Self.pieces { _ = empty.push(RawBuffer(capacity: Self.pieceSize)) }
        let thread = Thread { [full, empty, failure] in
            var sink = SequentialOutput(output, sparse: sparse)
            while let buffer = full.pop() {
                do {
                    try sink.write(buffer.contents)
                } catch {
                    failure.withLock { $0.error = error }
                    full.close()
                    empty.close()
                    break
                }
                buffer.count = 0
                _ = empty.push(buffer)
            }
            do {
                try sink.finish()
            } catch {
                failure.withLock { if $0.error == nil { $0.error = error } }
            }
            failure.withLock { $0.done = true }
        }
        thread.name = "sluice-writer"
        thread.start()
    }

    /// The free part of the current piece, for a decoder to write into (then ``commit(_:)``).
    var space: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(rebasing: current.bytes[current.count...]) }

    /// `count` bytes were written into ``space``; a full piece goes to the writer thread.
    func commit(_ count: Int) throws {
        current.count += count
        if current.count == current.bytes.count { try handOver() }
    }

    /// Copies `bytes` into the current piece, handing full pieces to the writer thread.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let room = current.bytes.count - current.count
            let take = min(room, rest.count)
            current.bytes.baseAddress!.advanced(by: current.count).copyMemory(from: rest.baseAddress!, byteCount: take)
            current.count += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if current.count == current.bytes.count { try handOver() }
        }
    }

    private func handOver() throws {
        if let error = failure.withLock({ $0.error }) { throw error }
        guard full.push(current), let next = empty.pop() else {
            throw failure.withLock { $0.error } ?? SluiceError(.io, "cannot write the output")
        }
        current = next
    }

    /// Writes what is left and waits for the writer thread.
    func finish() throws {
        if current.count > 0 { try handOver() }
        full.close()
        failure.wait { $0.done ? () : nil }
        if let error = failure.withLock({ $0.error }) { throw error }
    }

    /// Ends the write-behind and waits for the thread, so nothing writes the output afterwards.
    func stop() {
        full.close()
        empty.close()
        failure.wait { $0.done ? () : nil }
    }
}
