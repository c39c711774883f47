import Foundation
import SystemPackage
import Sluice

/// `--mode file`: the real pipeline end to end, `Pipeline.packFile` then `Pipeline.unpackFile` on
/// temporary files, with everything the `sluice` command pays for — reads and writes on the process's
/// I/O pool with the default token count for the directory's storage, framing, checksums, encryption,
/// the atomic rename — except the key derivation (a random key file is used, so scrypt does not
/// dominate small inputs).
///
/// The page cache is warm after the warm-up pass, as it is for lzbench and hyperfine: the numbers are
/// CPU and memory-bandwidth bound, not disk bound. With `--cold`, each cell is measured again with the
/// file each pass reads (the input for a pack, the `.slc` for an unpack) written back and evicted from
/// the page cache first (`fsync` + `posix_fadvise(DONTNEED)`, untimed): the numbers of a backup of data
/// that is not in memory, reported as a second row named "… cold".
struct FileBench {
    let name: String
    /// The file packed.
    let path: String
    /// The same bytes, for checking every restored file.
    let bytes: [UInt8]
    let directory: String
    let settings: BenchSettings
    /// The `sluice` executable, to measure peak memory in a real process; `nil` measures it in this
    /// process instead (the rise during the first pass, which misses memory the allocator kept from
    /// earlier cells and reused).
    let executable: String?

    /// Measures one pipeline cell, with a warm page cache or (`cold`) with an empty one.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when an unpacked file is not the input.
    func run(_ cell: BenchCell, cold: Bool = false) throws -> BenchResult {
        guard case .pipeline(let codec, let cipher) = cell.subject else {
            throw SluiceError.invalid("\(cell.subject) cannot run in --mode file")
        }
        let keyBytes = try LibCrypto.randomBytes(32)
        let key = KeySource.keyFile(keyBytes)
        var options = PackOptions(codec: codec)
        options.cipher = cipher
        options.key = cipher == .none ? nil : key
        options.chunkSize = cell.chunkSize.bytes
        options.workers = cell.workers
        let stem = "\(directory)/cell-\(ProcessInfo.processInfo.processIdentifier)"
        let packed = FilePath(stem + ".slc")
        let restored = FilePath(stem + ".out")
        defer {
            try? FileSystem.remove(packed)
            try? FileSystem.remove(restored)
        }

        let io = IOPool.shared(tokens: IOPool.tokens(explicit: nil, storage: nil, for: FilePath(directory)))
        var report: PackReport?
        func pack() throws {
            report = try Pipeline.packFile(FilePath(path), to: .file(packed, overwrite: true), options: options, keepMetadata: true, io: io)
        }
        func unpack() throws {
            _ = try Pipeline.unpackFile(packed, to: .file(restored, overwrite: true), key: { _ in key }, workers: cell.workers, io: io)
        }
        func verify() throws {
            let back = try BenchInput.read(restored.string)
            if back != bytes {
                let offset = zip(back, bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(back.count, bytes.count)
                throw SluiceError.corrupt("\(cell.subject) on \(name): the unpacked file differs from the input at byte \(offset)")
            }
        }

        var peak: Int?
        if executable == nil, !cold {
            let probe = PeakMemoryProbe()
            try pack()
            try unpack()
            peak = probe.peakIncrease
            try verify()
        }
        for _ in 0..<settings.warmup {
            try pack()
            try unpack()
            try verify()
        }
        var packs: [BenchSample] = []
        var unpacks: [BenchSample] = []
        func needsMore(_ samples: [BenchSample]) -> Bool {
            samples.count < settings.runs || samples.reduce(0, { $0 + $1.wall }) < settings.minTime
        }
        while packs.count < settings.maxRuns, needsMore(packs) || needsMore(unpacks) {
            if cold { try PageCache.evict(FilePath(path)) }
            packs.append(try BenchClock.measure { try pack() })
            if cold { try PageCache.evict(packed) }
            unpacks.append(try BenchClock.measure { try unpack() })
            try verify()
        }
        if let executable, !cold {
            peak = try peakInChildProcess(executable, cell: cell, codec: codec, cipher: cipher, key: keyBytes, packed: packed, restored: restored)
            try verify()
        }
        let packedBytes = Int(report?.packedBytes ?? 0)
        return BenchResult(
            mode: .file, kind: .pipeline, name: cell.subject.description + (cold ? " cold" : ""), codec: codec.codec.rawValue,
            level: codec.level, cipher: cipher.rawValue, dataset: name, inputBytes: bytes.count,
            chunkSize: cell.chunkSize.bytes, workers: cell.workers, chunks: Int(report?.chunks ?? 0),
            outputBytes: packedBytes, ratio: packedBytes > 0 ? Double(bytes.count) / Double(packedBytes) : 0,
            compress: BenchTiming(samples: packs, bytes: bytes.count),
            decompress: BenchTiming(samples: unpacks, bytes: bytes.count),
            peakMemoryBytes: peak, verified: true)
    }

    /// Packs and unpacks once more with the `sluice` command and returns the larger of the two
    /// processes' peak resident sizes.
    private func peakInChildProcess(
        _ executable: String, cell: BenchCell, codec: CodecSettings, cipher: Cipher, key: [UInt8], packed: FilePath,
        restored: FilePath
    ) throws -> Int {
        var keyArguments: [String] = []
        if cipher != .none {
            let keyPath = "\(directory)/bench.key"
            if !FileManager.default.fileExists(atPath: keyPath) {
                try TemporaryFiles.create(keyPath) {
                    guard FileManager.default.createFile(atPath: keyPath, contents: Data(key), attributes: [.posixPermissions: 0o600])
                    else { throw SluiceError(.io, "cannot write \(keyPath)") }
                }
            }
            keyArguments = ["--key-file", keyPath]
        }
        var pack = ["pack", "--codec", codec.codec.rawValue, "--level", "\(codec.level)", "--cipher", cipher.rawValue,
                    "--chunk-size", "\(cell.chunkSize.bytes)", "--workers", "\(cell.workers)", "--force", "--quiet",
                    "-o", packed.string] + keyArguments + [path]
        if codec.codec == .brotli { pack.insert(contentsOf: ["--window", "\(codec.window)"], at: 5) }
        let unpack = ["unpack", "--workers", "\(cell.workers)", "--force", "--quiet", "-o", restored.string] + keyArguments + [packed.string]
        let report = "\(directory)/peak-rss"
        var peak = 0
        for arguments in [pack, unpack] {
            try ChildProcess.run(executable, ["bench", "peak-rss", "--report", report, "--"] + arguments)
            guard let text = try? String(contentsOfFile: report, encoding: .utf8), let bytes = Int(text.trimmingWhitespace()) else {
                throw SluiceError(.io, "\(executable) bench peak-rss did not report a peak")
            }
            peak = max(peak, bytes)
        }
        return peak
    }
}
