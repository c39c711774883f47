// Frames located through an index, decoded as the engine decodes them, on this thread: shared by the
// targets that read a whole file through its index and restore a range from it (SlcFuzz.swift,
// StandardFuzz.swift).
@testable import Sluice

private let slot = UnpackSlot()
nonisolated(unsafe) private let context = WorkerContext()

/// Frames `frames` of `index` read from `image` and decoded as Pipeline.unpack and Pipeline.unpackRange
/// decode them: each read at its offset (past the end: truncated), checked against its entry, decoded
/// by `reader`, its plaintext handed to `each`; with `verifier`, checked in order by it.
func decodeFrames<Reader: FormatReader>(
    _ frames: Range<Int>, of index: FrameIndex, in image: UnsafeRawBufferPointer, reader: Reader,
    verifier: inout Reader.Verifier?, each: (UnsafeRawBufferPointer) throws -> Void
) throws {
    for number in frames {
        let entry = index.entries[number]
        guard entry.offset <= UInt64(image.count), UInt64(entry.size) <= UInt64(image.count) - entry.offset else {
            throw SluiceError.corrupt("truncated input: frame \(number) is incomplete")
        }
        slot.frame.reserve(entry.size)
        if entry.size > 0 { slot.frame.bytes.baseAddress!.copyMemory(from: image.baseAddress! + Int(entry.offset), byteCount: entry.size) }
        slot.frame.count = entry.size
        try reader.check(frame: slot.frame.contents, against: entry, index: UInt64(number), isLast: number == index.entries.count - 1)
        slot.entry = entry
        try slot.decode(with: reader, index: UInt64(number), context: context)
        try verifier?.add(frame: slot.frame.contents, entry: entry, plain: slot.plaintext)
        try each(slot.plaintext)
    }
}

/// A range restore from `index` as Pipeline.unpackRange makes one, in memory: the frames that hold
/// `range` (``Pipeline/RangeFrames``) decoded and clipped, every frame checked in order when the sizes
/// are not exact. Returns the bytes kept.
func restoreRange<Reader: FormatReader>(
    _ range: Range<UInt64>, of index: FrameIndex, in image: UnsafeRawBufferPointer, reader: Reader,
    keep: (UnsafeRawBufferPointer) -> Void = { _ in }
) throws -> UInt64 {
    guard let plan = try Pipeline.RangeFrames(index, range: range) else { return 0 }
    var verifier: Reader.Verifier? = plan.exact ? nil : try reader.verifier()
    var clip = Pipeline.RangeClip(range: range)
    clip.position = plan.plainStart
    try decodeFrames(plan.frames.lowerBound..<plan.frames.upperBound + 1, of: index, in: image, reader: reader, verifier: &verifier) {
        keep(clip.clip($0))
    }
    try clip.checkEnd()
    return clip.written
}
