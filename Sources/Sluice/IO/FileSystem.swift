#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// The few file-system calls Sluice needs beyond `FileDescriptor`, with errors turned into
/// ``SluiceError``s that name the path.
package enum FileSystem {
    /// What `fstat`/`lstat` say about a file.
    struct Status: Sendable {
        var isRegular: Bool
        var isDirectory: Bool
        var isSymbolicLink: Bool
        var size: Int
        var mode: UInt32
        var modificationSeconds: Int64
        var modificationNanoseconds: UInt32
        var device: UInt64
        var inode: UInt64

        init(_ st: stat) {
            isRegular = (st.st_mode & S_IFMT) == S_IFREG
            isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
            isSymbolicLink = (st.st_mode & S_IFMT) == S_IFLNK
            size = Int(st.st_size)
            mode = UInt32(st.st_mode) & 0o7777
            #if canImport(Darwin)
            modificationSeconds = Int64(st.st_mtimespec.tv_sec)
            modificationNanoseconds = UInt32(st.st_mtimespec.tv_nsec)
            #else
            modificationSeconds = Int64(st.st_mtim.tv_sec)
            modificationNanoseconds = UInt32(st.st_mtim.tv_nsec)
            #endif
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
        }
    }

    /// The corresponding C function is `fstat`.
    static func status(of fd: FileDescriptor) throws -> Status {
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else { throw Errno(rawValue: errno) }
        return Status(st)
    }

    /// Whether `fd` is a regular file whose size may not be its length: 0 or 4096 bytes (one page)
    /// with no block allocated, on a file system without a device (major number 0). `/proc` reports 0
    /// bytes and `/sys` 4096 for files that read as something else; such a file is read as a stream, to
    /// its end. (An empty file, or one page of holes, on tmpfs matches too: the same bytes, streamed.)
    /// The corresponding C function is `fstat`.
    static func hasSyntheticSize(_ fd: FileDescriptor) -> Bool {
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        let device = UInt64(st.st_dev)
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~0xFFF)
        return st.st_blocks == 0 && major == 0 && (st.st_size == 0 || st.st_size == 4096)
    }

    /// `nil` when nothing is at `path`. The corresponding C function is `stat` (or `lstat`).
    static func status(ofPath path: FilePath, followLinks: Bool = true) throws -> Status? {
        var st = stat()
        let result = path.withPlatformString { followLinks ? stat($0, &st) : lstat($0, &st) }
        if result == 0 { return Status(st) }
        if errno == ENOENT { return nil }
        throw Errno(rawValue: errno)
    }

    /// Gives the open file `fd` permission bits `mode` (when given) and, when given, `modification` as its
    /// modification and access time (both, as `zstd` and `cp -p` do).
    ///
    /// - Throws: the `Errno` of `fchmod` or `futimens`.
    static func setAttributes(of fd: Int32, mode: UInt32?, modification: (seconds: Int64, nanoseconds: UInt32)?) throws {
        if let mode { guard fchmod(fd, mode_t(mode)) == 0 else { throw Errno(rawValue: errno) } }
        if let modification {
            let time = timespec(tv_sec: Int(modification.seconds), tv_nsec: Int(modification.nanoseconds))
            var times = [time, time]
            guard futimens(fd, &times) == 0 else { throw Errno(rawValue: errno) }
        }
    }

    /// Whether anything, even a dangling link, is at `path`.
    static func exists(_ path: FilePath) -> Bool {
        (try? status(ofPath: path, followLinks: false)) != nil
    }

    /// The corresponding C function is `unlink`.
    package static func remove(_ path: FilePath) throws {
        guard path.withPlatformString({ Syscalls.unlink($0) }) == 0 else { throw Errno(rawValue: errno) }
    }

    /// Reads a whole file of at most `limit` bytes.
    static func readSmallFile(_ path: FilePath, limit: Int) throws -> [UInt8] {
        do {
            let fd = try FileDescriptor.open(path, .readOnly)
            return try fd.closeAfter {
                var bytes: [UInt8] = []
                var block = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = try block.withUnsafeMutableBytes { try fd.read(into: $0) }
                    if count == 0 { return bytes }
                    bytes += block[0..<count]
                    if bytes.count > limit { throw SluiceError.invalid("\(path) is larger than \(limit) bytes") }
                }
            }
        } catch let error as SluiceError {
            throw error
        } catch {
            throw SluiceError(.io, "cannot read \(path)", cause: error)
        }
    }
}

extension FileDescriptor {
    /// Flushes the file to stable storage. The corresponding C function is `fsync`.
    func synchronize() throws {
        guard Syscalls.fsync(rawValue) == 0 else { throw Errno(rawValue: errno) }
    }

    /// Reads until `buffer` is full or the input ends; returns the bytes read. Retries on `EINTR`.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try readFully(into: buffer, at: nil)
    }

    /// Reads from `offset` until `buffer` is full or the end of the file (`pread`, retrying short reads
    /// and `EINTR`); the file position does not move. Returns the bytes read.
    func readFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64?) throws -> Int {
        var total = 0
        while total < buffer.count {
            let count = Syscalls.read(rawValue, into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]), at: offset.map { $0 + Int64(total) })
            if count < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            if count == 0 { break }
            total += count
        }
        return total
    }

    /// Reads exactly `count` bytes, or throws ``SluiceError/Code/corrupt`` naming `what` as truncated.
    func readExactly(_ count: Int, what: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = try bytes.withUnsafeMutableBytes { try readFully(into: $0) }
        guard got == count else { throw SluiceError.corrupt("truncated input: \(what) is incomplete") }
        return bytes
    }

    /// Writes all of `bytes` (at `offset`, with `pwrite`, when given), retrying short writes and `EINTR`.
    func writeFully(_ bytes: UnsafeRawBufferPointer, at offset: Int64? = nil) throws {
        var done = 0
        while done < bytes.count {
            let count = Syscalls.write(rawValue, UnsafeRawBufferPointer(rebasing: bytes[done...]), at: offset.map { $0 + Int64(done) })
            if count < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            done += count
        }
    }
}

extension FileSystem {
    /// The size of the regular file at `path`; `nil` for anything else.
    static func size(of path: FilePath) throws -> UInt64? {
        guard let status = try status(ofPath: path), status.isRegular else { return nil }
        return UInt64(status.size)
    }
}
