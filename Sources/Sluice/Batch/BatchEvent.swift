import SystemPackage

/// Why a batch left a file alone.
public enum SkipReason: String, CaseIterable, Sendable {
    /// A symbolic link, not followed (the default).
    case symlink = "symlink"
    /// With `--follow-symlinks`: a link back to a directory being walked.
    case symlinkLoop = "symlink loop"
    /// With `--follow-symlinks`: a link to nothing.
    case danglingSymlink = "dangling symlink"
    /// A FIFO, socket or device.
    case special = "not a regular file"
    /// Left out by `--include`, `--exclude`, the age or the size filters.
    case filtered = "filtered"
    /// The output exists, is complete and matches the input: done by an earlier run.
    case upToDate = "up to date"
    /// Packing: the file already is a `.slc` file.
    case packed = "already .slc"
    /// Unpacking: not a `.slc` file.
    case notPacked = "not .slc"
    /// `--skip-compressed`: the extension says it is compressed.
    case compressed = "compressed type"
    /// `--skip-compressed`: a trial compression did not shrink it.
    case doesNotShrink = "does not shrink"
    /// `--shard I/N`: the file belongs to another shard (or, with `--retry-failed`, is not to be retried).
    case otherShard = "other shard"
}

/// What a batch reports while it runs, from any of its threads.
public enum BatchEvent: Sendable {
    /// A file was written (only with ``BatchOptions/reportEachFile``).
    case processed(source: FilePath, output: FilePath, bytesIn: Int, bytesOut: Int)
    /// A file was left alone (``SkipReason/filtered`` only with ``BatchOptions/reportEachFile``).
    case skipped(FilePath, SkipReason)
    /// A file failed; the others go on (unless `failFast`).
    case failed(FilePath, SluiceError)
    /// Something about a file the user should know, which did not stop it (one line).
    case warning(FilePath, String)
    /// Dry run: the file would be written to `output` (`replacing` an existing one).
    case planned(source: FilePath, output: FilePath, replacing: Bool)
}
