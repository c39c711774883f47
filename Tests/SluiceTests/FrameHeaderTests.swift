import Testing
@testable import Sluice

/// The fixed part of a frame and the checks made on it before anything is allocated
/// (docs/format.md, "Frames" and decoding rule 3).
@Suite struct FrameHeaderTests {
    static let chunk = 4096
    static let plain = HeaderTests.header(try! CodecSettings(.zstd), chunkSize: chunk, metadata: nil)
    static let sealed: Header = {
        let (block, _) = try! FileKeys.create(source: Harness.key, cipher: .aes256gcm, cost: Harness.cheapCost)
        return HeaderTests.header(try! CodecSettings(.store), cipher: .aes256gcm, checksum: .none, chunkSize: chunk, keyBlock: block, metadata: nil)
    }()

    private func read(stored: UInt32, plain: UInt32, flags: UInt8, header: Header = FrameHeaderTests.plain, index: UInt64 = 1) throws -> FrameHeader {
        var bytes = [UInt8](repeating: 0, count: 9)
        bytes.setLittleEndian(stored, at: 0)
        bytes.setLittleEndian(plain, at: 4)
        bytes[8] = flags
        return try bytes.withUnsafeBytes { try FrameHeader.read(from: $0, header: header, index: index) }
    }

    @Test func layoutAndRoundTrip() throws {
        let frame = FrameHeader(storedSize: 0x0102_0304, plainSize: 4096, flags: [.final, .raw])
        var bytes = [UInt8](repeating: 0xEE, count: 9)
        bytes.withUnsafeMutableBytes { frame.write(to: $0) }
        #expect(bytes == [0x04, 0x03, 0x02, 0x01, 0x00, 0x10, 0x00, 0x00, 0x03])

        let read = try self.read(stored: 1000, plain: 4096, flags: 1)
        #expect(read == FrameHeader(storedSize: 1000, plainSize: 4096, flags: .final))
        #expect(try self.read(stored: 4096, plain: 4096, flags: 2) == FrameHeader(storedSize: 4096, plainSize: 4096, flags: .raw))
    }

    /// The largest stored length allowed is the codec's bound for one chunk plus the tag: accepted at
    /// the cap, refused one byte above it and at 4 GiB − 1.
    @Test func storedLengthCap() throws {
        let cap = Zstd.compressBound(Self.chunk)
        #expect(try read(stored: UInt32(cap), plain: 4096, flags: 0).storedSize == cap)
        #expect(Outcome { _ = try read(stored: UInt32(cap + 1), plain: 4096, flags: 0) } == .rejected(.corrupt))
        #expect(Outcome { _ = try read(stored: UInt32.max, plain: 4096, flags: 0) } == .rejected(.corrupt))
        #expect(Outcome { _ = try read(stored: 4096 + 16 + 1, plain: 4096, flags: 2, header: Self.sealed) } == .rejected(.corrupt))
        #expect(try read(stored: 4096 + 16, plain: 4096, flags: 2, header: Self.sealed).storedSize == 4112)
    }

    @Test(arguments: [
        ("unknown flag bit 2", UInt32(100), UInt32(4096), UInt8(4), UInt64(1)),
        ("unknown flag bit 7", 100, 4096, 0x81, 1),
        ("plain length above the chunk size", 100, 4097, 1, 1),
        ("short plain length on a non-final frame", 100, 4095, 0, 1),
        ("empty non-final frame", 100, 0, 0, 1),
        ("empty final frame after the first", 100, 0, 1, 3),
        ("raw frame whose lengths differ", 4095, 4096, 2, 1),
        ("raw final frame whose lengths differ", 11, 10, 3, 1),
    ])
    func rejects(what: String, stored: UInt32, plain: UInt32, flags: UInt8, index: UInt64) {
        #expect(Outcome { _ = try read(stored: stored, plain: plain, flags: flags, index: index) } == .rejected(.corrupt), "\(what)")
    }

    /// With a cipher every payload holds at least the 16-byte tag.
    @Test func encryptedFrameHoldsATag() throws {
        #expect(Outcome { _ = try read(stored: 15, plain: 0, flags: 1, header: Self.sealed, index: 0) } == .rejected(.corrupt))
        #expect(try read(stored: 16, plain: 0, flags: 3, header: Self.sealed, index: 0).plainSize == 0)
    }

    /// The only empty frame is the single final frame of an empty file.
    @Test func emptyFileFrame() throws {
        #expect(try read(stored: 0, plain: 0, flags: 3, index: 0) == FrameHeader(storedSize: 0, plainSize: 0, flags: [.final, .raw]))
    }

    /// nonce = index as 8 big-endian bytes ‖ 00 00 00 ‖ final flag.
    @Test func nonceLayout() {
        #expect(FrameHeader.nonce(index: 0, isFinal: false) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(FrameHeader.nonce(index: 1, isFinal: true) == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(FrameHeader.nonce(index: 0x0102_0304_0506_0708, isFinal: false) == [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0])
    }
}
