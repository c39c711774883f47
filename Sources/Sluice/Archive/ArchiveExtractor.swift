#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SystemPackage

/// What `unpack` of an archive may do beyond writing files, directories and links inside the target.
public struct ExtractOptions: Sendable {
    /// Replace existing files and links (`--force`); a directory is never replaced.
    public var force = false
    /// Keep setuid, setgid and sticky bits (`--preserve-special-bits`).
    public var preserveSpecialBits = false
    /// Create device nodes and FIFOs (`--devices`); refused by default.
    public var devices = false
    /// Restore mode, mtime and extended attributes as recorded (`--no-restore-metadata` turns it off);
    /// owners too when the process runs as root (``restoresOwners``).
    public var restoreMetadata = true
    /// Set the recorded owner and group (numeric ids); by default only when running as root, as tar does.
    var restoresOwners = geteuid() == 0

    /// Safe defaults: nothing replaced, no special bits, no device nodes.
    public init() {}
}

/// Writes the members of a tar stream below a target directory, refusing anything that would land
/// outside it (docs/archives.md, "Hostile archives"):
///
/// - names are split into components; absolute names and `..` are refused;
/// - every directory on the way is checked with `lstat` and must be a real directory (created if
///   missing): a symbolic link there is refused, so a link planted by an earlier member is never
///   followed;
/// - a symbolic link whose target is absolute or climbs out is refused; a hard link must name an
///   earlier member's regular file below the target;
/// - device nodes and FIFOs only with ``ExtractOptions/devices``; setuid/setgid/sticky bits only with
///   ``ExtractOptions/preserveSpecialBits`` (``RestoredMode``);
/// - each file is written to a temporary name in its directory and published with
///   ``FileSystem/publish(_:as:overwrite:)``: complete or absent, an existing one kept unless `force`.
///   The temporary names are those of ``TemporaryFiles``' hidden scheme (`.NAME.sluice-PID-TAG.tmp`,
///   a file locked by its writer): removed on a signal, and, when a run was killed, by the next
///   extraction into a directory that holds them (once per directory that existed before it).
///
/// Regular files are written by the I/O pool's threads while the tar stream is read on; a hard link
/// waits until the writes before it are done. Directories get their modes and times last.
final class ArchiveExtractor: @unchecked Sendable {
    private let root: FilePath
    private let options: ExtractOptions
    private let io: IOPool
    private let failed: @Sendable (ArchivePath, SluiceError) -> Void
    private let pending = Monitor<Int>(0)
    /// Directories this run made or met as members, with what to set on them at the end.
    private var directories: [(path: FilePath, member: ArchiveMember?)] = []
    private var known: Set<[UInt8]> = []
    /// A buffer per file in flight: files up to this size are read whole and written by an I/O thread.
    static let handOverLimit = 1 << 20

    init(root: FilePath, options: ExtractOptions, io: IOPool, failed: @escaping @Sendable (ArchivePath, SluiceError) -> Void) throws {
        self.root = root
        self.options = options
        self.io = io
        self.failed = failed
        let made = mkdir(root.string, 0o777) == 0
        if !made, errno != EEXIST {
            throw SluiceError(.io, "cannot create \(root)", cause: Errno(rawValue: errno))
        }
        guard let status = try? FileSystem.status(ofPath: root, followLinks: true), status.isDirectory else {
            throw SluiceError.invalid("\(root) is not a directory")
        }
        if !made { TemporaryFiles.removeAbandoned(in: root) }
    }

    private func path(_ components: [[UInt8]]) -> FilePath {
        var path = root
        for component in components {
            // A checked component: not empty, no `/`, not `.` or `..`.
            path.append(ArchivePath(bytes: component).withCString { FilePath(platformString: $0) }.lastComponent!)
        }
        return path
    }

