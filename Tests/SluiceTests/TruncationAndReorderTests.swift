import SystemPackage
import Testing
@testable import Sluice
@testable import SluiceBench

/// Whole-frame damage: cut short, frames swapped, duplicated or dropped, and bytes added after the
/// end. The frames themselves are intact, so only the structure (final flag, nonces, index, digest,
/// footer, end of input) can catch these. `indexed`: the seekable input is read as the CLI reads it,
/// through the footer and the index with frames at their offsets (``Harness/io``).
@Suite struct TruncationAndReorderTests {
    /// Cut at every byte: every proper prefix of the file is rejected as corrupt.
    @Test(arguments: TamperSubject.all, [false, true])
    func truncatedAtEveryByte(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, _) = try subject.packed()
            Tamper.expectAll(try Tamper.truncations(bytes, to: 0..<bytes.count, key: subject.key), "truncation")
        }
    }

    /// The cuts a real interruption makes: at frame boundaries, before and inside the trailer and footer.
    private func boundaries(_ layout: SlcLayout) -> [Int] {
        [0, 8, 12, layout.headerLength] + layout.frames.map(\.upperBound)
            + [layout.trailer.upperBound, layout.footer.upperBound - 8, layout.footer.upperBound - 1]
    }

    /// Cut at a frame boundary, a named output is never published and no temporary file is left.
    @Test(arguments: TamperSubject.all, [false, true])
    func truncatedAtFrameBoundariesLeavesNoOutput(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            try withTemporaryDirectory { directory in
                let input = directory.appending("cut.slc"), output = directory.appending("cut")
                for length in boundaries(layout) {
                    try writeFile(input, Array(bytes.prefix(length)))
                    let outcome = Outcome { _ = try Pipeline.unpackFile(input, to: .file(output, overwrite: false), key: { _ in subject.key }, io: Harness.io) }
                    #expect(outcome == .rejected(.corrupt), "cut at \(length) of \(bytes.count)")
                    #expect(try directoryListing(directory) == ["cut.slc"], "cut at \(length): output or temporary file left behind")
                }
            }
        }
    }

    /// Read from a pipe (no footer to look at first), a file cut at a frame boundary is still caught.
    @Test(arguments: TamperSubject.all)
    func truncatedStreamIsRejected(_ subject: TamperSubject) throws {
        let (bytes, layout) = try subject.packed()
        for length in boundaries(layout) {
            let outcome = Outcome { _ = try Harness.unpack(Array(bytes.prefix(length)), key: subject.key, viaPipe: true) }
            #expect(outcome == .rejected(.corrupt), "cut at \(length) of \(bytes.count)")
        }
    }

    /// Frames rearranged as whole units.
    private func rearranged(_ bytes: [UInt8], _ layout: SlcLayout, order: [Int]) -> [UInt8] {
        Array(bytes[layout.header]) + order.flatMap { bytes[layout.frames[$0]] } + Array(bytes[layout.trailer.lowerBound...])
    }

    /// Swapped frames decode individually; the nonce (with a cipher) or the file digest (without, where
    /// two full `store` frames even have identical index entries) must catch the new order.
    @Test(arguments: TamperSubject.all, [false, true])
    func swappedFramesAreRejected(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            for order in [[1, 0, 2], [0, 2, 1], [2, 1, 0]] {
                let outcome = Outcome { _ = try Harness.unpack(rearranged(bytes, layout, order: order), key: subject.key) }
                #expect(outcome == .rejected(.corrupt), "frame order \(order)")
            }
        }
    }

    @Test(arguments: TamperSubject.all, [false, true])
    func duplicatedOrDroppedFramesAreRejected(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            for order in [[0, 0, 1, 2], [0, 1, 1, 2], [0, 1, 2, 2], [0, 2], [1, 2], [0, 1]] {
                for viaPipe in [false, true] {
                    let outcome = Outcome { _ = try Harness.unpack(rearranged(bytes, layout, order: order), key: subject.key, viaPipe: viaPipe) }
                    #expect(outcome == .rejected(.corrupt), "frame order \(order)\(viaPipe ? " via a pipe" : "")")
                }
            }
        }
    }

    /// Nothing may follow the footer, not one byte, not a second copy of the file.
    @Test(arguments: TamperSubject.all, [false, true])
    func trailingGarbageIsRejected(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, _) = try subject.packed()
            for extra in [[0], [UInt8](repeating: 0xFF, count: 100), bytes] {
                for viaPipe in [false, true] {
                    let outcome = Outcome { _ = try Harness.unpack(bytes + extra, key: subject.key, viaPipe: viaPipe) }
                    #expect(outcome == .rejected(.corrupt), "\(extra.count) extra bytes\(viaPipe ? " via a pipe" : "")")
                }
            }
        }
    }

    /// Two valid files glued frame-wise: the second file's frames carry another key's nonces/checksums
    /// and the trailer does not match.
    @Test(arguments: TamperSubject.all, [false, true])
    func framesFromAnotherFileAreRejected(_ subject: TamperSubject, indexed: Bool) throws {
        try Harness.$io.withValue(indexed ? IOPool.shared(tokens: 2) : nil) {
            let (bytes, layout) = try subject.packed()
            let other = try Harness.packed(DataKind.text.bytes(count: 2 * Harness.chunkSize + 1000, seed: 8), subject.codec, subject.cipher, key: subject.key)
            let otherLayout = try SlcLayout(other)
            var spliced = Array(bytes[layout.header])
            spliced += bytes[layout.frames[0]]
            spliced += other[otherLayout.frames[1]]
            spliced += bytes[layout.frames[2]]
            spliced += bytes[layout.trailer.lowerBound...]
            #expect(Outcome { _ = try Harness.unpack(spliced, key: subject.key) } == .rejected(.corrupt))
        }
    }
}
