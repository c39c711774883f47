import Foundation
import Sluice

/// Where the benchmark's data comes from.
public enum BenchInput: Hashable, Sendable {
    /// Data made in memory by ``GeneratedData``.
    case generated(GeneratedData)
    /// One file.
    case file(String)
    /// Every regular file under a directory, each its own dataset, or with `join` one stream made
    /// of all of them in name order (as `tar` would see them).
    case directory(String, join: Bool)

    /// A file or a directory, told apart by looking at the path.
    ///
    /// - Throws: ``SluiceError/Code/io`` when nothing is there.
    public static func path(_ path: String, join: Bool) throws -> BenchInput {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SluiceError(.io, "\(path): no such file or directory")
        }
        return isDirectory.boolValue ? .directory(path, join: join) : .file(path)
    }

    /// Loads the input into memory as one or more datasets.
    ///
    /// - Throws: ``SluiceError/Code/io`` when a file cannot be read, ``SluiceError/Code/invalidArgument``
    ///   for an empty directory.
    public func load() throws -> [BenchDataset] {
        switch self {
        case .generated(let spec):
            return [BenchDataset(name: spec.description, bytes: spec.generate(), source: nil, seed: spec.seed)]
        case .file(let path):
            return [BenchDataset(name: path, bytes: try Self.read(path), source: path)]
        case .directory(let path, let join):
            let files = try Self.files(under: path)
            guard !files.isEmpty else { throw SluiceError.invalid("\(path): no regular files to benchmark") }
            if join {
                var bytes: [UInt8] = []
                for file in files { bytes += try Self.read(file) }
                return [BenchDataset(name: "\(path) (\(files.count) files joined)", bytes: bytes, source: nil)]
            }
            return try files.map { BenchDataset(name: $0, bytes: try Self.read($0), source: $0) }
        }
    }

    /// Regular files under `path`, recursively, sorted by path; symbolic links are not followed.
    static func files(under path: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(
            at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.isRegularFileKey], options: [])
        else { throw SluiceError(.io, "cannot list \(path)") }
        var files: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(url.path)
        }
        return files.sorted()
    }

    static func read(_ path: String) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
        } catch {
            throw SluiceError(.io, "cannot read \(path)", cause: SluiceError(.io, "\(error.localizedDescription)"))
        }
    }
}

/// One body of data the matrix is run on.
public struct BenchDataset: Sendable {
    /// How tables name it: `mixed:64M` or a path.
    public var name: String
    public var bytes: [UInt8]
    /// The file it was read from, which file mode packs directly; `nil` for generated or joined data,
    /// which file mode first writes to a temporary file.
    public var source: String?
    /// The generator's seed, for generated data.
    public var seed: UInt64?

    public init(name: String, bytes: [UInt8], source: String?, seed: UInt64? = nil) {
        self.name = name
        self.bytes = bytes
        self.source = source
        self.seed = seed
    }
}
