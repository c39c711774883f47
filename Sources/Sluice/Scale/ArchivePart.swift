import SystemPackage

/// `pack DIR --archive --shard I/N -o OUT.tar.slc`: part I of N of an archive (docs/scale-out.md,
/// *Archive parts*), a complete archive of its own holding the members of shard I.
///
/// A member's key is its name in the archive, as bytes; its shard is `XXH3_64bits(name) mod N`, the
/// hash a tree batch uses for paths, so every node computes the same split with no coordination. A hard
/// link goes with the file it names (its target's key), so that it can be restored from its own part.
/// Directories go in every part: each part restores on its own, with every directory's mode and mtime,
/// and restoring the parts one after another into one directory restores the tree.
public enum ArchivePart {
    /// Whether `member` belongs to part `shard` (the walk asks, after its filters): every directory; a
    /// hard link with the file it names; any other member by its own name.
    static func holds(_ member: ArchiveMember, in shard: Shard) -> Bool {
        switch member.kind {
        case .directory: true
        case .hardlink: Shard.index(ofKey: (member.linkTarget ?? member.path).bytes, count: shard.count) == shard.index
        default: Shard.index(ofKey: member.path.bytes, count: shard.count) == shard.index
        }
    }

    /// `OUT.part-I-of-N.tar.slc` for `OUT.tar.slc` (likewise `.tar.zst`, `.slc`, `.zst`; `OUT.part-I-of-N`
    /// for another name): part `shard` of an archive to be written at `output`.
    public static func name(of output: FilePath, shard: Shard) -> FilePath {
        let text = output.string
        let part = ".part-\(shard.index)-of-\(shard.count)"
        for suffix in [".tar.slc", ".tar.zst", ".slc", ".zst"] where text.hasSuffix(suffix) && text.count > suffix.count {
            return FilePath(String(text.dropLast(suffix.count)) + part + suffix)
        }
        return FilePath(text + part)
    }
}
