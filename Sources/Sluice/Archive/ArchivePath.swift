#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A member's name or a link's target as the tar stream holds it: bytes, not necessarily UTF-8, never
/// containing NUL.
public struct ArchivePath: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The raw bytes.
    public var bytes: [UInt8]

    /// A path from its raw bytes.
    init(bytes: [UInt8]) { self.bytes = bytes }

    init(cString: UnsafePointer<CChar>) {
        bytes = Array(UnsafeRawBufferPointer(start: cString, count: strlen(cString)).bindMemory(to: UInt8.self))
    }

    /// The name for people: UTF-8 where it is, other bytes as `\xNN` (never a terminal escape).
    public var description: String {
        var text = ""
        var start = 0
        while start < bytes.count {
            var end = bytes.count
            while end > start, String(validating: bytes[start..<end], as: UTF8.self) == nil { end -= 1 }
            if end > start {
                for scalar in String(decoding: bytes[start..<end], as: UTF8.self).unicodeScalars {
                    if scalar.value < 0x20 || scalar.value == 0x7F { text += "\\x" + hex(UInt8(scalar.value)) } else { text.unicodeScalars.append(scalar) }
                }
                start = end
            } else {
                text += "\\x" + hex(bytes[start])
                start += 1
            }
        }
        return text
    }

    private func hex(_ byte: UInt8) -> String { String(byte, radix: 16, uppercase: true).leftPadded(to: 2) }

    /// The bytes as a NUL-terminated C string.
    func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (bytes + [0]).withUnsafeBytes { try body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }

    /// Byte order, as the walk lists a directory's entries.
    public static func < (lhs: ArchivePath, rhs: ArchivePath) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
