#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The real `sluice` on a failing disk, faults injected from outside by the `LD_PRELOAD` shim
/// (`Tests/FaultShim/faultshim.c`): EIO on the input's reads, on the output's writes and fsync, ENOSPC
/// mid-write, EROFS on creating the output, EIO on the link that names it, and on the sync and unlink
/// of `--remove-source`. Each ends with one line naming the file, exit 74, no output, no temporary
/// file, and the source as it was.
@Suite struct FailingDiskTests {
    static let faults: [(call: String, error: Int32, skip: Int)] = [
        ("read", EIO, 1), ("write", EIO, 0), ("write", ENOSPC, 4), ("fsync", EIO, 0), ("tmpfile", EROFS, 0),
        ("link", EIO, 0),
    ]

    @Test(arguments: ["pack", "unpack"], 0..<faults.count)
    func failingCallEndsCleanly(_ command: String, _ index: Int) throws {
        let fault = Self.faults[index]
        try TestSupport.withTemporaryDirectory { directory in
            let original = TestSupport.data(count: 1 << 20)
            try TestSupport.write(original, to: "\(directory)/data")
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", "--chunk-size", "64K", "\(directory)/data"]).exitCode == 0)
            let source = command == "pack" ? "\(directory)/data" : "\(directory)/data.slc"
            let output = "\(directory)/out"
            let sourceBytes = try TestSupport.read(source)
            // Reads fail on the source; the other calls on the output (an anonymous file in `directory`,
            // which is the only file written).
            let scope = fault.call == "read" ? source : directory
            let outcome = try Child.run(
                [TestSupport.sluice, command, "-q", "--remove-source", source, "-o", output],
                environment: try FaultShim.environment(fault.call, fault.error, path: scope, skip: fault.skip))
            let label = "\(command) \(fault)"
            #expect(outcome.exitCode == 74, "\(label): exit \(String(describing: outcome.exitCode)) \(outcome.standardError)")
            #expect(outcome.errorLines.count == 1, "\(label): \(outcome.standardError)")
            #expect(outcome.standardError.contains(Self.text(of: fault.error)), "\(label): \(outcome.standardError)")
            #expect(outcome.standardError.contains(fault.call == "read" ? source : output), "\(label): the line names no file: \(outcome.standardError)")
            #expect(TestSupport.contents(of: directory) == ["data", "data.slc"], "\(label)")
            #expect(try TestSupport.read(source) == sourceBytes, "\(label): the source changed")
        }
    }

    /// `--remove-source` where the source cannot be removed (EIO on its unlink): the output is complete,
    /// the source is still there, exit 74.
    @Test func sourceThatCannotBeRemoved() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let original = TestSupport.data(count: 300_000)
            try TestSupport.write(original, to: "\(directory)/data")
            let outcome = try Child.run([TestSupport.sluice, "pack", "-q", "--remove-source", "\(directory)/data"],
                                        environment: try FaultShim.environment("unlink", EIO, path: "\(directory)/data"))
            #expect(outcome.exitCode == 74 && outcome.errorLines.count == 1, "\(outcome.standardError)")
            #expect(try TestSupport.read("\(directory)/data") == original)
            let back = try Child.run([TestSupport.sluice, "unpack", "-q", "\(directory)/data.slc", "-o", "\(directory)/back"])
            #expect(back.exitCode == 0)
            #expect(try TestSupport.read("\(directory)/back") == original)
        }
    }

    static func text(of code: Int32) -> String { String(cString: strerror(code)) }
}
