import Foundation
import SystemPackage

/// Reads a manifest (JSON lines) a line at a time, in bounded memory whatever its length.
enum ManifestReader {
    enum Record {
        case file(ManifestEntry)
        case totals(ManifestTotals)
    }

    /// The longest line accepted: far above any real path (PATH_MAX is 4 KiB), far below a memory problem.
    static let maximumLine = 1 << 20

    /// Calls `body` with each record of the file at `path`, in order.
    ///
    /// - Throws: ``SluiceError/Code/io`` when the file cannot be read; ``SluiceError/Code/corrupt``
    ///   naming the line when a line is not a manifest record.
    static func read(_ path: FilePath, _ body: (Record) throws -> Void) throws {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec])
        } catch {
            throw SluiceError(.io, "cannot open \(path)", cause: error)
        }
        defer { _ = try? fd.close() }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var lineNumber = 0
        func handle(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            guard !line.isEmpty else { return }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)), let record = object as? [String: Any] else {
                throw SluiceError.corrupt("\(path), line \(lineNumber): not a JSON object")
            }
            do {
                switch record["type"] as? String {
                case "file": try body(.file(ManifestEntry(record: record)))
                case "shard", "merge": try body(.totals(ManifestTotals(record: record)))
                default: throw SluiceError.corrupt("no known type")
                }
            } catch let error as SluiceError where error.code == .corrupt {
                throw SluiceError.corrupt("\(path), line \(lineNumber): \(error.message)")
            }
        }
        while true {
            let count: Int
            do {
                count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
            } catch {
                throw SluiceError(.io, "cannot read \(path)", cause: error)
            }
            if count == 0 { break }
            var start = 0
            let filled = chunk[0..<count]
            while let newline = filled[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if pending.isEmpty {
                    try handle(filled[start..<newline])
                } else {
                    pending += filled[start..<newline]
                    try handle(pending[...])
                    pending.removeAll(keepingCapacity: true)
                }
                start = newline + 1
            }
            pending += filled[start...]
            if pending.count > maximumLine { throw SluiceError.corrupt("\(path), line \(lineNumber + 1): longer than 1 MiB") }
        }
        if !pending.isEmpty { throw SluiceError.corrupt("\(path): the last line is cut short (no newline)") }
    }
}
