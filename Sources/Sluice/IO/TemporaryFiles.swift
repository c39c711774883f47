#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Every temporary output file that exists right now, so that a signal handler can remove them all
/// before the process exits (no partial output survives Ctrl-C).
public enum TemporaryFiles {
    private static let paths = Mutex<Set<String>>([])

    static func register(_ path: String) { _ = paths.withLock { $0.insert(path) } }
    static func unregister(_ path: String) { _ = paths.withLock { $0.remove(path) } }

    /// Unlinks every registered temporary file. Safe to call from a signal-handling thread.
    public static func removeAll() {
        paths.withLock { paths in
            for path in paths { unlink(path) }
            paths.removeAll()
        }
    }
}
