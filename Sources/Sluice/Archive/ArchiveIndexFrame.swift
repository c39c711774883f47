import SystemPackage

/// Where a `.tar.zst` archive keeps its member index (docs/format.md, "zstd archives"): one zstd
/// skippable frame after the content's seek table, which `zstd -d`, `zstd -t` and `tar -I zstd` skip.
///
///     magic 0x184D2A5B (4) | frame size = B + 24 (4) | index: zstd frames + seek table (B) | archive footer (24)
///
/// The index bytes are the encoded ``MemberIndex`` packed as a seekable zstd stream of their own (the
/// same writer as the content), so a reader decodes them with any zstd decoder.
enum ArchiveIndexFrame {
    /// The skippable frame's magic (one of the sixteen zstd reserves for skippable frames; the seek
    /// table uses `0x184D2A5E`).
    static let magic: UInt32 = 0x184D_2A5B
    /// Magic and frame size.
    static let headerSize = 8

    /// The frame's header for an index of `indexSize` bytes (the footer is inside the frame too).
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when the index is too large for a skippable frame.
    static func header(indexSize: UInt64) throws -> [UInt8] {
        let frameSize = indexSize + UInt64(ArchiveFooter.size)
        guard frameSize <= UInt64(UInt32.max) else {
            throw SluiceError.invalid("the member index (\(indexSize) bytes packed) is too large for a zstd skippable frame: write a .tar.slc archive")
        }
        var out = ByteWriter(capacity: headerSize)
        out.append(magic)
        out.append(UInt32(frameSize))
        return out.bytes
    }

    /// Checks that the bytes before the index are the skippable frame the footer implies.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when they are not.
    static func check(header bytes: [UInt8], footer: ArchiveFooter) throws {
        guard (try? header(indexSize: footer.indexSize)) == bytes else {
            throw SluiceError.corrupt("the member index's skippable frame header does not match the archive footer")
        }
    }

    /// Where the zstd content of the file at `input` ends when it is a `.tar.zst` archive (before its
    /// index frame); `nil` for any other file. Lets the zstd reader find the content's seek table.
    static func contentEnd(of input: FileDescriptor, fileSize: UInt64) -> UInt64? {
        guard fileSize >= UInt64(ArchiveFooter.size + headerSize),
              let bytes = try? Pipeline.pread(input, at: fileSize - UInt64(ArchiveFooter.size), count: ArchiveFooter.size),
              let footer = try? ArchiveFooter.decode(bytes, fileSize: fileSize), footer.layout == .zstd,
              let start = try? Pipeline.pread(input, at: footer.contentSize, count: headerSize),
              (try? check(header: start, footer: footer)) != nil
        else { return nil }
        return footer.contentSize
    }

    /// Decodes the index bytes (zstd frames; skippable frames skipped) into the encoded index.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when they are not complete zstd frames or decode to
    ///   more than `limit` bytes.
    static func decode(_ packed: [UInt8], limit: Int) throws -> [UInt8] {
        let decoder = try ZstdStreamDecoder(windowLogMax: Zstd.defaultWindowLogLimit)
        var plain: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        var ended = false
        try packed.withUnsafeBytes { input in
            try block.withUnsafeMutableBytes { output in
                while true {
                    let step = try decoder.decode(UnsafeRawBufferPointer(rebasing: input[offset...]), into: output)
                    offset += step.consumed
                    if step.consumed == 0, step.produced == 0 { break }
                    ended = step.frameEnded
                    guard plain.count + step.produced <= limit else {
                        throw SluiceError.corrupt("the member index decodes to more than the \(limit) bytes an index may have")
                    }
                    plain.append(contentsOf: UnsafeRawBufferPointer(rebasing: output[0..<step.produced]))
                    if offset == input.count, step.produced < output.count { break }
                }
            }
        }
        guard ended, offset == packed.count else { throw SluiceError.corrupt("the member index's zstd frames are truncated") }
        return plain
    }
}
