// Per-stage throughput in process: each benchmark packs or unpacks the same 64 MiB of real data
// (the head of the `make bench` corpus when present, else this machine's libraries) through Sluice's
// pipeline to a temporary file, so a regression in a codec wrapper, the cipher wrapper or the engine shows
// up here before it shows up in `make bench`.
import Benchmark
import Foundation
import Sluice
import SystemPackage

let sampleSize = 64 << 20

/// 64 MiB of real bytes in a temporary file.
let sample: FilePath = {
    let path = FilePath(NSTemporaryDirectory() + "sluice-bench-sample-\(getpid())")
    let candidates = ["../.bench/corpus.tar", "/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1", "/opt/swift/usr/bin/swift-frontend"]
    var data = Data()
    for candidate in candidates where data.count < sampleSize {
        if let handle = FileHandle(forReadingAtPath: candidate) {
            data.append(handle.readData(ofLength: sampleSize - data.count))
        }
    }
    while data.count < sampleSize { data.append(contentsOf: (0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }) }
    _ = FileManager.default.createFile(atPath: path.string, contents: data)
    return path
}()

let key = KeySource.keyFile((0..<32).map { UInt8($0) })

func pack(_ codec: CodecSettings, cipher: Cipher, to output: FilePath) throws -> PackReport {
    var options = PackOptions(codec: codec)
    options.cipher = cipher
    options.key = cipher == .none ? nil : key
    return try Pipeline.packFile(sample, to: .file(output, overwrite: true), options: options)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .peakMemoryResident],
        timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 10)

    let stages: [(String, CodecSettings, Cipher)] = [
        ("store+none", try! CodecSettings(.store), .none),
        ("lz4", try! CodecSettings(.lz4), .none),
        ("zstd-1", try! CodecSettings(.zstd, level: 1), .none),
        ("zstd-3", try! CodecSettings(.zstd, level: 3), .none),
        ("zstd-3+aes-256-gcm", try! CodecSettings(.zstd, level: 3), .aes256gcm),
        ("store+aes-256-gcm", try! CodecSettings(.store), .aes256gcm),
        ("store+chacha20-poly1305", try! CodecSettings(.store), .chacha20poly1305),
        ("brotli-5", try! CodecSettings(.brotli, level: 5), .none),
    ]
    for (name, codec, cipher) in stages {
        let packed = FilePath(NSTemporaryDirectory() + "sluice-bench-\(name).slc")
        let restored = FilePath(NSTemporaryDirectory() + "sluice-bench-\(name).out")
        Benchmark("pack \(name) 64 MiB", configuration: .init(scalingFactor: .one)) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try pack(codec, cipher: cipher, to: packed))
            }
        }
        Benchmark("unpack \(name) 64 MiB", configuration: .init(scalingFactor: .one)) { benchmark in
            _ = try pack(codec, cipher: cipher, to: packed)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try Pipeline.unpackFile(
                    packed, to: .file(restored, overwrite: true), key: { _ in cipher == .none ? nil : key }))
            }
        }
    }
}
