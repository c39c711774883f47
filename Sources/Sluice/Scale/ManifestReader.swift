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
        try forEachLine(path) { line, number in try body(record(line, in: path, number: number)) }
    }

    /// Parses one line.
    static func record(_ line: ArraySlice<UInt8>, in path: FilePath, number: Int) throws -> Record {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)), let record = object as? [String: Any] else {
            throw SluiceError.corrupt("\(path), line \(number): not a JSON object")
        }
        do {
            switch record["type"] as? String {
            case "file", "part": return .file(try ManifestEntry(record: record))
            case "shard", "merge": return .totals(try ManifestTotals(record: record))
            default: throw SluiceError.corrupt("no known type")
            }
        } catch let error as SluiceError where error.code == .corrupt {
            throw SluiceError.corrupt("\(path), line \(number): \(error.message)")
        }
    }

    /// A file record's status and path, read straight from the bytes of a line as Sluice writes it
    /// (compact, keys in order), without building the whole record: the merge's fast path, since it
    /// copies such lines unchanged. `nil` for anything else (a closing record, a path with escapes or
    /// in base64, other spacing); the caller then parses the line fully.
    static func quickFile(_ line: ArraySlice<UInt8>) -> (status: ManifestEntry.Status, path: ArraySlice<UInt8>)? {
        guard line.last == UInt8(ascii: "}"), let type = value(of: typeKey, in: line), type.elementsEqual("file".utf8),
              let statusBytes = value(of: statusKey, in: line), let path = value(of: pathKey, in: line), !path.isEmpty
        else { return nil }
        let status: ManifestEntry.Status
        if statusBytes.elementsEqual("ok".utf8) {
            status = .ok
        } else if statusBytes.elementsEqual("up to date".utf8) {
            status = .upToDate
        } else if statusBytes.elementsEqual("skipped".utf8) {
            status = .skipped
        } else {
            return nil
        }
        return (status, path)
    }

    private static let typeKey = Array("\"type\":\"".utf8)
    private static let statusKey = Array("\"status\":\"".utf8)
    private static let pathKey = Array("\"path\":\"".utf8)

    /// The string value of `key` (given as `"name":"`) when it is a key of the top-level object (right
    /// after `{` or `,`: inside a string a quote is always escaped, so the bytes cannot occur there) and
    /// has no escapes.
    private static func value(of key: [UInt8], in line: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var index = line.startIndex
        while let found = find(key, in: line, from: index) {
            index = found + 1
            guard found > line.startIndex, line[found - 1] == UInt8(ascii: "{") || line[found - 1] == UInt8(ascii: ",") else { continue }
            let start = found + key.count
            guard let end = line[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            let text = line[start..<end]
            return text.contains(UInt8(ascii: "\\")) ? nil : text
        }
        return nil
    }

    /// Where `needle` (not empty) first occurs in `line` at or after `from` (`memchr` for its first
    /// byte, `memcmp` for the rest: this search was half the merge's CPU time as a generic byte loop).
    private static func find(_ needle: [UInt8], in line: ArraySlice<UInt8>, from: Int) -> Int? {
        guard from < line.endIndex else { return nil }
        return line[from...].withUnsafeBytes { haystack -> Int? in
            needle.withUnsafeBytes { key -> Int? in
                guard let base = haystack.baseAddress, let keyBase = key.baseAddress else { return nil }
                var offset = 0
                while haystack.count - offset >= key.count {
                    guard let hit = memchr(base + offset, Int32(key[0]), haystack.count - offset - key.count + 1) else { return nil }
                    let at = UnsafeRawPointer(hit) - base
                    if memcmp(base + at, keyBase, key.count) == 0 { return from + at }
                    offset = at + 1
                }
                return nil
            }
        }
    }

    /// The index of the first `\n` in `bytes[from..<to]` (`memchr`).
    private static func newline(in bytes: [UInt8], from: Int, to: Int) -> Int? {
        guard from < to else { return nil }
        return bytes.withUnsafeBytes { buffer in
            memchr(buffer.baseAddress! + from, Int32(UInt8(ascii: "\n")), to - from).map { UnsafeRawPointer($0) - buffer.baseAddress! }
        }
    }

    /// Calls `body` with each line of the file at `path` (without its newline) and its number.
    static func forEachLine(_ path: FilePath, _ body: (ArraySlice<UInt8>, Int) throws -> Void) throws {
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
            if !line.isEmpty { try body(line, lineNumber) }
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
            while let newline = Self.newline(in: chunk, from: start, to: count) {
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
