import SystemPackage

extension Pipeline {
    /// Restores bytes `range` of the original from a seekable file, decoding only the frames that cover
    /// it (found through the format's index), each one authenticated or checksummed like a full unpack.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when the range reaches past the end of the
    ///   original or the format cannot locate frames from its end; ``SluiceError/Code/corrupt`` when the
    ///   index or a frame does not check out.
    /// - Parameter sparse: `output` is a new regular file in which zero blocks are left as holes
    ///   (``SparseOutput``); `false` writes every byte in order.
    static func unpackRange(
        _ opened: OpenedContainer, from input: FileDescriptor, fileSize: UInt64, range: Range<UInt64>,
        to output: FileDescriptor, workers: Int, memoryLimit: ByteCount? = nil, pool: WorkerPool, sparse: Bool = false
    ) throws -> UnpackReport {
        try unpackRange(opened.reader, from: input, fileSize: fileSize, range: range, to: output, workers: workers,
                        memoryLimit: memoryLimit, pool: pool, sparse: sparse)
    }

    static func unpackRange<Reader: FormatReader>(
        _ reader: Reader, from input: FileDescriptor, fileSize: UInt64, range: Range<UInt64>,
        to output: FileDescriptor, workers: Int, memoryLimit: ByteCount?, pool: WorkerPool, sparse: Bool = false
    ) throws -> UnpackReport {
        let traits = reader.info.format.traits
        guard traits.indexedFromTheEnd else {
            throw SluiceError.invalid("--range needs a file whose frames can be located from its end")
        }
        let memory = memoryLimit ?? Memory.defaultLimit
        let located = try reader.locate(in: input, fileSize: fileSize)
        guard let index = located, let plan = try decodingPlan(reader, located: located, workers: workers, memoryLimit: memory) else {
            // A format that is not walked and cannot be located ahead or held two frames at a time: the
            // whole file is decoded front to back and the range kept.
            return try unpackStreamed(reader, from: input, to: output, isStream: false, sparse: sparse, memoryLimit: memory,
                                      range: range, progress: { _ in })
        }
        let entries = index.entries
        guard let frames = try RangeFrames(index, range: range) else {
            return UnpackReport(info: reader.info, plainBytes: 0, packedBytes: fileSize, chunks: 0)
        }
        let (first, last) = (frames.frames.lowerBound, frames.frames.upperBound)
        let run = Run(slots: (0..<plan.window).map { _ in UnpackSlot() })

        run.startReader(name: "sluice-range") {
            var order: UInt64 = 0
            for index in first...last {
                guard let slot = run.takeFreeSlot() else { return }
                let entry = entries[index]
                slot.frame.reserve(reader.maxFrameSize)  // once: no regrowth from frame to frame
                guard try readInput(input, into: slot.frame[0..<entry.size], at: Int64(entry.offset)) == entry.size else {
                    throw SluiceError.corrupt("truncated input")
                }
                slot.frame.count = entry.size
                try reader.check(frame: slot.frame.contents, against: entry, index: UInt64(index), isLast: index == entries.count - 1)
                slot.entry = entry
                run.process(slot, index: order, on: pool) { slot, context in
                    try slot.decode(with: reader, index: UInt64(index), context: context)
                }
                order += 1
            }
            run.finishReading(total: order)
        }

        var sink = SequentialOutput(output, sparse: sparse)
        // Without exact sizes every frame is decoded, so the checks that span frames run too.
        var verifier: Reader.Verifier?
        if !frames.exact { verifier = try reader.verifier() }
        var clip = RangeClip(range: range)
        clip.position = frames.plainStart
        try run.draining {
            var order: UInt64 = 0
            while let slot = try run.finished(order) {
                let index = first + Int(order)
                let plaintext = slot.plaintext
                let kept = clip.clip(plaintext)
                if index >= first, !kept.isEmpty { try sink.write(kept) }
                try verifier?.add(frame: slot.frame.contents, entry: slot.entry, plain: plaintext)
                run.release(slot)
                order += 1
            }
        }
        try clip.checkEnd()
        try sink.finish()  // once the run is quiet: a sparse output gets its size (a trailing hole)
        return UnpackReport(
            info: reader.info, plainBytes: sink.offset, packedBytes: fileSize, chunks: UInt64(last - first + 1),
            statistics: run.statistics.finish(
                stageNames: UnpackSlot.stageNames,
                plan: plan))
    }
}
