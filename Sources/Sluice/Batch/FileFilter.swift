import SystemPackage

/// Which files of a tree a batch takes: name patterns, age and size. A file that does not pass is
/// counted as skipped (``SkipReason/filtered``) and never opened.
public struct FileFilter: Sendable {
    /// When not empty, a file must match at least one of these. Directories are always entered.
    public var include: [Glob] = []
    /// A file or directory matching any of these is left out (a directory with everything under it).
    public var exclude: [Glob] = []
    /// Only files last modified more than this long before the run started.
    public var olderThan: TimeSpan?
    /// Only files last modified less than this long before the run started.
    public var newerThan: TimeSpan?
    /// Only files of at least this size.
    public var minSize: ByteCount?
    /// Only files of at most this size.
    public var maxSize: ByteCount?

    /// A filter that takes every file.
    public init() {}

    /// Whether the directory at `relative` is left out with everything under it.
    func excludesDirectory(_ relative: FilePath) -> Bool {
        exclude.contains { $0.matches(relative) }
    }

    /// Whether a regular file passes every filter.
    ///
    /// - Parameter now: the run's start, in seconds since the epoch, so that every file is judged
    ///   against the same instant.
    func accepts(_ relative: FilePath, status: FileSystem.Status, now: Int64) -> Bool {
        if let minSize, status.size < minSize.bytes { return false }
        if let maxSize, status.size > maxSize.bytes { return false }
        if let olderThan, status.modificationSeconds > now - olderThan.seconds { return false }
        if let newerThan, status.modificationSeconds < now - newerThan.seconds { return false }
        if !include.isEmpty, !include.contains(where: { $0.matches(relative) }) { return false }
        if exclude.contains(where: { $0.matches(relative) }) { return false }
        return true
    }
}
