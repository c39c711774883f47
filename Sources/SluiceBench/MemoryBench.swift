#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import Sluice

/// `--mode memory`: each stage alone over the chunks of a dataset held in memory, on one thread or on
/// N, each thread with its own ``CodecContext`` and ``AEADContext`` (the pool's ``WorkerContext``),
/// as the pipeline runs them — but without reading, writing, framing or checksumming, so the number
/// is the stage's own speed.
///
/// Every buffer is allocated once per cell, before the first pass, and reused by every pass: what
/// is timed is the library call, not page faults.
struct MemoryBench {
    let name: String
    let input: RawBuffer
    let settings: BenchSettings

    init(dataset: BenchDataset, settings: BenchSettings) {
        name = dataset.name
        self.settings = settings
        let input = RawBuffer(capacity: dataset.bytes.count)
        dataset.bytes.withUnsafeBytes { input.bytes.copyMemory(from: $0) }
        input.count = dataset.bytes.count
        self.input = input
    }

    /// One stage's work for one chunk, run on a worker.
    typealias ChunkWork = @Sendable (_ chunk: Int, _ context: WorkerContext) throws -> Void

    /// What a cell does in each direction, and how it checks itself.
    private struct Stage {
        var encode: ChunkWork
        var decode: ChunkWork?
        /// Decoding consumes what encoding produced (in-place ciphers): the directions alternate.
        var inPlace: Bool
        /// Throws when the last decode (or encode, for a checksum) did not give the expected bytes.
        var verify: () throws -> Void
        /// Bytes the encoded form takes.
        var outputBytes: () -> Int
    }

    /// Measures one cell.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when a round trip does not give back the input.
    func run(_ cell: BenchCell) throws -> BenchResult {
        let probe = PeakMemoryProbe()
        let chunkSize = cell.chunkSize.bytes
        let total = input.count
        let ranges = stride(from: 0, to: max(total, 1), by: chunkSize).map { $0..<min($0 + chunkSize, total) }
        let stage = try makeStage(cell.subject, ranges: ranges)
        let pool = WorkerPool.shared(workers: cell.workers)

        func pass(_ work: @escaping ChunkWork) throws { try MemoryBench.runPass(chunks: ranges.count, on: pool, work) }

        for _ in 0..<settings.warmup {
            try pass(stage.encode)
            if let decode = stage.decode { try pass(decode) }
            try stage.verify()
        }
        var encodes: [BenchSample] = []
        var decodes: [BenchSample] = []
        func needsMore(_ samples: [BenchSample]) -> Bool {
            samples.count < settings.runs || samples.reduce(0, { $0 + $1.wall }) < settings.minTime
        }
        while encodes.count < settings.maxRuns, decodes.count < settings.maxRuns {
            let encodeMore = needsMore(encodes)
            let decodeMore = stage.decode != nil && needsMore(decodes)
            guard encodeMore || decodeMore else { break }
            if encodeMore || stage.inPlace || encodes.isEmpty {
                let sample = try BenchClock.measure { try pass(stage.encode) }
                if encodeMore { encodes.append(sample) }
            }
            if let decode = stage.decode, decodeMore || stage.inPlace {
                let sample = try BenchClock.measure { try pass(decode) }
                if decodeMore { decodes.append(sample) }
                try stage.verify()
            } else if stage.decode == nil {
                try stage.verify()
            }
        }
        let output = stage.outputBytes()
        return BenchResult(
            mode: .memory, kind: cell.subject.kind, name: cell.subject.description,
            codec: cell.subject.codecSettings?.codec.rawValue, level: cell.subject.codecSettings?.level,
            cipher: cell.subject.cipherName, dataset: name, inputBytes: total, chunkSize: chunkSize,
            workers: cell.workers, chunks: ranges.count, outputBytes: output,
            ratio: output > 0 ? Double(total) / Double(output) : 0,
            compress: BenchTiming(samples: encodes, bytes: total),
            decompress: decodes.isEmpty ? nil : BenchTiming(samples: decodes, bytes: total),
            peakMemoryBytes: probe.peakIncrease, verified: true)
    }

