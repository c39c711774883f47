/// One chunk slot of an unpack run: the frame read from the input and the plaintext decoded from it.
///
/// `@unchecked Sendable` for the same reason as ``RawBuffer``: the reader, one worker and the writer
/// use it in turn, each hand-over through the run's ``Monitor``.
final class UnpackSlot: @unchecked Sendable {
    let frame = RawBuffer()
    let plain = RawBuffer()
    /// Where the frame is and what it decodes to, as the index or the walk found it.
    var entry = FrameEntry(offset: 0, size: 0, plainSize: 0)
    /// The verified plaintext once decoded: inside `plain`, or inside `frame` for a frame stored raw.
    private(set) var plaintext = UnsafeRawBufferPointer(start: nil, count: 0)
    var timings = StageTimings()

    static let stageNames = ["decrypt", "decompress", "verify"]

    /// Has `reader` authenticate and decode frame `index`; on return ``plaintext`` is the verified chunk.
    func decode(with reader: some FormatReader, index: UInt64, context: WorkerContext) throws {
        timings = StageTimings()
        plaintext = try reader.decode(
            frame[0..<frame.count], entry: entry, index: index, into: plain, context: context, timings: &timings)
    }
}
