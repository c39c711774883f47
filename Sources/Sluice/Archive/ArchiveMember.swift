#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An extended attribute (`user.*`, `security.*`, …) of a member.
struct ExtendedAttribute: Equatable, Sendable {
    /// The attribute's full name, namespace included.
    var name: String
    /// Its value, bytes.
    var value: [UInt8]
}

/// One member of an archive's tar stream, as the member index records it (docs/format.md, "Archives").
public struct ArchiveMember: Equatable, Sendable {
    /// What a member is. The raw values are the index's type codes.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case file = 0, directory = 1, symlink = 2, hardlink = 3, fifo = 4, characterDevice = 5, blockDevice = 6
        /// A type libarchive reports that Sluice does not restore (a socket).
        case other = 7

        init?(fileType: Int32) {
            switch UInt32(fileType) & UInt32(S_IFMT) {
            case UInt32(S_IFREG): self = .file
            case UInt32(S_IFDIR): self = .directory
            case UInt32(S_IFLNK): self = .symlink
            case UInt32(S_IFIFO): self = .fifo
            case UInt32(S_IFCHR): self = .characterDevice
            case UInt32(S_IFBLK): self = .blockDevice
            default: return nil
            }
        }

        /// The `S_IF*` type bits a tar header records (a hard link is recorded as a regular file).
        var fileType: Int32 {
            switch self {
            case .file, .hardlink, .other: Int32(S_IFREG)
            case .directory: Int32(S_IFDIR)
            case .symlink: Int32(S_IFLNK)
            case .fifo: Int32(S_IFIFO)
            case .characterDevice: Int32(S_IFCHR)
            case .blockDevice: Int32(S_IFBLK)
            }
        }

        /// The first letter of `ls -l`.
        public var letter: Character {
            switch self {
            case .file: "-"
            case .directory: "d"
            case .symlink: "l"
            case .hardlink: "h"
            case .fifo: "p"
            case .characterDevice: "c"
            case .blockDevice: "b"
            case .other: "?"
            }
        }
    }

    /// The name in the stream (relative, `/`-separated; a directory's has no trailing `/` here).
    public var path: ArchivePath
    /// File, directory, link, … .
    public var kind: Kind
    /// Content bytes (regular files only; `0` for the others).
    public var size: UInt64
    /// Permission bits, `st_mode & 0o7777`.
    public var mode: UInt32
    /// Numeric owner (uid); recorded, not restored on extraction.
    public var owner: UInt32
    /// Numeric group (gid); recorded, not restored on extraction.
    public var group: UInt32
    /// Modification time, seconds since the epoch.
    public var modificationSeconds: Int64
    /// Modification time, the nanoseconds within the second.
    public var modificationNanoseconds: UInt32
    /// A symbolic link's target, or the earlier member a hard link names.
    public var linkTarget: ArchivePath?
    /// `st_rdev` of a device node.
    var device: UInt64 = 0
    /// Where the member's first header (its pax extended header, if any) starts in the tar stream.
    public var headerOffset: UInt64
    /// Extended attributes, as read from a tar stream (the index does not record them).
    var xattrs: [ExtendedAttribute] = []
    /// XXH3-128 of a regular file's contents (empty for the other kinds, and before it is known).
    public var digest: [UInt8] = []
}
