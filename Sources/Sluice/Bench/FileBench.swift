import Foundation
import SystemPackage

/// `--mode file`: the real pipeline end to end, `Pipeline.packFile` then `Pipeline.unpackFile` on
/// temporary files, with everything the `sluice` command pays for — reading, framing, checksums,
/// encryption, ordered writes, the atomic rename — except the key derivation (a random key file is
/// used, so scrypt does not dominate small inputs).
///
/// The page cache is warm after the warm-up pass, as it is for lzbench and hyperfine: the numbers are
/// CPU and memory-bandwidth bound, not disk bound.
struct FileBench {
    let name: String
    /// The file packed.
    let path: String
    /// The same bytes, for checking every restored file.
    let bytes: [UInt8]
    let directory: String
    let settings: BenchSettings

    /// Measures one pipeline cell.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when an unpacked file is not the input.
    func run(_ cell: BenchCell) throws -> BenchResult {
        guard case .pipeline(let codec, let cipher) = cell.subject else {
            throw SluiceError.invalid("\(cell.subject) cannot run in --mode file")
        }
        let probe = PeakMemoryProbe()
        let key = try KeySource.keyFile(LibCrypto.randomBytes(32))
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

        var report: PackReport?
        func pack() throws {
            report = try Pipeline.packFile(FilePath(path), to: .file(packed, overwrite: true), options: options, keepMetadata: true)
        }
        func unpack() throws {
            _ = try Pipeline.unpackFile(packed, to: .file(restored, overwrite: true), key: { _ in key }, workers: cell.workers)
        }
        func verify() throws {
            let back = try BenchInput.read(restored.string)
            if back != bytes {
                let offset = zip(back, bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(back.count, bytes.count)
                throw SluiceError.corrupt("\(cell.subject) on \(name): the unpacked file differs from the input at byte \(offset)")
            }
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
            packs.append(try BenchClock.measure { try pack() })
            unpacks.append(try BenchClock.measure { try unpack() })
            try verify()
        }
        let packedBytes = Int(report?.packedBytes ?? 0)
        return BenchResult(
            mode: .file, kind: .pipeline, name: cell.subject.description, codec: codec.codec.rawValue,
            level: codec.level, cipher: cipher.rawValue, dataset: name, inputBytes: bytes.count,
            chunkSize: cell.chunkSize.bytes, workers: cell.workers, chunks: Int(report?.chunks ?? 0),
            outputBytes: packedBytes, ratio: packedBytes > 0 ? Double(bytes.count) / Double(packedBytes) : 0,
            compress: BenchTiming(samples: packs, bytes: bytes.count),
            decompress: BenchTiming(samples: unpacks, bytes: bytes.count),
            peakMemoryBytes: probe.peakIncrease, verified: true)
    }
}
