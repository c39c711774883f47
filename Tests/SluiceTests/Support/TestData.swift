/// Deterministic test inputs: every run sees the same bytes, so a failure reproduces.

/// SplitMix64: tiny, fast and good enough to make incompressible bytes.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The shapes of plaintext the round trips use: each drives the codecs down a different path.
enum DataKind: String, CaseIterable, Sendable {
    /// Incompressible: every frame ends up stored raw.
    case random
    /// Maximally compressible.
    case zeros
    /// Words and lines, compressible the way logs and source files are.
    case text

    func bytes(count: Int, seed: UInt64 = 1) -> [UInt8] {
        var generator = SeededGenerator(seed: seed &+ UInt64(count))
        switch self {
        case .zeros:
            return [UInt8](repeating: 0, count: count)
        case .random:
            var bytes = [UInt8]()
            bytes.reserveCapacity(count + 8)
            while bytes.count < count {
                withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) }
            }
            return Array(bytes.prefix(count))
        case .text:
            let words = [
                "sluice", "chunk", "frame", "header", "trailer", "the", "a", "of", "and", "GET", "/index.html",
                "200", "404", "lorem", "ipsum", "dolor", "sit", "amet", "2024-05-01T12:00:00Z", "INFO", "WARN",
            ]
            var bytes = [UInt8]()
            bytes.reserveCapacity(count + 32)
            while bytes.count < count {
                bytes += words[Int(generator.next() % UInt64(words.count))].utf8
                bytes.append(generator.next() % 9 == 0 ? UInt8(ascii: "\n") : UInt8(ascii: " "))
            }
            return Array(bytes.prefix(count))
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs anywhere in `self`.
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for start in 0...(count - needle.count) where self[start] == needle[0] {
            if self[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }

    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }

    var hex: String { map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    /// The little-endian integer at `offset`.
    func littleEndian<T: FixedWidthInteger>(at offset: Int, as: T.Type = T.self) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: self[offset + i]) << (8 * i) }
        return value
    }

    /// Overwrites the bytes at `offset` with `value`, little-endian.
    mutating func setLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        for i in 0..<MemoryLayout<T>.size { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }
}