    private func makeStage(_ subject: BenchSubject, ranges: [Range<Int>]) throws -> Stage {
        let input = self.input
        let total = input.count
        let decoded = RawBuffer(capacity: total)
        decoded.count = total
        func source(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(input[range]) }
        let verifyDecoded = { [name] in
            guard let offset = MemoryBench.firstDifference(decoded.contents, input.contents) else { return }
            throw SluiceError.corrupt("\(subject) on \(name): round trip mismatch at byte \(offset)")
        }

        switch subject {
        case .memcpy, .codec(CodecSettings.store):
            let copy = RawBuffer(capacity: total)
            copy.count = total
            return Stage(
                encode: { chunk, _ in
                    let range = ranges[chunk]
                    if !range.isEmpty { copy[range].copyMemory(from: UnsafeRawBufferPointer(input[range])) }
                },
                decode: { chunk, _ in
                    let range = ranges[chunk]
                    if !range.isEmpty { decoded[range].copyMemory(from: UnsafeRawBufferPointer(copy[range])) }
                },
                inPlace: false, verify: verifyDecoded, outputBytes: { total })

        case .checksum:
            let hashes = RawBuffer(capacity: 8 * ranges.count)
            let expected = ranges.map { XXH3.hash64(UnsafeRawBufferPointer(input[$0])) }
            return Stage(
                encode: { chunk, _ in
                    hashes.bytes.storeBytes(of: XXH3.hash64(UnsafeRawBufferPointer(input[ranges[chunk]])),
                                            toByteOffset: 8 * chunk, as: UInt64.self)
                },
                decode: nil, inPlace: false,
                verify: {
                    for (chunk, value) in expected.enumerated()
                    where hashes.bytes.load(fromByteOffset: 8 * chunk, as: UInt64.self) != value {
                        throw SluiceError.corrupt("xxh3: chunk \(chunk) hashed differently in parallel")
                    }
                },
                outputBytes: { total })

        case .codec(let settings):
            let outputs = ranges.map { RawBuffer(capacity: settings.codec.bound($0.count)) }
            return Stage(
                encode: { chunk, context in
                    let output = outputs[chunk]
                    guard let size = try context.codecs.compress(
                        UnsafeRawBufferPointer(input[ranges[chunk]]), into: output.bytes, settings: settings)
                    else { throw SluiceError(.library, "\(settings.benchName): output did not fit its bound") }
                    output.count = size
                },
                decode: { chunk, context in
                    try context.codecs.decompress(outputs[chunk].contents, into: decoded[ranges[chunk]], codec: settings.codec)
                },
                inPlace: false, verify: verifyDecoded, outputBytes: { outputs.reduce(0) { $0 + $1.count } })

        case .cipher(let cipher):
            let text = RawBuffer(capacity: total)
            text.count = total
            if total > 0 { text.bytes.copyMemory(from: input.contents) }
            let tags = RawBuffer(capacity: 16 * ranges.count)
            let key = try LibCrypto.randomBytes(32)
            // The pipeline authenticates the frame header (12–44 bytes) with every chunk; do the same.
            let aad = [UInt8](repeating: 0x5A, count: 20)
            // A distinct nonce per chunk, as a file's frames have.
            let nonces = ranges.indices.map { [0, 0, 0, 0] + withUnsafeBytes(of: UInt64($0).bigEndian, Array.init) }
            return Stage(
                encode: { chunk, context in
                    try aad.withUnsafeBytes {
                        try context.cipher().seal(
                            text[ranges[chunk]], tag: tags[16 * chunk..<16 * chunk + 16], cipher: cipher, key: key,
                            nonce: nonces[chunk], authenticating: $0)
                    }
                },
                decode: { chunk, context in
                    try aad.withUnsafeBytes {
                        try context.cipher().open(
                            text[ranges[chunk]], tag: UnsafeRawBufferPointer(tags[16 * chunk..<16 * chunk + 16]),
                            cipher: cipher, key: key, nonce: nonces[chunk], authenticating: $0)
                    }
                },
                inPlace: true,
                verify: { [name] in
                    guard let offset = MemoryBench.firstDifference(text.contents, input.contents) else { return }
                    throw SluiceError.corrupt("\(cipher.rawValue) on \(name): round trip mismatch at byte \(offset)")
                },
                outputBytes: { total })

        case .pipeline:
            throw SluiceError.invalid("a pipeline cell needs --mode file")
        }
    }

    /// Runs `work` for every chunk on the pool's threads, chunks handed out one at a time from a
    /// shared counter, and returns when all are done.
    ///
    /// - Throws: the first error any chunk threw.
    static func runPass(chunks: Int, on pool: WorkerPool, _ work: @escaping ChunkWork) throws {
        let cursor = ChunkCursor()
        let done = Monitor<(finished: Int, failure: (any Error)?)>((0, nil))
        let jobs = min(pool.workers, chunks)
        for _ in 0..<jobs {
            pool.submit { context in
                var failure: (any Error)?
                while failure == nil, case let chunk = cursor.take(), chunk < chunks {
                    do { try work(chunk, context) } catch { failure = error }
                }
                done.withLock { state in
                    state.finished += 1
                    if state.failure == nil { state.failure = failure }
                }
            }
        }
        let failure = done.wait { $0.finished == jobs ? .some($0.failure) : nil }
        if let failure { throw failure }
    }

    /// The offset of the first byte where `a` and `b` differ, or `nil` when they are equal.
    static func firstDifference(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int? {
        guard a.count == b.count else { return min(a.count, b.count) }
        guard a.count > 0, memcmp(a.baseAddress!, b.baseAddress!, a.count) != 0 else { return nil }
        return zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
    }
}

/// The next chunk to hand out in a pass, shared by the threads of the pass.
private final class ChunkCursor: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
