#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

extension FileSystem {
    /// `renameat2`, found at run time: glibc declares it only under `_GNU_SOURCE`, which Swift's Glibc
    /// module does not set; `nil` where the C library lacks it.
    private static let renameNoReplace: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Gives a finished temporary file its final name: the one way every output is published (the
    /// atomic output of a single-file run and the whole-file writer of a batch).
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
                if overwrite { return rename(from, to) }
                if let renameNoReplace {
                    let moved = renameNoReplace(AT_FDCWD, from, AT_FDCWD, to, 1)  // RENAME_NOREPLACE
                    if moved == 0 || (errno != EINVAL && errno != ENOSYS) { return moved }
                }
                if link(from, to) == 0 { return unlink(from) }
                guard errno != EEXIST else { return -1 }
                if access(to, F_OK) == 0 {
                    errno = EEXIST
                    return -1
                }
                return rename(from, to)
            }
        }
        guard result == 0 else {
            let failure = Errno(rawValue: errno)
            _ = temporary.withPlatformString { unlink($0) }
            if failure == .fileExists {
                throw SluiceError(.outputExists, "\(destination) already exists (use --force to overwrite)")
            }
            throw SluiceError(.io, "cannot rename the output into place at \(destination)", cause: failure)
        }
    }
}
