import Foundation
import Testing
@testable import Sluice

/// The byte layouts of the standard formats, encoded and decoded in memory: the zstd seek table, zstd
/// frame walking, the LZ4 frame header and LZ4 frame walking. The CLI against the real tools is in
/// `StandardInteropTests`.
@Suite struct StandardFormatTests {
    // MARK: zstd seek table

    @Test(arguments: [false, true])
    func seekTableRoundTrip(checksums: Bool) throws {
        let entries: [ZstdSeekTable.Entry] = (0..<5).map { (index: Int) -> ZstdSeekTable.Entry in
            let checksum: UInt32? = checksums ? UInt32(0xDEAD_0000 + index) : nil
            return ZstdSeekTable.Entry(compressedSize: UInt32(100 + index), decompressedSize: UInt32(1000 * index), checksum: checksum)
        }
        let table = ZstdSeekTable(entries: entries, hasChecksums: checksums)
        let bytes = table.encoded()
        #expect(bytes.count == ZstdSeekTable.frameSize(count: 5, checksums: checksums))
        #expect(bytes.littleEndian(at: 0, as: UInt32.self) == 0x184D_2A5E, "a skippable frame")
        #expect(bytes.littleEndian(at: bytes.count - 4, as: UInt32.self) == 0x8F92_EAB1)
        #expect(try ZstdSeekTable.tableFrameSize(footer: Array(bytes.suffix(9))) == bytes.count)
        #expect(try ZstdSeekTable.decode(bytes) == table)
        let fileSize = UInt64(entries.reduce(0) { $0 + Int($1.compressedSize) } + bytes.count)
        let placements = try table.placements(fileSize: fileSize)
        #expect(placements.map { $0.offset } == [0, 100, 201, 303, 406])
        #expect(table.plainSize == 10_000)
    }

    /// A table whose frames do not add up to the file, or whose header and footer disagree, is corrupt.
    @Test func lyingSeekTable() throws {
        let table = ZstdSeekTable(entries: [.init(compressedSize: 50, decompressedSize: 10, checksum: 1)], hasChecksums: true)
        let bytes = table.encoded()
        #expect(Outcome { _ = try table.placements(fileSize: 50 + UInt64(bytes.count) + 1) } == .rejected(.corrupt))
        #expect(Outcome { _ = try table.placements(fileSize: 49 + UInt64(bytes.count)) } == .rejected(.corrupt))
        var wrongSize = bytes
        wrongSize.setLittleEndian(UInt32(7), at: 4)
        #expect(Outcome { _ = try ZstdSeekTable.decode(wrongSize) } == .rejected(.corrupt))
        var wrongMagic = bytes
        wrongMagic[0] = 0x50
        #expect(Outcome { _ = try ZstdSeekTable.decode(wrongMagic) } == .rejected(.corrupt))
        var reserved = bytes
        reserved[reserved.count - 5] |= 0x04
        #expect(Outcome { _ = try ZstdSeekTable.tableFrameSize(footer: Array(reserved.suffix(9))) } == .rejected(.corrupt))
        var tooMany = bytes
        tooMany.setLittleEndian(UInt32(ZstdSeekTable.maximumFrames + 1), at: tooMany.count - 9)
        #expect(Outcome { _ = try ZstdSeekTable.tableFrameSize(footer: Array(tooMany.suffix(9))) } == .rejected(.corrupt))
        // No seekable magic: not a table at all.
        #expect(try ZstdSeekTable.tableFrameSize(footer: [UInt8](repeating: 0, count: 9)) == nil)
    }

    // MARK: zstd frames

