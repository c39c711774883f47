import SystemPackage
import Testing
@testable import Sluice
@testable import SluiceBench

/// Pack and unpack with an I/O pool, as the CLI runs them: the chunks of a regular file are read at
/// their offsets by the pool's threads, frames and plaintext are written at their offsets by them, and
/// every read and write holds a token. The result must be the same file the single-reader,
/// single-writer path makes, for every shape of input.
@Suite struct IOPoolPipelineTests {
    static let shapes = [0, 1, Harness.chunkSize - 1, Harness.chunkSize, Harness.chunkSize + 1, 9 * Harness.chunkSize + 17]

    /// Packs `data` from a regular file to a regular file through `io` (``Harness/pack``).
    private func pack(_ data: [UInt8], options: PackOptions, io: IOPool?) throws -> (bytes: [UInt8], report: PackReport) {
        try Harness.pack(data, options: options, io: io)
    }

    /// Unpacks to a regular file, reading through the index and writing at offsets on `io`.
    private func unpack(_ packed: [UInt8], key: KeySource?, io: IOPool?) throws -> (bytes: [UInt8], report: UnpackReport) {
        try Harness.$io.withValue(io) { try Harness.unpack(packed, key: key) }
    }

    @Test(arguments: [Codec.store, .lz4, .zstd], [1, 3])
    func roundTripsEveryShape(codec: Codec, tokens: Int) throws {
        let io = IOPool.shared(tokens: tokens)
        for size in Self.shapes {
            for kind in [DataKind.text, .random] {
                let data = kind.bytes(count: size)
                let options = try Harness.options(codec)
                let pooled = try pack(data, options: options, io: io)
                // Without a cipher the format is deterministic: the same bytes as the one-writer path.
                #expect(pooled.bytes == (try pack(data, options: options, io: nil)).bytes, "\(codec) \(kind) \(size)")
                #expect(pooled.report.plainBytes == UInt64(size))
                #expect(pooled.report.statistics.ioTokens == tokens)
                let restored = try unpack(pooled.bytes, key: nil, io: io)
                #expect(restored.bytes == data, "\(codec) \(kind) \(size)")
                #expect(restored.report.statistics?.ioTokens == tokens)
            }
        }
    }

    @Test(arguments: [Cipher.aes256gcm, .chacha20poly1305])
    func encryptedRoundTrips(cipher: Cipher) throws {
        let io = IOPool.shared(tokens: 2)
        for codec in [Codec.store, .zstd] {
            for size in Self.shapes {
                let data = DataKind.text.bytes(count: size)
                let packed = try pack(data, options: try Harness.options(codec, cipher), io: io).bytes
                // Either path reads what the other wrote.
                #expect(try Harness.unpack(packed, key: Harness.key).bytes == data)
                #expect(try unpack(packed, key: Harness.key, io: io).bytes == data)
                #expect(throws: SluiceError.self) { try unpack(packed, key: Harness.otherKey, io: io) }
            }
        }
    }

    /// A seekable .slc is read through its index: the tamper and truncation suites run both ways, and
    /// this checks that their `indexed` runs really take that path.
    @Test func harnessDecodesThroughTheIndex() throws {
        let data = DataKind.text.bytes(count: 5 * Harness.chunkSize + 7)
        let packed = try Harness.packed(data, .zstd)
        let plain = try Harness.unpack(packed, key: nil)
        #expect(plain.bytes == data)
        #expect(plain.report.statistics?.ioTokens == 1)
        let indexed = try Harness.withIndexedReads { try Harness.unpack(packed, key: nil) }
        #expect(indexed.bytes == data)
        #expect(indexed.report.statistics?.ioTokens == 2)
    }

    /// Header, then at once a trailer whose index lists no frame, with a correct tag, footer and the
    /// digest of nothing: consistent, but no .slc lacks its final frame. Both ways of reading refuse it.
    @Test func anIndexWithoutFramesIsRefused() throws {
        let (_, header) = Crafted.header()
        let digest = try FileDigest(kind: .xxh3).finish(totalSize: 0)
        let bytes = header + Crafted.tail(at: header.count, count: 0, entries: [], digest: digest)
        #expect(Outcome { _ = try Harness.unpack(bytes, key: nil) } == .rejected(.corrupt))
        #expect(Outcome { _ = try Harness.withIndexedReads { try Harness.unpack(bytes, key: nil) } } == .rejected(.corrupt))
    }

    /// Reads and writes wait for a token: the statistics count the waits.
    @Test func readsAndWritesHoldTokens() throws {
        let io = IOPool.shared(tokens: 1)
        let data = DataKind.text.bytes(count: 8 * Harness.chunkSize)
        let packed = try pack(data, options: try Harness.options(.zstd), io: io)
        // 8 chunk reads, 8 frame writes, the header and the trailer.
        #expect(packed.report.statistics.ioTokenWait.count >= 8 + 8 + 2)
        let restored = try unpack(packed.bytes, key: nil, io: io)
        #expect((restored.report.statistics?.ioTokenWait.count ?? 0) >= 8)
    }

