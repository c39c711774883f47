/// The fixed part of a frame (docs/format.md, "Frames"): stored length, plain length, flags; the
/// checksum follows it.
struct FrameHeader: Equatable, Sendable {
    static let fixedSize = 9

    struct Flags: OptionSet, Sendable {
        let rawValue: UInt8
        static let final = Flags(rawValue: 1)
        static let raw = Flags(rawValue: 2)
        static let known: Flags = [.final, .raw]
    }

    var storedSize: Int
    var plainSize: Int
    var flags: Flags

    var isFinal: Bool { flags.contains(.final) }

    /// Writes the fixed part to the first ``fixedSize`` bytes of `output`.
    func write(to output: UnsafeMutableRawBufferPointer) {
        output.storeLittleEndian(UInt32(storedSize), at: 0)
        output.storeLittleEndian(UInt32(plainSize), at: 4)
        output[8] = flags.rawValue
    }

    /// Reads and validates the fixed part before anything is allocated for the payload.
    ///
    /// - Parameters:
    ///   - index: the frame's position, for messages.
    static func read(from input: UnsafeRawBufferPointer, header: Header, index: UInt64) throws -> FrameHeader {
        let stored = Int(input.loadLittleEndian(at: 0, as: UInt32.self))
        let plain = Int(input.loadLittleEndian(at: 4, as: UInt32.self))
        let flags = Flags(rawValue: input[8])
        guard flags.isSubset(of: .known) else { throw SluiceError.corrupt("frame \(index) has unknown flags") }
        guard stored <= header.maxStoredSize, stored >= header.cipher.tagSize else {
            throw SluiceError.corrupt("frame \(index) declares an impossible stored length \(stored)")
        }
        guard plain <= header.chunkSize, flags.contains(.final) || plain == header.chunkSize else {
            throw SluiceError.corrupt("frame \(index) declares an impossible plain length \(plain)")
        }
        guard plain > 0 || index == 0 else { throw SluiceError.corrupt("frame \(index) is empty") }
        if flags.contains(.raw), stored != plain + header.cipher.tagSize {
            throw SluiceError.corrupt("raw frame \(index) has mismatched lengths")
        }
        return FrameHeader(storedSize: stored, plainSize: plain, flags: flags)
    }

    /// The frame bytes an AEAD tag authenticates besides the payload: plain length, flags and checksum
    /// (there is no payload check with a cipher).
    static func authenticatedRange(_ header: Header) -> Range<Int> { 4..<header.frameHeaderSize }

    /// The AEAD nonce of frame `index`: the index as 8 big-endian bytes, three zero bytes, the final flag.
    static func nonce(index: UInt64, isFinal: Bool) -> [UInt8] {
        withUnsafeBytes(of: index.bigEndian, Array.init) + [0, 0, 0, isFinal ? 1 : 0]
    }
}
