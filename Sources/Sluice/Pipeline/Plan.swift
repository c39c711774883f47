/// How a run is cut up and spread: chunk size, worker count and the in-flight window, with the
/// reasons for each choice (`sluice pack --explain`).
///
/// The defaults come from the measured curves in docs/performance.md: 4 MiB chunks keep lz4hc and
/// brotli within 1% of a single stream's ratio, 8 MiB zstd chunks (each with a window covering it)
/// match `zstd -T0`'s, while giving every core work; smaller inputs get
/// smaller chunks so that both cores still have something to do.
package struct Plan: Sendable, CustomStringConvertible {
    /// Plaintext bytes per chunk.
    var chunkSize: Int
    /// CPU-pool workers the run uses.
    var workers: Int
    /// Chunks in flight at once (read, being processed, or waiting to be written).
    var window: Int
    /// One line per decision.
    var reasons: [String]

    /// The chunk sizes `.slc` allows (``ContainerKind/slc``).
    package static var chunkSizes: ClosedRange<Int> { ContainerKind.slc.traits.chunkSizes }

    /// The default chunk size for large inputs.
    static let defaultChunkSize = 4 << 20
    /// The smallest chunk the planner picks on its own (a user may go down to 4 KiB).
    static let minimumAutoChunkSize = 256 << 10

    /// Memory one in-flight chunk needs: plaintext buffer plus the worst-case frame.
    static func slotMemory(chunkSize: Int, codec: Codec) -> Int {
        chunkSize + codec.bound(chunkSize) + 64
    }

    /// Chooses a plan.
    ///
    /// - Parameters:
    ///   - inputSize: the plaintext size when known (a regular file), `nil` for a pipe.
    ///   - chunkSize: the user's chunk size; wins over the automatic choice.
    ///   - workers: the user's worker count; wins over the automatic choice.
    ///   - memoryLimit: the budget for chunk buffers; the window, then the workers, shrink to fit it.
    static func make(
        inputSize: Int?, codec: CodecSettings, format kind: ContainerKind = .slc, cores: Int = WorkerPool.availableCores,
        chunkSize: Int? = nil, workers: Int? = nil, memoryLimit: ByteCount? = nil
    ) throws -> Plan {
        let format = kind.format.traits
        var reasons: [String] = []
        var workerCount = workers ?? cores
        if workers != nil {
            reasons.append("workers: \(workerCount) (--workers)")
        } else {
            reasons.append("workers: \(workerCount), one per available core")
        }
        guard workerCount >= 1, workerCount <= 1024 else { throw SluiceError.invalid("workers must be 1…1024") }

        var chunk: Int
        if let chunkSize {
            guard format.allows(chunkSize) else {
                throw SluiceError.invalid(
                    "chunk size must be between \(ByteCount(bytes: format.chunkSizes.lowerBound)) and \(ByteCount(bytes: format.chunkSizes.upperBound))"
                        + (format.chunkSizeMultiple > 1 ? ", a multiple of \(ByteCount(bytes: format.chunkSizeMultiple))" : ""))
            }
            chunk = chunkSize
            reasons.append("chunk size: \(ByteCount(bytes: chunk)) (--chunk-size)")
        } else if let inputSize, inputSize < largestAutoChunkSize(codec) * workerCount * chunksPerWorker(codec) {
            // Aim for at least two chunks per worker (four for slow codecs, whose last chunk would
            // otherwise keep one core busy for seconds alone) so no core idles at the end of the input.
            let perWorker = chunksPerWorker(codec)
            let target = max(minimumAutoChunkSize, inputSize / (workerCount * perWorker))
            // Round down to a power of two: rounding up would leave fewer chunks per worker.
            chunk = min(largestAutoChunkSize(codec), 1 << (Int.bitWidth - 1 - target.leadingZeroBitCount))
            let chunks = max(1, (inputSize + chunk - 1) / chunk)
            if chunks >= workerCount * perWorker {
                reasons.append(
                    "chunk size: \(ByteCount(bytes: chunk)), so a \(ByteCount(bytes: inputSize)) input gives each worker \(perWorker) or more chunks\(perWorker > 2 ? " (\(codec) is slow)" : "")")
            } else {
                // Too small to share: say so instead of promising every worker chunks it will not get.
                let share = chunks == 1 ? "one chunk, for one worker" : "\(chunks) chunks, fewer than \(perWorker) per worker"
                reasons.append("chunk size: \(ByteCount(bytes: chunk)), the smallest automatic size: a \(ByteCount(bytes: inputSize)) input is \(share)")
            }
        } else if largestAutoChunkSize(codec) < defaultChunkSize {
            chunk = largestAutoChunkSize(codec)
            reasons.append("chunk size: \(ByteCount(bytes: chunk)): \(codec.codec) looks back 64 KiB at most, so smaller chunks cost no ratio and run faster")
        } else if largestAutoChunkSize(codec) > defaultChunkSize {
            chunk = largestAutoChunkSize(codec)
            reasons.append("chunk size: \(ByteCount(bytes: chunk)): zstd chunks this long, each with a window covering it, make a file no larger than zstd -T0's")
        } else {
            chunk = defaultChunkSize
            reasons.append("chunk size: \(ByteCount(bytes: chunk)), the measured sweet spot (ratio within 1% of one stream)")
        }

        if chunkSize == nil, !format.allows(chunk), let fitting = format.fitting(chunk) {
            chunk = fitting
            reasons.append("chunk size: \(ByteCount(bytes: chunk)), the nearest the format allows")
        }

        let slot = slotMemory(chunkSize: chunk, codec: codec.codec)
        let (window, fittedWorkers) = try fit(
            workers: workerCount, slotMemory: slot, memoryLimit: memoryLimit, workersFixed: workers != nil,
            what: "\(ByteCount(bytes: chunk)) chunks\(chunkSize != nil ? " (--chunk-size)" : "")", reasons: &reasons)
        workerCount = fittedWorkers
        reasons.append("window: \(window) chunks in flight, about \(ByteCount(bytes: window * slot)) of buffers")
        return Plan(chunkSize: chunk, workers: workerCount, window: window, reasons: reasons)
    }

    /// The plan for decoding a file whose frames hold up to `chunkSize` plaintext bytes in frames of up
    /// to `frameSize` bytes: the same window rule as packing, within `memoryLimit`.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when two chunks of this file do not fit in
    ///   `memoryLimit`.
    static func decoding(chunkSize: Int, frameSize: Int, workers: Int, memoryLimit: ByteCount?) throws -> Plan {
        var reasons: [String] = []
        let (window, fitted) = try fit(
            workers: workers, slotMemory: chunkSize + frameSize, memoryLimit: memoryLimit, workersFixed: true,
            what: "this file's \(ByteCount(bytes: chunkSize)) chunks", reasons: &reasons)
        return Plan(chunkSize: chunkSize, workers: fitted, window: window, reasons: reasons)
    }

    /// The window for `workers` when memory does not limit it.
    static func fullWindow(workers: Int) -> Int { 2 * workers + 2 }

    /// The in-flight window, the one place it is computed: two chunks per worker keep every worker busy
    /// while the writer drains, and two more cover the chunk being read and the one being written; it
    /// shrinks (and then, unless they were given, the workers) to fit `memoryLimit`, never below two.
    ///
    /// - Throws: ``SluiceError/Code/invalidArgument`` when even two slots exceed `memoryLimit`: the
    ///   limit is never exceeded silently.
    private static func fit(
        workers: Int, slotMemory slot: Int, memoryLimit: ByteCount?, workersFixed: Bool, what: String,
        reasons: inout [String]
    ) throws -> (window: Int, workers: Int) {
        var window = fullWindow(workers: workers)
        var workerCount = workers
        guard let memoryLimit else { return (window, workerCount) }
        let fitting = memoryLimit.bytes / slot
        guard fitting >= 2 else {
            throw SluiceError.invalid(
                "--memory-limit \(memoryLimit) is too small for \(what): two chunk buffers need \(ByteCount(bytes: 2 * slot))")
        }
        if fitting < window {
            window = fitting
            if !workersFixed, window - 1 < workerCount {
                workerCount = max(1, window - 1)
                reasons.append("workers: reduced to \(workerCount) to fit --memory-limit \(memoryLimit)")
            }
            reasons.append("window: \(window) chunks to fit --memory-limit \(memoryLimit)")
        }
        return (window, workerCount)
    }

    /// The reasons, one per line (`--explain`).
    package var description: String { reasons.joined(separator: "\n") }

    /// The largest chunk the planner picks: 2 MiB for `store` and `lz4`, whose output does not depend on
    /// the chunk size beyond 64 KiB (lz4's window) and which ran 3% faster packing with 2 MiB chunks than
    /// with 4 MiB (less cache traffic per chunk; docs/performance.md); 8 MiB for zstd, whose window then
    /// covers each chunk and whose output is then no larger than `zstd -T0`'s (docs/performance.md,
    /// "Ratio: the window and the chunk size"); 4 MiB for the other codecs whose ratio gains from long chunks.
    static func largestAutoChunkSize(_ codec: CodecSettings) -> Int {
        switch codec.codec {
        case .store, .lz4: 2 << 20
        case .zstd: 2 * defaultChunkSize
        case .lz4hc, .brotli: defaultChunkSize
        }
    }

    /// Chunks each worker should get from an input small enough to choose for: 4 for the slow stages
    /// (below ~60 MB/s per core: brotli ≥ 6, zstd ≥ 10, lz4hc ≥ 9), 2 for the rest.
    static func chunksPerWorker(_ codec: CodecSettings) -> Int {
        switch codec.codec {
        case .brotli: codec.level >= 6 ? 4 : 2
        case .zstd: codec.level >= 10 ? 4 : 2
        case .lz4hc: codec.level >= 9 ? 4 : 2
        case .lz4, .store: 2
        }
    }
}
