#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Sluice
import SystemPackage

/// Checks on an output name made before any work, so a mistyped `-o` gets a sentence about the name
/// given instead of one about the temporary file beside it.
enum OutputPath {
    /// Refuses (exit 74) an output whose directory does not exist or is not a directory.
    static func requireDirectory(of path: FilePath) throws {
        let parent = path.removingLastComponent()
        guard !parent.isEmpty else { return }
        var status = stat()
        if stat(parent.string, &status) != 0 {
            throw SluiceError(.io, "cannot write \(path): the directory \(parent) does not exist")
        }
        if (status.st_mode & S_IFMT) != S_IFDIR {
            throw SluiceError(.io, "cannot write \(path): \(parent) is not a directory")
        }
    }

    /// Refuses (exit 64) a key or identity name that is a directory: `keygen -o DIR` means a file in it.
    static func requireFileName(_ path: String, for what: String) throws {
        if isDirectory(path) {
            let example = FilePath(path).appending(what == "identity" ? "identity.txt" : "backup.key")
            throw SluiceError(.invalidArgument, "\(path) is a directory: name the \(what) file to create in it (-o \(example))")
        }
        try requireDirectory(of: FilePath(path))
    }
}
