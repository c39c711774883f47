#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// The last step of a batch into an output tree: every directory of the output gets the mode and
/// mtime of its input directory, as `tar -x` restores them. Packing copies them onto the packed
/// tree's directories and unpacking copies them back, so a round trip keeps them.
///
/// It runs after every file is written (creating an entry changes its directory's mtime) and before
/// the final sync. Only real directories of the input are visited: a followed symbolic link's target
/// keeps the default mode, a pruned or excluded subtree (no output directory) is skipped, and the
/// output tree's own root, when it lies inside the input, is never descended into. Memory is one
/// directory's list of subdirectory names per level of depth.
enum DirectoryMetadata {
    /// Walks `layout.inputRoot` and applies each directory's mode and mtime to its output directory.
    ///
    /// - Parameters:
    ///   - skip: the output root's device and inode, when it lies inside the input tree.
    ///   - failed: called with the output directory and the error for each directory that could not
    ///     be read or updated; the walk goes on.
    static func mirror(
        _ layout: OutputLayout, skip: (device: UInt64, inode: UInt64)?, failed: (FilePath, any Error) -> Void
    ) {
        mirror(relative: FilePath(""), layout: layout, skip: skip, failed: failed)
    }

    private static func mirror(
        relative: FilePath, layout: OutputLayout, skip: (device: UInt64, inode: UInt64)?, failed: (FilePath, any Error) -> Void
    ) {
        let source = layout.source(relative)
        let output = layout.directory(relative)
        let children: [String]
        do {
            guard let status = try FileSystem.status(ofPath: source, followLinks: false), status.isDirectory else { return }
            if let skip, status.device == skip.device, status.inode == skip.inode { return }
            children = try subdirectories(of: source)
            // A child's chmod or utimens does not touch its parent, so the order does not matter; the
            // parent is still done last, after everything beneath it.
            for child in children {
                mirror(relative: relative.appending(child), layout: layout, skip: skip, failed: failed)
            }
            try apply(status, to: output)
        } catch {
            failed(output, error)
        }
    }

    /// The names of the real subdirectories of `path` (`d_type`, or `lstat` where the file system does
    /// not fill it in).
    private static func subdirectories(of path: FilePath) throws -> [String] {
        guard let directory = path.withPlatformString({ opendir($0) }) else { throw Errno(rawValue: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): names.append(name)
            case Int32(DT_UNKNOWN):
                if (try? FileSystem.status(ofPath: path.appending(name), followLinks: false))?.isDirectory == true {
                    names.append(name)
                }
            default: break
            }
        }
        return names
    }

    /// Sets `status`'s permission bits and mtime on the directory at `path`, opened without following a
    /// link; a directory that does not exist in the output (nothing was put there) is left alone.
    private static func apply(_ status: FileSystem.Status, to path: FilePath) throws {
        let fd = path.withPlatformString { open($0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        if fd < 0 {
            if errno == ENOENT { return }
            throw Errno(rawValue: errno)
        }
        defer { close(fd) }
        try FileSystem.setAttributes(
            of: fd, mode: status.mode, modification: (status.modificationSeconds, status.modificationNanoseconds))
    }
}
