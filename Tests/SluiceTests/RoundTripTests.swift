import SystemPackage
import Testing
@testable import Sluice
@testable import SluiceBench

/// One combination of the round-trip matrix.
struct RoundTripCase: Sendable, CustomTestStringConvertible {
    var codec: Codec
    var cipher: Cipher
    var size: Int
    var kind: DataKind

    var testDescription: String { "\(codec.rawValue) + \(cipher.rawValue), \(size) B of \(kind.rawValue)" }

    static let chunk = Harness.chunkSize
    /// Empty, one byte, around one chunk boundary, and several chunks with a ragged end.
    static let sizes = [0, 1, chunk - 1, chunk, chunk + 1, 5 * chunk + 123]

    static let all: [RoundTripCase] = Codec.allCases.flatMap { codec in
        Cipher.allCases.flatMap { cipher in
            sizes.flatMap { size in DataKind.allCases.map { RoundTripCase(codec: codec, cipher: cipher, size: size, kind: $0) } }
        }
    }

    /// The plaintext size of each frame the file must have: full chunks, then the rest; one empty
    /// frame for an empty input.
    var framePlainSizes: [Int] {
        if size == 0 { return [0] }
        return stride(from: 0, to: size, by: RoundTripCase.chunk).map { min(RoundTripCase.chunk, size - $0) }
    }
}

/// Pack then unpack through file descriptors, over every codec × cipher × size × kind of data.
@Suite struct RoundTripTests {
    @Test(arguments: RoundTripCase.all)
    func packThenUnpack(_ c: RoundTripCase) throws {
        let data = c.kind.bytes(count: c.size)
        let key: KeySource? = c.cipher == .none ? nil : Harness.key
        let (packed, packReport) = try Harness.pack(data, options: try Harness.options(c.codec, c.cipher))
        let (restored, unpackReport) = try Harness.unpack(packed, key: key)

        #expect(restored == data)
        let frames = c.framePlainSizes
        #expect(packReport.chunks == UInt64(frames.count))
        #expect(unpackReport.chunks == UInt64(frames.count))
        #expect(packReport.plainBytes == UInt64(c.size))
        #expect(unpackReport.plainBytes == UInt64(c.size))
        #expect(packReport.packedBytes == UInt64(packed.count))
        #expect(unpackReport.packedBytes == UInt64(packed.count))
        #expect(unpackReport.info.codec.codec == c.codec)
        #expect(unpackReport.info.cipher == c.cipher)
        #expect(unpackReport.info.metadata == Harness.metadata(size: c.size))

        // The frames, read as the spec lays them out, carry exactly the expected plain lengths.
        let layout = try SlcLayout(packed)
        #expect(layout.frames.map { Int(packed.littleEndian(at: $0.lowerBound + 4, as: UInt32.self)) } == frames)

        // Which frames are stored raw follows from the data, not from the code: random bytes and `store`
        // never shrink, long runs of zeros always do (by far more than the 1/64 threshold).
        let expectedRaw: Int = switch (c.codec, c.kind) {
        case (.store, _), (_, .random): frames.count
        case (_, .zeros): frames.filter { $0 < 64 }.count
        case (_, .text): -1  // depends on the codec's ratio on a short text; not asserted
        }
        if expectedRaw >= 0 { #expect(packReport.rawChunks == UInt64(expectedRaw)) }

        // Encryption must hide the plaintext: no 48-byte run of the text survives in the file.
        if c.cipher != .none, c.kind == .text, c.size >= 48 {
            #expect(!packed.contains(subsequence: Array(data.prefix(48))))
            #expect(!packed.contains(subsequence: Array(data.suffix(48))))
        }
    }

    /// Many more chunks than workers: frames finish out of order and must still be written, and
    /// restored, in order.
    @Test(arguments: [Codec.zstd, .lz4], [Cipher.none, .aes256gcm])
    func manyChunksStayInOrder(codec: Codec, cipher: Cipher) throws {
        // Mixed content so that frames take different times: text, then random, then zeros, repeated.
        var data: [UInt8] = []
        for i in 0..<12 {
            data += DataKind.allCases[i % 3].bytes(count: 17 * Harness.chunkSize + i * 77, seed: UInt64(i))
        }
        let (packed, report) = try Harness.pack(data, options: try Harness.options(codec, cipher))
        #expect(report.chunks == UInt64((data.count + Harness.chunkSize - 1) / Harness.chunkSize))
        #expect(try Harness.unpack(packed, key: cipher == .none ? nil : Harness.key).bytes == data)
    }
}

/// Passphrases, checksum kinds and pipes: the less common ways in and out.
@Suite struct RoundTripVariantTests {
    @Test(arguments: [Cipher.aes256gcm, .chacha20poly1305])
    func passphrase(cipher: Cipher) throws {
        let data = DataKind.text.bytes(count: 3 * Harness.chunkSize + 10)
        let (packed, _) = try Harness.pack(data, options: try Harness.options(.zstd, cipher, key: Harness.passphrase))
        // The header records scrypt with the cost it was packed with (docs/format.md, "Key block").
        #expect(packed[SlcLayout.HeaderField.kdf] == 1)
        #expect(packed[SlcLayout.HeaderField.scryptLogN] == 10)
        #expect(packed[SlcLayout.HeaderField.scryptR] == 8)
        #expect(packed[SlcLayout.HeaderField.scryptP] == 1)
        let (restored, report) = try Harness.unpack(packed, key: Harness.passphrase)
        #expect(restored == data)
        #expect(report.info.keyDerivation?.hasPrefix("scrypt (log2 N = 10") == true)
    }