    /// Makes sure every directory above `components` is a real directory below the root.
    private func prepareParents(_ components: [[UInt8]]) throws {
        for depth in 1..<components.count {
            let prefix = Array(components[0..<depth])
            let key = Array(prefix.joined(separator: [0]))
            if known.contains(key) { continue }
            let directory = path(prefix)
            var st = stat()
            if lstat(directory.string, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else {
                    throw SluiceError.invalid("refused: \(ArchivePath(bytes: Array(prefix.joined(separator: [UInt8(ascii: "/")])))) is not a directory (a link or a file), so nothing is written through it")
                }
                TemporaryFiles.removeAbandoned(in: directory)  // left by an extraction that was killed
            } else if mkdir(directory.string, 0o777) == 0 {
                directories.append((directory, nil))
            } else {
                throw SluiceError(.io, "cannot create \(directory)", cause: Errno(rawValue: errno))
            }
            known.insert(key)
        }
    }

    /// Extracts `member`, whose contents (regular files) are read from `reader`.
    func extract(_ member: ArchiveMember, from reader: TarReader) throws {
        guard let components = SafeMemberName.components(member.path) else {
            throw SluiceError.invalid("refused: \(member.path) is absolute or climbs out with ..")
        }
        try prepareParents(components)
        let target = path(components)
        switch member.kind {
        case .directory:
            var st = stat()
            let key = Array(components.joined(separator: [0]))
            if lstat(target.string, &st) == 0 {
                guard (st.st_mode & S_IFMT) == S_IFDIR else { throw SluiceError(.outputExists, "\(target) exists and is not a directory") }
                if !known.contains(key) { TemporaryFiles.removeAbandoned(in: target) }
            } else if mkdir(target.string, 0o700) != 0 {
                throw SluiceError(.io, "cannot create \(target)", cause: Errno(rawValue: errno))
            }
            known.insert(key)
            directories.append((target, member))
        case .file:
            try extractFile(member, at: target, from: reader)
        case .symlink:
            guard let link = member.linkTarget, SafeMemberName.linkStaysInside(at: components, target: link) else {
                throw SluiceError.invalid("refused: the symbolic link \(member.path) points outside the target (\(member.linkTarget?.description ?? ""))")
            }
            try publishMade(target) { temporary in
                guard link.withCString({ symlink($0, temporary.string) }) == 0 else { return Errno(rawValue: errno) }
                // The link's own owner, attributes and time (never its target's); a refusal is not an error.
                setMetadata(member, at: temporary)
                return nil
            }
        case .hardlink:
            guard let link = member.linkTarget, let linked = SafeMemberName.components(link) else {
                throw SluiceError.invalid("refused: the hard link \(member.path) names something outside the target")
            }
            try prepareParents(linked)
            let source = path(linked)
            waitForWrites()
            var st = stat()
            guard lstat(source.string, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                throw SluiceError.invalid("refused: the hard link \(member.path) names \(link), which is not a file extracted below the target")
            }
            try publishMade(target) { temporary in link_(source, temporary) }
        case .fifo, .characterDevice, .blockDevice:
            guard options.devices else {
                throw SluiceError.invalid("refused: \(member.path) is a \(member.kind == .fifo ? "FIFO" : "device node") (extracted only with --devices)")
            }
            let mode = mode_t(member.kind.fileType) | mode_t(RestoredMode.bits(recorded: member.mode, preserveSpecialBits: false))
            try publishMade(target) { temporary in
                mknod(temporary.string, mode, dev_t(member.device)) == 0 ? nil : Errno(rawValue: errno)
            }
        case .other:
            throw SluiceError.invalid("refused: \(member.path) is of a type Sluice does not extract")
        }
    }

    private func link_(_ source: FilePath, _ temporary: FilePath) -> Errno? {
        link(source.string, temporary.string) == 0 ? nil : Errno(rawValue: errno)
    }

    /// A temporary name beside `target`: `.NAME.sluice-PID-TAG.tmp`.
    private func temporaryName(for target: FilePath) -> FilePath {
        TemporaryFiles.hiddenName(beside: target)
    }

