import SystemPackage

extension Pipeline {
    /// Restores bytes `range` of the original from a seekable `.slc` file, decoding only the chunks that
    /// cover it (found through the footer and the trailer's index), each one authenticated or
    /// checksummed like a full unpack.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when the range reaches past the end of the
    ///   original; ``SluiceError/Code/corrupt`` when the index or a frame does not check out.
    public static func unpackRange(
        _ opened: OpenedHeader, from input: FileDescriptor, fileSize: UInt64, range: Range<UInt64>,
        to output: FileDescriptor, workers: Int, memoryLimit: ByteCount = Memory.defaultLimit, pool: WorkerPool
    ) throws -> UnpackReport {
        let header = opened.header
        let headerSize = header.frameHeaderSize
        let entries = try readIndex(input, fileSize: fileSize, opened: opened).trailer.entries
        let chunkSize = UInt64(header.chunkSize)
        let total = entries.reduce(UInt64(0)) { $0 + UInt64($1.plainSize) }
        guard range.upperBound <= total else {
            throw SluiceError.invalid("the range \(range.lowerBound)..<\(range.upperBound) reaches past the end (\(total) bytes)")
        }
        guard !range.isEmpty else {
            return UnpackReport(header: header, plainBytes: 0, packedBytes: fileSize, chunks: 0)
        }
        let first = range.lowerBound / chunkSize
        let last = (range.upperBound - 1) / chunkSize
        let slotMemory = Plan.slotMemory(chunkSize: header.chunkSize, codec: header.codec.codec)
        let window = max(2, min(2 * workers + 2, memoryLimit.bytes / slotMemory))
        let run = Run(slots: (0..<window).map { _ in UnpackSlot() })
        let decoder = ChunkDecoder(header: header, keys: opened.keys)

        run.startReader(name: "sluice-range") {
            var order: UInt64 = 0
            for index in first...last {
                guard let slot = run.takeFreeSlot() else { return }
                let entry = entries[Int(index)]
                let size = headerSize + Int(entry.storedSize)
                slot.frame.reserve(headerSize + header.maxStoredSize)  // once: no regrowth from frame to frame
                guard try readInput(input, into: slot.frame[0..<size], at: Int64(entry.offset)) == size else {
                    throw SluiceError.corrupt("truncated input")
                }
                slot.frame.count = size
                let frameHeader = try FrameHeader.read(from: slot.frame.contentsOf(headerSize), header: header, index: index)
                guard frameHeader.storedSize == Int(entry.storedSize), frameHeader.plainSize == Int(entry.plainSize),
                      frameHeader.isFinal == (index == UInt64(entries.count - 1))
                else { throw SluiceError.corrupt("frame \(index) does not match the index") }
                slot.frameHeader = frameHeader
                run.process(slot, index: order, on: pool) { slot, context in
                    try decoder.decode(slot, index: index, context: context)
                }
                order += 1
            }
            run.finishReading(total: order)
        }

        var written: UInt64 = 0
        do {
            var order: UInt64 = 0
            while let slot = try run.finished(order) {
                let chunkStart = (first + order) * chunkSize
                let plaintext = slot.plaintext(headerSize: headerSize)
                let from = Int(max(range.lowerBound, chunkStart) - chunkStart)
                let to = Int(min(range.upperBound, chunkStart + UInt64(plaintext.count)) - chunkStart)
                try write(UnsafeRawBufferPointer(rebasing: plaintext[from..<to]), to: output)
                written += UInt64(to - from)
                run.release(slot)
                order += 1
            }
            run.waitUntilQuiet()
            try run.checkFailure()
        } catch {
            run.fail(error)
            run.waitUntilQuiet()
            throw error
        }
        return UnpackReport(
            header: header, plainBytes: written, packedBytes: fileSize, chunks: last - first + 1,
            statistics: run.statistics.finish(
                stageNames: UnpackSlot.stageNames,
                plan: Plan(chunkSize: header.chunkSize, workers: workers, window: window, reasons: [])))
    }
}
