/// One chunk slot of a pack run: the plaintext read from the input and the frame the format built from it.
///
/// `@unchecked Sendable` for the same reason as ``RawBuffer``: the reader, one worker and the writer
/// use it in turn, each hand-over through the run's ``Monitor``.
final class PackSlot: @unchecked Sendable {
    let plain = RawBuffer()
    let frame = RawBuffer()
    var isFinal = false
    var isRaw = false
    /// The chunk lies in a hole of the input and was not read: `plain.count` zeros (``HoleFinder``).
    var isHole = false
    /// The chunk's plaintext once encoding started: the ``ZeroRegion`` for a hole or a chunk read as
    /// all zeros (so the format can reuse the frame it made for zeros before), else `plain`'s contents.
    private(set) var input = UnsafeRawBufferPointer(start: nil, count: 0)
    var timings = StageTimings()

    static let stageNames = ["checksum", "compress", "encrypt"]

    /// Has `writer` turn the chunk into the frame of chunk `index`.
    func encode(with writer: some FormatWriter, index: UInt64, context: WorkerContext) throws {
        timings = StageTimings()
        input = isHole || ZeroRegion.isZero(plain.contents) ? ZeroRegion.bytes(plain.count) : plain.contents
        isRaw = try writer.encode(input, index: index, isFinal: isFinal, into: frame, context: context, timings: &timings)
    }
}
