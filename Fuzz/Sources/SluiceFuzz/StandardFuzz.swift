// The `zstd` and `lz4` targets (see SluiceFuzz.swift for the driver): a standard file read the ways
// `sluice unpack FILE`, `verify` and `--range` read it, through the reader the tool uses, in memory, on
// this thread: named by Pipeline.detectFormat (the magic, or the first frame after leading skippable
// frames), opened by ContainerKind.open (StandardReader), its jobs located by that reader and, when
// the plan decodes them apart, each decoded by it and checked in order by its verifier; then front to
// back by its stream decoder (a single frame, linked blocks, a pipe); then a range, from the located
// jobs (Pipeline.RangeFrames) or through the stream decoder, as range restore does.
@testable import Sluice
import SystemPackage

nonisolated(unsafe) private let file = MemoryFile()
/// The unpack's memory budget: what decides between the parallel jobs and the stream decoder.
private let memoryLimit = ByteCount.mebibytes(16)
/// The workers the decoding plan is made for.
private let workers = 2

func fuzzStandard(_ data: UnsafeRawBufferPointer) {
    file.hold(data)
    let format: ContainerKind
    let reader: StandardReader
    do {
        let (named, consumed) = try Pipeline.detectFormat(Pipeline.OpenInput(fd: file.fd, status: try? FileSystem.status(of: file.fd)))
        // Anything else is named .slc: the slc and age-file targets read those.
        guard named.isStandard else { return }
        format = named
        let opened = try Pipeline.readHeader(from: file.fd, key: { _ in nil }, limits: fuzzLimits, consumed: consumed, format: format)
        guard let standard = opened.reader as? StandardReader else { fatalError("a \(format) file opened as \(type(of: opened.reader))") }
        reader = standard
    } catch {
        expectDecodeError(error)
        return
    }
    // The located jobs, decoded apart when the plan fits them in the budget (Pipeline.unpack).
    var located: FrameIndex?
    var fromJobs: UInt64?
    do {
        if let index = try reader.locate(in: file.fd, fileSize: UInt64(data.count)),
           try Pipeline.decodingPlan(reader, located: index, workers: workers, memoryLimit: memoryLimit) != nil {
            located = index
            var verifier: StandardVerifier? = try reader.verifier()
            var produced: UInt64 = 0
            try decodeFrames(0..<index.entries.count, of: index, in: data, reader: reader, verifier: &verifier) { produced += UInt64($0.count) }
            _ = try verifier!.finish(entries: index.entries, tail: .indexed(index))
            fromJobs = produced
        }
    } catch {
        expectDecodeError(error)
    }
    // Front to back, as from a pipe or when the jobs do not fit.
    guard let streamed = stream(reader, range: nil) else { return }
    if let fromJobs, fromJobs != streamed, !hasSeekTable(reader, size: data.count) {
        // (A seek table's sizes are the jobs' only: the stream decoder does not read it.)
        fatalError("the \(format) jobs gave \(fromJobs) bytes, the stream decoder \(streamed)")
    }
    // A range, from the jobs that hold it or through the stream decoder (Pipeline.unpackRange).
    let range = pickedRange(data, total: streamed)
    let kept: UInt64?
    if let located {
        do {
            kept = try restoreRange(range, of: located, in: data, reader: reader)
        } catch {
            expectDecodeError(error, allowing: [.corrupt, .invalidArgument])
            kept = nil
        }
    } else {
        kept = stream(reader, range: range)
    }
    if let kept, range.upperBound <= streamed, kept != UInt64(range.count), fromJobs == streamed || located == nil {
        fatalError("range \(range) of \(streamed) bytes kept \(kept)")
    }
}

private func hasSeekTable(_ reader: StandardReader, size: Int) -> Bool {
    (try? reader.layout(of: file.fd, fileSize: UInt64(size)))?.access == "seek table"
}

/// StandardStreamDecoder over the in-memory file from where the reader's opening bytes end, as for a
/// regular file (no reader thread); returns the plaintext bytes kept, or nil for an error a decoder may give.
private func stream(_ reader: StandardReader, range: Range<UInt64>?) -> UInt64? {
    var clip = Pipeline.RangeClip(range: range)
    do {
        _ = try file.fd.seek(offset: Int64(reader.headerSize), from: .start)
        _ = try StandardStreamDecoder.run(
            reader, from: file.fd, to: nil, isStream: false, memoryLimit: memoryLimit, clip: &clip, progress: { _ in })
        try clip.checkEnd()
        return clip.written
    } catch {
        expectDecodeError(error, allowing: range == nil ? [.corrupt] : [.corrupt, .invalidArgument])
        return nil
    }
}