    /// Makes a link or node at a temporary name with `make` (registered for removal on a signal), then
    /// publishes it as `target`.
    private func publishMade(_ target: FilePath, _ make: (FilePath) -> Errno?) throws {
        if !options.force, FileSystem.exists(target) { throw SluiceError(.outputExists, "\(target) already exists (use --force to overwrite)") }
        let temporary = temporaryName(for: target)
        if let failure = try TemporaryFiles.create(temporary.string, by: { make(temporary) }) {
            TemporaryFiles.unregister(temporary.string)
            throw SluiceError(.io, "cannot create \(target)", cause: failure)
        }
        defer { TemporaryFiles.unregister(temporary.string) }
        try FileSystem.publish(temporary, as: target, overwrite: options.force)
    }

    private func extractFile(_ member: ArchiveMember, at target: FilePath, from reader: TarReader) throws {
        let temporary = temporaryName(for: target)
        let digest = try XXH3Stream()
        let finish: @Sendable (FileDescriptor) throws -> Void = { [options, member] fd in
            let restore = options.restoreMetadata
            if restore { _ = ExtendedAttribute.apply(member.xattrs, to: fd) }
            // Before the mode: a change of owner clears the setuid and setgid bits.
            if restore, options.restoresOwners { _ = fchown(fd.rawValue, uid_t(member.owner), gid_t(member.group)) }
            try? FileSystem.setAttributes(
                of: fd.rawValue,
                mode: RestoredMode.bits(recorded: restore ? member.mode : nil, preserveSpecialBits: restore && options.preserveSpecialBits),
                modification: restore ? (member.modificationSeconds, member.modificationNanoseconds) : nil)
            // Refuses an existing file unless forced (RENAME_NOREPLACE): the check and the publishing are one
            // step. Closed only after: the writer's lock keeps other runs from taking the name for abandoned.
            do {
                try FileSystem.publish(temporary, as: target, overwrite: options.force)
            } catch {
                _ = try? fd.close()
                throw error
            }
            TemporaryFiles.unregister(temporary.string)
            do { try fd.close() } catch {
                _ = try? FileSystem.remove(target)  // a network file system may report a lost write here
                throw SluiceError(.io, "cannot finish \(target)", cause: error)
            }
        }
        if member.size <= UInt64(Self.handOverLimit) {
            // Read here (the stream is sequential); created, written and published by an I/O thread,
            // several files at once: the file system's work is off this thread.
            let buffer = RawBuffer(capacity: Int(member.size))
            let got = try readAll(reader, into: buffer[0..<Int(member.size)])
            try check(member, got: UInt64(got), digest: digest, data: UnsafeRawBufferPointer(buffer[0..<got]))
            buffer.count = got
            pending.withLock { $0 += 1 }
            io.submit { [pending, failed] in
                var opened: FileDescriptor?
                do {
                    let fd = try Self.create(temporary, for: target)
                    opened = fd
                    try Pipeline.write(buffer.contents, to: fd)
                    opened = nil
                    try finish(fd)
                } catch {
                    if let opened { _ = try? opened.close() }
                    Self.discard(temporary)
                    failed(member.path, error as? SluiceError ?? SluiceError(.io, "cannot write \(target)", cause: SendableError(error)))
                }
                pending.withLock { $0 -= 1 }
            }
            return
        }
        if !options.force, FileSystem.exists(target) {
            try skip(reader)
            throw SluiceError(.outputExists, "\(target) already exists (use --force to overwrite)")
        }
        let fd: FileDescriptor
        do { fd = try Self.create(temporary, for: target) } catch {
            try skip(reader)
            throw error
        }
        do {
            let block = RawBuffer(capacity: 1 << 20)
            var total: UInt64 = 0
            while true {
                let got = try reader.read(into: block[0..<(1 << 20)])
                if got == 0 { break }
                let data = UnsafeRawBufferPointer(block[0..<got])
                digest.update(data)
                try io.withToken { try Pipeline.write(data, to: fd) }
                total += UInt64(got)
            }
            try check(member, got: total, digest: digest, data: nil)
        } catch {
            _ = try? fd.close()
            Self.discard(temporary)
            throw error
        }
        do { try finish(fd) } catch {
            Self.discard(temporary)  // `finish` closed `fd`
            throw error
        }
    }

