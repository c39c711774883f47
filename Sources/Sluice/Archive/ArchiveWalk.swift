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

/// Lists the members of the trees given to `pack --archive` one at a time, as the tar writer asks for
/// them (nothing is listed ahead but the entries of the directories being walked), depth first, each
/// directory's entries in byte order (so two runs over the same tree write the same stream):
/// directories (before their contents), regular files, symbolic links, hard links (a second name of a
/// file already listed), FIFOs and device nodes. Names are bytes; a tree's members are named as the
/// tree was given (a leading `/` and `./` removed, as tar does; the members of `.` get no prefix).
struct ArchiveWalk {
    let filter: FileFilter
    let now: Int64
    /// Which members go in beyond `filter` (a shard's part of the tree); directories always do.
    let select: (@Sendable (ArchiveMember) -> Bool)?
    /// `--shard I/N`: only the members of this part (``ArchivePart/holds(_:in:)``), asked after `select`.
    /// A file left out of the part is still every later name's link target, so a hard link goes with it.
    let shard: Shard?
    /// Called with a path that could not be listed and why; the walk goes on without it.
    let failed: (ArchivePath, SluiceError) -> Void

    /// No filter is set: the walk makes no `FilePath` for it.
    private let acceptsAll: Bool
    private var firstNames: [FileIdentity: ArchivePath] = [:]
    /// The roots not started yet, in order.
    private var roots: [[UInt8]]
    /// The directories being walked, outermost first: what is left of each one's sorted entries.
    private var stack: [Directory] = []

    private struct FileIdentity: Hashable { var device: UInt64, inode: UInt64 }

    private struct Directory {
        var source: [UInt8], name: [UInt8], relative: [UInt8]
        var entries: [[UInt8]]
        var next = 0
    }

    init(roots: [String], filter: FileFilter, now: Int64, select: (@Sendable (ArchiveMember) -> Bool)? = nil,
         shard: Shard? = nil, failed: @escaping (ArchivePath, SluiceError) -> Void) {
        self.filter = filter
        self.now = now
        self.select = select
        self.shard = shard
        self.failed = failed
        acceptsAll = filter.include.isEmpty && filter.exclude.isEmpty && filter.olderThan == nil && filter.newerThan == nil
            && filter.minSize == nil && filter.maxSize == nil
        self.roots = roots.reversed().map { root in
            var source = Array(root.utf8)
            while source.count > 1, source.last == UInt8(ascii: "/") { source.removeLast() }
            return source
        }
    }

    /// The member name of a tree given as `root`.
    static func memberName(of root: [UInt8]) -> [UInt8] {
        var name = root
        while name.first == UInt8(ascii: "/") { name.removeFirst() }
        while name.starts(with: Array("./".utf8)) { name.removeFirst(2); while name.first == UInt8(ascii: "/") { name.removeFirst() } }
        while name.count > 1, name.last == UInt8(ascii: "/") { name.removeLast() }
        return name == Array(".".utf8) || name == Array("/".utf8) ? [] : name
    }

    /// The next member, or `nil` when every tree has been walked.
    mutating func next() -> PlannedMember? {
        while true {
            if var directory = stack.popLast() {
                guard directory.next < directory.entries.count else { continue }
                let child = directory.entries[directory.next]
                directory.next += 1
                let slash = UInt8(ascii: "/")
                let source = directory.source + [slash] + child
                let name = directory.name.isEmpty ? child : directory.name + [slash] + child
                let relative = directory.relative.isEmpty ? child : directory.relative + [slash] + child
                stack.append(directory)
                if let member = visit(source: source, name: name, relative: relative, isRoot: false) { return member }
            } else if let source = roots.popLast() {
                if let member = visit(source: source, name: Self.memberName(of: source), relative: [], isRoot: true) { return member }
            } else {
                return nil
            }
        }
    }

    /// The member at `source`, if it goes in; a directory's entries are listed (pushed on the stack).
    private mutating func visit(source: [UInt8], name: [UInt8], relative: [UInt8], isRoot: Bool) -> PlannedMember? {
        var st = stat()
        let path = ArchivePath(bytes: name.isEmpty ? Array(".".utf8) : name)
        guard ArchivePath(bytes: source).withCString({ lstat($0, &st) }) == 0 else {
            failed(ArchivePath(bytes: source), SluiceError(.io, "cannot read \(ArchivePath(bytes: source))", cause: Errno(rawValue: errno)))
            return nil
        }
        let status = FileSystem.Status(st)
        var member = ArchiveMember(
            path: ArchivePath(bytes: name), kind: .file, size: 0, mode: UInt32(st.st_mode) & 0o7777, owner: UInt32(st.st_uid),
            group: UInt32(st.st_gid), modificationSeconds: status.modificationSeconds,
            modificationNanoseconds: status.modificationNanoseconds, linkTarget: nil, headerOffset: 0)
        guard let kind = ArchiveMember.Kind(fileType: Int32(st.st_mode)) else {
            failed(path, SluiceError(.io, "\(path) is a socket, which a tar stream cannot hold"))
            return nil
        }
        member.kind = kind
        // Only the filters that use it make a FilePath of the name.
        let relativePath = { FilePath(ArchivePath(bytes: relative).description) }
        switch kind {
        case .directory:
            if !isRoot, !filter.exclude.isEmpty, filter.excludesDirectory(relativePath()) { return nil }
            guard let directory = ArchivePath(bytes: source).withCString({ opendir($0) }) else {
                failed(path, SluiceError(.io, "cannot list \(path)", cause: Errno(rawValue: errno)))
                return name.isEmpty ? nil : PlannedMember(source: source, member: member)
            }
            var names: [[UInt8]] = []
            while let entry = readdir(directory) {
                // The name is read where it lies, up to its NUL: a record is only as long as its name
                // (d_reclen), so copying the whole 256-byte d_name could read past the end of the
                // directory buffer (it did: a crash on a directory of long names).
                let name = UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \dirent.d_name)!)
                    .assumingMemoryBound(to: UInt8.self)
                let child = Array(UnsafeBufferPointer(start: name, count: strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))))
                if child == Array(".".utf8) || child == Array("..".utf8) { continue }
                names.append(child)
            }
            closedir(directory)
            names.sort { $0.lexicographicallyPrecedes($1) }
            stack.append(Directory(source: source, name: name, relative: relative, entries: names))
            return name.isEmpty ? nil : PlannedMember(source: source, member: member)
        case .file:
            guard isRoot || acceptsAll || filter.accepts(relativePath(), status: status, now: now) else { return nil }
            member.size = UInt64(max(0, st.st_size))
            if st.st_nlink > 1 {
                let identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
                if let first = firstNames[identity] {
                    member.kind = .hardlink
                    member.size = 0
                    member.linkTarget = first
                } else if select?(member) ?? true {
                    firstNames[identity] = member.path
                }
            }
        case .symlink:
            guard isRoot || acceptsAll || filter.accepts(relativePath(), status: status, now: now) else { return nil }
            var target = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
            let count = ArchivePath(bytes: source).withCString { readlink($0, &target, target.count) }
            guard count >= 0 else {
                failed(path, SluiceError(.io, "cannot read the link \(path)", cause: Errno(rawValue: errno)))
                return nil
            }
            member.linkTarget = ArchivePath(bytes: Array(target[0..<min(count, target.count)]))
        case .characterDevice, .blockDevice:
            member.device = UInt64(st.st_rdev)
        case .fifo, .hardlink, .other:
            break
        }
        guard select?(member) ?? true else { return nil }
        if let shard, !ArchivePart.holds(member, in: shard) { return nil }
        return PlannedMember(source: source, member: member)
    }
}
