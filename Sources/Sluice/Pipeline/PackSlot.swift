/// One chunk slot of a pack run: the plaintext read from the input and the frame the format built from it.
///
/// `@unchecked Sendable` for the same reason as ``RawBuffer``: the reader, one worker and the writer
/// use it in turn, each hand-over through the run's ``Monitor``.
final class PackSlot: @unchecked Sendable {
    let plain = RawBuffer()
    let frame = RawBuffer()
    var isFinal = false
    var isRaw = false
    var timings = StageTimings()

    static let stageNames = ["checksum", "compress", "encrypt"]

    /// Has `writer` turn `plain` into the frame of chunk `index`.
    func encode(with writer: some FormatWriter, index: UInt64, context: WorkerContext) throws {
        timings = StageTimings()
        isRaw = try writer.encode(plain.contents, index: index, isFinal: isFinal, into: frame, context: context, timings: &timings)
    }
}
