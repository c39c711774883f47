/// Base64 with the standard alphabet (RFC 4648 §4), as age uses it: unpadded in headers, padded in
/// armor, and in both cases decoded strictly. A string decodes only if it is the one encoding of its
/// bytes — no whitespace or line breaks, no characters outside the alphabet, the unused low bits of the
/// last character zero, and padding exactly where (and only where) the padded form puts it — so no
/// two different texts decode to the same bytes (age's headers are authenticated as text).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Character → 6-bit value, 0xFF for characters outside the alphabet (including `=`).
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()

    /// Characters needed for `count` bytes.
    static func encodedCount(_ count: Int, padded: Bool) -> Int {
        padded ? (count + 2) / 3 * 4 : (count * 4 + 2) / 3
    }

    /// Encodes `bytes`; with `padded`, the last group is filled with `=` to four characters.
    static func encode(_ bytes: some Collection<UInt8>, padded: Bool) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount(input.count, padded: true))
        var index = 0
        while index + 3 <= input.count {
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(alphabet[Int(group >> 6 & 63)])
            out.append(alphabet[Int(group & 63)])
            index += 3
        }
        let rest = input.count - index
        if rest > 0 {
            let group = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            if rest == 2 { out.append(alphabet[Int(group >> 6 & 63)]) }
            if padded { out.append(contentsOf: repeatElement(UInt8(ascii: "="), count: 3 - rest)) }
        }
        return out
    }

    /// Encodes `bytes` as a `String` (see ``encode(_:padded:)``).
    static func encodeString(_ bytes: some Collection<UInt8>, padded: Bool = false) -> String {
        String(decoding: encode(bytes, padded: padded), as: UTF8.self)
    }

    /// Decodes canonical Base64, or returns `nil` when `text` is not the canonical encoding of any bytes.
    static func decode(_ text: some Collection<UInt8>, padded: Bool) -> [UInt8]? {
        var input = Array(text)
        if padded {
            guard input.count % 4 == 0 else { return nil }
            var padding = 0
            while padding < 2, input.last == UInt8(ascii: "=") {
                input.removeLast()
                padding += 1
            }
            // What is left must be exactly the unpadded form: a third `=` or a short group is malformed.
            guard padding == 0 || input.count % 4 == 4 - padding else { return nil }
        }
        let rest = input.count % 4
        guard rest != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3 + 2)
        var index = 0
        while index + 4 <= input.count {
            let a = values[Int(input[index])], b = values[Int(input[index + 1])]
            let c = values[Int(input[index + 2])], d = values[Int(input[index + 3])]
            guard (a | b | c | d) & 0xC0 == 0 else { return nil }  // 0xFF marks a character outside the alphabet
            let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            out.append(UInt8(group >> 16 & 0xFF))
            out.append(UInt8(group >> 8 & 0xFF))
            out.append(UInt8(group & 0xFF))
            index += 4
        }
        if rest == 2 {
            let a = values[Int(input[index])], b = values[Int(input[index + 1])]
            guard (a | b) & 0xC0 == 0, b & 0x0F == 0 else { return nil }
            out.append(a << 2 | b >> 4)
        } else if rest == 3 {
            let a = values[Int(input[index])], b = values[Int(input[index + 1])], c = values[Int(input[index + 2])]
            guard (a | b | c) & 0xC0 == 0, c & 0x03 == 0 else { return nil }
            out.append(a << 2 | b >> 4)
            out.append((b & 0x0F) << 4 | c >> 2)
        }
        return out
    }
}
