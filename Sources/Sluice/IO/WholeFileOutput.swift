#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import SystemPackage

/// Writes a whole file held in memory atomically, with as few system calls as the rules allow: the
/// small-file writer of a batch, where a tree of small files is bound by per-file calls.
///
/// The same guarantees as ``AtomicOutputFile``: the file gets its name only once it is complete, with
/// its final mode and time, and no existing file is replaced without `overwrite`. It differs in the how.
/// On Linux the file is first an anonymous inode in the target directory (`O_TMPFILE`), linked to its
/// name at the end (`linkat` fails if the name exists): one directory entry per output instead of
/// three operations, and nothing to clean up after a crash or a signal, since an unnamed inode vanishes
/// with the process. Elsewhere, or when replacing, or on a file system without `O_TMPFILE`: a hidden
/// temporary name from a process-wide counter (`O_EXCL` guards against other processes), registered
/// for removal on a signal, published by ``FileSystem/publish(_:as:overwrite:)``.
/// No `fsync`: a batch makes its outputs durable with one `syncfs`.
enum WholeFileOutput {
    private static let counter = Atomic<UInt64>(0)

    /// Writes `bytes` to `destination` as an anonymous file linked into place; `false` when that is not
    /// possible here (then nothing happened).
    private static func writeAnonymous(
        _ bytes: UnsafeRawBufferPointer, to destination: FilePath, mode: UInt32, modification: (seconds: Int64, nanoseconds: UInt32)?
    ) throws -> Bool {
        #if os(Linux)
        guard FileSystem.canLinkAnonymous else { return false }
        let directory = destination.removingLastComponent()
        let fd = (directory.isEmpty ? FilePath(".") : directory).withPlatformString {
            Syscalls.open($0, Syscalls.temporaryFileFlag | O_WRONLY | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else {
            let failure = errno
            // A file system without O_TMPFILE says so in one of these ways; anything else is a real error.
            if failure == EOPNOTSUPP || failure == EISDIR || failure == EINVAL || failure == ENOENT && !directory.isEmpty
                && FileSystem.exists(directory) {
                return false
            }
            throw SluiceError(.io, "cannot create \(destination)", cause: Errno(rawValue: failure))
        }
        defer { close(fd) }
        do {
            try FileDescriptor(rawValue: fd).writeFully(bytes)
            try FileSystem.setAttributes(of: fd, mode: mode, modification: modification)
        } catch {
            throw SluiceError(.io, "cannot write \(destination)", cause: error as? Errno)
        }
        let linked = destination.withPlatformString { Syscalls.link("/proc/self/fd/\(fd)", $0) }
        guard linked == 0 else {
            let failure = Errno(rawValue: errno)
            if failure == .fileExists {
                throw SluiceError(.outputExists, "\(destination) already exists (use --force to overwrite)")
            }
            throw SluiceError(.io, "cannot link the output into place at \(destination)", cause: failure)
        }
        return true
        #else
        return false
        #endif
    }

    /// Writes `bytes` to `destination`.
    ///
    /// - Parameters:
    ///   - mode: permission bits set on the file before it gets its name.
    ///   - modification: the mtime (and atime) to give it, if any.
    ///   - overwrite: replace an existing `destination`.
    /// - Throws: ``SluiceError/Code/outputExists`` when `destination` exists and `overwrite` is false;
    ///   ``SluiceError/Code/io`` otherwise. Nothing is left behind.
    static func write(
        _ bytes: UnsafeRawBufferPointer, to destination: FilePath, mode: UInt32,
        modification: (seconds: Int64, nanoseconds: UInt32)?, overwrite: Bool
    ) throws {
        if !overwrite, try writeAnonymous(bytes, to: destination, mode: mode, modification: modification) { return }
        let number = counter.add(1, ordering: .relaxed).newValue
        var temporary = TemporaryFiles.hiddenName(beside: destination, tag: String(number, radix: 36))
        // Created and registered under one lock (TemporaryFiles.create), so a signal cannot slip between.
        func create(_ path: FilePath) throws -> Int32 {
            try TemporaryFiles.create(path.string) {
                let fd = path.withPlatformString { Syscalls.open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
                guard fd >= 0 else { throw Errno(rawValue: errno) }
                flock(fd, LOCK_EX | LOCK_NB)  // the writer's lock: no other run takes it for abandoned (TemporaryFiles)
                return fd
            }
        }
        var fd: Int32
        do {
            fd = try create(temporary)
        } catch Errno.fileExists {
            // Left by another process with our pid (an earlier run): fall back to a random name.
            temporary = TemporaryFiles.hiddenName(beside: destination)
            do {
                fd = try create(temporary)
            } catch let error as Errno {
                throw SluiceError(.io, "cannot create a temporary file beside \(destination)", cause: error)
            }
        } catch let error as Errno {
            throw SluiceError(.io, "cannot create a temporary file beside \(destination)", cause: error)
        }
        let temporaryName = temporary.string
        defer { TemporaryFiles.unregister(temporaryName) }
        do {
            try FileDescriptor(rawValue: fd).writeFully(bytes)
            try FileSystem.setAttributes(of: fd, mode: mode, modification: modification)
            let closed = close(fd)
            fd = -1
            guard closed == 0 else { throw Errno(rawValue: errno) }
        } catch {
            if fd >= 0 { close(fd) }
            _ = temporary.withPlatformString { Syscalls.unlink($0) }
            throw SluiceError(.io, "cannot write \(destination)", cause: error as? Errno)
        }
        try FileSystem.publish(temporary, as: destination, overwrite: overwrite)
    }
}