    /// Frames written the way `--format zstd` writes them, one after another, with a skippable frame.
    @Test func zstdFramesAreFound() throws {
        let context = CodecContext()
        let writer = try StandardFormatWriter(format: .zstd, codec: CodecSettings(.zstd, level: 3))
        var file: [UInt8] = []
        var written: [StandardFormatWriter.Written] = []
        let chunks = [DataKind.text.bytes(count: 70_000), DataKind.random.bytes(count: 5000), []]
        for chunk in chunks {
            var frame = [UInt8](repeating: 0, count: writer.bound(chunk.count))
            let size = try chunk.withUnsafeBytes { plain in
                try frame.withUnsafeMutableBytes { try writer.encode(plain, into: $0, context: context) }
            }
            frame.removeLast(frame.count - size)
            written.append(frame.withUnsafeBytes { writer.written($0, plainSize: chunk.count) })
            file += frame
        }
        file += try writer.tail(written)
        let frames = try file.withUnsafeBytes { try ZstdFrameScan.frames(in: $0) }
        #expect(frames.map(\.header.kind) == [.data, .data, .data, .skippable])
        #expect(frames.prefix(3).map(\.header.contentSize) == [70_000, 5000, 0], "content size recorded")
        #expect(frames.prefix(3).allSatisfy { $0.header.hasChecksum })
        #expect(frames.prefix(3).allSatisfy { $0.header.windowSize <= 1 << Zstd.defaultWindowLogLimit })
        // The seek table repeats each frame's XXH64 (low 32 bits) of its plaintext.
        let table = try ZstdSeekTable.decode(Array(file.suffix(frames[3].size)))
        for (entry, chunk) in zip(table.entries, chunks) {
            #expect(entry.checksum == UInt32(truncatingIfNeeded: chunk.withUnsafeBytes { XXH.hash64($0) }))
            #expect(entry.decompressedSize == UInt32(chunk.count))
        }
        // Each job decodes back to its chunk.
        let jobs = try StandardFormatReader.jobs(table: table, fileSize: UInt64(file.count))
        for (job, chunk) in zip(jobs, chunks) {
            var plain = [UInt8](repeating: 0, count: job.plainCapacity)
            let stored = Array(file[Int(job.offset)..<Int(job.offset) + job.storedSize])
            let count = try stored.withUnsafeBytes { stored in
                try plain.withUnsafeMutableBytes { try StandardFormatReader.decode(job, stored: stored, into: $0, context: context) }
            }
            #expect(Array(plain.prefix(count)) == chunk)
        }
        // A truncated file, or garbage after the frames, is corrupt.
        #expect(Outcome { _ = try Array(file.dropLast(3)).withUnsafeBytes { try ZstdFrameScan.frames(in: $0) } } == .rejected(.corrupt))
        #expect(Outcome { _ = try (file + [1, 2, 3, 4, 5]).withUnsafeBytes { try ZstdFrameScan.frames(in: $0) } } == .rejected(.corrupt))
    }