    @Test(arguments: [ChecksumKind.xxh3, .sha256], Cipher.allCases)
    func checksumKinds(checksum: ChecksumKind, cipher: Cipher) throws {
        let data = DataKind.text.bytes(count: 2 * Harness.chunkSize + 1)
        let (packed, _) = try Harness.pack(data, options: try Harness.options(.lz4hc, cipher, checksum: checksum))
        let layout = try SlcLayout(packed)
        // Per-frame checksum and whole-file digest sizes from the spec: XXH3 8/16, SHA-256 32/32, and
        // the 4-byte payload check only without a cipher.
        #expect(packed[SlcLayout.HeaderField.checksum] == (checksum == .xxh3 ? 1 : 2))
        #expect(layout.frameHeaderSize == 9 + (cipher == .none ? 4 : 0) + (checksum == .xxh3 ? 8 : 32))
        #expect(layout.digestSize == (checksum == .xxh3 ? 16 : 32))
        #expect(try Harness.unpack(packed, key: cipher == .none ? nil : Harness.key).bytes == data)
    }

    /// With a cipher the default is no plaintext checksum: the AEAD tags authenticate every frame.
    @Test(arguments: [Cipher.aes256gcm, .chacha20poly1305])
    func cipherWithoutChecksum(cipher: Cipher) throws {
        let data = DataKind.random.bytes(count: Harness.chunkSize + 5)
        let (packed, _) = try Harness.pack(data, options: try Harness.options(.brotli, cipher))
        #expect(packed[SlcLayout.HeaderField.checksum] == 0)
        #expect(try SlcLayout(packed).frameHeaderSize == 9)
        #expect(try Harness.unpack(packed, key: Harness.key).bytes == data)
    }

    /// Without a cipher something must detect corruption, so `checksum none` is refused.
    @Test func noCipherNoChecksumIsRefused() throws {
        #expect(
            Outcome { _ = try Harness.pack([1, 2, 3], options: try Harness.options(.zstd, .none, checksum: ChecksumKind.none)) }
                == .rejected(.invalidArgument))
    }

    /// Encryption without a key is a usage error, found before anything is written.
    @Test func cipherWithoutKeyIsRefused() throws {
        var options = try Harness.options(.zstd, .aes256gcm)
        options.key = nil
        #expect(Outcome { _ = try Harness.pack([1, 2, 3], options: options) } == .rejected(.invalidArgument))
    }

