/// Where the parts of a `.slc` file lie, found by reading the bytes as docs/format.md describes them,
/// without the library's decoder: the tamper tests use it to aim at regions, and the conformance
/// tests use it to check the writer against the spec.
struct SlcLayout {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The header's fields, by offset (docs/format.md, "Header").
    enum HeaderField {
        static let magic = 0..<8
        static let version = 8..<10
        static let length = 10..<12
        static let codec = 12
        static let window = 13
        static let level = 14..<18
        static let cipher = 18
        static let checksum = 19
        static let chunkSize = 20..<24
        static let flags = 24
        /// The key block starts here when there is a cipher.
        static let keyBlock = 25
        // Within the key block:
        static let kdf = 25
        static let scryptLogN = 26
        static let scryptR = 27
        static let scryptP = 28
        static let salt = 29..<61
        static let keyCheck = 61..<77
    }

    let headerLength: Int
    let cipherID: UInt8
    /// 9 + s + k: the fixed part of a frame, the payload check (s = 4 without a cipher) and the checksum.
    let frameHeaderSize: Int
    let tagSize: Int
    let digestSize: Int
    /// The byte range of every frame, in order.
    let frames: [Range<Int>]
    let trailer: Range<Int>
    let footer: Range<Int>

    var header: Range<Int> { 0..<headerLength }
    var headerTag: Range<Int> { headerLength - tagSize..<headerLength }
    var isEncrypted: Bool { cipherID != 0 }

    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 12, Array(bytes[0..<8]) == [0x89, 0x53, 0x4C, 0x43, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Malformed(description: "bad magic")
        }
        headerLength = Int(bytes.littleEndian(at: 10, as: UInt16.self))
        cipherID = bytes[HeaderField.cipher]
        let checksumID = bytes[HeaderField.checksum]
        let frameChecksum = [0: 0, 1: 8, 2: 32][Int(checksumID)]
        let digest = [0: 0, 1: 16, 2: 32][Int(checksumID)]
        guard let frameChecksum, let digest else { throw Malformed(description: "checksum id \(checksumID)") }
        frameHeaderSize = 9 + (cipherID == 0 ? 4 : 0) + frameChecksum
        digestSize = digest
        tagSize = cipherID == 0 ? 8 : 32

        var frames: [Range<Int>] = []
        var offset = headerLength
        while true {
            guard offset + frameHeaderSize <= bytes.count else { throw Malformed(description: "frame past the end") }
            let stored = Int(bytes.littleEndian(at: offset, as: UInt32.self))
            let flags = bytes[offset + 8]
            let end = offset + frameHeaderSize + stored
            guard end <= bytes.count else { throw Malformed(description: "frame past the end") }
            frames.append(offset..<end)
            offset = end
            if flags & 1 != 0 { break }
        }
        self.frames = frames
        guard bytes.count >= offset + 24 else { throw Malformed(description: "no footer") }
        footer = bytes.count - 24..<bytes.count
        let trailerOffset = Int(bytes.littleEndian(at: footer.lowerBound, as: UInt64.self))
        let trailerLength = Int(bytes.littleEndian(at: footer.lowerBound + 8, as: UInt64.self))
        guard trailerOffset == offset, trailerOffset + trailerLength == footer.lowerBound else {
            throw Malformed(description: "footer does not point at the trailer after the final frame")
        }
        trailer = trailerOffset..<footer.lowerBound
    }

    /// The payload of frame `index` (after its header and checksum).
    func payload(of index: Int) -> Range<Int> { frames[index].lowerBound + frameHeaderSize..<frames[index].upperBound }
}
