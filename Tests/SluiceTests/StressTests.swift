import Foundation
@testable import Sluice
import Synchronization
import SystemPackage
import Testing

/// Many runs at once on the shared CPU pool: 32 threads each pack, verify, unpack and range-restore
/// their own file with 4 KiB chunks, every codec and cipher, on a pool of 8 workers and on a pool of 1
/// (whose queue then holds jobs of every run). Every round trip must be exact. Run under
/// `--sanitize=thread` too (docs/reliability.md).
@Suite struct StressTests {
    static let settings: [(Codec, Cipher)] = Codec.allCases.flatMap { codec in Cipher.allCases.map { (codec, $0) } }

    @Test(arguments: [8, 1])
    func thirtyTwoConcurrentRoundTrips(workers: Int) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let failures = Locked<[String]>([])
            let remaining = Atomic<Int>(32)
            for job in 0..<32 {
                Thread {
                    defer { remaining.subtract(1, ordering: .releasing) }
                    do {
                        try Self.roundTrip(job: job, workers: workers, directory: directory)
                    } catch {
                        failures.withLock { $0.append("job \(job): \(error)") }
                    }
                }.start()
            }
            while remaining.load(ordering: .acquiring) > 0 { usleep(2_000) }
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        }
    }

    static func roundTrip(job: Int, workers: Int, directory: String) throws {
        let (codec, cipher) = settings[job % settings.count]
        let original = TestSupport.data(count: 96 << 10 + job * 4099, seed: UInt64(job))
        let input = "\(directory)/input-\(job)"
        try TestSupport.write(original, to: input)
        var options = PackOptions(codec: try CodecSettings(codec))
        options.cipher = cipher
        let key: KeySource = job % 3 == 0 ? .passphrase(Array("stress \(job)".utf8)) : .keyFile([UInt8](repeating: UInt8(job), count: 32))
        if cipher != .none {
            options.key = key
            options.kdfCost = ScryptCost(logN: 10)
        }
        options.chunkSize = 4096
        options.workers = workers
        let packed = FilePath("\(input).slc")
        _ = try Pipeline.packFile(FilePath(input), to: .file(packed, overwrite: false), options: options)
        let keyFor: KeyProvider = { _ in key }
        let verified = try Pipeline.verifyFile(packed, key: keyFor, workers: workers)
        guard verified.plainBytes == UInt64(original.count) else { throw SluiceError(.corrupt, "verify: \(verified.plainBytes) bytes") }
        let back = "\(input).back"
        _ = try Pipeline.unpackFile(packed, to: .file(FilePath(back), overwrite: false), key: keyFor, workers: workers)
        guard try TestSupport.read(back) == original else { throw SluiceError(.corrupt, "unpack differs") }
        let range = UInt64(5000)..<UInt64(original.count - 777)
        let slice = "\(input).slice"
        _ = try Pipeline.unpackFile(packed, to: .file(FilePath(slice), overwrite: false), key: keyFor, workers: workers, range: range)
        guard try TestSupport.read(slice) == Array(original[Int(range.lowerBound)..<Int(range.upperBound)]) else {
            throw SluiceError(.corrupt, "range restore differs")
        }
    }
}