    /// Creates the temporary file `temporary` (registered for removal on Ctrl-C) and takes its writer's
    /// lock (``TemporaryFiles/claim(_:at:)``); owner-only until published.
    private static func create(_ temporary: FilePath, for target: FilePath) throws -> FileDescriptor {
        let fd: FileDescriptor
        do {
            fd = try TemporaryFiles.create(temporary.string) {
                try FileDescriptor.open(temporary, .writeOnly, options: [.create, .exclusiveCreate, .noFollow, .closeOnExec], permissions: [.ownerReadWrite])
            }
        } catch {
            throw SluiceError(.io, "cannot create \(target)", cause: error as? Errno)
        }
        guard TemporaryFiles.claim(fd.rawValue, at: temporary) else {
            _ = try? fd.close()
            discard(temporary)
            throw SluiceError(.io, "cannot create \(target): its temporary file \(temporary) was taken away")
        }
        return fd
    }

    private static func discard(_ temporary: FilePath) {
        _ = try? FileSystem.remove(temporary)
        TemporaryFiles.unregister(temporary.string)
    }

    /// Compares what the stream held with the index's size and digest.
    private func check(_ member: ArchiveMember, got: UInt64, digest: XXH3Stream, data: UnsafeRawBufferPointer?) throws {
        if let data { digest.update(data) }
        guard got == member.size else { throw SluiceError.corrupt("\(member.path): the tar stream holds \(got) bytes, the index \(member.size)") }
        guard member.digest.isEmpty || digest.finish() == member.digest else {
            throw SluiceError.corrupt("\(member.path): its contents do not match the index's digest")
        }
    }

    private func readAll(_ reader: TarReader, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var got = 0
        while got < buffer.count {
            let count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[got...]))
            if count == 0 { break }
            got += count
        }
        // Anything beyond the size is left for the reader to skip.
        return got
    }

    private func skip(_ reader: TarReader) throws {
        let block = RawBuffer(capacity: 1 << 16)
        while try reader.read(into: block[0..<(1 << 16)]) > 0 {}
    }

    /// Waits until every file handed to the I/O threads is published (or failed).
    func waitForWrites() {
        pending.wait { $0 == 0 ? () : nil }
    }

    /// Waits for the writes, then sets the directories' modes and times, deepest first (a directory's
    /// time would change when an entry is made in it).
    func finish() {
        waitForWrites()
        for (path, member) in directories.reversed() {
            guard let member, options.restoreMetadata else { continue }
            setMetadata(member, at: path)
            _ = chmod(path.string, mode_t(RestoredMode.bits(recorded: member.mode, preserveSpecialBits: options.preserveSpecialBits)))
        }
    }

    /// Sets the recorded extended attributes, owner (when ``ExtractOptions/restoresOwners``) and mtime on
    /// what `path` names, a symbolic link not followed; the mode is the caller's. Refusals are ignored.
    private func setMetadata(_ member: ArchiveMember, at path: FilePath) {
        guard options.restoreMetadata else { return }
        ExtendedAttribute.apply(member.xattrs, toPath: path)
        if options.restoresOwners { _ = lchown(path.string, uid_t(member.owner), gid_t(member.group)) }
        let time = timespec(tv_sec: time_t(member.modificationSeconds), tv_nsec: Int(member.modificationNanoseconds))
        var times = [time, time]
        _ = utimensat(AT_FDCWD, path.string, &times, AT_SYMLINK_NOFOLLOW)
    }
}