    /// A frame header naming dictionary 42 (FHD 0x21: single segment, one-byte dictionary ID), with an
    /// empty last raw block: refused with a message that names the ID.
    @Test func zstdDictionaryFrame() throws {
        let frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x21, 42, 0x00, 0x01, 0x00, 0x00]
        let header = try frame.withUnsafeBytes { try Zstd.frameHeader($0) }
        #expect(header?.dictionaryID == 42)
        do {
            _ = try frame.withUnsafeBytes { try ZstdFrameScan.frames(in: $0) }
            Issue.record("a dictionary frame was accepted")
        } catch let error as SluiceError {
            #expect(error.code == .corrupt)
            #expect(error.message.contains("dictionary ID 42"))
        }
    }

    // MARK: LZ4

    @Test(arguments: [nil, UInt64(12345)])
    func lz4HeaderRoundTrip(contentSize: UInt64?) throws {
        for maximum in [64 << 10, 256 << 10, 1 << 20, 4 << 20] {
            let header = LZ4FrameHeader(independentBlocks: maximum != 1 << 20, blockChecksums: true, contentChecksum: maximum == 64 << 10,
                                        contentSize: contentSize, blockMaximum: maximum)
            let bytes = header.encoded()
            #expect(bytes.count == header.size)
            #expect(try bytes.withUnsafeBytes { try LZ4FrameHeader.decode($0) } == header)
            #expect(try Array(bytes.dropLast()).withUnsafeBytes { try LZ4FrameHeader.decode($0) } == nil, "needs more bytes")
        }
    }

    /// The header `lz4 --content-size` (1.9.4) writes for a 5-byte file, byte for byte (FLG 0x6C:
    /// version 1, independent blocks, content size, content checksum; BD 0x40: 64 KiB blocks; HC 0x2C).
    @Test func lz4HeaderMatchesTheTool() throws {
        let header = LZ4FrameHeader(independentBlocks: true, blockChecksums: false, contentChecksum: true, contentSize: 5,
                                    blockMaximum: 64 << 10)
        #expect(header.encoded() == [0x04, 0x22, 0x4D, 0x18, 0x6C, 0x40, 5, 0, 0, 0, 0, 0, 0, 0, 0x2C])
    }

    @Test func lz4HeaderRejections() throws {
        let good = LZ4FrameHeader(independentBlocks: true, blockChecksums: false, contentChecksum: false, contentSize: nil,
                                  blockMaximum: 4 << 20).encoded()
        func outcome(_ bytes: [UInt8]) -> Outcome { Outcome { _ = try bytes.withUnsafeBytes { try LZ4FrameHeader.decode($0) } } }
        var checksum = good
        checksum[6] ^= 1
        #expect(outcome(checksum) == .rejected(.corrupt))
        var version = good
        version[4] = (version[4] & 0x3F) | 0x80
        version[6] = LZ4FrameHeader.headerChecksum(Array(version[4..<6]))
        #expect(outcome(version) == .rejected(.corrupt))
        var blockSize = good
        blockSize[5] = 0x30
        blockSize[6] = LZ4FrameHeader.headerChecksum(Array(blockSize[4..<6]))
        #expect(outcome(blockSize) == .rejected(.corrupt))
        let dictionary = LZ4FrameHeader(independentBlocks: true, blockChecksums: false, contentChecksum: false, contentSize: nil,
                                        dictionaryID: 7, blockMaximum: 4 << 20).encoded()
        do {
            _ = try dictionary.withUnsafeBytes { try LZ4FrameHeader.decode($0) }
            Issue.record("a dictionary frame was accepted")
        } catch let error as SluiceError {
            #expect(error.message.contains("dictionary ID 7"))
        }
    }

    /// An LZ4 file as `--format lz4` writes it, then a skippable frame and a second frame: walked into
    /// frames and blocks, cut into jobs, decoded back.
    @Test func lz4FramesAreFound() throws {
        let context = CodecContext()
        let chunks = [DataKind.text.bytes(count: 9 << 20), DataKind.random.bytes(count: 3000)]
        let writer = try StandardFormatWriter(format: .lz4, codec: CodecSettings(.lz4), contentSize: UInt64(chunks.reduce(0) { $0 + $1.count }))
        var file = writer.headerBytes
        for chunk in chunks {
            var stored = [UInt8](repeating: 0, count: writer.bound(chunk.count))
            let size = try chunk.withUnsafeBytes { plain in
                try stored.withUnsafeMutableBytes { try writer.encode(plain, into: $0, context: context) }
            }
            file += stored.prefix(size)
        }
        file += try writer.tail([])
        let one = file
        file += [0x5F, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3] + one
        let frames = try file.withUnsafeBytes { try LZ4FrameScan.frames(in: $0) }
        #expect(frames.count == 3)
        #expect(frames[1].kind == .skippable)
        #expect(frames[0].blocks.count == 4, "9 MiB in 4 MiB blocks, then the random chunk")
        #expect(frames[0].blocks.allSatisfy { $0.checksum != nil })
        #expect(frames[0].blocks.last?.isCompressed == false, "random data is stored as it is")
        let jobs = StandardFormatReader.jobs(frames: frames)
        var decoded: [UInt8] = []
        for job in jobs {
            var plain = [UInt8](repeating: 0, count: job.plainCapacity)
            let stored = Array(file[Int(job.offset)..<Int(job.offset) + job.storedSize])
            let count = try stored.withUnsafeBytes { stored in
                try plain.withUnsafeMutableBytes { try StandardFormatReader.decode(job, stored: stored, into: $0, context: context) }
            }
            decoded += plain.prefix(count)
        }
        #expect(decoded == chunks[0] + chunks[1] + chunks[0] + chunks[1])
        // A flipped bit in a block fails its checksum; a truncated file is corrupt.
        var flipped = one
        flipped[one.count / 2] ^= 0x10
        let flippedFrames = try flipped.withUnsafeBytes { try LZ4FrameScan.frames(in: $0) }
        #expect(Outcome {
            for job in StandardFormatReader.jobs(frames: flippedFrames) {
                var plain = [UInt8](repeating: 0, count: job.plainCapacity)
                let stored = Array(flipped[Int(job.offset)..<Int(job.offset) + job.storedSize])
                _ = try stored.withUnsafeBytes { stored in
                    try plain.withUnsafeMutableBytes { try StandardFormatReader.decode(job, stored: stored, into: $0, context: context) }
                }
            }
        } == .rejected(.corrupt))
        for cut in [1, 4, 9, one.count / 2] {
            #expect(Outcome { _ = try Array(one.dropLast(cut)).withUnsafeBytes { try LZ4FrameScan.frames(in: $0) } } == .rejected(.corrupt))
        }
    }

    @Test func formatNamesAndMagic() {
        #expect(ContainerKind.named(by: "a/b.tar.zst") == .zstd)
        #expect(ContainerKind.named(by: "x.lz4") == .lz4)
        #expect(ContainerKind.named(by: "x.slc") == nil)
        #expect(ContainerKind.detect([0x28, 0xB5, 0x2F, 0xFD]) == .zstd)
        #expect(ContainerKind.detect([0x04, 0x22, 0x4D, 0x18]) == .lz4)
        #expect(ContainerKind.detect([0x02, 0x21, 0x4C, 0x18]) == .lz4)
        #expect(ContainerKind.detect([0x89, 0x53, 0x4C, 0x43, 0x0D, 0x0A, 0x1A, 0x0A]) == .slc)
        #expect(ContainerKind.detect([0x5E, 0x2A, 0x4D, 0x18]) == nil)
        #expect(ContainerKind.startsWithSkippableFrame([0x5E, 0x2A, 0x4D, 0x18]))
        #expect(Pipeline.unpackedName(for: "d/a.tar.zst") == "d/a.tar")
        #expect(Pipeline.unpackedName(for: "a.lz4") == "a")
        #expect(Pipeline.unpackedName(for: ".zst") == nil)
    }
}
