#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every temporary output file that exists right now, so that a signal handler can remove them all
/// before the process exits (no partial output survives Ctrl-C).
public enum TemporaryFiles {
    private struct Registry {
        var paths: Set<String> = []
        /// Set by `removeAll`: the process is exiting, and no new temporary file may appear.
        var closed = false
    }

    private static let registry = Locked(Registry())

    /// Creates the file at `path` with `create` and registers it under one lock, so that `removeAll`
    /// on another thread runs either before (and then nothing is created) or after the registration.
    /// Created first and registered after, a signal in between left the file behind.
    package static func create<T: Sendable>(_ path: String, by create: () throws -> T) throws -> T {
        try registry.withLock { registry in
            guard !registry.closed else { throw SluiceError(.interrupted, "interrupted") }
            let made = try create()
            registry.paths.insert(path)
            return made
        }
    }

    /// Runs `body` (giving an anonymous output its name) under the same lock, unless the process is
    /// exiting after a signal: an output that has no temporary name to remove must not be published then.
    package static func unlessExiting<T>(_ body: () throws -> T) throws -> T {
        try registry.withLock { registry in
            guard !registry.closed else { throw SluiceError(.interrupted, "interrupted") }
            return try body()
        }
    }

    package static func unregister(_ path: String) { _ = registry.withLock { $0.paths.remove(path) } }

    /// Unlinks every registered temporary file, and refuses to create any more: call it only when the
    /// process is about to exit. Safe to call from a signal-handling thread.
    public static func removeAll() {
        registry.withLock { registry in
            for path in registry.paths { unlink(path) }
            registry.paths.removeAll()
            registry.closed = true
        }
    }
}
