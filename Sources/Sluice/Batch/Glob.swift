#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// A shell pattern for `--include` / `--exclude`, matched with `fnmatch(3)`.
///
/// A pattern without `/` is matched against the file's name (`*.log` matches `a/b/x.log`); a pattern
/// with `/` is matched against the path relative to the batch's root, and `*` then does not cross `/`
/// (`logs/*.gz` matches `logs/a.gz` but not `logs/old/a.gz`). A leading `./` is ignored.
public struct Glob: Hashable, Sendable, CustomStringConvertible {
    /// The pattern as given.
    let pattern: String
    private let matchesPath: Bool
    private let stored: [CChar]

    /// The shell pattern `pattern`, matched as the type's summary says.
    public init(_ pattern: String) {
        self.pattern = pattern
        var body = Substring(pattern)
        while body.hasPrefix("./") { body = body.dropFirst(2) }
        matchesPath = body.contains("/")
        stored = Array(String(body).utf8CString)
    }

    /// Whether the file at `relative` (relative to the root, never empty) matches.
    func matches(_ relative: FilePath) -> Bool {
        if matchesPath {
            return relative.withPlatformString { fnmatch(stored, $0, FNM_PATHNAME) == 0 }
        }
        guard let name = relative.lastComponent else { return false }
        return name.withPlatformString { fnmatch(stored, $0, 0) == 0 }
    }

    /// The pattern as written.
    public var description: String { pattern }
}
