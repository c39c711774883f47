#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// An output file that appears at its final name only when complete, renamed or linked into place by
/// ``commit(mode:modification:sync:)``; until then any error, `discard()`, release of the object or a
/// signal removes it.
///
/// On Linux the file is an anonymous inode in the target directory (`O_TMPFILE`), linked to its name at
/// the end: nothing is left behind whatever ends the process, even `SIGKILL` or a power cut. Where the
/// file system has no `O_TMPFILE` (some FUSE and network file systems), it is a hidden
/// `.NAME.sluice-PID-TAG.tmp` beside the output, registered for removal on a signal, locked while it
/// lives, and removed by the next run writing beside it if its process died (``TemporaryFiles``).
final class AtomicOutputFile {
    let destination: FilePath
    /// The hidden name the file is written under; `nil` for an anonymous file.
    let temporary: FilePath?
    let descriptor: FileDescriptor
    private let overwrite: Bool
    private var finished = false

    /// Creates the temporary file.
    ///
    /// - Parameters:
    ///   - overwrite: allow replacing an existing `destination` (`--force`).
    /// - Throws: ``SluiceError/Code/outputExists`` when `destination` exists and `overwrite` is false.
    init(destination: FilePath, overwrite: Bool) throws {
        if !overwrite, FileSystem.exists(destination) {
            throw SluiceError(.outputExists, "\(destination) already exists (use --force to overwrite)")
        }
        // The rename would put a regular file in place of a device, FIFO or socket: `-o /dev/null --force`
        // run as root replaced /dev/null. Only regular files (and symbolic links, which the rename replaces
        // without touching their target) may be overwritten.
        if overwrite, let existing = try? FileSystem.status(ofPath: destination, followLinks: false),
           !existing.isRegular, !existing.isSymbolicLink {
            throw SluiceError.invalid(
                "\(destination) is not a regular file; refusing to replace it (to discard the output, use `sluice verify` or -c)")
        }
        self.destination = destination
        self.overwrite = overwrite
        let directory = destination.removingLastComponent()
        let place = directory.isEmpty ? "." : directory.string
        TemporaryFiles.removeAbandoned(beside: destination)
        if let anonymous = try Self.openAnonymous(in: place, for: destination) {
            descriptor = anonymous
            temporary = nil
            return
        }
        var attempt = 0
        while true {
            let candidate = TemporaryFiles.hiddenName(beside: destination)
            let (fd, failure) = try TemporaryFiles.create(candidate.string) {
                let fd = candidate.withPlatformString { Syscalls.open($0, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
                return (fd, errno)
            }
            if fd >= 0, TemporaryFiles.claim(fd, at: candidate) {
                descriptor = FileDescriptor(rawValue: fd)
                temporary = candidate
                return
            }
            if fd >= 0 { close(fd) }
            TemporaryFiles.unregister(candidate.string)
            guard fd >= 0 || failure == EEXIST, attempt < 16 else {
                throw SluiceError(.io, "cannot create a temporary file for \(destination) in \(place)", cause: Errno(rawValue: failure))
            }
            attempt += 1
        }
    }

    /// An anonymous file in `directory`, locked; `nil` where the file system (or the platform) has none.
    private static func openAnonymous(in directory: String, for destination: FilePath) throws -> FileDescriptor? {
        guard FileSystem.canLinkAnonymous else { return nil }
        let fd = Syscalls.open(directory, Syscalls.temporaryFileFlag | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            // A file system without O_TMPFILE says so in one of these ways; anything else is a real error.
            let failure = errno
            if failure == EOPNOTSUPP || failure == EISDIR || failure == EINVAL { return nil }
            throw SluiceError(.io, "cannot create a temporary file for \(destination) in \(directory)", cause: Errno(rawValue: failure))
        }
        flock(fd, LOCK_EX | LOCK_NB)  // for the hidden name it may get when replacing (see TemporaryFiles)
        return FileDescriptor(rawValue: fd)
    }

    deinit { discard() }

    /// Gives the file its final mode and time, optionally makes it durable, and links or renames it into
    /// place.
    ///
    /// Without `overwrite` the name cannot be taken from a file that appeared meanwhile
    /// (``FileSystem/publish(_:as:overwrite:)``, ``FileSystem/publishAnonymous(_:as:overwrite:)``).
    func commit(mode: UInt32?, modification: (seconds: Int64, nanoseconds: UInt32)?, sync: Bool) throws {
        precondition(!finished)
        do {
            try FileSystem.setAttributes(of: descriptor.rawValue, mode: mode, modification: modification)
            if sync { try descriptor.synchronize() }
        } catch {
            discard()
            throw SluiceError(.io, "cannot finish \(destination)", cause: error)
        }
        finished = true
        do {
            if let temporary {
                defer { TemporaryFiles.unregister(temporary.string) }
                try FileSystem.publish(temporary, as: destination, overwrite: overwrite)
            } else {
                try FileSystem.publishAnonymous(descriptor.rawValue, as: destination, overwrite: overwrite)
            }
        } catch {
            _ = try? descriptor.close()
            throw error
        }
        // Closed only now: its lock kept other runs from taking the hidden name for an abandoned one.
        do {
            try descriptor.close()
        } catch {
            _ = try? FileSystem.remove(destination)  // a network file system may report a lost write here
            throw SluiceError(.io, "cannot finish \(destination)", cause: error)
        }
        if sync { FileSystem.syncDirectory(of: destination) }
    }

    /// Removes the temporary file; harmless after `commit` or a previous `discard`.
    func discard() {
        guard !finished else { return }
        finished = true
        _ = try? descriptor.close()
        guard let temporary else { return }
        _ = try? FileSystem.remove(temporary)
        TemporaryFiles.unregister(temporary.string)
    }
}

extension FileSystem {
    /// Makes a rename durable by syncing the directory that holds `path`.
    static func syncDirectory(of path: FilePath) {
        let directory = path.removingLastComponent()
        guard let fd = try? FileDescriptor.open(directory.isEmpty ? "." : directory, .readOnly) else { return }
        _ = try? fd.synchronize()
        _ = try? fd.close()
    }
}
