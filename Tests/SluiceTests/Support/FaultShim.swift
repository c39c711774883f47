#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Sluice

/// `Tests/FaultShim/faultshim.c`, an `LD_PRELOAD` library that makes one kind of file-system call of the
/// real `sluice` fail (out-of-process fault injection; the in-process seam is `SyscallMocking`), built
/// once per test process with the C compiler found on the machine (the Swift toolchain's `clang` at least).
enum FaultShim {
    /// The built library's path, or why it could not be built.
    static let library: Result<String, ShimError> = {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("FaultShim/faultshim.c").path
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/bin", URL(fileURLWithPath: TestSupport.swiftCompilerDirectory).path]
        guard let compiler = ["cc", "clang", "gcc"].lazy.flatMap({ name in directories.map { "\($0)/\(name)" } })
            .first(where: { TestSupport.hasTool($0) })
        else { return .failure(ShimError("no C compiler")) }
        let output = "\(FileManager.default.temporaryDirectory.path)/sluice-faultshim-\(getpid()).so"
        guard let outcome = try? Child.run([compiler, "-shared", "-fPIC", "-O1", "-o", output, source, "-ldl"]),
              outcome.exitCode == 0
        else { return .failure(ShimError("cannot build \(source) with \(compiler)")) }
        return .success(output)
    }()

    struct ShimError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// The environment that makes `call` fail with `error` on paths containing `path`, after `skip` such calls.
    static func environment(_ call: String, _ error: Int32, path: String, skip: Int = 0) throws -> [String: String] {
        [
            "LD_PRELOAD": try library.get(), "SLUICE_FAULT_CALL": call, "SLUICE_FAULT_ERRNO": String(error),
            "SLUICE_FAULT_PATH": path, "SLUICE_FAULT_SKIP": String(skip),
        ]
    }
}

extension TestSupport {
    /// The folder of the `swift` found on `PATH` (its toolchain has `clang`).
    static var swiftCompilerDirectory: String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where hasTool("\(directory)/swift") {
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/swift")) ?? "\(directory)/swift"
            return URL(fileURLWithPath: resolved, relativeTo: URL(fileURLWithPath: String(directory) + "/")).deletingLastPathComponent().path
        }
        return "/usr/bin"
    }
}

extension PackOptions {
    /// zstd in 64 KiB chunks: many frames, so many writes, from a small input.
    static func smallChunks() throws -> PackOptions {
        var options = PackOptions(codec: try CodecSettings(.zstd))
        options.chunkSize = 64 << 10
        return options
    }
}

extension TestSupport {
    /// Whether process `pid` has a file open in `directory` other than `input` (its output: an anonymous
    /// `O_TMPFILE` file, shown as `DIR/#INODE (deleted)`, or a hidden temporary name).
    static func isWriting(_ pid: pid_t, in directory: String, besides input: String = "input") -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.contains { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)") else { return false }
            return target.hasPrefix(directory + "/") && !target.hasSuffix("/" + input)
        }
    }
}
