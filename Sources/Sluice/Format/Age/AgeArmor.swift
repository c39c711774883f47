/// age's ASCII armor (age v1 spec, "ASCII armor"): strict PEM with the type `AGE ENCRYPTED FILE`,
/// padded Base64 in 64-column lines, no headers. Both directions stream, holding less than a line.
enum AgeArmor {
    static let beginLine = Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)
    static let endLine = Array("-----END AGE ENCRYPTED FILE-----".utf8)
    /// Whitespace tolerated before the first and after the last line.
    static let maxWhitespace = 1024
    /// Bytes per full line: 64 columns.
    static let bytesPerLine = 48

    /// Whether `bytes` are read as armor: they start with whitespace or `-` (a binary age file starts
    /// with its version line, and no binary container starts with either), so a PEM block of another
    /// type, or text that is not armor, is refused by the armor decoder with its reason.
    static func isArmored(_ bytes: some Collection<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        return isWhitespace(first) || first == UInt8(ascii: "-")
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// Turns binary into armor piece by piece: ``add(_:)`` as the bytes come, ``finish()`` once.
    struct Encoder {
        private var carry: [UInt8] = []
        private var started = false

        /// The armor text for `bytes`: the begin line first, then every line `bytes` completes.
        mutating func add(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
            var out: [UInt8] = []
            if !started {
                out = beginLine + [UInt8(ascii: "\n")]
                started = true
            }
            var rest = bytes[...]
            if !carry.isEmpty {
                let needed = min(bytesPerLine - carry.count, rest.count)
                carry += rest.prefix(needed)
                rest = rest.dropFirst(needed)
                guard carry.count == bytesPerLine else { return out }
                out += Base64.encode(carry, padded: true) + [UInt8(ascii: "\n")]
                carry = []
            }
            out.reserveCapacity(out.count + rest.count / bytesPerLine * 65)
            while rest.count >= bytesPerLine {
                out += Base64.encode(rest.prefix(bytesPerLine), padded: true) + [UInt8(ascii: "\n")]
                rest = rest.dropFirst(bytesPerLine)
            }
            carry = Array(rest)
            return out
        }

        /// The last (short) line and the end line.
        mutating func finish() -> [UInt8] {
            var out = started ? [] : beginLine + [UInt8(ascii: "\n")]
            started = true
            if !carry.isEmpty { out += Base64.encode(carry, padded: true) + [UInt8(ascii: "\n")] }
            carry = []
            return out + endLine + [UInt8(ascii: "\n")]
        }
    }

    /// Turns armor back into binary, strictly: leading and trailing whitespace (at most
    /// ``maxWhitespace`` bytes each) and LF or CRLF line ends are allowed; anything else — a header
    /// line, a line longer than 64 columns, a short line before the last, non-canonical Base64,
    /// whitespace inside or around a line, data after the end line — is the ``Age/Failure/armor``
    /// failure.
    struct Decoder {
        private enum State { case leading, body, end, trailing }
        private var state = State.leading
        private var line: [UInt8] = []
        private var whitespace = 0

        /// The binary for the armor text in `bytes`.
        mutating func add(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count / 4 * 3)
            for byte in bytes {
                if state == .trailing {
                    whitespace += 1
                    guard isWhitespace(byte) else { throw Age.Failure.armor.error("data after the end line") }
                    guard whitespace < maxWhitespace else { throw Age.Failure.armor.error("too much trailing whitespace") }
                    continue
                }
                if byte == UInt8(ascii: "\n") {
                    try take(&out)
                    line.removeAll(keepingCapacity: true)
                } else {
                    line.append(byte)
                    guard line.count <= maxWhitespace + 2 else { throw Age.Failure.armor.error("a line is too long") }
                }
            }
            return out
        }

        /// The binary of a last line without LF; throws unless the end line was seen.
        mutating func finish() throws -> [UInt8] {
            var out: [UInt8] = []
            if state != .trailing { try take(&out) }
            line = []
            guard state == .trailing else { throw Age.Failure.armor.error("the end line is missing") }
            return out
        }

        private mutating func take(_ out: inout [UInt8]) throws {
            var text = line[...]
            if text.last == UInt8(ascii: "\r") { text = text.dropLast() }
            switch state {
            case .leading:
                if text.allSatisfy(isWhitespace) {
                    whitespace += line.count + 1
                    guard whitespace <= maxWhitespace else { throw Age.Failure.armor.error("too much leading whitespace") }
                    return
                }
                guard Array(text) == beginLine else { throw Age.Failure.armor.error("the first line is not \(String(decoding: beginLine, as: UTF8.self))") }
                state = .body
            case .body:
                if Array(text) == endLine {
                    state = .trailing
                    whitespace = 0
                    return
                }
                guard !text.isEmpty else { throw Age.Failure.armor.error("an empty line inside the armor") }
                guard text.count <= 64 else { throw Age.Failure.armor.error("a line is longer than 64 columns") }
                guard let decoded = Base64.decode(text, padded: true) else {
                    throw Age.Failure.armor.error("a line is not canonical Base64")
                }
                out += decoded
                if decoded.count < bytesPerLine { state = .end }
            case .end:
                guard Array(text) == endLine else { throw Age.Failure.armor.error("a short line is not followed by the end line") }
                state = .trailing
                whitespace = 0
            case .trailing:
                break
            }
        }
    }
}
