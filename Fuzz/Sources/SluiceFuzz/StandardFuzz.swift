// The `zstd` and `lz4` targets (see SluiceFuzz.swift for the driver): a standard file read as
// `sluice unpack FILE` reads it, in memory, on this thread.
@testable import Sluice
import SystemPackage

nonisolated(unsafe) private let file = MemoryFile()
nonisolated(unsafe) private let codecs = CodecContext()
private let plain = RawBuffer()
/// The unpack's memory budget: what decides between the parallel jobs and the stream decoder.
private let memoryLimit = ByteCount.mebibytes(16)

func fuzzStandard(_ data: UnsafeRawBufferPointer) {
    guard let format = ContainerKind.detect(Array(data.prefix(ContainerKind.signatureSize))), format.isStandard else { return }
    file.hold(data)
    // The layout (seek table, or the frames found by a scan) and, when it cuts the file into jobs that
    // fit the budget (a window of two or more), every job decoded with StandardFormatReader.decode and
    // checked in order (LZ4 content size and checksum per frame, the recorded size) as StandardVerifier does.
    var layout: StandardFileLayout?
    do {
        layout = try StandardFileLayout.read(format, file.fd, fileSize: UInt64(data.count))
    } catch {
        expectDecodeError(error)
    }
    var fromJobs: UInt64?
    if let layout, !layout.jobs.isEmpty,
       let largest = layout.jobs.map(StandardFormatReader.memory).max(), largest <= memoryLimit.bytes / 2 {
        fromJobs = decodeJobs(layout, data)
    }
    // The stream decoder (a single frame, linked blocks, a pipe): the format's reader opened as the engine
    // opens it, then its front-to-back decode.
    guard let streamed = stream(data, range: nil) else { return }
    if let fromJobs, fromJobs != streamed, layout?.access != "seek table" {
        fatalError("the \(format) jobs gave \(fromJobs) bytes, the stream decoder \(streamed)")
    }
    let range = pickedRange(data, total: streamed)
    if let kept = stream(data, range: range), range.upperBound <= streamed, kept != UInt64(range.count) {
        fatalError("range \(range) of \(streamed) bytes kept \(kept)")
    }
}

/// StandardStreamDecoder over the in-memory file, as for a regular file (no reader thread); returns the
/// plaintext bytes kept, or nil for an error a decoder may give.
private func stream(_ data: UnsafeRawBufferPointer, range: Range<UInt64>?) -> UInt64? {
    file.hold(data)
    var clip = Pipeline.RangeClip(range: range)
    do {
        let opened = try Pipeline.readHeader(from: file.fd, key: { _ in nil }, limits: fuzzLimits)
        _ = try StandardStreamDecoder.run(
            opened.reader, from: file.fd, to: nil, isStream: false, memoryLimit: memoryLimit, clip: &clip, progress: { _ in })
        try clip.checkEnd()
        return clip.written
    } catch {
        expectDecodeError(error, allowing: range == nil ? [.corrupt] : [.corrupt, .invalidArgument])
        return nil
    }
}

/// The jobs of `layout` decoded in order with the checks the engine's StandardVerifier makes (LZ4
/// content size and checksum at each frame's end, the recorded plaintext size at the end).
private func decodeJobs(_ layout: StandardFileLayout, _ data: UnsafeRawBufferPointer) -> UInt64? {
    var plainBytes: UInt64 = 0
    var frameBytes: UInt64 = 0
    var frameHash: XXH32Stream?
    do {
        for job in layout.jobs {
            guard job.offset <= UInt64(data.count), UInt64(job.storedSize) <= UInt64(data.count) - job.offset else {
                throw SluiceError.corrupt("truncated input: frame \(job.number) is incomplete")
            }
            plain.reserve(job.plainCapacity)
            let start = Int(job.offset)
            let produced = try StandardFormatReader.decode(
                job, stored: UnsafeRawBufferPointer(rebasing: data[start..<start + job.storedSize]), into: plain.bytes, context: codecs)
            let text = UnsafeRawBufferPointer(rebasing: plain.bytes[..<produced])
            if job.inChecksummedFrame {
                if frameHash == nil { frameHash = try XXH32Stream() }
                frameHash!.update(text)
            }
            frameBytes += UInt64(produced)
            if let frame = job.endsFrame {
                try StandardFileLayout.checkEnd(of: frame, plainBytes: frameBytes, hash: frameHash)
                frameBytes = 0
                frameHash = nil
            }
            plainBytes += UInt64(produced)
        }
        if let size = layout.plainSize, size != plainBytes {
            throw SluiceError.corrupt("decoded \(plainBytes) bytes, but the file records \(size)")
        }
        return plainBytes
    } catch {
        expectDecodeError(error)
        return nil
    }
}
