extension Pipeline {
    /// The part of a decoded stream that `--range` keeps.
    struct RangeClip {
        let range: Range<UInt64>?
        /// Where the next piece starts in the plaintext.
        var position: UInt64 = 0
        /// Bytes kept so far.
        var written: UInt64 = 0

        /// The part of `piece` (the plaintext at ``position``) inside the range; all of it without one.
        mutating func clip(_ piece: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
            let start = position
            position += UInt64(piece.count)
            guard let range else {
                written += UInt64(piece.count)
                return piece
            }
            let lower = max(start, range.lowerBound), upper = min(position, range.upperBound)
            guard lower < upper else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            written += upper - lower
            return UnsafeRawBufferPointer(rebasing: piece[Int(lower - start)..<Int(upper - start)])
        }

        /// Once everything is decoded: a range past the end is refused.
        func checkEnd() throws {
            if let range, range.upperBound > position, !(range.isEmpty && range.lowerBound <= position) {
                throw SluiceError.invalid("the range \(range.lowerBound)..<\(range.upperBound) reaches past the end (\(position) bytes)")
            }
        }
    }
}
