#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// An output file that appears at its final name only when complete: it is written under a hidden
/// temporary name in the same directory and renamed by ``commit(mode:modification:sync:)``. Until
/// then any error, `discard()`, release of the object or a signal removes it.
final class AtomicOutputFile {
    let destination: FilePath
    let temporary: FilePath
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
        let base = destination.lastComponent?.string ?? "output"
        var attempt = 0
        while true {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let name = ".\(base.prefix(200)).sluice-\(suffix).tmp"
            let candidate = directory.isEmpty ? FilePath(name) : directory.appending(name)
            do {
                descriptor = try TemporaryFiles.create(candidate.string) {
                    try FileDescriptor.open(
                        candidate, .readWrite, options: [.create, .exclusiveCreate, .closeOnExec],
                        permissions: [.ownerReadWrite])
                }
                temporary = candidate
                break
            } catch Errno.fileExists where attempt < 16 {
                attempt += 1
            } catch let error as SluiceError {
                throw error
            } catch {
                throw SluiceError(.io, "cannot create a temporary file in \(directory.isEmpty ? "." : directory.string)", cause: error)
            }
        }
    }

    deinit { discard() }

    /// Gives the file its final mode and time, optionally makes it durable, and renames it into place.
    ///
    /// Without `overwrite` the rename cannot replace a file that appeared meanwhile
    /// (``FileSystem/publish(_:as:overwrite:)``).
    func commit(mode: UInt32?, modification: (seconds: Int64, nanoseconds: UInt32)?, sync: Bool) throws {
        precondition(!finished)
        do {
            try FileSystem.setAttributes(of: descriptor.rawValue, mode: mode, modification: modification)
            if sync { try descriptor.synchronize() }
            try descriptor.close()
        } catch {
            discard()
            throw SluiceError(.io, "cannot finish \(destination)", cause: error)
        }
        finished = true
        defer { TemporaryFiles.unregister(temporary.string) }
        try FileSystem.publish(temporary, as: destination, overwrite: overwrite)
        if sync { FileSystem.syncDirectory(of: destination) }
    }

    /// Removes the temporary file; harmless after `commit` or a previous `discard`.
    func discard() {
        guard !finished else { return }
        finished = true
        _ = try? descriptor.close()
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
