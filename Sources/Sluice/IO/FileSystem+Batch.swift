#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// The file-system calls a batch adds: directories of the output tree, and one sync for a whole run.
extension FileSystem {
    /// Makes everything written so far on the file system that holds `path` durable, in one call
    /// instead of one `fsync` per file. The corresponding C function is `syncfs` (Linux); elsewhere
    /// `sync`, which covers every file system.
    static func synchronizeFileSystem(containing path: FilePath) throws {
        #if os(Linux)
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec])
        } catch {
            throw SluiceError(.io, "cannot open \(path) to sync it", cause: error)
        }
        defer { _ = try? fd.close() }
        if Syscalls.syncfs(fd.rawValue) != 0 {
            let failure = Errno(rawValue: errno)
            guard failure == .noFunction else { throw SluiceError(.io, "cannot sync \(path)", cause: failure) }
            sync()  // sync(2) waits for every file system on Linux
        }
        #else
        sync()
        #endif
    }

    /// Creates the directory `path` (mode 0755 less the umask), or accepts an existing one — but never a
    /// symbolic link, so that nothing is written through a link planted in an output tree.
    ///
    /// - Returns: whether the directory was created.
    @discardableResult
    static func makeDirectory(_ path: FilePath) throws -> Bool {
        if path.withPlatformString({ Syscalls.mkdir($0, 0o755) }) == 0 { return true }
        let failure = Errno(rawValue: errno)
        guard failure == .fileExists else { throw SluiceError(.io, "cannot create the directory \(path)", cause: failure) }
        var st = stat()
        guard path.withPlatformString({ lstat($0, &st) }) == 0 else {
            throw SluiceError(.io, "cannot create the directory \(path)", cause: Errno(rawValue: errno))
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return false
        case S_IFLNK: throw SluiceError(.io, "\(path) is a symbolic link; refusing to write through it")
        default: throw SluiceError(.io, "\(path) exists and is not a directory")
        }
    }

    /// `mkdir -p`: creates `path` and its missing parents (following links the user named).
    static func makeDirectories(_ path: FilePath) throws {
        if (try? status(ofPath: path))?.isDirectory == true { return }
        let parent = path.removingLastComponent()
        if !parent.isEmpty, parent != path { try makeDirectories(parent) }
        if path.withPlatformString({ Syscalls.mkdir($0, 0o755) }) != 0, errno != EEXIST {
            throw SluiceError(.io, "cannot create the directory \(path)", cause: Errno(rawValue: errno))
        }
    }
}

extension FilePath {
    /// The path's bytes, as the file system sees them (without the terminating NUL).
    var bytes: [UInt8] {
        withPlatformString { UnsafeRawBufferPointer(start: $0, count: strlen($0)).map { $0 } }
    }

    /// The path made of exactly these bytes (which must not contain NUL).
    init(bytes: [UInt8]) {
        self = (bytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { FilePath(platformString: $0.baseAddress!) }
    }

    /// This path with `suffix` added to its last component's bytes (`a/b` + `.slc` → `a/b.slc`),
    /// keeping names that are not valid UTF-8 intact.
    func appendingToName(_ suffix: String) -> FilePath {
        withPlatformString { base in
            var bytes = Array(UnsafeBufferPointer(start: base, count: strlen(base)))
            bytes += suffix.utf8CString
            return bytes.withUnsafeBufferPointer { FilePath(platformString: $0.baseAddress!) }
        }
    }

    /// This path without `suffix` at the end of its last component, or `nil` when the name does not
    /// end in it, or when what is left would be empty, `.` or `..` (never a way out of a directory).
    func removingNameSuffix(_ suffix: String) -> FilePath? {
        guard let name = lastComponent else { return nil }
        let bytes = name.withPlatformString { Array(UnsafeBufferPointer(start: $0, count: strlen($0))) }
        let tail = suffix.utf8.map { CChar(bitPattern: $0) }
        guard bytes.count > tail.count, Array(bytes.suffix(tail.count)) == tail else { return nil }
        let stem = Array(bytes.dropLast(tail.count))
        guard stem != [0x2E], stem != [0x2E, 0x2E] else { return nil }
        guard let component = (stem + [0]).withUnsafeBufferPointer({ FilePath.Component(platformString: $0.baseAddress!) })
        else { return nil }
        return removingLastComponent().appending(component)
    }
}
