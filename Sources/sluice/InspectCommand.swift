import ArgumentParser
import Foundation
import Sluice
import SystemPackage

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a .slc, .zst or .lz4 file holds: stages, sizes, ratio, chunks, KDF, metadata. No key needed.",
        discussion: """
            Reads only the header, the footer and the chunk index; nothing is decrypted or decompressed \
            (use `sluice verify` for that).

            -q prints one line per file (as the rows of zstd -l); -v, the full description (the default, \
            as zstd -l -v).

            EXAMPLES
              sluice inspect data.slc
              sluice inspect -q *.slc *.zst
              sluice inspect --json data.slc | jq .ratio
            """
    )

    @Argument(help: ArgumentHelp("The .slc, .zst, .lz4 or .age files.", valueName: "FILE"))
    var inputs: [String]

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(name: .shortAndLong, help: "One line per file: format, codec, chunks, sizes, ratio.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "The full description (the default; as zstd -l -v).")
    var verbose = false

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("name the files to inspect") }
        if quiet, verbose || json { throw ValidationError("give one of -q, -v and --json") }
    }

    func run() throws {
        var first = true
        try ManyInputs.run(inputs, verb: "inspected", quiet: false) { input in
            if !first, !json, !quiet { try reportingErrors { try Terminal.output("\n") } }  // a blank line between descriptions
            first = false
            try inspect(input)
        }
    }

    /// Shows one file.
    func inspect(_ input: String) throws {
        try reportingErrors(input: input) {
            let info: Inspection
            switch try Pipeline.inspectFile(FilePath(input), limits: DecodeLimits(maxScryptLogN: 64)) {
            case .standard(let layout): return try printStandard(layout, of: input)
            case .container(let found): info = found
            }
            let header = info.info
            if json {
                var object: [String: Any] = [
                    "file": input, "format": header.format.rawValue, "format_version": header.version, "codec": header.codec.codec.rawValue,
                    "level": header.codec.level, "cipher": header.cipher.rawValue,
                    "checksum": header.checksum.rawValue, "chunk_size": header.chunkSize,
                    "chunks": info.chunks, "raw_chunks": info.rawChunks, "original_size": info.plainSize,
                    "packed_size": info.fileSize, "ratio": (info.ratio * 1000).rounded() / 1000,
                    "index_verified": info.trailerVerified,
                ]
                if header.codec.codec == .brotli { object["window"] = header.codec.window }
                if let kdf = header.keyDerivation { object["kdf"] = kdf }
                if !header.stanzas.isEmpty { object["stanzas"] = header.stanzas }
                if let digest = header.checksum.describeDigest(info.digest) { object["digest"] = digest }
                if let indexSize = info.archiveIndexSize { object["archive_index_size"] = indexSize }
                if let metadata = header.metadata {
                    object["name"] = metadata.name
                    object["mode"] = String(metadata.mode, radix: 8)
                    object["mtime"] = "\(metadata.modificationSeconds).\(String(format: "%09d", metadata.modificationNanoseconds))"
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
                return try Terminal.output(String(decoding: data, as: UTF8.self) + "\n")
            }
            if quiet {
                return try Terminal.output("\(input): \(info.archiveIndexSize == nil ? "" : "archive, ").\(header.format.rawValue) v\(header.version), \(header.codec), cipher \(header.cipher.rawValue), "
                    + "\(counted(info.chunks, "chunk")), \(sizes(plain: info.plainSize, packed: info.fileSize))\n")
            }
            var lines = [
                "file:        \(input)",
                "format:      .\(header.format.rawValue) version \(header.version)",
                "codec:       \(header.codec)",
                "cipher:      \(header.cipher.rawValue)",
                "checksum:    \(header.checksum.rawValue)",
                "chunk size:  \(ByteCount(bytes: header.chunkSize))",
                "chunks:      \(info.chunks) (\(info.rawChunks) stored raw)",
                "original:    \(info.plainSize) bytes (\(ByteCount(bytes: Int(info.plainSize))))",
                "packed:      \(info.fileSize) bytes (\(ByteCount(bytes: Int(info.fileSize))))",
                "ratio:       \(String(format: "%.3f", info.ratio))",
            ]
            if let indexSize = info.archiveIndexSize {
                lines.insert("archive:     a tar stream in this .slc, then a member index of \(counted(indexSize, "byte")) (sluice list shows the members)", at: 2)
            }
            if let kdf = header.keyDerivation { lines.append("key:         \(kdf)") }
            if let digest = header.checksum.describeDigest(info.digest) { lines.append("digest:      \(digest)") }
            if header.cipher != .none, !info.trailerVerified { lines.append("index:       not authenticated (no key given)") }
            if let metadata = header.metadata {
                lines.append("name:        \(metadata.name.isEmpty ? "(stdin)" : metadata.name)")
                lines.append("mode:        \(String(metadata.mode, radix: 8))")
                let date = Date(timeIntervalSince1970: Double(metadata.modificationSeconds))
                lines.append("modified:    \(date.formatted(.iso8601)) (+\(metadata.modificationNanoseconds) ns)")
            }
            try Terminal.output(lines.joined(separator: "\n") + "\n")
        }
    }

    /// A zstd or LZ4 file: what its seek table or frame headers tell.
    private func printStandard(_ layout: StandardFileLayout, of input: String) throws {
        let ratio = layout.plainSize.map { layout.fileSize == 0 ? 0 : Double($0) / Double(layout.fileSize) }
        if json {
            var object: [String: Any] = [
                "file": input, "format": layout.format.rawValue, "access": layout.access, "frames": layout.frames,
                "packed_size": layout.fileSize,
            ]
            if let size = layout.plainSize { object["original_size"] = size }
            if let ratio { object["ratio"] = (ratio * 1000).rounded() / 1000 }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            return try Terminal.output(String(decoding: data, as: UTF8.self) + "\n")
        }
        if quiet {
            return try Terminal.output("\(input): \(layout.format.rawValue) (\(layout.access)), \(counted(layout.frames, "frame")), "
                + sizes(plain: layout.plainSize, packed: layout.fileSize) + "\n")
        }
        try Terminal.output([
            "file:        \(input)",
            "format:      \(layout.format.rawValue) (read through: \(layout.access))",
            "frames:      \(layout.frames)",
            "original:    \(layout.plainSize.map { "\($0) bytes (\(ByteCount(bytes: Int($0))))" } ?? "not recorded")",
            "packed:      \(layout.fileSize) bytes (\(ByteCount(bytes: Int(layout.fileSize))))",
            "ratio:       \(ratio.map { String(format: "%.3f", $0) } ?? "unknown")",
        ].joined(separator: "\n") + "\n")
    }

    /// `228894 → 50321 bytes, ratio 4.549` (the original's size `?` when the file does not record it).
    private func sizes(plain: UInt64?, packed: UInt64) -> String {
        let ratio = plain.map { packed == 0 ? "0.000" : String(format: "%.3f", Double($0) / Double(packed)) } ?? "unknown"
        return "\(plain.map(String.init) ?? "?") → \(counted(packed, "byte")), ratio \(ratio)"
    }
}
