#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SystemPackage

/// A regular file the walk found and the filters let through.
struct WalkEntry: Sendable {
    /// Path relative to the batch's root; never empty, never with `.` or `..` components.
    var relative: FilePath
    /// What `lstat` (or `stat`, through a followed link) said when the walk passed.
    var status: FileSystem.Status
    /// `--skip-compressed` with ``CompressedInputPolicy/store``: the name says it is compressed.
    var storeOnly = false
    /// The output directory was created by this run, so no output can exist in it yet: no need to
    /// look before writing.
    var freshOutputDirectory = false
    /// A range of a file split across shards (``SplitRange``): only its chunks, into a part.
    var range: SplitRange?
}

/// Walks a directory tree with a few threads at once and streams the regular files it finds into a
/// bounded queue, so the walk runs ahead of the work only by the queue's capacity.
///
/// Directories waiting to be read are kept on a stack shared by the readers (depth first, for
/// locality). The stack is bounded too: when it is full, a reader reads a subdirectory itself, at once,
/// keeping its parent open; so memory is bounded by the queue, the stack and the tree's depth, never by
/// the number of files or directories.
final class DirectoryWalker: Sendable {
    /// The directories above a directory, by device and inode, to see a followed link loop back.
    final class Lineage: Sendable {
        let device: UInt64
        let inode: UInt64
        let parent: Lineage?

        init(device: UInt64, inode: UInt64, parent: Lineage?) {
            self.device = device
            self.inode = inode
            self.parent = parent
        }

        func contains(device: UInt64, inode: UInt64) -> Bool {
            var node: Lineage? = self
            while let current = node {
                if current.device == device, current.inode == inode { return true }
                node = current.parent
            }
            return false
        }
    }

    private struct Pending: Sendable {
        var relative: FilePath
        var lineage: Lineage?
        /// Whether its output directory is new (``WalkEntry/freshOutputDirectory``).
        var fresh = false
    }

    private struct State {
        var pending: [Pending] = []
        var active = 0
        var running = 0
        var stopped = false
    }

    /// Directories waiting on the shared stack before a reader walks a subdirectory itself.
    static let pendingCapacity = 1024
    /// How deep a reader goes by itself before it pushes onto the stack whatever its size.
    static let inlineDepth = 32

    let root: FilePath
    private let files: BoundedQueue<WalkEntry>
    private let state = Monitor(State())
    private let settings: Settings
    private let reporter: BatchReporter

    /// What the walk needs to know about the batch.
    struct Settings: Sendable {
        var filter: FileFilter
        var symlinks: SymlinkPolicy
        var packing: Bool
        /// Outputs are written next to the inputs: the other side's names are silently passed over.
        var inPlace: Bool
        var compressedInput: CompressedInputPolicy
        /// A directory not to enter (the output tree, when it lies inside the input).
        var prune: (device: UInt64, inode: UInt64)?
        /// Called for each directory before its entries are read, with its path relative to the root
        /// (empty for the root): creates the matching output directory and tells whether it is new.
        /// A throw skips the directory.
        var prepare: @Sendable (FilePath) throws -> Bool
        /// The run's start, for the age filters.
        var now: Int64
        /// `--shard` / `--retry-failed`: files outside it are passed over (``SkipReason/otherShard``).
        var selection: ShardSelection?
        /// Bytes per range of a file split across shards (``SplitRange``); `nil`: no file is split.
        var rangeSize: Int? = nil
    }

    init(root: FilePath, into files: BoundedQueue<WalkEntry>, settings: Settings, reporter: BatchReporter) {
        self.root = root
        self.files = files
        self.settings = settings
        self.reporter = reporter
    }

    /// Starts `readers` threads; when the last one ends, `files` receives `finish` and closes.
    func start(readers: Int, finish: @escaping @Sendable () -> Void) {
        var lineage: Lineage?
        if settings.symlinks == .follow, let status = try? FileSystem.status(ofPath: root) {
            lineage = Lineage(device: status.device, inode: status.inode, parent: nil)
        }
        let count = max(1, readers)
        state.withLock {
            $0.pending.append(Pending(relative: FilePath(), lineage: lineage))
            $0.running = count
        }
        for index in 0..<count {
            let thread = Thread { [self] in
                while let directory = takeDirectory() {
                    read(directory, depth: 0)
                    state.withLock { $0.active -= 1 }
                }
                let last = state.withLock { state -> Bool in
                    state.running -= 1
                    return state.running == 0
                }
                if last { finish() }
            }
            thread.name = "sluice-walk-\(index)"
            thread.start()
        }
    }

