#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Hidden temporary names, and the clean-up of those a run that died left behind.
///
/// A named temporary file exists only where an anonymous one (`O_TMPFILE`) cannot: a file system
/// without it, or the moment of replacing an existing output (`--force`). It is called
/// `.NAME.sluice-PID-TAG.tmp` and its writer holds an exclusive `flock` on it while it lives. A later run
/// writing beside it removes it when both say its writer is gone: the process `PID` does not exist, and
/// the lock can be taken (locks vanish with their process, whatever killed it). A name whose number was
/// taken by a live process meanwhile is left for a later run.
extension TemporaryFiles {
    private static let processTag = String(UInt32(truncatingIfNeeded: getpid()), radix: 36)

    /// `.NAME.sluice-PID-TAG.tmp` beside `destination`; `tag` defaults to a random one.
    static func hiddenName(beside destination: FilePath, tag: String? = nil) -> FilePath {
        let base = destination.lastComponent?.string ?? "output"
        let tag = tag ?? String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let name = ".\(base.prefix(200)).sluice-\(processTag)-\(tag).tmp"
        let directory = destination.removingLastComponent()
        return directory.isEmpty ? FilePath(name) : directory.appending(name)
    }

    /// Takes the writer's lock on a temporary file just created at `path` as `fd`, and checks that the name
    /// still is that file (a clean-up in another process may have taken it for abandoned between the
    /// `open` and the lock). `false`: the name is lost; close `fd` and pick another.
    static func claim(_ fd: Int32, at path: FilePath) -> Bool {
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        guard let mine = try? FileSystem.status(of: FileDescriptor(rawValue: fd)),
              let named = try? FileSystem.status(ofPath: path, followLinks: false)
        else { return false }
        return mine.device == named.device && mine.inode == named.inode
    }

    /// Removes every abandoned temporary file of `destination` (`.NAME.sluice-*.tmp` beside it).
    static func removeAbandoned(beside destination: FilePath) {
        let prefix = ".\((destination.lastComponent?.string ?? "output").prefix(200)).sluice-"
        removeAbandoned(in: destination.removingLastComponent()) { $0.hasPrefix(prefix) }
    }

    /// Removes every abandoned temporary file in `directory`, whatever output it was for: the archive
    /// extractor, once per directory that existed before it (one `readdir`, not one per member).
    static func removeAbandoned(in directory: FilePath) {
        removeAbandoned(in: directory, where: isHiddenName)
    }

    /// Whether `name` has the shape of a hidden temporary name, `.….sluice-….tmp` (whoever's).
    static func isHiddenName(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(".tmp") && name.contains(".sluice-")
    }

    private static func removeAbandoned(in directory: FilePath, where matches: (String) -> Bool) {
        guard let stream = opendir(directory.isEmpty ? "." : directory.string) else { return }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            if matches(name), name.hasSuffix(".tmp") { names.append(name) }
        }
        closedir(stream)
        for name in names { removeIfAbandoned(directory.isEmpty ? FilePath(name) : directory.appending(name)) }
    }

    /// Removes the temporary file at `path` if its writer is gone (see the type's comment).
    ///
    /// - Returns: whether it was removed.
    @discardableResult
    static func removeIfAbandoned(_ path: FilePath) -> Bool {
        guard let name = path.lastComponent?.string, name.hasPrefix("."), name.hasSuffix(".tmp"),
              let last = name.dropLast(4).split(separator: ".").last
        else { return false }
        let fields = last.split(separator: "-")
        guard fields.count == 3, fields[0] == "sluice", let pid = Int32(fields[1], radix: 36), pid > 0, pid != getpid(),
              kill(pid, 0) != 0, errno == ESRCH
        else { return false }
        // Only a regular file is opened: opening a device node can act on the device (a tape rewinds).
        guard (try? FileSystem.status(ofPath: path, followLinks: false))?.isRegular == true else { return false }
        let fd = path.withPlatformString { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard claim(fd, at: path), (try? FileSystem.status(of: FileDescriptor(rawValue: fd)))?.isRegular == true else { return false }
        return (try? FileSystem.remove(path)) != nil
    }
}
