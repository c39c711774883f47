#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

extension FileSystem {
    /// Whether an anonymous file (`O_TMPFILE`) can be linked to a name here: through its
    /// `/proc/self/fd` entry (`AT_EMPTY_PATH` would need `CAP_DAC_READ_SEARCH`).
    static let canLinkAnonymous: Bool = {
        #if os(Linux)
        access("/proc/self/fd", X_OK) == 0
        #else
        false
        #endif
    }()

    /// Gives a finished temporary file its final name: the one way every named temporary output is
    /// published (the atomic output of a single-file run on a file system without `O_TMPFILE`, and the
    /// whole-file writer of a batch).
    ///
    /// With `overwrite`, a `rename`. Without, the name is never taken from a file that appeared
    /// meanwhile: `renameat2(RENAME_NOREPLACE)` where the kernel and file system have it, else `link`
    /// (which fails if the name exists) and `unlink` of the temporary name, and on a file system without
    /// hard links a check and a `rename` (a small race, but no clobber of anything that existed when the
    /// run started, which the caller already checked).
    ///
    /// - Throws: ``SluiceError/Code/outputExists`` when `destination` exists and `overwrite` is false;
    ///   ``SluiceError/Code/io`` otherwise. On failure the temporary file is removed.
    static func publish(_ temporary: FilePath, as destination: FilePath, overwrite: Bool) throws {
        let result: Int32 = temporary.withPlatformString { from in
            destination.withPlatformString { to in
                if overwrite { return Syscalls.rename(from, to) }
                let moved = Syscalls.rename(from, to, noReplace: true)
                if moved == 0 || (errno != EINVAL && errno != ENOSYS) { return moved }
                if Syscalls.link(from, to) == 0 { return Syscalls.unlink(from) }
                guard errno != EEXIST else { return -1 }
                if access(to, F_OK) == 0 {
                    errno = EEXIST
                    return -1
                }
                return Syscalls.rename(from, to)
            }
        }
        guard result == 0 else {
            let failure = Errno(rawValue: errno)
            _ = temporary.withPlatformString { Syscalls.unlink($0) }
            throw publishingError(failure, destination)
        }
    }

    /// Gives the anonymous file `fd` (opened with `O_TMPFILE`) the name `destination`: a `linkat`, which
    /// never replaces a file; with `overwrite`, a link to a hidden name (registered for removal on a
    /// signal) renamed over `destination`.
    ///
    /// - Throws: as ``publish(_:as:overwrite:)``.
    static func publishAnonymous(_ fd: Int32, as destination: FilePath, overwrite: Bool) throws {
        let anonymous = "/proc/self/fd/\(fd)"
        guard overwrite else {
            let linked = try TemporaryFiles.unlessExiting { destination.withPlatformString { Syscalls.link(anonymous, $0) == 0 ? nil : errno } }
            if let linked { throw publishingError(Errno(rawValue: linked), destination) }
            return
        }
        let hidden = TemporaryFiles.hiddenName(beside: destination)
        do {
            try TemporaryFiles.create(hidden.string) {
                guard hidden.withPlatformString({ Syscalls.link(anonymous, $0) }) == 0 else { throw Errno(rawValue: errno) }
            }
        } catch let error as Errno {
            throw publishingError(error, destination)
        }
        defer { TemporaryFiles.unregister(hidden.string) }
        try publish(hidden, as: destination, overwrite: true)
    }

    private static func publishingError(_ failure: Errno, _ destination: FilePath) -> SluiceError {
        if failure == .fileExists {
            return SluiceError(.outputExists, "\(destination) already exists (use --force to overwrite)")
        }
        return SluiceError(.io, "cannot rename the output into place at \(destination)", cause: failure)
    }
}
