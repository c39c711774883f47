/// The header of an LZ4 frame (lz4 `doc/lz4_Frame_format.md`): magic, FLG and BD bytes, optional
/// content size and dictionary ID, and a one-byte header checksum (the second byte of XXH32).
///
///     0x184D2204 | FLG | BD | [content size, 8] | [dictionary ID, 4] | HC
struct LZ4FrameHeader: Equatable, Sendable {
    /// Blocks are compressed apart (each can be decoded alone, in parallel); otherwise each block
    /// may refer to the 64 KiB before it.
    var independentBlocks: Bool
    /// Every block is followed by the XXH32 of its stored bytes.
    var blockChecksums: Bool
    /// The frame ends with the XXH32 of its whole plaintext.
    var contentChecksum: Bool
    /// The plaintext size, when recorded.
    var contentSize: UInt64?
    var dictionaryID: UInt32?
    /// The most plaintext one block holds: 64 KiB, 256 KiB, 1 MiB or 4 MiB.
    var blockMaximum: Int

    static let magic: UInt32 = 0x184D_2204
    /// The magic of the legacy format (`lz4 -l`): blocks of up to 8 MiB, no header fields.
    static let legacyMagic: UInt32 = 0x184C_2102
    /// The plaintext of one legacy block.
    static let legacyBlockSize = 8 << 20
    /// Skippable frames use any of `0x184D2A50`…`0x184D2A5F`.
    static func isSkippable(_ magic: UInt32) -> Bool { magic & 0xFFFF_FFF0 == 0x184D_2A50 }
    /// The largest header (magic, FLG, BD, content size, dictionary ID, checksum).
    static let maximumSize = 19
    /// The block-size field's high bit: the block is stored uncompressed.
    static let uncompressedBit: UInt32 = 0x8000_0000

    /// The block sizes BD can name, by their code (4…7).
    static let blockMaximums = [4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20]

    init(independentBlocks: Bool, blockChecksums: Bool, contentChecksum: Bool, contentSize: UInt64?,
         dictionaryID: UInt32? = nil, blockMaximum: Int) {
        self.independentBlocks = independentBlocks
        self.blockChecksums = blockChecksums
        self.contentChecksum = contentChecksum
        self.contentSize = contentSize
        self.dictionaryID = dictionaryID
        self.blockMaximum = blockMaximum
    }

    /// The header's size on disk.
    var size: Int { 7 + (contentSize == nil ? 0 : 8) + (dictionaryID == nil ? 0 : 4) }

    /// The header bytes, checksum included.
    func encoded() -> [UInt8] {
        var flags: UInt8 = 0x40  // version 01
        if independentBlocks { flags |= 0x20 }
        if blockChecksums { flags |= 0x10 }
        if contentSize != nil { flags |= 0x08 }
        if contentChecksum { flags |= 0x04 }
        if dictionaryID != nil { flags |= 0x01 }
        let code = LZ4FrameHeader.blockMaximums.first { $0.value == blockMaximum }?.key ?? 7
        var writer = ByteWriter(capacity: LZ4FrameHeader.maximumSize)
        writer.append(LZ4FrameHeader.magic)
        writer.append(flags)
        writer.append(UInt8(code << 4))
        if let contentSize { writer.append(contentSize) }
        if let dictionaryID { writer.append(dictionaryID) }
        let descriptor = Array(writer.bytes[4...])
        writer.append(LZ4FrameHeader.headerChecksum(descriptor))
        return writer.bytes
    }

    /// `(XXH32(descriptor) >> 8) & 0xFF`.
    static func headerChecksum(_ descriptor: [UInt8]) -> UInt8 {
        UInt8(truncatingIfNeeded: descriptor.withUnsafeBytes { XXH.hash32($0) } >> 8)
    }

    /// Reads the header that starts `bytes` (magic included); `nil` when more bytes are needed.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` for a version, reserved bit, block size or checksum the
    ///   format does not allow, and for a frame that needs a dictionary (the message names its ID).
    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> LZ4FrameHeader? {
        guard bytes.count >= 7 else { return nil }
        guard bytes.loadLittleEndian(at: 0, as: UInt32.self) == magic else { throw SluiceError.corrupt("not an LZ4 frame") }
        let flags = bytes[4]
        let descriptor = bytes[5]
        guard flags >> 6 == 1 else { throw SluiceError.corrupt("LZ4 frame version \(flags >> 6) is not supported") }
        guard flags & 0x02 == 0, descriptor & 0x8F == 0 else { throw SluiceError.corrupt("LZ4 frame header has reserved bits set") }
        guard let blockMaximum = blockMaximums[Int(descriptor >> 4)] else {
            throw SluiceError.corrupt("LZ4 frame header names an unknown block size (\(descriptor >> 4))")
        }
        let hasSize = flags & 0x08 != 0
        let hasDictionary = flags & 0x01 != 0
        let size = 7 + (hasSize ? 8 : 0) + (hasDictionary ? 4 : 0)
        guard bytes.count >= size else { return nil }
        let header = LZ4FrameHeader(
            independentBlocks: flags & 0x20 != 0, blockChecksums: flags & 0x10 != 0, contentChecksum: flags & 0x04 != 0,
            contentSize: hasSize ? bytes.loadLittleEndian(at: 6, as: UInt64.self) : nil,
            dictionaryID: hasDictionary ? bytes.loadLittleEndian(at: hasSize ? 14 : 6, as: UInt32.self) : nil,
            blockMaximum: blockMaximum)
        guard headerChecksum(Array(bytes[4..<size - 1])) == bytes[size - 1] else {
            throw SluiceError.corrupt("LZ4 frame header checksum mismatch")
        }
        if let id = header.dictionaryID {
            throw SluiceError.corrupt("this LZ4 frame was compressed with dictionary ID \(id); sluice does not take dictionaries")
        }
        return header
    }
}
