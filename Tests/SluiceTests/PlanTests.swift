import Testing
@testable import Sluice

/// `Plan.make`: chunk size, worker count and window, from the input size, the cores, the user's
/// overrides and the memory limit.
@Suite struct PlanTests {
    static let zstd = try! CodecSettings(.zstd)
    static let unlimited = ByteCount.gibibytes(1024)

    @Test func overridesWin() throws {
        let plan = try Plan.make(
            inputSize: 10 << 30, codec: Self.zstd, cores: 8, chunkSize: 64 << 10, workers: 3, memoryLimit: Self.unlimited)
        #expect(plan.chunkSize == 64 << 10)
        #expect(plan.workers == 3)
        #expect(plan.window == 2 * 3 + 2)
        // A user's chunk size wins for small inputs too, down to the format's minimum.
        #expect(try Plan.make(inputSize: 10, codec: Self.zstd, cores: 2, chunkSize: 4096).chunkSize == 4096)
    }

    @Test(arguments: [4095, 0, (256 << 20) + 1])
    func rejectsChunkSizeOutsideFormat(chunkSize: Int) {
        #expect(Outcome { _ = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 2, chunkSize: chunkSize) } == .rejected(.invalidArgument))
    }

    @Test(arguments: [0, -1, 1025])
    func rejectsWorkerCount(workers: Int) {
        #expect(Outcome { _ = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 2, workers: workers) } == .rejected(.invalidArgument))
    }

    /// Without overrides: one worker per core, the largest automatic chunk for pipes and large inputs.
    @Test(arguments: [nil, 1 << 40] as [Int?])
    func defaultsForLargeOrUnknownInputs(inputSize: Int?) throws {
        let plan = try Plan.make(inputSize: inputSize, codec: Self.zstd, cores: 6, memoryLimit: Self.unlimited)
        #expect(plan.chunkSize == Plan.largestAutoChunkSize(Self.zstd))
        #expect(plan.workers == 6)
        #expect(plan.window == 14)
    }

    /// Small inputs get smaller chunks (never below the planner's minimum), powers of two, growing with the input.
    @Test func smallInputsGetSmallerChunks() throws {
        var previous = 0
        for inputSize in [0, 1, 100_000, 1 << 20, 3 << 20, 5 << 20, 7 << 20, 10 << 20, 15 << 20, 16 << 20, 100 << 20] {
            let chunk = try Plan.make(inputSize: inputSize, codec: Self.zstd, cores: 2, memoryLimit: Self.unlimited).chunkSize
            #expect(chunk >= Plan.minimumAutoChunkSize && chunk <= Plan.largestAutoChunkSize(Self.zstd), "\(inputSize) B → \(chunk)")
            #expect(chunk & (chunk - 1) == 0, "\(inputSize) B → \(chunk) is not a power of two")
            #expect(chunk >= previous, "\(inputSize) B → \(chunk), smaller than for a smaller input")
            previous = chunk
        }
        #expect(try Plan.make(inputSize: 1 << 20, codec: Self.zstd, cores: 2).chunkSize == Plan.minimumAutoChunkSize)
        #expect(try Plan.make(inputSize: 1 << 20, codec: Self.zstd, cores: 2).chunkSize < Plan.largestAutoChunkSize(Self.zstd))
    }

    /// The planner promises (in its comment and its `--explain` reason) that a small input gives every
    /// worker two or more chunks; that must hold whenever the minimum chunk size leaves room for it.
    @Test(arguments: [2, 4, 8])
    func smallInputsGiveEveryWorkerTwoChunks(cores: Int) throws {
        let low = 2 * cores * Plan.minimumAutoChunkSize, high = 2 * cores * Plan.largestAutoChunkSize(Self.zstd)
        var failures: [String] = []
        for inputSize in stride(from: low, to: high, by: (high - low) / 97) {
            let plan = try Plan.make(inputSize: inputSize, codec: Self.zstd, cores: cores, memoryLimit: Self.unlimited)
            let chunks = (inputSize + plan.chunkSize - 1) / plan.chunkSize
            if chunks < 2 * plan.workers { failures.append("\(inputSize) B → \(plan.chunkSize) B chunks, \(chunks) chunks for \(plan.workers) workers") }
        }
        #expect(failures.count == 0, "e.g. \(failures.prefix(3))")
    }

    /// A memory limit shrinks the window, then (unless the user fixed it) the worker count, to fit.
    @Test func memoryLimitShrinksWindow() throws {
        let slot = Plan.slotMemory(chunkSize: Plan.largestAutoChunkSize(Self.zstd), codec: .zstd)
        let roomy = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 4, memoryLimit: .bytes(100 * slot))
        #expect(roomy.window == 10)
        #expect(roomy.workers == 4)

