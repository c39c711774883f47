import Sluice
/// The benchmark's own pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// Generated data must be the same bytes for the same seed on every machine and every Swift version,
/// so this is spelled out here instead of using `SystemRandomNumberGenerator` (not seedable) or
/// anything whose algorithm may change. Not for cryptography.
///
///     var random = BenchRandom(seed: 1)
///     random.next()        // the same UInt64 on every run
public struct BenchRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    /// Expands `seed` into the 256-bit state with SplitMix64, as the xoshiro authors recommend.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix()
        s1 = splitMix()
        s2 = splitMix()
        s3 = splitMix()
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A number in `0..<bound` (`bound` > 0), by Lemire's multiply-shift; the tiny bias does not matter here.
    mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A number in `0..<bound` drawn with a Zipf-like skew: small values are much more likely, as
    /// word frequencies in real text are.
    mutating func skewed(below bound: Int) -> Int {
        let u = Double(next() >> 11) / Double(1 << 53)
        return min(bound - 1, Int(Double(bound) * u * u * u))
    }

    /// A number in `0..<1`.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
