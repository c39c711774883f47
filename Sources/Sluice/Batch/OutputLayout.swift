import SystemPackage

/// Where each input of a batch goes: the output tree mirrors the input tree's relative layout under the
/// output root (or is the input tree itself, when outputs go next to their inputs).
///
/// Relative paths come from directory entries only (never `.`, `..` or a `/`), and an unpacked name
/// that would be empty, `.` or `..` is refused, so no output can land outside the output root; the
/// directories of the output tree are created refusing symbolic links (``FileSystem/makeDirectory(_:)``).
struct OutputLayout: Sendable {
    let inputRoot: FilePath
    let outputRoot: FilePath
    /// Outputs go next to their inputs.
    let inPlace: Bool
    let packing: Bool

    func source(_ relative: FilePath) -> FilePath {
        relative.isEmpty ? inputRoot : inputRoot.pushing(relative)
    }

    func directory(_ relative: FilePath) -> FilePath {
        relative.isEmpty ? outputRoot : outputRoot.pushing(relative)
    }

    /// The extensions of the files a tree unpack takes: `.slc`, the standard `.zst` and `.lz4` files,
    /// and age files (opened with `-i` or a passphrase).
    static let packedExtensions: Set<String> = ["slc", "zst", "lz4", "age"]

    /// `OUT/rel.slc` when packing; `OUT/rel` without `.slc`, `.zst`, `.lz4` or `.age` when unpacking
    /// (`nil` when no safe name is left).
    func output(_ relative: FilePath) -> FilePath? {
        let mirrored = outputRoot.pushing(relative)
        if packing { return mirrored.appendingToName(".slc") }
        guard let ext = relative.lastComponent?.extension, Self.packedExtensions.contains(ext) else { return nil }
        return mirrored.removingNameSuffix("." + ext)
    }
}