        let five = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 4, memoryLimit: .bytes(5 * slot + 1))
        #expect(five.window == 5)
        #expect(five.workers == 4)
        #expect(five.window * slot <= 5 * slot + 1)

        let three = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 4, memoryLimit: .bytes(3 * slot))
        #expect(three.window == 3)
        #expect(three.workers == 2)

        // A worker count the user chose is kept; only the window shrinks.
        let fixed = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 4, workers: 4, memoryLimit: .bytes(3 * slot))
        #expect(fixed.window == 3)
        #expect(fixed.workers == 4)
    }

    /// Below two chunks of memory an automatic plan cannot work and says so.
    @Test func memoryLimitTooSmall() throws {
        let slot = Plan.slotMemory(chunkSize: Plan.largestAutoChunkSize(Self.zstd), codec: .zstd)
        #expect(Outcome { _ = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 2, memoryLimit: .bytes(slot)) } == .rejected(.invalidArgument))
    }

    /// The slot size accounts for the worst case of each codec: brotli/zstd/lz4 bounds exceed the chunk.
    @Test(arguments: Codec.allCases)
    func slotMemoryCoversWorstCase(codec: Codec) {
        let chunk = 1 << 20
        #expect(Plan.slotMemory(chunkSize: chunk, codec: codec) >= 2 * chunk)
        #expect(codec.bound(chunk) >= chunk)
    }

    /// `PackOptions` passes its overrides through to the plan.
    @Test func packOptionsPlan() throws {
        var options = PackOptions(codec: Self.zstd)
        options.chunkSize = 1 << 16
        options.workers = 5
        let plan = try options.plan(inputSize: 123)
        #expect(plan.chunkSize == 1 << 16)
        #expect(plan.workers == 5)
    }
}

@Suite struct PlanStageMixTests {
    /// A slow codec gets four chunks per worker where a fast one gets two, from the same input.
    @Test func slowCodecsGetMoreChunksPerWorker() throws {
        let size = 20 << 20
        let fast = try Plan.make(inputSize: size, codec: try CodecSettings(.zstd, level: 3), cores: 2)
        let slow = try Plan.make(inputSize: size, codec: try CodecSettings(.brotli, level: 9), cores: 2)
        #expect(fast.chunkSize == 4 << 20)
        #expect(slow.chunkSize == 2 << 20)
        #expect(size / slow.chunkSize >= 4 * 2)
        #expect(slow.reasons.contains { $0.contains("is slow") })
    }

    /// store and lz4 (whose output does not depend on the chunk size) top out at 2 MiB chunks, zstd
    /// at 8 MiB, the other codecs that gain from long chunks at 4 MiB; small inputs still get two
    /// chunks per worker.
    @Test(arguments: [(Codec.store, 2 << 20), (.lz4, 2 << 20), (.lz4hc, 4 << 20), (.zstd, 8 << 20), (.brotli, 4 << 20)])
    func largestAutomaticChunk(codec: Codec, expected: Int) throws {
        let settings = try CodecSettings(codec)
        for size in [nil, 1 << 30] as [Int?] {
            let plan = try Plan.make(inputSize: size, codec: settings, cores: 2, memoryLimit: ByteCount(bytes: 1 << 40))
            #expect(plan.chunkSize == expected, "\(codec) \(String(describing: size))")
        }
        #expect(try Plan.make(inputSize: 1 << 20, codec: settings, cores: 2).chunkSize == Plan.minimumAutoChunkSize)
        if expected < Plan.defaultChunkSize {
            #expect(try Plan.make(inputSize: nil, codec: settings).reasons.contains { $0.contains("64 KiB") })
        }
    }

    @Test(arguments: [(Codec.brotli, 5, 2), (.brotli, 6, 4), (.zstd, 9, 2), (.zstd, 10, 4), (.lz4hc, 8, 2), (.lz4hc, 9, 4),
                      (.lz4, 1, 2), (.store, 0, 2)])
    func chunksPerWorker(codec: Codec, level: Int, expected: Int) throws {
        #expect(Plan.chunksPerWorker(try CodecSettings(codec, level: level)) == expected)
    }
}

/// `--memory-limit` is never exceeded: an explicit chunk size that cannot fit two buffers is refused,
/// one that can shrinks the window; decoding plans follow the same rule.
@Suite struct PlanMemoryLimitTests {
    static let zstd = try! CodecSettings(.zstd)

    @Test func explicitChunkSizeNeverExceedsTheLimit() throws {
        let chunk = 64 << 20
        let slot = Plan.slotMemory(chunkSize: chunk, codec: .zstd)
        #expect(Outcome { _ = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 4, chunkSize: chunk, memoryLimit: .bytes(2 * slot - 1)) }
                == .rejected(.invalidArgument))
        let plan = try Plan.make(inputSize: nil, codec: Self.zstd, cores: 4, chunkSize: chunk, memoryLimit: .bytes(3 * slot))
        #expect(plan.chunkSize == chunk)
        #expect(plan.window == 3)
        #expect(plan.window * slot <= 3 * slot)
    }

    @Test func decodingPlanFitsTheLimit() throws {
        let roomy = try Plan.decoding(chunkSize: 1 << 20, frameSize: 2 << 20, workers: 4, memoryLimit: .bytes(1 << 30))
        #expect(roomy.window == 10)
        let tight = try Plan.decoding(chunkSize: 1 << 20, frameSize: 2 << 20, workers: 4, memoryLimit: .bytes(4 * (3 << 20)))
        #expect(tight.window == 4)
        #expect(tight.workers == 4)
        #expect(Outcome { _ = try Plan.decoding(chunkSize: 1 << 20, frameSize: 2 << 20, workers: 4, memoryLimit: .bytes(5 << 20)) }
                == .rejected(.invalidArgument))
    }
}