    /// Stops handing out directories; readers finish the one they are in.
    func stop() { state.withLock { $0.stopped = true } }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func takeDirectory() -> Pending? {
        state.wait { state -> Pending?? in
            if state.stopped { return .some(nil) }
            if let next = state.pending.popLast() {
                state.active += 1
                return .some(next)
            }
            return state.active == 0 ? .some(nil) : nil
        }
    }

    private func path(of relative: FilePath) -> FilePath {
        relative.isEmpty ? root : root.pushing(relative)
    }

    /// Reads one directory, handing files on and subdirectories to the stack (or walking them inline).
    private func read(_ directory: Pending, depth: Int) {
        var directory = directory
        let directoryPath = path(of: directory.relative)
        do {
            directory.fresh = try settings.prepare(directory.relative)
        } catch let error as SluiceError {
            reporter.fail(directoryPath, error)
            return
        } catch {
            reporter.fail(directoryPath, SluiceError(.io, "cannot prepare \(directoryPath)", cause: error))
            return
        }
        // The root and followed links are opened through links; everything else refuses them.
        let followed = directory.relative.isEmpty || settings.symlinks == .follow
        let fd = directoryPath.withPlatformString {
            open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followed ? 0 : O_NOFOLLOW))
        }
        guard fd >= 0, let stream = fdopendir(fd) else {
            let failure = Errno(rawValue: errno)
            if fd >= 0 { close(fd) }
            reporter.fail(directoryPath, SluiceError(.io, "cannot read the directory \(directoryPath)", cause: failure))
            return
        }
        defer { closedir(stream) }

        while !isStopped {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 {
                    reporter.fail(directoryPath, SluiceError(.io, "cannot read the directory \(directoryPath)", cause: Errno(rawValue: errno)))
                }
                return
            }
            let (component, type, inode) = Self.describe(entry)
            guard let component else { continue }
            let relative = directory.relative.appending(component)
            switch Int32(type) {
            case Int32(DT_DIR):
                enterDirectory(relative, name: component, inode: UInt64(inode), directoryFD: fd, lineage: directory.lineage, depth: depth, followedLink: false)
            case Int32(DT_REG):
                guard let status = statAt(fd, component, follow: false, relative: relative) else { continue }
                offer(relative, name: component, status: status, fresh: directory.fresh)
            case Int32(DT_LNK):
                followLink(relative, name: component, directoryFD: fd, lineage: directory.lineage, depth: depth)
            case Int32(DT_UNKNOWN):
                guard let status = statAt(fd, component, follow: false, relative: relative) else { continue }
                classify(relative, name: component, status: status, directoryFD: fd, lineage: directory.lineage, depth: depth)
            default:
                reporter.skip(path(of: relative), .special)
            }
        }
    }

    /// A `DT_UNKNOWN` entry (some file systems), sorted out with the `lstat` result.
    private func classify(
        _ relative: FilePath, name: FilePath.Component, status: FileSystem.Status, directoryFD: Int32,
        lineage: Lineage?, depth: Int
    ) {
        if status.isDirectory {
            enterDirectory(relative, name: name, inode: status.inode, directoryFD: directoryFD, lineage: lineage, depth: depth, followedLink: false)
        } else if status.isRegular {
            offer(relative, name: name, status: status)
        } else if status.isSymbolicLink {
            followLink(relative, name: name, directoryFD: directoryFD, lineage: lineage, depth: depth)
        } else {
            reporter.skip(path(of: relative), .special)
        }
    }

    private func followLink(_ relative: FilePath, name: FilePath.Component, directoryFD: Int32, lineage: Lineage?, depth: Int) {
        guard settings.symlinks == .follow else {
            reporter.skip(path(of: relative), .symlink)
            return
        }
        var st = stat()
        if name.withPlatformString({ fstatat(directoryFD, $0, &st, 0) }) != 0 {
            switch errno {
            case ENOENT, ENOTDIR: reporter.skip(path(of: relative), .danglingSymlink)
            case ELOOP: reporter.skip(path(of: relative), .symlinkLoop)
            default: reporter.fail(path(of: relative), SluiceError(.io, "cannot follow \(path(of: relative))", cause: Errno(rawValue: errno)))
            }
            return
        }
        let status = FileSystem.Status(st)
        if status.isDirectory {
            if lineage?.contains(device: status.device, inode: status.inode) == true {
                reporter.skip(path(of: relative), .symlinkLoop)
                return
            }
            enterDirectory(relative, name: name, inode: status.inode, directoryFD: directoryFD, lineage: lineage, depth: depth, followedLink: true, known: status)
        } else if status.isRegular {
            offer(relative, name: name, status: status)
        } else {
            reporter.skip(path(of: relative), .special)
        }
    }

    private func enterDirectory(
        _ relative: FilePath, name: FilePath.Component, inode: UInt64, directoryFD: Int32, lineage: Lineage?, depth: Int,
        followedLink: Bool, known: FileSystem.Status? = nil
    ) {
        if settings.filter.excludesDirectory(relative) { return }
        var status = known
        let needsStatus = settings.symlinks == .follow || settings.prune?.inode == inode
        if needsStatus, status == nil {
            status = statAt(directoryFD, name, follow: false, relative: relative)
            guard status != nil else { return }
        }
        if let prune = settings.prune, let status, status.device == prune.device, status.inode == prune.inode { return }
        var childLineage = lineage
        if settings.symlinks == .follow, let status {
            childLineage = Lineage(device: status.device, inode: status.inode, parent: lineage)
        }
        let child = Pending(relative: relative, lineage: childLineage)
        let queued = state.withLock { state -> Bool in
            guard state.pending.count < Self.pendingCapacity || depth >= Self.inlineDepth else { return false }
            state.pending.append(child)
            return true
        }
        if !queued { read(child, depth: depth + 1) }
    }

    private func statAt(_ directoryFD: Int32, _ name: FilePath.Component, follow: Bool, relative: FilePath) -> FileSystem.Status? {
        var st = stat()
        guard name.withPlatformString({ fstatat(directoryFD, $0, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) }) == 0 else {
            // Gone between readdir and stat: nothing to do, and nothing lost.
            if errno != ENOENT {
                reporter.fail(path(of: relative), SluiceError(.io, "cannot stat \(path(of: relative))", cause: Errno(rawValue: errno)))
            }
            return nil
        }
        return FileSystem.Status(st)
    }

    /// Applies the name rules and the filters to a regular file, and queues it.
    private func offer(_ relative: FilePath, name: FilePath.Component, status: FileSystem.Status, fresh: Bool = false) {
        if Self.isTemporaryOutput(name) {
            TemporaryFiles.removeIfAbandoned(path(of: relative))  // left by a run that died
            return
        }
        var ranges: [SplitRange]?
        if let rangeSize = settings.rangeSize, status.size > rangeSize, let selection = settings.selection {
            ranges = selection.ranges(of: relative, fileSize: status.size, rangeSize: rangeSize)
            if ranges?.isEmpty == true { return reporter.skip(path(of: relative), .otherShard) }
        } else if let selection = settings.selection, !selection.selects(relative, packing: settings.packing) {
            return reporter.skip(path(of: relative), .otherShard)
        }
        var storeOnly = false
        if settings.packing {
            if name.extension == "slc" {
                if !settings.inPlace { reporter.skip(path(of: relative), .packed) }
                return
            }
            if settings.compressedInput != .pack, CompressedInput.hasCompressedExtension(name) {
                if settings.compressedInput == .skip {
                    reporter.skip(path(of: relative), .compressed)
                    return
                }
                storeOnly = true
            }
        } else if !(name.extension.map { OutputLayout.packedExtensions.contains($0) } ?? false) {
            if !settings.inPlace { reporter.skip(path(of: relative), .notPacked) }
            return
        }
        guard settings.filter.accepts(relative, status: status, now: settings.now) else {
            reporter.skip(path(of: relative), .filtered)
            return
        }
        let entry = WalkEntry(relative: relative, status: status, storeOnly: storeOnly, freshOutputDirectory: fresh)
        guard let ranges else {
            reporter.progress.foundFile(size: status.size)
            if !files.push(entry) { stop() }
            return
        }
        for range in ranges {
            var part = entry
            part.range = range
            reporter.progress.foundFile(size: range.bytes(fileSize: status.size).count)
            if !files.push(part) { return stop() }
        }
    }

    /// `.NAME.sluice-XXXX.tmp`: an ``AtomicOutputFile`` of this or an interrupted run.
    static func isTemporaryOutput(_ name: FilePath.Component) -> Bool {
        TemporaryFiles.isHiddenName(name.string)
    }

    /// The entry's name (`nil` for `.` and `..`), type and inode.
    private static func describe(_ entry: UnsafeMutablePointer<dirent>) -> (FilePath.Component?, UInt8, UInt64) {
        let type = entry.pointee.d_type
        let inode = UInt64(entry.pointee.d_ino)
        let component = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> FilePath.Component? in
            let name = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            if name[0] == 0x2E, name[1] == 0 || (name[1] == 0x2E && name[2] == 0) { return nil }
            return FilePath.Component(platformString: name)
        }
        return (component, type, inode)
    }
}
