import SystemPackage

/// Key files: exactly 32 random bytes, created with mode 0600 and never overwritten.
public enum KeyFile {
    /// The length of a key file's key: 32 bytes.
    public static let size = 32

    /// Creates a new key file at `path` from the system's CSPRNG.
    ///
    /// - Throws: ``SluiceError/Code/outputExists`` when `path` exists; ``SluiceError/Code/io`` when it
    ///   cannot be written.
    public static func generate(at path: FilePath) throws {
        try createSecret(at: path, contents: try LibCrypto.randomBytes(size), what: "a key")
    }

    /// Creates `path` with mode 0600 (never replacing anything), writes `contents` and fsyncs it; on
    /// failure nothing is left at `path`. Shared by key files and age identity files.
    static func createSecret(at path: FilePath, contents: [UInt8], what: String) throws {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(
                path, .writeOnly, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
        } catch Errno.fileExists {
            throw SluiceError(.outputExists, "\(path) already exists; not overwriting \(what)")
        } catch {
            throw SluiceError(.io, "cannot create \(path)", cause: error)
        }
        do {
            try fd.closeAfter {
                _ = try fd.writeAll(contents)
                try fd.synchronize()
            }
        } catch {
            _ = try? FileSystem.remove(path)
            throw SluiceError(.io, "cannot write \(path)", cause: error)
        }
    }

    /// Reads a key file and returns its secret.
    ///
    /// - Parameters:
    ///   - strict: refuse a key file other users can reach instead of warning (``SecretFile``).
    ///   - warn: receives the warning about such a file.
    /// - Throws: ``SluiceError/Code/invalidArgument`` when the file is not exactly 32 bytes or is
    ///   exposed with `strict`.
    public static func read(at path: FilePath, strict: Bool = false, warn: (String) -> Void = { _ in }) throws -> KeySource {
        var bytes = try SecretFile.read(path, limit: size + 1, strict: strict, warn: warn)
        guard bytes.count == size else {
            let count = bytes.count
            LibCrypto.cleanse(&bytes)
            throw SluiceError.invalid("\(path) is not a key file (\(count > size ? "more than \(size)" : "\(count)") bytes, expected \(size))")
        }
        return .keyFile(bytes)
    }
}
