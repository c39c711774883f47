import Sluice
import SystemPackage
import Testing

/// zstd and LZ4 files read through the generic engine (``FormatReader``, docs/architecture.md, "The
/// standard formats"): a file whose jobs fit the memory limit two at a time is decoded in parallel from
/// its located jobs (the report carries the run's statistics); one whose jobs do not fit, or a pipe, is
/// decoded front to back (no statistics) — the same bytes either way, within the limit.
@Suite struct StandardReaderTests {
    static let original = DataKind.text.bytes(count: 6 << 20)

    @Test(arguments: [ContainerKind.zstd, .lz4])
    func locatedJobsOrStreamedWithinTheMemoryLimit(format: ContainerKind) throws {
        try withTemporaryDirectory { directory in
            let plain = directory.appending("plain")
            try writeFile(plain, Self.original)
            var options = PackOptions(codec: try CodecSettings(format == .zstd ? .zstd : .lz4))
            options.format = format
            options.chunkSize = 1 << 20
            let packed = directory.appending("packed\(format.fileExtension)")
            let written = try Pipeline.packFile(plain, to: .file(packed, overwrite: false), options: options)
            #expect(written.chunks == 6)

            // Room for every job: parallel, one frame per 1 MiB chunk (zstd) or the one LZ4 frame.
            let parallel = directory.appending("parallel")
            let wide = try Pipeline.unpackFile(packed, to: .file(parallel, overwrite: false), key: { _ in nil }, workers: 2)
            #expect(try readFile(parallel) == Self.original)
            #expect(wide.statistics != nil, "decoded from located jobs")
            #expect(wide.chunks == (format == .zstd ? 6 : 1))
            #expect(wide.packedBytes == written.packedBytes)

            // Two jobs (a 1 MiB zstd frame and its stored bytes, or 4 MiB of LZ4 blocks) do not fit in 2 MiB:
            // streamed, same bytes.
            let narrow = directory.appending("narrow")
            let streamed = try Pipeline.unpackFile(
                packed, to: .file(narrow, overwrite: false), key: { _ in nil }, workers: 2, memoryLimit: ByteCount(bytes: 2 << 20))
            #expect(try readFile(narrow) == Self.original)
            #expect(streamed.statistics == nil, "decoded front to back")
            #expect(streamed.packedBytes == written.packedBytes)

            // A range through the located jobs and through the stream gives the same bytes.
            for limit in [nil, ByteCount(bytes: 2 << 20)] {
                let part = directory.appending("part-\(limit == nil ? "wide" : "narrow")")
                _ = try Pipeline.unpackFile(
                    packed, to: .file(part, overwrite: false), key: { _ in nil }, workers: 2, memoryLimit: limit,
                    range: 1_500_000..<3_700_000)
                #expect(try readFile(part) == Array(Self.original[1_500_000..<3_700_000]))
            }
        }
    }

    /// A file that starts with a skippable frame (legal in zstd and LZ4 alike, claimed by neither magic) is
    /// named by the first frame after it, and its reader skips it: the same bytes come out.
    @Test(arguments: [ContainerKind.zstd, .lz4])
    func aLeadingSkippableFrameIsSkipped(format: ContainerKind) throws {
        try withTemporaryDirectory { directory in
            let plain = directory.appending("plain")
            let original = Array(Self.original.prefix(300_000))
            try writeFile(plain, original)
            var options = PackOptions(codec: try CodecSettings(format == .zstd ? .zstd : .lz4))
            options.format = format
            let packed = directory.appending("packed\(format.fileExtension)")
            _ = try Pipeline.packFile(plain, to: .file(packed, overwrite: false), options: options)
            // Magic 0x184D2A53, 5 bytes of user data.
            let skippable: [UInt8] = [0x53, 0x2A, 0x4D, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]
            let prefixed = directory.appending("prefixed\(format.fileExtension)")
            try writeFile(prefixed, skippable + (try readFile(packed)))
            let out = directory.appending("out")
            let report = try Pipeline.unpackFile(prefixed, to: .file(out, overwrite: false), key: { _ in nil })
            #expect(report.info.format == format)
            #expect(try readFile(out) == original)
            guard case .standard(let layout) = try Pipeline.inspectFile(prefixed) else { Issue.record("not a standard file"); return }
            #expect(layout.format == format)
        }
    }
}
