import Testing
@testable import Sluice

/// Damages a good `.slc` file in memory, one change at a time, and decodes every damaged version
/// from a scratch file edited in place (one byte written and restored per attempt, so thousands of
/// attempts stay cheap).
enum Tamper {
    struct Attempt: CustomStringConvertible {
        var offset: Int
        var mask: UInt8
        var outcome: Outcome
        var description: String { "byte \(offset) ^ 0x\(String(mask, radix: 16)) → \(outcome)" }
    }

    static let everyBit: [UInt8] = (0..<8).map { 1 << $0 }

    /// Decodes `original` once for every offset × mask, with that single byte XORed with the mask.
    ///
    /// A damaged file that decodes anyway is decoded a second time to compare its output with
    /// `plaintext`: ``Outcome/decodedIntact`` when it is exactly the original, ``Outcome/decoded`` when not.
    static func flipEach(
        _ original: [UInt8], at offsets: some Sequence<Int>, masks: [UInt8] = everyBit, key: KeySource?,
        plaintext: [UInt8] = TamperSubject.data
    ) throws -> [Attempt] {
        let file = try ScratchFile(original)
        var attempts: [Attempt] = []
        for offset in offsets {
            for mask in masks {
                try file.write(original[offset] ^ mask, at: offset)
                var outcome = Outcome { try Harness.decode(file, key: key) }
                if outcome == .decoded {
                    let output = try ScratchFile()
                    try Harness.decode(file, key: key, to: output.descriptor)
                    if try output.contents() == plaintext { outcome = .decodedIntact }
                }
                attempts.append(Attempt(offset: offset, mask: mask, outcome: outcome))
            }
            try file.write(original[offset], at: offset)
        }
        return attempts
    }

    /// Decodes every proper prefix of `original` whose length is in `lengths`.
    static func truncations(_ original: [UInt8], to lengths: some Sequence<Int>, key: KeySource?) throws -> [Attempt] {
        let file = try ScratchFile(original)
        // Longest first, so each step only shortens the file.
        return try lengths.sorted(by: >).map { length in
            try file.truncate(to: length)
            return Attempt(offset: length, mask: 0, outcome: Outcome { try Harness.decode(file, key: key) })
        }
    }

    /// Records one issue listing the attempts whose outcome is not among those `allowed` for their offset.
    static func expectAll(
        _ attempts: [Attempt], _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
        allowed: (Int) -> Set<Outcome> = { _ in [.rejected(.corrupt)] }
    ) {
        let wrong = attempts.filter { !allowed($0.offset).contains($0.outcome) }
        #expect(!attempts.isEmpty, "\(what): nothing was tried", sourceLocation: sourceLocation)
        #expect(
            wrong.count == 0,
            "\(what): \(wrong.count) of \(attempts.count) attempts ended wrongly, e.g. \(wrong.prefix(5))",
            sourceLocation: sourceLocation)
    }
}
