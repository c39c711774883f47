import Foundation
import Sluice

/// The output of `sluice list`, formatted straight into bytes: an archive of 200,000 members prints
/// 200,000 lines, and a `String` per field (`String(format:)`, a JSON encoder per name) cost most of
/// the command's time. The text is the same as those produced: `ls -l`-like lines or JSON objects.
struct ListLines {
    private(set) var bytes: [UInt8] = []
    /// The last minute formatted and its text: members of a tree mostly share a few.
    private var minute: Int64?
    private var minuteText: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 17) }

    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// `-rw-r--r-- 1000/1000    1234 2026-11-27 12:00 path -> target`.
    mutating func appendLine(_ member: ArchiveMember) {
        bytes.append(UInt8(ascii: member.kind.letter.unicodeScalars.first!))
        appendPermissions(member.mode)
        bytes.append(UInt8(ascii: " "))
        appendDecimal(UInt64(member.owner))
        bytes.append(UInt8(ascii: "/"))
        appendDecimal(UInt64(member.group))
        let digits = Self.digitCount(member.size)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(1, 12 - digits)))
        appendDecimal(member.size)
        bytes.append(UInt8(ascii: " "))
        appendTimestamp(member.modificationSeconds)
        bytes.append(UInt8(ascii: " "))
        appendName(member.path)
        if let target = member.linkTarget {
            bytes.append(contentsOf: member.kind == .hardlink ? Array(" link to ".utf8) : Array(" -> ".utf8))
            appendName(target)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// One JSON object: path, type, size, mode (octal string), uid, gid, mtime, offset, digest, link.
    mutating func appendJSON(_ member: ArchiveMember) {
        append(#"{"path":"#)
        appendJSONString(member.path)
        append(#","type":""#)
        append("\(member.kind)")
        append(#"","size":"#)
        appendDecimal(member.size)
        append(#","mode":""#)
        append(String(member.mode, radix: 8))
        append(#"","uid":"#)
        appendDecimal(UInt64(member.owner))
        append(#","gid":"#)
        appendDecimal(UInt64(member.group))
        append(#","mtime":"#)
        if member.modificationSeconds < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(member.modificationSeconds.magnitude)
        bytes.append(UInt8(ascii: "."))
        appendDecimal(UInt64(member.modificationNanoseconds), width: 9)
        append(#","offset":"#)
        appendDecimal(member.headerOffset)
        if !member.digest.isEmpty {
            append(#","digest":""#)
            let hex = Array("0123456789abcdef".utf8)
            for byte in member.digest {
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 15)])
            }
            bytes.append(UInt8(ascii: "\""))
        }
        if let target = member.linkTarget {
            append(#","link":"#)
            appendJSONString(target)
        }
        append("}\n")
    }

    private mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// `value` in decimal, zero-padded to `width` digits.
    private mutating func appendDecimal(_ value: UInt64, width: Int = 1) {
        let count = max(width, Self.digitCount(value))
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var rest = value
        var index = start + count - 1
        while rest > 0 {
            bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }

    private static func digitCount(_ value: UInt64) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    private mutating func appendPermissions(_ mode: UInt32) {
        let letters: [UInt8] = [UInt8(ascii: "r"), UInt8(ascii: "w"), UInt8(ascii: "x")]
        for shift in stride(from: 6, through: 0, by: -3) {
            for bit in 0..<3 {
                let set = mode & (1 << UInt32(shift + 2 - bit)) != 0
                var letter = set ? letters[bit] : UInt8(ascii: "-")
                if bit == 2 {
                    let special: UInt32 = shift == 6 ? 0o4000 : shift == 3 ? 0o2000 : 0o1000
                    if mode & special != 0 {
                        letter = shift == 0 ? UInt8(ascii: set ? "t" : "T") : UInt8(ascii: set ? "s" : "S")
                    }
                }
                bytes.append(letter)
            }
        }
    }

    /// `YYYY-MM-DD HH:MM`, UTC.
    private mutating func appendTimestamp(_ seconds: Int64) {
        let minute = seconds >= 0 ? seconds / 60 : (seconds - 59) / 60
        if minute != self.minute {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            minuteText = Array(String(format: "%04d-%02d-%02d %02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min)).utf8)
            self.minute = minute
        }
        bytes.append(contentsOf: minuteText)
    }

    /// A name for people (``ArchivePath/description``): printable ASCII as it is, anything else escaped.
    private mutating func appendName(_ path: ArchivePath) {
        if path.bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            bytes.append(contentsOf: path.bytes)
        } else {
            bytes.append(contentsOf: path.description.utf8)
        }
    }

    /// The name as a JSON string, escaped as Foundation's `JSONEncoder` does (`"`, `\`, `/`, controls).
    private mutating func appendJSONString(_ path: ArchivePath) {
        bytes.append(UInt8(ascii: "\""))
        let text = path.bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) ? path.bytes : Array(path.description.utf8)
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(byte)
            case 0..<0x20:
                append(String(format: "\\u%04x", byte))
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
