#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Sluice

/// What a file that Sluice cannot read looks like, told from its first bytes, so "not a Sluice file"
/// becomes "notes.txt is not a .slc, zstd, LZ4 or age file: it looks like ASCII text".
///
/// A file that starts like a format Sluice reads is never relabelled: its error (a damaged header, a
/// truncated frame) is the library's to name.
enum ForeignInput {
    /// The sentence for `path` when it is not in a format Sluice reads; `nil` when it is (or cannot be read).
    static func describe(_ path: String) -> String? {
        guard let prefix = firstBytes(of: path, count: 512) else { return nil }
        guard let looks = looksLike(prefix) else { return nil }
        return "\(path) is not a .slc, zstd, LZ4 or age file: \(looks)"
    }

    /// Rewrites the error of a named input that no format recognised ("not a Sluice file …", the
    /// library's words for it); any other error is kept.
    static func explaining(_ error: SluiceError, input: String) -> SluiceError {
        guard error.code == .corrupt, error.message.hasPrefix("not a Sluice file"), input != "-", let sentence = describe(input)
        else { return error }
        return SluiceError(.corrupt, sentence)
    }

    /// The description of `prefix`, or `nil` when it starts like a file Sluice reads.
    static func looksLike(_ prefix: [UInt8]) -> String? {
        func starts(_ bytes: [UInt8], at offset: Int = 0) -> Bool {
            prefix.count >= offset + bytes.count && Array(prefix[offset..<offset + bytes.count]) == bytes
        }
        func startsText(_ text: String) -> Bool { starts(Array(text.utf8)) }
        // Formats Sluice reads: .slc, zstd (and its skippable frames), LZ4 (and legacy), age (binary, armored).
        if starts([0x89, 0x53, 0x4C, 0x43, 0x0D, 0x0A, 0x1A, 0x0A]) || starts([0x28, 0xB5, 0x2F, 0xFD])
            || (prefix.count >= 4 && prefix[0] & 0xF0 == 0x50 && starts([0x2A, 0x4D, 0x18], at: 1))
            || starts([0x04, 0x22, 0x4D, 0x18]) || starts([0x02, 0x21, 0x4C, 0x18]) || startsText("age-encryption.org/")
            || String(decoding: prefix.prefix(64), as: UTF8.self).trimmingPrefixWhitespace.hasPrefix("-----BEGIN AGE") {
            return nil
        }
        if prefix.isEmpty { return "it is empty" }
        let signatures: [([UInt8], Int, String)] = [
            ([0x1F, 0x8B], 0, "it looks like gzip data (gzip -d or pigz -d reads it)"),
            (Array("BZh".utf8), 0, "it looks like bzip2 data (bzip2 -d reads it)"),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], 0, "it looks like xz data (xz -d reads it)"),
            (Array("PK".utf8) + [3, 4], 0, "it looks like a zip archive"),
            ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], 0, "it looks like a 7-Zip archive"),
            (Array("ustar".utf8), 257, "it looks like a tar archive"),
            ([0x89] + Array("PNG".utf8), 0, "it looks like a PNG image"),
            ([0xFF, 0xD8, 0xFF], 0, "it looks like a JPEG image"),
            (Array("GIF8".utf8), 0, "it looks like a GIF image"),
            (Array("%PDF".utf8), 0, "it looks like a PDF document"),
            ([0x7F] + Array("ELF".utf8), 0, "it looks like an ELF executable"),
            (Array("SQLite format 3".utf8) + [0], 0, "it looks like an SQLite database"),
        ]
        for (bytes, offset, sentence) in signatures where starts(bytes, at: offset) { return sentence }
        if let text = textKind(prefix) { return "it looks like \(text)" }
        let shown = prefix.prefix(8).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        return "it looks like binary data (first bytes \(shown.joined(separator: " ")))"
    }

    /// "ASCII text" or "UTF-8 text" when `prefix` decodes as text without control characters (a
    /// character cut at the end of the prefix is allowed).
    private static func textKind(_ prefix: [UInt8]) -> String? {
        let controls = prefix.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0x0C || $0 == 0x7F }
        if controls { return nil }
        if prefix.allSatisfy({ $0 < 0x80 }) { return "ASCII text" }
        // Decode all but a possibly cut last character (at most 3 bytes).
        for cut in 0...min(3, prefix.count - 1) {
            let body = prefix.dropLast(cut)
            if String(validating: body, as: UTF8.self) != nil { return "UTF-8 text" }
        }
        return nil
    }

    private static func firstBytes(of path: String, count: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
        guard got >= 0 else { return nil }
        return Array(bytes.prefix(got))
    }
}

private extension String {
    var trimmingPrefixWhitespace: Substring { drop { $0.isWhitespace } }
}
