import Foundation
import SystemPackage

/// One line of a shard manifest (docs/scale-out.md, "Manifest"): what a batch did with one file.
///
///     {"digest":"xxh128:…","mtime":1764236400123456789,"output":"a/b.txt.slc","path":"a/b.txt","shard":2,"size":5120,"status":"ok","type":"file"}
///
/// Paths are relative to the batch's input root (`path`) and output root (`output`). A name that is
/// not valid UTF-8 is written as `path_base64` / `output_base64` (its bytes, base64) instead.
public struct ManifestEntry: Sendable, Equatable {
    /// What became of the file.
    enum Status: String, Sendable, CaseIterable {
        /// Written by this run.
        case ok
        /// Already written by an earlier run (resume): left alone.
        case upToDate = "up to date"
        /// Failed; `message` says why. `--retry-failed` runs it again.
        case failed
        /// Not a file to process (a symbolic link, a FIFO, `--skip-compressed` …); `message` is the reason.
        case skipped
    }

    /// The file's path relative to the tree's root.
    public var path: FilePath
    /// What the run did with it.
    var status: Status
    /// The input's size in bytes, when it could be read.
    var size: Int?
    /// The input's modification time, in nanoseconds since 1970.
    var modification: Int64?
    /// `xxh128:` and the XXH3-128 of the output file's bytes in hex, as `xxhsum -H2` prints it (for
    /// `ok` and `up to date`).
    var digest: String?
    /// Relative to the output root.
    var output: FilePath?
    /// The shard the file belongs to (`nil` in an unsharded run).
    var shard: Int?
    /// The error (failed) or the reason (skipped).
    public var message: String?
    /// A range of a file split across shards (a `"type":"part"` record): which one, from 0.
    var range: Int?
    /// How many ranges the file was split into: on a part record, and on the record of the assembled file.
    var ranges: Int?

    init(path: FilePath, status: Status) {
        self.path = path
        self.status = status
    }

    /// The entry as one JSON line, without the newline.
    var jsonLine: [UInt8] {
        var line = JSONLine()
        line.add("digest", digest)
        line.add("message", message)
        line.add("mtime", modification)
        if let output { line.addPath("output", output) }
        line.addPath("path", path)
        line.add("range", range.map(Int64.init))
        line.add("ranges", ranges.map(Int64.init))
        line.add("shard", shard.map(Int64.init))
        line.add("size", size.map(Int64.init))
        line.add("status", status.rawValue)
        line.add("type", range == nil ? "file" : "part")
        return line.finish()
    }

    /// Reads a `"type":"file"` record.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when a field is missing or of the wrong kind.
    init(record: [String: Any]) throws {
        guard let path = try Self.path(record, "path") else { throw SluiceError.corrupt("a file record without a path") }
        guard let text = record["status"] as? String, let status = Status(rawValue: text) else {
            throw SluiceError.corrupt("\(path): no valid status")
        }
        self.init(path: path, status: status)
        size = (record["size"] as? NSNumber)?.intValue
        modification = (record["mtime"] as? NSNumber)?.int64Value
        digest = record["digest"] as? String
        output = try Self.path(record, "output")
        shard = (record["shard"] as? NSNumber)?.intValue
        message = record["message"] as? String
        range = (record["range"] as? NSNumber)?.intValue
        ranges = (record["ranges"] as? NSNumber)?.intValue
        if record["type"] as? String == "part", range == nil || ranges == nil {
            throw SluiceError.corrupt("\(path): a part record without its range")
        }
    }

    private static func path(_ record: [String: Any], _ name: String) throws -> FilePath? {
        if let text = record[name] as? String { return FilePath(text) }
        guard let encoded = record[name + "_base64"] as? String else { return nil }
        guard let data = Data(base64Encoded: encoded), !data.isEmpty, !data.contains(0) else {
            throw SluiceError.corrupt("\(name)_base64 is not a base64 file name")
        }
        return FilePath(bytes: Array(data))
    }
}

/// Builds one JSON object with its keys in the order given (callers give them sorted), escaping
/// strings as RFC 8259 requires. Hand-written because a manifest gets one line per file from several
/// threads, and `JSONSerialization` costs more than the rest of recording a small file.
struct JSONLine {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(Array(value.utf8))
    }

    mutating func add(_ key: String, _ value: Int64?) {
        guard let value else { return }
        self.key(key)
        bytes += String(value).utf8
    }

    mutating func add(_ key: String, _ value: Bool) {
        self.key(key)
        bytes += (value ? "true" : "false").utf8
    }

    mutating func add(_ key: String, _ values: [Int]) {
        self.key(key)
        bytes += ("[" + values.map(String.init).joined(separator: ",") + "]").utf8
    }

    /// `key` with the path as a string, or `key_base64` with its bytes when they are not UTF-8.
    mutating func addPath(_ key: String, _ path: FilePath) {
        let raw = path.bytes
        if String(validating: raw, as: UTF8.self) != nil {
            self.key(key)
            string(raw)
        } else {
            self.key(key + "_base64")
            string(Array(Data(raw).base64EncodedString().utf8))
        }
    }

    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func key(_ name: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        string(Array(name.utf8))
        bytes.append(UInt8(ascii: ":"))
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func string(_ utf8: [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                bytes += Array("\\u00".utf8) + [Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 15)]]
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
