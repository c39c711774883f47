import Foundation
import SystemPackage

/// What `--codec auto` optimises for.
public enum Priority: String, CaseIterable, Sendable {
    /// The fastest codec that still shrinks the data.
    case speed
    /// The best ratio at a speed that keeps every core's worth of disk bandwidth busy (≥ 150 MB/s per core).
    case balanced
    /// The best ratio at a speed that is still practical (≥ 15 MB/s per core).
    case ratio
}

/// The stage choices that depend on the machine and the data: `--cipher auto` and `--codec auto`.
public enum AutoChoice {
    /// Whether the CPU has AES instructions (x86 AES-NI, ARMv8 AES), read from `/proc/cpuinfo`.
    static var cpuHasAES: Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        return info.split(separator: "\n").contains { line in
            (line.hasPrefix("flags") || line.hasPrefix("Features")) && line.split(separator: " ").contains("aes")
        }
    }

    /// AES-256-GCM where the CPU has AES instructions (22% faster than ChaCha20 on this kind of CPU),
    /// ChaCha20-Poly1305 where it does not (constant-time and fast in software).
    public static func cipher() -> (Cipher, reason: String) {
        cpuHasAES
            ? (.aes256gcm, "cipher: aes-256-gcm, the CPU has AES instructions")
            : (.chacha20poly1305, "cipher: chacha20-poly1305, the CPU has no AES instructions")
    }

    /// The candidates tried on the samples, cheapest first.
    static let candidates: [(Codec, Int)] = [(.lz4, 1), (.zstd, 1), (.zstd, 3), (.zstd, 9), (.brotli, 9), (.zstd, 19)]

    /// One candidate measured on the samples.
    public struct Trial: Sendable {
        /// The codec and level tried.
        public var settings: CodecSettings
        /// Sample bytes over their compressed size.
        public var ratio: Double
        /// Compression speed on one core, MB/s.
        public var speed: Double
    }

    /// Samples up to three 1 MiB pieces of the file (start, middle, end), compresses them with each
    /// candidate, and picks by `priority`. A pipe cannot be sampled without consuming it: it gets the
    /// priority's default (lz4, zstd-3, zstd-9).
    public static func codec(for path: FilePath?, priority: Priority) throws -> (CodecSettings, reason: String, trials: [Trial]) {
        let fallback: (Codec, Int) = switch priority {
        case .speed: (.lz4, 1)
        case .balanced: (.zstd, 3)
        case .ratio: (.zstd, 9)
        }
        guard let path, let samples = try sample(path), !samples.isEmpty else {
            let settings = try CodecSettings(fallback.0, level: fallback.1)
            return (settings, "codec: \(settings), the \(priority.rawValue) default (a pipe cannot be sampled)", [])
        }
        let context = CodecContext()
        var trials: [Trial] = []
        let sampleBytes = samples.reduce(0) { $0 + $1.count }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: Codec.zstd.bound(1 << 20) + 1024, alignment: 64)
        defer { output.deallocate() }
        for (codec, level) in candidates {
            if codec == .zstd, level == 19, priority != .ratio { continue }
            let settings = try CodecSettings(codec, level: level)
            var packed = 0
            let start = ContinuousClock.now
            for sample in samples {
                packed += try sample.withUnsafeBytes { source in
                    let size = try context.compress(source, into: output, settings: settings) ?? source.count
                    return SlcWriter.worthCompressing(size, plain: source.count) ? size : source.count
                }
            }
            let elapsed = ContinuousClock.now - start
            let seconds = max(1e-6, Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
            trials.append(Trial(settings: settings, ratio: Double(sampleBytes) / Double(max(1, packed)),
                                speed: Double(sampleBytes) / seconds / 1e6))
        }
        let summary = trials.map { "\($0.settings) ×\(String(format: "%.2f", $0.ratio)) @\(Int($0.speed)) MB/s" }
            .joined(separator: ", ")
        guard let best = trials.map(\.ratio).max(), best >= 1.03 else {
            return (try CodecSettings(.store), "codec: store, the samples do not compress (\(summary))", trials)
        }
        let chosen: Trial
        switch priority {
        case .speed:
            chosen = trials.first { $0.ratio >= 1.05 } ?? trials[0]
        case .balanced:
            chosen = trials.filter { $0.speed >= 150 }.max { $0.ratio < $1.ratio } ?? trials[0]
        case .ratio:
            chosen = trials.filter { $0.speed >= 15 }.max { $0.ratio < $1.ratio } ?? trials[0]
        }
        return (chosen.settings, "codec: \(chosen.settings) for priority \(priority.rawValue), from samples: \(summary)", trials)
    }

    private static func sample(_ path: FilePath) throws -> [[UInt8]]? {
        guard let fd = try? FileDescriptor.open(path, .readOnly) else { return nil }
        defer { _ = try? fd.close() }
        guard let status = try? FileSystem.status(of: fd), status.isRegular else { return nil }
        let piece = 1 << 20
        let size = status.size
        let offsets = size <= 3 * piece ? [0] : [0, size / 2 - piece / 2, size - piece]
        return try offsets.map { offset in
            try Pipeline.pread(fd, at: UInt64(offset), count: min(piece, size - offset))
        }
    }
}
