import Foundation
import Sluice

/// What the numbers were measured on: the header of every results file and table, so two files can
/// be compared knowing whether the machine or the libraries changed.
public struct BenchEnvironment: Codable, Sendable, Equatable {
    /// `AMD EPYC 9454P 48-Core Processor`, from `/proc/cpuinfo`.
    public var cpu: String
    /// The flags that matter for these algorithms (aes, avx2, avx512f, vaes, sha_ni…), where known.
    public var cpuFlags: [String]
    /// Cores this process may run on.
    public var cores: Int
    public var memoryBytes: Int
    /// `Debian GNU/Linux 12 (bookworm)`.
    public var os: String
    /// `Linux 6.1.0-…`.
    public var kernel: String
    /// The Swift compiler that built this binary.
    public var swift: String
    /// `release` or `debug`: numbers from a debug build are not worth comparing.
    public var build: String
    /// The `sluice` version, when the caller knows it.
    public var sluice: String?
    /// The C libraries the stages call, as they report themselves at run time.
    public var libraries: [String: String]
    public var hostname: String
    /// When the run started, ISO 8601.
    public var date: String

    /// The environment of this process.
    ///
    /// - Parameter toolVersion: the version of the program running the benchmark.
    public static func current(toolVersion: String? = nil) -> BenchEnvironment {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String? {
            for line in cpuinfo.split(separator: "\n") where line.hasPrefix(name) {
                if let colon = line.firstIndex(of: ":") { return String(line[line.index(after: colon)...]).trimmingWhitespace() }
            }
            return nil
        }
        let interesting: Set = ["aes", "vaes", "pclmulqdq", "vpclmulqdq", "avx", "avx2", "avx512f", "avx512bw",
                                "avx512vl", "sha_ni", "bmi2", "sse4_2"]
        let flags = (field("flags") ?? "").split(separator: " ").map(String.init).filter(interesting.contains).sorted()
        var uts = utsname()
        uname(&uts)
        func text<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let pretty = osRelease.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { String($0.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return BenchEnvironment(
            cpu: field("model name") ?? text(uts.machine),
            cpuFlags: flags,
            cores: WorkerPool.availableCores,
            memoryBytes: Memory.physical,
            os: pretty ?? text(uts.sysname),
            kernel: "\(text(uts.sysname)) \(text(uts.release))",
            swift: compilerVersion,
            build: isDebugBuild ? "debug" : "release",
            sluice: toolVersion,
            libraries: BenchEnvironment.libraryVersions,
            hostname: ProcessInfo.processInfo.hostName,
            date: ISO8601DateFormatter().string(from: Date()))
    }

    /// The versions of the C libraries behind the stages, as each reports itself.
    public static var libraryVersions: [String: String] {
        ["zstd": Zstd.version, "lz4": LZ4.version, "brotli": Brotli.version, "libcrypto": LibCrypto.version,
         "xxhash": XXH3.version]
    }

    /// Whether this binary was built without optimisation.
    public static var isDebugBuild: Bool {
        #if DEBUG
        true
        #else
        false
        #endif
    }

    private static var compilerVersion: String {
        #if compiler(>=6.5)
        "6.5 or later"
        #elseif compiler(>=6.4)
        "6.4"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    /// One line: `AMD EPYC (2 cores, aes avx2) · Debian 12 · Linux 6.1 · Swift 6.3 release · zstd 1.5.4 …`.
    public var summary: String {
        let libs = ["zstd", "lz4", "brotli", "libcrypto", "xxhash"].compactMap { name in
            libraries[name].map { name == "libcrypto" ? $0.split(separator: " ").prefix(2).joined(separator: " ") : "\(name) \($0)" }
        }
        return "\(cpu) (\(cores) cores) · \(ByteCount(bytes: memoryBytes)) · \(os) · \(kernel) · Swift \(swift) \(build)"
            + (sluice.map { " · sluice \($0)" } ?? "") + " · " + libs.joined(separator: ", ")
    }
}
