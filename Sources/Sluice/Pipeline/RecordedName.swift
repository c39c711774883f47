import SystemPackage

/// The name check of unpack (docs/security.md, "Renamed files"): a `.slc` renamed to another file's
/// name would restore under that name without a word, so the name its authenticated header records is
/// compared with the output name derived from the `.slc` name. Used by single-file unpack and by batch
/// unpack; a name the user gives (`-o`) is not compared.
public enum RecordedName {
    /// The warning for `input` when `metadata` records a non-empty name other than `output`'s last
    /// component; `nil` when they agree or nothing is recorded.
    public static func mismatch(_ metadata: FileMetadata?, input: String, output: FilePath) -> String? {
        guard let recorded = metadata?.name, !recorded.isEmpty, let name = output.lastComponent?.string,
              recorded != name else { return nil }
        return "\(input) records the name '\(recorded)', not '\(name)': it may have been renamed"
    }

    /// The error that refuses such a file under `--strict` (``SluiceError/Code/corrupt``, exit 65).
    public static func refusal(_ message: String) -> SluiceError {
        SluiceError(.corrupt, "\(message); refusing it (--strict)")
    }
}
