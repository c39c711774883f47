@testable import Sluice
import Testing

/// Which frames a range restore decodes (``Pipeline/RangeFrames``), from the plaintext sizes an index
/// records: only those that hold the range when the sizes are exact, all from the first when they are
/// upper bounds; an empty range decodes nothing and one past the end is refused.
@Suite struct RangeFramesTests {
    /// Frames of 4, 4, 0 and 3 plaintext bytes (starting at 0, 4, 8, 8; 11 in all): a range starting at 8
    /// starts with the last frame, not the empty one.
    static func index(exact: Bool) -> FrameIndex {
        let sizes = [4, 4, 0, 3]
        let entries = sizes.enumerated().map { FrameEntry(offset: UInt64(100 * $0.offset), size: 100, plainSize: $0.element) }
        return FrameIndex(entries: entries, tail: [], verified: true, rawFrames: 0, digest: [], plainSizesExact: exact)
    }

    @Test(arguments: [
        (0..<4, 0...0, 0), (0..<5, 0...1, 0), (5..<8, 1...1, 4), (4..<9, 1...3, 4), (8..<11, 3...3, 8), (10..<11, 3...3, 8),
    ] as [(Range<UInt64>, ClosedRange<Int>, UInt64)])
    func exactSizesDecodeTheFramesThatHoldTheRange(range: Range<UInt64>, frames: ClosedRange<Int>, start: UInt64) throws {
        let planned = try #require(try Pipeline.RangeFrames(Self.index(exact: true), range: range))
        #expect(planned.frames == frames)
        #expect(planned.plainStart == start)
        #expect(planned.exact)
    }

    @Test func upperBoundsDecodeEveryFrameFromTheFirst() throws {
        let planned = try #require(try Pipeline.RangeFrames(Self.index(exact: false), range: 9..<10))
        #expect(planned.frames == 0...3)
        #expect(planned.plainStart == 0)
        #expect(!planned.exact)
    }

    @Test func anEmptyRangeDecodesNothingAndOnePastTheEndIsRefused() throws {
        #expect(try Pipeline.RangeFrames(Self.index(exact: true), range: 11..<11) == nil)
        #expect(try Pipeline.RangeFrames(Self.index(exact: true), range: 3..<3) == nil)
        for range: Range<UInt64> in [10..<12, 12..<12] {
            do {
                _ = try Pipeline.RangeFrames(Self.index(exact: true), range: range)
                Issue.record("\(range) past the end of 11 bytes was accepted")
            } catch let error as SluiceError {
                #expect(error.code == .invalidArgument && error.message.contains("reaches past the end (11 bytes)"))
            }
        }
    }
}
