#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// The permission bits an unpacked file gets (docs/security.md, "Restored modes"): the mode recorded in
/// the header, or 0666 when there is none, masked by the process's umask as `open(2)` would, and
/// without setuid, setgid and sticky bits unless they are asked for (as tar's `-p`).
enum RestoredMode {
    /// The bits for a file whose header records `recorded` (`nil`: none recorded, or not restored).
    static func bits(recorded: UInt32?, preserveSpecialBits: Bool) -> UInt32 {
        let allowed: UInt32 = preserveSpecialBits ? 0o7777 : 0o777
        return (recorded ?? 0o666) & ~processUmask & allowed
    }

    /// The process's umask, read once: from `/proc/self/status` where it is listed (reading it does not
    /// change it), else by setting and restoring it at the first use.
    static let processUmask: UInt32 = {
        if let status = try? FileSystem.readSmallFile("/proc/self/status", limit: 1 << 16) {
            for line in String(decoding: status, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Umask:") {
                if let value = UInt32(String(line.dropFirst(6).filter { $0 != " " && $0 != "\t" }), radix: 8) { return value & 0o777 }
            }
        }
        let old = umask(0o022)
        _ = umask(old)
        return UInt32(old) & 0o777
    }()
}
