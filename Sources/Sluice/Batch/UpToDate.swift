import SystemPackage

/// Whether an existing output is the finished result of an earlier run on the same input, so a re-run
/// can skip it (``ExistingOutputPolicy/skipUpToDate``).
enum UpToDate {
    /// Packing: `output` is a structurally complete `.slc` (header, footer, trailer and index agree;
    /// the trailer's tag too when it is not encrypted) whose header records the source's size and
    /// mtime to the nanosecond, and whose index adds up to that size.
    static func packed(_ output: FilePath, source: FileSystem.Status) -> Bool {
        guard let info = try? Pipeline.inspect(output), let metadata = info.info.metadata else { return false }
        return metadata.size == UInt64(source.size) && info.plainSize == UInt64(source.size)
            && metadata.modificationSeconds == source.modificationSeconds
            && metadata.modificationNanoseconds == source.modificationNanoseconds
    }

    /// Unpacking: `output` is a regular file with the size and mtime the `.slc` header records (unpack
    /// restores the mtime last, after the whole file verified and was written).
    static func unpacked(_ output: FileSystem.Status, metadata: FileMetadata?) -> Bool {
        guard let metadata, let size = metadata.size, output.isRegular else { return false }
        return UInt64(output.size) == size && output.modificationSeconds == metadata.modificationSeconds
            && output.modificationNanoseconds == metadata.modificationNanoseconds
    }
}
