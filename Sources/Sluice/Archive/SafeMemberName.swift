/// The rules that keep an extraction inside its target (docs/archives.md, "Hostile archives"): a
/// member name is used only as a list of plain components below the target, and a link only when what
/// it points at stays below it too.
enum SafeMemberName {
    private static let slash = UInt8(ascii: "/")

    /// The components of a member name below the target; `nil` for a name that is absolute, climbs
    /// with `..`, or is empty. `.` and empty components are dropped.
    static func components(_ path: ArchivePath) -> [[UInt8]]? {
        guard path.bytes.first != slash else { return nil }
        var parts: [[UInt8]] = []
        for part in path.bytes.split(separator: slash, omittingEmptySubsequences: true) {
            if part.elementsEqual(".".utf8) { continue }
            if part.elementsEqual("..".utf8) { return nil }
            parts.append(Array(part))
        }
        return parts.isEmpty ? nil : parts
    }

    /// Whether a symbolic link at `components` whose target is `target` points inside the target
    /// directory (relative, and never climbing above it as the link's directory is resolved lexically).
    static func linkStaysInside(at components: [[UInt8]], target: ArchivePath) -> Bool {
        guard !target.bytes.isEmpty, target.bytes.first != slash else { return false }
        var depth = components.count - 1
        for part in target.bytes.split(separator: slash, omittingEmptySubsequences: true) {
            if part.elementsEqual(".".utf8) { continue }
            if part.elementsEqual("..".utf8) {
                depth -= 1
                if depth < 0 { return false }
            } else {
                depth += 1
            }
        }
        return true
    }
}
