/// Bech32 (BIP-173), the text form of age's keys: a human-readable part, the separator `1`, then
/// 5-bit groups in a 32-character alphabet ending in a 6-character BCH checksum.
///
/// Decoding is strict: all lowercase or all uppercase (never mixed), every character of the
/// human-readable part printable ASCII, the checksum valid, and the padding bits of the 8-bit
/// conversion zero. BIP-173's 90-character limit is not applied: age's post-quantum keys are longer,
/// and age does not apply it either; ``maxLength`` bounds the work instead.
enum Bech32 {
    private static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = Int8(value) }
        return table
    }()

    /// Longer strings are refused before any work (an age key is at most a few thousand characters).
    static let maxLength = 8192

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3B6A_57B2, 0x2650_8E6D, 0x1EA1_19FA, 0x3D42_33DD, 0x2A14_62B3]
        var check: UInt32 = 1
        for value in values {
            let top = check >> 25
            check = (check & 0x1FF_FFFF) << 5 ^ UInt32(value)
            for bit in 0..<5 where (top >> UInt32(bit)) & 1 == 1 { check ^= generator[bit] }
        }
        return check
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// Regroups bits; `pad` adds zero bits to finish the last group (encoding), otherwise leftover
    /// bits must be fewer than `from` and zero (decoding).
    private static func convert(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0, bits = 0
        var out: [UInt8] = []
        let mask = (1 << to) - 1
        for value in data {
            accumulator = (accumulator << from | Int(value)) & 0xFFFF
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8(accumulator >> bits & mask))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8(accumulator << (to - bits) & mask)) }
        } else if bits >= from || accumulator << (to - bits) & mask != 0 {
            return nil
        }
        return out
    }

    /// Encodes `data` under the human-readable part `hrp`, in lowercase, or all in uppercase with
    /// `uppercase` (age's secret keys).
    static func encode(hrp: String, _ data: [UInt8], uppercase: Bool = false) -> String {
        let prefix = Array(hrp.lowercased().utf8)
        let groups = convert(data, from: 8, to: 5, pad: true)!
        let check = polymod(expand(prefix) + groups + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8(check >> UInt32(5 * (5 - $0)) & 31) }
        let text = String(decoding: prefix + [UInt8(ascii: "1")] + (groups + checksum).map { alphabet[Int($0)] }, as: UTF8.self)
        return uppercase ? text.uppercased() : text
    }

    /// Decodes a Bech32 string into its human-readable part (lowercased) and data bytes, or returns
    /// `nil` when the string is not valid Bech32.
    static func decode(_ text: String) -> (hrp: String, data: [UInt8])? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8, bytes.count <= maxLength, bytes.allSatisfy({ (33...126).contains($0) }) else { return nil }
        let hasLower = bytes.contains { (97...122).contains($0) }, hasUpper = bytes.contains { (65...90).contains($0) }
        guard !(hasLower && hasUpper) else { return nil }
        let lower = bytes.map { (65...90).contains($0) ? $0 + 32 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")), separator >= 1, lower.count - separator - 1 >= 6 else {
            return nil
        }
        let hrp = Array(lower[..<separator])
        var groups: [UInt8] = []
        groups.reserveCapacity(lower.count - separator - 1)
        for character in lower[(separator + 1)...] {
            let value = values[Int(character)]
            guard value >= 0 else { return nil }
            groups.append(UInt8(value))
        }
        guard polymod(expand(hrp) + groups) == 1,
              let data = convert(Array(groups.dropLast(6)), from: 5, to: 8, pad: false)
        else { return nil }
        return (String(decoding: hrp, as: UTF8.self), data)
    }
}
