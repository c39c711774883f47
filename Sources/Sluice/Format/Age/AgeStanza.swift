/// One recipient stanza of an age header: `-> TYPE ARG…` and a Base64 body (age v1 spec, "Header").
struct AgeStanza: Equatable, Sendable {
    var type: String
    var arguments: [String]
    var body: [UInt8]

    /// Body bytes per full line: 64 Base64 columns.
    static let bytesPerLine = 48

    /// The stanza as header text: the argument line, then the body wrapped at 64 columns and ended by a
    /// line shorter than 64 (empty when the body fills its last line).
    var encoded: [UInt8] {
        var out = Array("-> \(([type] + arguments).joined(separator: " "))\n".utf8)
        var rest = body[...]
        while true {
            let line = rest.prefix(Self.bytesPerLine)
            out += Base64.encode(line, padded: false) + [UInt8(ascii: "\n")]
            rest = rest.dropFirst(line.count)
            if line.count < Self.bytesPerLine { break }
        }
        return out
    }

    /// Whether `argument` may appear on a stanza line: non-empty, printable ASCII without spaces.
    static func isValidArgument(_ argument: some Collection<UInt8>) -> Bool {
        !argument.isEmpty && argument.allSatisfy { (33...126).contains($0) }
    }
}
