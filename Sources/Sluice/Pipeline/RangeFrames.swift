extension Pipeline {
    /// The frames a range restore (`unpackRange`) decodes for bytes `range` of the plaintext, found from
    /// the plaintext sizes the index records: when they are exact, only the frames that hold the range;
    /// when they are upper bounds (a zstd frame without its content size, a run of LZ4 blocks), every
    /// frame from the first, the range then being found as they decode.
    struct RangeFrames: Equatable {
        /// The frames to decode, in order.
        let frames: ClosedRange<Int>
        /// The plaintext offset at which the first of them starts.
        let plainStart: UInt64
        /// Whether the index's plaintext sizes are exact; when they are not, every frame is decoded, so
        /// the checks that span frames are made too.
        let exact: Bool

        /// `nil` for an empty range: nothing to decode.
        ///
        /// - Throws: ``SluiceError/Code/invalidArgument`` when the range reaches past the plaintext the
        ///   index records.
        init?(_ index: FrameIndex, range: Range<UInt64>) throws {
            let entries = index.entries
            // The plaintext offset of every frame: the prefix sums of their sizes.
            var starts: [UInt64] = [0]
            starts.reserveCapacity(entries.count + 1)
            for entry in entries { starts.append(starts.last! + UInt64(entry.plainSize)) }
            let total = starts.last!
            guard range.upperBound <= total else {
                throw SluiceError.invalid("the range \(range.lowerBound)..<\(range.upperBound) reaches past the end (\(total) bytes)")
            }
            guard !range.isEmpty else { return nil }
            exact = index.plainSizesExact
            // The first frame that ends after the range starts, and the last one that starts before it ends.
            let first = exact ? starts.lastIndex { $0 <= range.lowerBound && $0 < total }.map { min($0, entries.count - 1) } ?? 0 : 0
            let last = exact ? max(first, (starts.lastIndex { $0 < range.upperBound } ?? first)) : entries.count - 1
            frames = first...last
            plainStart = starts[first]
        }
    }
}
