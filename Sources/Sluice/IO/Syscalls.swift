#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls through which Sluice creates, reads, writes, syncs, names and removes files, each
/// wrapped once (as swift-system's `Internals/Syscalls.swift` does), so that a test can make any of
/// them fail or record the sequence in-process (``SyscallMocking``). Each returns what the C function
/// returns and leaves `errno` set; callers turn that into errors.
///
/// When no test has armed the mock, the cost is one relaxed atomic load per call.
enum Syscalls {
    /// One of the wrapped calls, as a fault or a recording names it.
    enum Call: String, CaseIterable, Sendable {
        case open, read, write, fsync, syncfs, link, rename, unlink, mkdir
    }

    /// `O_TMPFILE` (`__O_TMPFILE | O_DIRECTORY`), which Swift's Glibc module leaves out with `_GNU_SOURCE`.
    static let temporaryFileFlag: Int32 = 0o20_000_000 | O_DIRECTORY

    /// The corresponding C function is `open`.
    static func open(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.open, path: String(cString: path), flags: flags) {
            return fail(failure)
        }
        let fd = Glibc.open(path, flags, mode)
        if SyscallMocking.isArmed, fd >= 0 { SyscallMocking.opened(fd, path: String(cString: path), flags: flags) }
        return fd
    }

    /// The corresponding C function is `read`, or `pread` with an `offset`.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64? = nil) -> Int {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.read, fd: fd) { return Int(fail(failure)) }
        if let offset { return pread(fd, buffer.baseAddress, buffer.count, off_t(offset)) }
        return Glibc.read(fd, buffer.baseAddress, buffer.count)
    }

    /// The corresponding C function is `write`, or `pwrite` with an `offset`.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64? = nil) -> Int {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.write, fd: fd, offset: offset, count: bytes.count) {
            return Int(fail(failure))
        }
        if let offset { return pwrite(fd, bytes.baseAddress, bytes.count, off_t(offset)) }
        return Glibc.write(fd, bytes.baseAddress, bytes.count)
    }

    /// The corresponding C function is `fsync`.
    static func fsync(_ fd: Int32) -> Int32 {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.fsync, fd: fd) { return fail(failure) }
        return Glibc.fsync(fd)
    }

    /// glibc declares `syncfs` and `renameat2` only under `_GNU_SOURCE`, which Swift's Glibc module does
    /// not set: found at run time, `nil` where the C library lacks them.
    private static let syncfsFunction: (@convention(c) (Int32) -> Int32)? =
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs").map { unsafeBitCast($0, to: (@convention(c) (Int32) -> Int32).self) }
    private static let renameat2Function: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? =
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2").map {
            unsafeBitCast($0, to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32).self)
        }

    /// Makes the file system holding `fd` durable; `ENOSYS` where the C library has no `syncfs`.
    /// The corresponding C function is `syncfs`.
    static func syncfs(_ fd: Int32) -> Int32 {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.syncfs, fd: fd) { return fail(failure) }
        guard let syncfsFunction else { return fail(ENOSYS) }
        return syncfsFunction(fd)
    }

    /// Gives the file at `from` (a `/proc/self/fd/N` of an anonymous file, followed) the name `to`;
    /// fails with `EEXIST` when `to` exists. The corresponding C function is `linkat`.
    static func link(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>) -> Int32 {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.link, path: String(cString: from), to: String(cString: to)) {
            return fail(failure)
        }
        return linkat(AT_FDCWD, from, AT_FDCWD, to, AT_SYMLINK_FOLLOW)
    }

    /// Renames `from` to `to`; with `noReplace`, fails with `EEXIST` when `to` exists, or with `EINVAL`
    /// / `ENOSYS` where the kernel or file system cannot promise that. The corresponding C functions
    /// are `rename` and `renameat2(RENAME_NOREPLACE)`.
    static func rename(_ from: UnsafePointer<CChar>, _ to: UnsafePointer<CChar>, noReplace: Bool = false) -> Int32 {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.rename, path: String(cString: from), to: String(cString: to)) {
            return fail(failure)
        }
        guard noReplace else { return Glibc.rename(from, to) }
        guard let renameat2Function else { return fail(ENOSYS) }
        return renameat2Function(AT_FDCWD, from, AT_FDCWD, to, 1)  // RENAME_NOREPLACE
    }

    /// The corresponding C function is `unlink`.
    static func unlink(_ path: UnsafePointer<CChar>) -> Int32 {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.unlink, path: String(cString: path)) { return fail(failure) }
        return Glibc.unlink(path)
    }

    /// The corresponding C function is `mkdir`.
    static func mkdir(_ path: UnsafePointer<CChar>, _ mode: mode_t) -> Int32 {
        if SyscallMocking.isArmed, let failure = SyscallMocking.intercept(.mkdir, path: String(cString: path)) { return fail(failure) }
        return Glibc.mkdir(path, mode)
    }

    private static func fail(_ code: Int32) -> Int32 {
        errno = code
        return -1
    }
}