    /// Pipes are read front to back and cannot seek: pack from one and unpack from another. The larger
    /// size does not fit a pipe's buffer, so reader and writer must really take turns.
    @Test(arguments: [(Codec.zstd, Cipher.none), (.store, .chacha20poly1305)], [5 * Harness.chunkSize + 123, 300_001])
    func pipes(stages: (codec: Codec, cipher: Cipher), size: Int) throws {
        let (codec, cipher) = stages
        let data = DataKind.text.bytes(count: size)
        let key: KeySource? = cipher == .none ? nil : Harness.key
        let (packed, report) = try Harness.pack(data, options: try Harness.options(codec, cipher), viaPipe: true)
        #expect(report.plainBytes == UInt64(size))
        let (restored, unpacked) = try Harness.unpack(packed, key: key, viaPipe: true)
        #expect(restored == data)
        // From a pipe the size is not known in advance: the header says so.
        #expect(unpacked.info.metadata?.size == nil)
        // The same bytes also unpack from a seekable file.
        #expect(try Harness.unpack(packed, key: key).bytes == data)
    }

    /// An empty pipe gives a valid file with one empty final frame.
    @Test func emptyPipe() throws {
        let (packed, report) = try Harness.pack([], options: try Harness.options(.zstd), viaPipe: true)
        #expect(report.chunks == 1)
        #expect(try Harness.unpack(packed, key: nil, viaPipe: true).bytes == [])
    }

    /// Files without metadata (`--no-keep-metadata`) round-trip too, and their header has flag bit 0 clear.
    @Test(arguments: [Cipher.none, .aes256gcm])
    func withoutMetadata(cipher: Cipher) throws {
        let data = DataKind.zeros.bytes(count: 9000)
        let output = try ScratchFile(), input = try ScratchFile(data)
        let options = try Harness.options(.zstd, cipher)
        _ = try Pipeline.pack(
            from: input.descriptor, inputSize: data.count, to: output.descriptor, options: options, metadata: nil,
            plan: try options.plan(inputSize: data.count), pool: Harness.pool)
        let packed = try output.contents()
        #expect(packed[SlcLayout.HeaderField.flags] == 0)
        let (restored, report) = try Harness.unpack(packed, key: cipher == .none ? nil : Harness.key)
        #expect(restored == data)
        #expect(report.info.metadata == nil)
    }

    /// Two files packed from the same data with the same key differ completely (fresh salt, fresh keys).
    @Test func sameInputEncryptsDifferently() throws {
        let data = DataKind.zeros.bytes(count: 5000)
        let a = try Harness.packed(data, .store, .aes256gcm), b = try Harness.packed(data, .store, .aes256gcm)
        let layoutA = try SlcLayout(a), layoutB = try SlcLayout(b)
        #expect(a[layoutA.payload(of: 0)].elementsEqual(b[layoutB.payload(of: 0)]) == false)
        #expect(a[SlcLayout.HeaderField.salt] != b[SlcLayout.HeaderField.salt])
    }

    /// Level and window settings are recorded and honoured (brotli's window, zstd's negative levels).
    @Test(arguments: [
        try! CodecSettings(.zstd, level: -7), try! CodecSettings(.zstd, level: 19), try! CodecSettings(.lz4, level: 65537),
        try! CodecSettings(.lz4hc, level: 12), try! CodecSettings(.brotli, level: 0, window: 10),
        try! CodecSettings(.brotli, level: 11, window: 24),
    ])
    func codecSettings(settings: CodecSettings) throws {
        var options = try Harness.options(settings.codec)
        options.codec = settings
        let data = DataKind.text.bytes(count: 2 * Harness.chunkSize + 99)
        let (packed, _) = try Harness.pack(data, options: options)
        #expect(Int(packed[SlcLayout.HeaderField.window]) == (settings.codec == .brotli ? settings.window : 0))
        #expect(Int(packed.littleEndian(at: SlcLayout.HeaderField.level.lowerBound, as: Int32.self)) == settings.level)
        let (restored, report) = try Harness.unpack(packed, key: nil)
        #expect(restored == data)
        #expect(report.info.codec == settings)
    }
}
