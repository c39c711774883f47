#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SystemPackage

/// A directory of its own for one test under the system's temporary directory, removed with
/// everything in it when the body returns or throws.
func withTemporaryDirectory<T>(_ body: (FilePath) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("sluice-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(FilePath(url.path))
}

/// The names in `directory`, hidden ones included, sorted.
func directoryListing(_ directory: FilePath) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.string).sorted()
}

func readFile(_ path: FilePath) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path.string)))
}

/// Bytes the file system has allocated to the file at `path` (`st_blocks` × 512): what its holes save.
func allocatedBytes(_ path: FilePath) throws -> Int {
    var status = stat()
    guard stat(path.string, &status) == 0 else { throw Errno(rawValue: errno) }
    return Int(status.st_blocks) * 512
}

func writeFile(_ path: FilePath, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path.string))
}

/// An anonymous, seekable temporary file: created in the temporary directory and unlinked at once,
/// so nothing is left behind even if the test process dies. The descriptor is closed on release.
final class ScratchFile {
    let descriptor: FileDescriptor

    init() throws {
        let path = FilePath(FileManager.default.temporaryDirectory.path)
            .appending("sluice-scratch-\(UUID().uuidString)")
        descriptor = try FileDescriptor.open(
            path, .readWrite, options: [.create, .exclusiveCreate, .closeOnExec], permissions: [.ownerReadWrite])
        _ = path.withPlatformString { unlink($0) }
    }

    convenience init(_ bytes: [UInt8]) throws {
        try self.init()
        try replaceContents(with: bytes)
    }

    deinit { try? descriptor.close() }

    /// Makes the file hold exactly `bytes` and rewinds it.
    func replaceContents(with bytes: [UInt8]) throws {
        try descriptor.resize(to: 0)
        try descriptor.writeAll(toAbsoluteOffset: 0, bytes)
        try rewind()
    }

    /// Overwrites one byte in place (the rest of the file is unchanged).
    func write(_ byte: UInt8, at offset: Int) throws {
        try descriptor.writeAll(toAbsoluteOffset: Int64(offset), [byte])
    }

    func truncate(to size: Int) throws { try descriptor.resize(to: Int64(size)) }

    func rewind() throws { try descriptor.seek(offset: 0, from: .start) }

    /// The whole file, leaving the position at its start.
    func contents() throws -> [UInt8] {
        let size = Int(try descriptor.seek(offset: 0, from: .end))
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let got = try bytes.withUnsafeMutableBytes {
                try descriptor.read(fromAbsoluteOffset: Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: $0[done...]))
            }
            if got == 0 { break }
            done += got
        }
        try rewind()
        return Array(bytes.prefix(done))
    }
}

/// Runs `body` with the read end of a pipe (not seekable, like stdin) that a separate thread fills
/// with `bytes` and then closes.
///
/// Afterwards the pipe is drained, so the writer always finishes, and both ends are closed. Callers
/// that may fail early must make sure the library no longer reads from the pipe when `body` returns
/// (`Pipeline.unpack(…, isStream: false)` waits for its reader).
func withPipe<T>(feeding bytes: [UInt8], _ body: (FileDescriptor) throws -> T) throws -> T {
    ignoreBrokenPipes()
    let (readEnd, writeEnd) = try FileDescriptor.pipe()
    let finished = DispatchSemaphore(value: 0)
    let writer = Thread {
        _ = try? writeEnd.writeAll(bytes)
        try? writeEnd.close()
        finished.signal()
    }
    writer.start()
    defer {
        var sink = [UInt8](repeating: 0, count: 1 << 16)
        while (try? sink.withUnsafeMutableBytes { try readEnd.read(into: $0) }) ?? 0 > 0 {}
        finished.wait()
        try? readEnd.close()
    }
    return try body(readEnd)
}

/// A writer into a pipe whose reader has gone must get `EPIPE`, not kill the test process.
func ignoreBrokenPipes() { _ = ignoringBrokenPipes }
private let ignoringBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

/// Permission bits and modification time of the file at `path`, to the nanosecond.
struct FileAttributes: Equatable, CustomStringConvertible {
    var mode: UInt32
    var seconds: Int64
    var nanoseconds: Int64

    init(of path: FilePath) throws {
        var st = stat()
        guard path.withPlatformString({ stat($0, &st) }) == 0 else { throw Errno(rawValue: errno) }
        mode = UInt32(st.st_mode) & 0o7777
        #if canImport(Darwin)
        seconds = Int64(st.st_mtimespec.tv_sec)
        nanoseconds = Int64(st.st_mtimespec.tv_nsec)
        #else
        seconds = Int64(st.st_mtim.tv_sec)
        nanoseconds = Int64(st.st_mtim.tv_nsec)
        #endif
    }

    var description: String { "mode \(String(mode, radix: 8)), mtime \(seconds).\(nanoseconds)" }

    /// Sets mode and modification time (to the nanosecond) of the file at `path`.
    static func set(_ path: FilePath, mode: UInt32, seconds: Int64, nanoseconds: Int64) throws {
        guard path.withPlatformString({ chmod($0, mode_t(mode)) }) == 0 else { throw Errno(rawValue: errno) }
        let time = timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds))
        let times = [time, time]
        guard path.withPlatformString({ utimensat(AT_FDCWD, $0, times, 0) }) == 0 else { throw Errno(rawValue: errno) }
    }
}

/// Whether anything is at `path`.
func exists(_ path: FilePath) -> Bool { FileManager.default.fileExists(atPath: path.string) }

/// The names in `directory` that look like an abandoned temporary output (`.name.sluice-xxx.tmp`).
func leftoverTemporaryFiles(in directory: FilePath) throws -> [String] {
    try directoryListing(directory).filter { $0.hasPrefix(".") && $0.hasSuffix(".tmp") }
}

func hardLink(_ existing: FilePath, _ new: FilePath) throws {
    try FileManager.default.linkItem(atPath: existing.string, toPath: new.string)
}
