#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// A member about to be written: where it is on disk and what its header will say.
struct PlannedMember: Sendable {
    /// The path on disk, bytes (relative to the working directory or absolute, as given).
    var source: [UInt8]
    var member: ArchiveMember
}

/// Lists the members of the trees given to `pack --archive`, depth first, each directory's entries in
/// byte order (so two runs over the same tree write the same stream): directories (before their
/// contents), regular files, symbolic links, hard links (a second name of a file already listed),
/// FIFOs and device nodes. Names are bytes; a tree's members are named as the tree was given (a
/// leading `/` and `./` removed, as tar does; the members of `.` get no prefix).
struct ArchiveWalk {
    let filter: FileFilter
    let now: Int64
    /// Called with a path that could not be listed and why; the walk goes on without it.
    let failed: (ArchivePath, SluiceError) -> Void

    private var firstNames: [FileIdentity: ArchivePath] = [:]
    private(set) var members: [PlannedMember] = []

    private struct FileIdentity: Hashable { var device: UInt64, inode: UInt64 }

    init(filter: FileFilter, now: Int64, failed: @escaping (ArchivePath, SluiceError) -> Void) {
        self.filter = filter
        self.now = now
        self.failed = failed
    }

    /// The member name of a tree given as `root`.
    static func memberName(of root: [UInt8]) -> [UInt8] {
        var name = root
        while name.first == UInt8(ascii: "/") { name.removeFirst() }
        while name.starts(with: Array("./".utf8)) { name.removeFirst(2); while name.first == UInt8(ascii: "/") { name.removeFirst() } }
        while name.count > 1, name.last == UInt8(ascii: "/") { name.removeLast() }
        return name == Array(".".utf8) || name == Array("/".utf8) ? [] : name
    }

    mutating func add(root: String) {
        var source = Array(root.utf8)
        while source.count > 1, source.last == UInt8(ascii: "/") { source.removeLast() }
        let name = Self.memberName(of: source)
        visit(source: source, name: name, relative: [], isRoot: true)
    }

    private mutating func visit(source: [UInt8], name: [UInt8], relative: [UInt8], isRoot: Bool) {
        var st = stat()
        let path = ArchivePath(bytes: name.isEmpty ? Array(".".utf8) : name)
        guard ArchivePath(bytes: source).withCString({ lstat($0, &st) }) == 0 else {
            return failed(ArchivePath(bytes: source), SluiceError(.io, "cannot read \(ArchivePath(bytes: source))", cause: Errno(rawValue: errno)))
        }
        let status = FileSystem.Status(st)
        let relativePath = FilePath(ArchivePath(bytes: relative).description)
        var member = ArchiveMember(
            path: ArchivePath(bytes: name), kind: .file, size: 0, mode: UInt32(st.st_mode) & 0o7777, owner: UInt32(st.st_uid),
            group: UInt32(st.st_gid), modificationSeconds: status.modificationSeconds,
            modificationNanoseconds: status.modificationNanoseconds, linkTarget: nil, headerOffset: 0)
        guard let kind = ArchiveMember.Kind(fileType: Int32(st.st_mode)) else {
            return failed(path, SluiceError(.io, "\(path) is a socket, which a tar stream cannot hold"))
        }
        member.kind = kind
        switch kind {
        case .directory:
            if !isRoot, filter.excludesDirectory(relativePath) { return }
            if !name.isEmpty { members.append(PlannedMember(source: source, member: member)) }
            guard let directory = ArchivePath(bytes: source).withCString({ opendir($0) }) else {
                return failed(path, SluiceError(.io, "cannot list \(path)", cause: Errno(rawValue: errno)))
            }
            var names: [[UInt8]] = []
            while let entry = readdir(directory) {
                let child = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    Array(raw.prefix { $0 != 0 })
                }
                if child == Array(".".utf8) || child == Array("..".utf8) { continue }
                names.append(child)
            }
            closedir(directory)
            names.sort { $0.lexicographicallyPrecedes($1) }
            for child in names {
                let slash = UInt8(ascii: "/")
                visit(source: source + [slash] + child, name: name.isEmpty ? child : name + [slash] + child,
                      relative: relative.isEmpty ? child : relative + [slash] + child, isRoot: false)
            }
            return
        case .file:
            guard isRoot || filter.accepts(relativePath, status: status, now: now) else { return }
            member.size = UInt64(max(0, st.st_size))
            if st.st_nlink > 1 {
                let identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
                if let first = firstNames[identity] {
                    member.kind = .hardlink
                    member.size = 0
                    member.linkTarget = first
                } else {
                    firstNames[identity] = member.path
                }
            }
        case .symlink:
            guard isRoot || filter.accepts(relativePath, status: status, now: now) else { return }
            var target = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
            let count = ArchivePath(bytes: source).withCString { readlink($0, &target, target.count) }
            guard count >= 0 else { return failed(path, SluiceError(.io, "cannot read the link \(path)", cause: Errno(rawValue: errno))) }
            member.linkTarget = ArchivePath(bytes: Array(target[0..<min(count, target.count)]))
        case .characterDevice, .blockDevice:
            member.device = UInt64(st.st_rdev)
        case .fifo, .hardlink, .other:
            break
        }
        members.append(PlannedMember(source: source, member: member))
    }
}
