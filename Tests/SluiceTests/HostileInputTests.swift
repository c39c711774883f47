#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Sluice
import SystemPackage
import Testing

/// Files made to exhaust memory or time: huge declared chunk sizes, frame lengths, KDF costs, chunk counts.
/// Each must be refused as corrupt (exit 65) before anything of the declared size is allocated: the
/// library's error code, the CLI's exit code and single error line, no output, and the child's peak RSS
/// no more than 64 MiB above that of verifying a small valid file.
@Suite struct HostileInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: @Sendable () throws -> [UInt8]
        /// Words the error message must contain.
        var message: String
        /// The exit code with `--max-kdf-cost 63`: the user's limit then lets a costly KDF through, and the
        /// memory check must refuse it (64) instead of the allocation failing.
        var raisedLimitExit: Int32 = 65
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "chunk size 4 GiB", bytes: { Crafted.header(chunkSize: 0xFFFF_FFFF).1 + Array(repeating: 0, count: 64) },
             message: "chunk size"),
        Case(name: "chunk size 512 MiB", bytes: { Crafted.header(chunkSize: 512 << 20).1 + Array(repeating: 0, count: 64) },
             message: "chunk size"),
        Case(name: "frame length 4 GiB", bytes: {
            Crafted.header(chunkSize: 256 << 20).1 + Crafted.frame(stored: 0xFFFF_FFFF, plain: 256 << 20, flags: 1)
        }, message: "impossible stored length"),
        Case(name: "largest legal frame length, then the file ends", bytes: {
            let (header, bytes) = Crafted.header(chunkSize: 256 << 20)
            return bytes + Crafted.frame(stored: UInt32(header.maxStoredSize), plain: 256 << 20, flags: 1, payload: [1, 2, 3])
        }, message: "truncated"),
        Case(name: "plain length beyond the chunk size", bytes: {
            Crafted.header().1 + Crafted.frame(stored: 16, plain: 4097, flags: 1, payload: Array(repeating: 0, count: 16))
        }, message: "impossible plain length"),
        Case(name: "zstd frame asking for a 2 GiB window", bytes: {
            // Magic, a descriptor without single-segment, window log 31, then an empty raw last block.
            let zstd: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, (31 - 10) << 3, 0x01, 0x00, 0x00]
            return Self.withTail(Crafted.header().1, Crafted.frame(stored: UInt32(zstd.count), plain: 4096, flags: 1, payload: zstd))
        }, message: "frame 0"),
        Case(name: "zstd frame that inflates past its declared length", bytes: {
            let zeros = [UInt8](repeating: 0, count: 1 << 20)
            var packed = [UInt8](repeating: 0, count: Zstd.compressBound(zeros.count))
            let size = try zeros.withUnsafeBytes { source in
                try packed.withUnsafeMutableBytes { try ZstdCompressor().compress(source, into: $0, level: 3)! }
            }
            let payload = Array(packed[0..<size])
            return Self.withTail(Crafted.header().1, Crafted.frame(stored: UInt32(size), plain: 4096, flags: 1, payload: payload))
        }, message: "frame 0"),
        Case(name: "scrypt cost 2^30", bytes: { try Crafted.scryptHeader(logN: 30) }, message: "exceeds the limit",
             raisedLimitExit: 64),
        Case(name: "scrypt cost 2^62", bytes: { try Crafted.scryptHeader(logN: 62) }, message: "scrypt"),
        Case(name: "trailer claims 2^40 chunks", bytes: {
            let (_, header) = Crafted.header(codec: try CodecSettings(.store))
            let plain = Array("hello".utf8)
            let frame = Crafted.frame(stored: 5, plain: 5, flags: 3, checksum: Crafted.checksum(plain), payload: plain)
            let entry = IndexEntry(offset: UInt64(header.count), storedSize: 5, plainSize: 5)
            return header + frame + Crafted.tail(at: header.count + frame.count, count: 1 << 40, entries: [entry])
        }, message: "chunk count"),
        Case(name: "footer points at a 16 GiB trailer", bytes: {
            let (_, header) = Crafted.header(codec: try CodecSettings(.store))
            let plain = Array("hello".utf8)
            let frame = Crafted.frame(stored: 5, plain: 5, flags: 3, checksum: Crafted.checksum(plain), payload: plain)
            return header + frame + Crafted.footer(trailerOffset: 0, trailerSize: 1 << 34)
        }, message: "trailer"),
        Case(name: "header length 65535 in a short file", bytes: {
            var bytes = Crafted.header().1
            bytes[10] = 0xFF
            bytes[11] = 0xFF
            return bytes
        }, message: "truncated"),
    ]

    /// `header ‖ frame ‖` a well-formed trailer and footer for that one frame, so that the frame is all
    /// that is wrong (without them, a missing trailer may be reported first).
    static func withTail(_ header: [UInt8], _ frame: [UInt8]) -> [UInt8] {
        let entry = IndexEntry(offset: UInt64(header.count), storedSize: UInt32(frame.count - 17), plainSize: 4096)
        return header + frame + Crafted.tail(at: header.count + frame.count, count: 1, entries: [entry])
    }

    @Test(arguments: cases)
    func libraryRefusesIt(_ hostile: Case) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let path = "\(directory)/hostile.slc"
            try TestSupport.write(try hostile.bytes(), to: path)
            let key: KeyProvider = { _ in .keyFile(Crafted.masterKey) }
            // verify reads a seekable file through its index; front to back (as a pipe) the frame itself is
            // what is refused, with the message the case names.
            for attempt in ["verify", "front to back", "inspect"] {
                do {
                    switch attempt {
                    case "verify": _ = try Pipeline.verifyFile(FilePath(path), key: key, workers: 2)
                    case "front to back": try Harness.decode(try ScratchFile(try hostile.bytes()), key: .keyFile(Crafted.masterKey))
                    default: _ = try Pipeline.inspect(FilePath(path), limits: DecodeLimits(maxScryptLogN: 64))
                    }
                    if attempt != "inspect" { Issue.record("\(attempt) accepted \(hostile.name)") }
                } catch let error as SluiceError {
                    #expect(error.code == .corrupt, "\(attempt): \(error)")
                    if attempt == "front to back" { #expect(error.description.contains(hostile.message), "\(error)") }
                }
            }
        }
    }

    /// Runs `sluice arguments` under GNU time, which reports the peak RSS of the child it forks. (The
    /// `wait4` usage of a child spawned here cannot serve: `posix_spawn` uses `vfork`, and the kernel
    /// counts the test process's memory, which the child shared until `exec`, as the child's peak.)
    static func measured(_ arguments: [String], environment: [String: String] = [:], in directory: String) throws
        -> (Child.Outcome, Int)
    {
        let report = "\(directory)/rss"
        var outcome = try Child.run(["/usr/bin/time", "-f", "%M", "-o", report, TestSupport.sluice] + arguments,
                                    environment: environment)
        let kibibytes = Int(TestSupport.readText(report).trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "\n").last ?? "") ?? -1
        outcome.maxResidentBytes = kibibytes * 1024
        return (outcome, kibibytes * 1024)
    }

    static let canMeasure = TestSupport.hasTool("/usr/bin/time")

    /// The measure sees a real allocation: unpacking a valid file of 64 MiB chunks (zeros, so it is
    /// tiny) must show more than 64 MiB above the baseline. Without this the bound below could not fail.
    @Test(.enabled(if: canMeasure)) func measureSeesLargeChunks() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let valid = "\(directory)/valid"
            try TestSupport.write(TestSupport.data(count: 100_000), to: valid)
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", valid]).exitCode == 0)
            let (baseline, baselineRSS) = try Self.measured(["verify", "-q", "\(valid).slc"], in: directory)
            #expect(baseline.exitCode == 0)
            let zeros = "\(directory)/zeros"
            FileManager.default.createFile(atPath: zeros, contents: nil)
            #expect(truncate(zeros, 256 << 20) == 0)
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", "--chunk-size", "64M", zeros]).exitCode == 0)
            let (outcome, rss) = try Self.measured(["unpack", "\(zeros).slc", "-o", "\(directory)/back"], in: directory)
            #expect(outcome.exitCode == 0, "\(outcome.standardError)")
            #expect(rss > baselineRSS + (64 << 20), "unpacking 64 MiB chunks peaked at \(rss >> 20) MiB, baseline \(baselineRSS >> 20) MiB")
            print("control: unpack of 64 MiB chunks: peak RSS \(rss >> 20) MiB (valid small file: \(baselineRSS >> 20) MiB)")
        }
    }

    @Test(.enabled(if: canMeasure), arguments: cases)
    func cliRefusesItInBoundedMemory(_ hostile: Case) throws {
        try TestSupport.withTemporaryDirectory { directory in
            let valid = "\(directory)/valid"
            try TestSupport.write(TestSupport.data(count: 100_000), to: valid)
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", valid]).exitCode == 0)
            let (baseline, _) = try Self.measured(["verify", "-q", "\(valid).slc"], in: directory)
            #expect(baseline.exitCode == 0)

            let path = "\(directory)/hostile.slc"
            try TestSupport.write(try hostile.bytes(), to: path)
            let env = ["SLUICE_TEST_PASS": "x"]
            for arguments in [["verify", path], ["unpack", path, "-o", "\(directory)/out"],
                              ["unpack", "--max-kdf-cost", "63", path, "-o", "\(directory)/out"]] {
                // --allow-unencrypted: most cases are unencrypted, and their frames, not the key rule
                // (DowngradeCLITests), are what is tested here.
                let (outcome, _) = try Self.measured(arguments + ["--passphrase-env", "SLUICE_TEST_PASS", "--allow-unencrypted"],
                                                     environment: env, in: directory)
                print("hostile '\(hostile.name)' \(arguments[0]): exit \(outcome.exitCode.map(String.init) ?? "-"), peak RSS \(outcome.maxResidentBytes >> 20) MiB (valid file: \(baseline.maxResidentBytes >> 20) MiB)")
                let expected = arguments.contains("--max-kdf-cost") ? hostile.raisedLimitExit : 65
                #expect(outcome.exitCode == expected, "\(arguments): \(outcome.standardError)")
                #expect(outcome.errorLines.count == 1, "\(outcome.standardError)")
                // Under a sanitizer the runtime's own memory (shadow, quarantine) swamps the measure.
                #expect(TestSupport.isSanitized || outcome.maxResidentBytes < baseline.maxResidentBytes + (64 << 20),
                        "peak RSS \(outcome.maxResidentBytes >> 20) MiB against \(baseline.maxResidentBytes >> 20) MiB")
            }
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/out"))
            #expect(TestSupport.temporaryFiles(in: directory).isEmpty)
        }
    }
}
