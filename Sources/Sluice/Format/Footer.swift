/// The fixed footer (docs/format.md, "Footer") that points at the trailer.
struct Footer: Equatable, Sendable {
    static let size = 24
    static let magic: [UInt8] = [0x89, 0x53, 0x4C, 0x43, 0x45, 0x4E, 0x44, 0x0A]

    var trailerOffset: UInt64
    var trailerSize: UInt64

    var encoded: [UInt8] {
        var out = ByteWriter(capacity: Footer.size)
        out.append(trailerOffset)
        out.append(trailerSize)
        out.append(Footer.magic)
        return out.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> Footer {
        guard bytes.count == size, Array(bytes[16..<24]) == magic else {
            throw SluiceError.corrupt("footer is missing or malformed (truncated file?)")
        }
        var reader = ByteReader(bytes, what: "footer")
        return Footer(trailerOffset: try reader.read(), trailerSize: try reader.read())
    }
}