    /// The size the caller measured is the size read: a file that is shorter (truncated since) or
    /// longer (grown since) is an I/O error, never a silently shorter or longer .slc.
    @Test func inputOfAnotherSizeThanMeasuredIsRefused() throws {
        let io = IOPool.shared(tokens: 2)
        let data = DataKind.text.bytes(count: 5 * Harness.chunkSize + 3)
        let options = try Harness.options(.zstd)
        for claimed in [data.count + 1, data.count + Harness.chunkSize, data.count - 1, data.count - Harness.chunkSize] {
            let input = try ScratchFile(data)
            let output = try ScratchFile()
            let error = #expect(throws: SluiceError.self) {
                try Pipeline.pack(
                    from: input.descriptor, inputSize: claimed, to: output.descriptor, options: options,
                    metadata: Harness.metadata(size: claimed), plan: try options.plan(inputSize: claimed),
                    pool: Harness.pool, io: io, positional: true)
            }
            #expect(error?.code == .io, "claimed \(claimed)")
            #expect(error?.message.contains("changed size") == true)
        }
    }

    /// Standard input can be a regular file whose position is not at its start (`(head -c 100; sluice
    /// pack) < file`): that one is read from where it stands, as a stream.
    @Test func inputNotAtItsStartIsReadFromItsPosition() throws {
        let io = IOPool.shared(tokens: 2)
        let data = DataKind.text.bytes(count: 3 * Harness.chunkSize + 9)
        let input = try ScratchFile(data)
        try input.descriptor.seek(offset: 100, from: .start)
        let output = try ScratchFile()
        let options = try Harness.options(.lz4)
        let rest = data.count - 100
        _ = try Pipeline.pack(
            from: input.descriptor, inputSize: rest, to: output.descriptor, options: options,
            metadata: Harness.metadata(size: rest), plan: try options.plan(inputSize: rest),
            pool: Harness.pool, io: io, positional: true)
        #expect(try Harness.unpack(try output.contents(), key: nil).bytes == Array(data[100...]))
    }

    /// A read or write that fails on a pool thread fails the run with an I/O error; nothing hangs.
    @Test func failedReadsAndWritesEndTheRun() throws {
        let io = IOPool.shared(tokens: 2)
        let data = DataKind.random.bytes(count: 6 * Harness.chunkSize)
        let options = try Harness.options(.store)
        try withTemporaryDirectory { directory in
            let path = directory.appending("data")
            try writeFile(path, data)
            // Writes to a descriptor opened read-only fail with EBADF.
            let readOnly = try FileDescriptor.open(path, .readOnly)
            defer { _ = try? readOnly.close() }
            let input = try ScratchFile(data)
            let writeError = #expect(throws: SluiceError.self) {
                try Pipeline.pack(
                    from: input.descriptor, inputSize: data.count, to: readOnly, options: options,
                    metadata: nil, plan: try options.plan(inputSize: data.count), pool: Harness.pool, io: io, positional: true)
            }
            #expect(writeError?.code == .io)
            // Reads from a descriptor opened write-only fail the same way.
            let writeOnly = try FileDescriptor.open(path, .writeOnly)
            defer { _ = try? writeOnly.close() }
            let output = try ScratchFile()
            let readError = #expect(throws: SluiceError.self) {
                try Pipeline.pack(
                    from: writeOnly, inputSize: data.count, to: output.descriptor, options: options,
                    metadata: nil, plan: try options.plan(inputSize: data.count), pool: Harness.pool, io: io, positional: true)
            }
            #expect(readError?.code == .io)
            // Unpack: the plaintext writes fail.
            let packed = try pack(data, options: options, io: io).bytes
            let packedInput = try ScratchFile(packed)
            let opened = try Pipeline.readHeader(from: packedInput.descriptor, key: { _ in nil })
            let unpackError = #expect(throws: SluiceError.self) {
                try Pipeline.unpack(opened, from: packedInput.descriptor, to: readOnly, workers: Harness.workers,
                                    pool: Harness.pool, io: io, positional: true)
            }
            #expect(unpackError?.code == .io)
        }
    }

    /// The CLI's files go through the pool: `--io-tokens` is honoured and shown by `--stats`.
    @Test func fileRoundTripWithPool() throws {
        try withTemporaryDirectory { directory in
            let data = DataKind.text.bytes(count: 7 * Harness.chunkSize + 1)
            let source = directory.appending("source")
            try writeFile(source, data)
            let packedPath = directory.appending("source.slc")
            let io = IOPool.shared(tokens: 3)
            let report = try Pipeline.packFile(source, to: .file(packedPath, overwrite: false), options: try Harness.options(.zstd), io: io)
            #expect(report.statistics.ioTokens == 3)
            let restored = directory.appending("restored")
            _ = try Pipeline.unpackFile(packedPath, to: .file(restored, overwrite: false), key: { _ in nil }, io: io)
            #expect(try readFile(restored) == data)
            #expect(try Pipeline.verifyFile(packedPath, key: { _ in nil }, io: io).plainBytes == UInt64(data.count))
        }
    }
}
