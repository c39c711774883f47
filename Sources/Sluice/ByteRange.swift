/// A range of bytes of an original file, written `OFFSET:LENGTH` with sizes as ``ByteCount`` parses
/// them (`1G:4M`, `0:100`): what `sluice unpack --range` takes.
public enum ByteRange {
    /// Parses `OFFSET:LENGTH` into `offset ..< offset + length`.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when the text is not two sizes separated by one
    ///   colon, or when the end does not fit in 64 bits.
    public static func parse(_ text: String) throws -> Range<UInt64> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let offset = ByteCount(parsing: String(parts[0])),
              let length = ByteCount(parsing: String(parts[1]))
        else { throw SluiceError(.invalidArgument, "--range: '\(text)' is not OFFSET:LENGTH (e.g. 1G:4M)") }
        let (end, overflow) = UInt64(offset.bytes).addingReportingOverflow(UInt64(length.bytes))
        guard !overflow else { throw SluiceError(.invalidArgument, "--range: '\(text)' overflows") }
        return UInt64(offset.bytes)..<end
    }
}
