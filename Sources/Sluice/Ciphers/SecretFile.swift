#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Reading a file that holds a secret (a key file or a passphrase file), checked as ssh checks its
/// private keys: a file other users can read or write, or that someone else owns, is reported
/// (docs/security.md, "Key and passphrase files").
public enum SecretFile {
    /// Reads at most `limit` bytes from the start of `path`, after checking who can reach it.
    ///
    /// - Parameters:
    ///   - strict: refuse an exposed file instead of warning.
    ///   - warn: receives one sentence naming the file and the problem, when not `strict`.
    /// - Throws: ``SluiceError/Code/io`` when it cannot be read, ``SluiceError/Code/invalidArgument``
    ///   when it is exposed and `strict`.
    public static func read(_ path: FilePath, limit: Int, strict: Bool, warn: (String) -> Void) throws -> [UInt8] {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec])
        } catch {
            throw SluiceError(.io, "cannot read \(path)", cause: error)
        }
        defer { _ = try? fd.close() }
        if let problem = exposure(of: fd) {
            let sentence = "\(path) \(problem)"
            if strict { throw SluiceError.invalid("\(sentence); refusing it (--strict)") }
            warn("\(sentence); make it private: chmod 600 \(path)")
        }
        // Room for what a regular file holds and one byte more (to see it end), at most `limit`: a 200-byte
        // identity file does not take (and cleanse) a MiB. A pipe, or a file that grew, gets more as it is
        // read, the smaller copy cleansed.
        var status = stat()
        let known = fstat(fd.rawValue, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) + 1 : 4096
        var bytes = [UInt8](repeating: 0, count: min(limit, max(1, known)))
        var count = 0
        do {
            while count < limit {
                if count == bytes.count { bytes = grown(&bytes, to: min(limit, 2 * count)) }
                let read = try bytes.withUnsafeMutableBytes { try fd.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[count...])) }
                if read == 0 { break }
                count += read
            }
        } catch {
            LibCrypto.cleanse(&bytes)
            throw SluiceError(.io, "cannot read \(path)", cause: error)
        }
        let prefix = Array(bytes[0..<count])
        LibCrypto.cleanse(&bytes)
        return prefix
    }

    /// A copy of `bytes` in a larger array of `size` bytes; `bytes` is cleansed.
    private static func grown(_ bytes: inout [UInt8], to size: Int) -> [UInt8] {
        var larger = [UInt8](repeating: 0, count: size)
        larger.withUnsafeMutableBytes { target in bytes.withUnsafeBytes { target.copyMemory(from: $0) } }
        LibCrypto.cleanse(&bytes)
        return larger
    }

    /// What makes the open file `fd` reachable by others, or `nil`: permission bits for group or others,
    /// or an owner other than this user (root's files are accepted, as ssh does).
    static func exposure(of fd: FileDescriptor) -> String? {
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else { return nil }
        let mode = UInt32(st.st_mode) & 0o777
        if st.st_uid != geteuid(), st.st_uid != 0 { return "is owned by another user (uid \(st.st_uid))" }
        if mode & 0o077 != 0 { return "is accessible by group or others (mode \(String(mode, radix: 8)))" }
        return nil
    }
}
