import Foundation
import SystemPackage
import Testing

/// How `sluice` fails: the documented exit status, exactly one line on stderr, and no output file or
/// temporary file left behind.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct CLIErrorTests {
    static let data = DataKind.text.bytes(count: 30_000, seed: 12)

    private func sluice(_ arguments: String..., in directory: FilePath, environment: [String: String] = [:], withoutTerminal: Bool = false) throws -> SluiceProcess.Result {
        try SluiceProcess.run(arguments, in: directory, environment: environment, withoutTerminal: withoutTerminal)
    }

    /// One error line, prefixed as every sluice error is, and no crash.
    private func expectOneErrorLine(_ result: SluiceProcess.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.crashed, sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderrLines.first?.hasPrefix("sluice: error: ") == true, "\(result)", sourceLocation: sourceLocation)
    }

    /// A directory with `x` packed as `x.slc` with a key file `k.key`.
    private func encryptedFixture(_ dir: FilePath) throws {
        try writeFile(dir.appending("x"), Self.data)
        #expect(try sluice("keygen", "-o", "k.key", in: dir).status == 0)
        #expect(try sluice("pack", "--key-file", "k.key", "x", in: dir).status == 0)
        try FileManager.default.removeItem(atPath: dir.appending("x").string)
    }

    @Test func wrongKeyFile() throws {
        try withTemporaryDirectory { dir in
            try encryptedFixture(dir)
            #expect(try sluice("keygen", "-o", "other.key", in: dir).status == 0)
            for command in ["unpack", "verify"] {
                let result = try sluice(command, "--key-file", "other.key", "x.slc", in: dir)
                #expect(result.status == 77, "\(command): \(result)")
                expectOneErrorLine(result)
            }
            #expect(try directoryListing(dir) == ["k.key", "other.key", "x.slc"])
        }
    }

    @Test func wrongPassphrase() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            let env = ["SLUICE_TEST_PASS": "right one", "SLUICE_TEST_WRONG": "wrong one"]
            #expect(try sluice("pack", "--kdf-cost", "10", "--passphrase-env", "SLUICE_TEST_PASS", "x", "-o", "p.slc", in: dir, environment: env).status == 0)
            let result = try sluice("unpack", "--passphrase-env", "SLUICE_TEST_WRONG", "p.slc", "-o", "out", in: dir, environment: env)
            #expect(result.status == 77, "\(result)")
            expectOneErrorLine(result)
            #expect(!exists(dir.appending("out")))
            #expect(try leftoverTemporaryFiles(in: dir) == [])
        }
    }

    /// A key file offered to a passphrase file and the reverse: wrong key, not corrupt.
    @Test func keyKindMismatch() throws {
        try withTemporaryDirectory { dir in
            try encryptedFixture(dir)
            try writeFile(dir.appending("pass.txt"), Array("a passphrase\n".utf8))
            let passphraseForKeyFile = try sluice("unpack", "--passphrase-file", "pass.txt", "x.slc", in: dir)
            #expect(passphraseForKeyFile.status == 77, "\(passphraseForKeyFile)")
            expectOneErrorLine(passphraseForKeyFile)

            try writeFile(dir.appending("y"), Self.data)
            #expect(try sluice("pack", "--kdf-cost", "10", "--passphrase-file", "pass.txt", "y", in: dir).status == 0)
            let keyFileForPassphrase = try sluice("unpack", "--key-file", "k.key", "y.slc", "-o", "y2", in: dir)
            #expect(keyFileForPassphrase.status == 77, "\(keyFileForPassphrase)")
            expectOneErrorLine(keyFileForPassphrase)
            #expect(!exists(dir.appending("y2")))
        }
    }

    /// No key option and no terminal to ask on: documented as 77, "wrong or missing key".
    @Test(.enabled(if: SluiceProcess.setsid != nil, "needs setsid to run without a terminal"))
    func missingKey() throws {
        try withTemporaryDirectory { dir in
            try encryptedFixture(dir)
            for command in ["unpack", "verify"] {
                let result = try sluice(command, "x.slc", in: dir, withoutTerminal: true)
                #expect(result.status == 77, "\(command): \(result)")
                expectOneErrorLine(result)
            }
            #expect(try directoryListing(dir) == ["k.key", "x.slc"])
        }
    }

    /// Damaged or cut-short input: 65, and the output never appears, not even as a temporary file.
    @Test(arguments: ["flipped", "truncated", "truncated at a frame", "garbage after", "empty", "foreign"])
    func corruptInputLeavesNothing(damage: String) throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            #expect(try sluice("pack", "--chunk-size", "4K", "x", in: dir).status == 0)
            try FileManager.default.removeItem(atPath: dir.appending("x").string)
            var bytes = try readFile(dir.appending("x.slc"))
            let layout = try SlcLayout(bytes)
            switch damage {
            case "flipped": bytes[layout.frames[3].lowerBound + 10] ^= 0x01
            case "truncated": bytes.removeLast(1)
            case "truncated at a frame": bytes.removeSubrange(layout.frames[5].lowerBound...)
            case "garbage after": bytes += [0]
            case "empty": bytes = []
            default: bytes = DataKind.random.bytes(count: 3000)
            }
            try writeFile(dir.appending("x.slc"), bytes)
            for arguments in [["unpack", "x.slc"], ["unpack", "x.slc", "-o", "named"]] {
                let result = try SluiceProcess.run(arguments, in: dir)
                #expect(result.status == 65, "\(arguments): \(result)")
                expectOneErrorLine(result)
                #expect(try directoryListing(dir) == ["x.slc"], "\(arguments) left files behind")
            }
            let verify = try sluice("verify", "x.slc", in: dir)
            #expect(verify.status == 65, "\(verify)")
        }
    }

    /// Damaged input from a pipe that is still being written: sluice stops at the bad frame and exits
    /// 65 without waiting for the rest of the stream, and publishes nothing. (The 60 s watchdog only
    /// turns a hang into a failure; the run takes a fraction of a second.)
    @Test(arguments: [["unpack", "-", "-o", "out"], ["unpack", "-c", "-"], ["verify", "-"]])
    func corruptStreamFromPipe(arguments: [String]) throws {
        let executable = try #require(SluiceProcess.executable)
        try withTemporaryDirectory { dir in
            let data = DataKind.text.bytes(count: 2_000_000, seed: 5)
            try writeFile(dir.appending("big"), data)
            #expect(try sluice("pack", "--chunk-size", "64K", "big", "-o", "big.slc", in: dir).status == 0)
            var bytes = try readFile(dir.appending("big.slc"))
            try FileManager.default.removeItem(atPath: dir.appending("big.slc").string)
            try FileManager.default.removeItem(atPath: dir.appending("big").string)
            bytes[try SlcLayout(bytes).frames[1].lowerBound + 9] ^= 0x01  // frame 1's checksum
            #expect(bytes.count > 4 * 65536, "more than a pipe holds, so the writer is still busy when sluice fails")

            ignoreBrokenPipes()
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: dir.string)
            let input = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
            let writer = input.fileHandleForWriting
            let stream = Data(bytes)
            Thread {
                try? writer.write(contentsOf: stream)
                try? writer.close()
            }.start()
            if exited.wait(timeout: .now() + 60) == .timedOut {
                process.terminate()
                Issue.record("sluice \(arguments) did not exit")
                process.waitUntilExit()
            }
            try? input.fileHandleForReading.close()
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 65)
            #expect(try directoryListing(dir) == [])
        }
    }

    @Test func usageErrors() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            let unknown = try sluice("pack", "--no-such-option", "x", in: dir)
            #expect(unknown.status == 64, "\(unknown)")
            #expect(!unknown.stderr.isEmpty)
            // zstd's shape: a first word that is no subcommand is a file to pack.
            #expect(try sluice("frobnicate", in: dir).status == 74)
            #expect(try sluice("pack", "--codec", "gzip", "x", in: dir).status == 64)
            #expect(try sluice("pack", "--level", "99", "x", in: dir).status == 64)
            #expect(try sluice("pack", "--chunk-size", "1K", "x", in: dir).status == 64)
            #expect(try sluice("pack", "-c", "-o", "y", "x", in: dir).status == 64)
            #expect(try sluice("pack", "--key-file", "k", "--passphrase-env", "P", "x", in: dir).status == 64)
            // A passphrase cost outside 10…22 is refused before anything is written.
            let cost = try sluice("pack", "--kdf-cost", "9", "--passphrase-env", "P", "x", in: dir, environment: ["P": "p"])
            #expect(cost.status == 64, "\(cost)")
            #expect(try directoryListing(dir) == ["x"])
        }
    }

    /// `--memory-limit` is honoured by a single-file unpack and never exceeded by an explicit
    /// `--chunk-size`: what cannot fit two chunk buffers is refused with one line, exit 64, and no output.
    @Test func memoryLimitIsNeverExceeded() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            let big = try sluice("pack", "--chunk-size", "64M", "--memory-limit", "100M", "x", in: dir)
            #expect(big.status == 64, "\(big)")
            expectOneErrorLine(big)
            #expect(big.stderr.contains("--memory-limit"))
            #expect(try sluice("pack", "-q", "--chunk-size", "4K", "x", in: dir).status == 0)
            try FileManager.default.removeItem(atPath: dir.appending("x").string)
            // Two 4 KiB chunks and their frames need more than 12 KiB.
            let tight = try sluice("unpack", "--memory-limit", "12K", "x.slc", in: dir)
            #expect(tight.status == 64, "\(tight)")
            expectOneErrorLine(tight)
            #expect(tight.stderr.contains("--memory-limit"))
            #expect(try directoryListing(dir) == ["x.slc"])
            let fits = try sluice("unpack", "--memory-limit", "64K", "x.slc", in: dir)
            #expect(fits.status == 0, "\(fits)")
            #expect(try readFile(dir.appending("x")) == Self.data)
        }
    }

    @Test func missingInput() throws {
        try withTemporaryDirectory { dir in
            for arguments in [["pack", "nope"], ["unpack", "nope.slc"], ["verify", "nope.slc"], ["inspect", "nope.slc"]] {
                let result = try SluiceProcess.run(arguments, in: dir)
                #expect(result.status == 74, "\(arguments): \(result)")
                expectOneErrorLine(result)
            }
            #expect(try directoryListing(dir) == [])
        }
    }

    /// Ctrl-C (or SIGTERM) during a run removes the temporary output and exits 130 (143).
    @Test(arguments: [(Int32(SIGINT), Int32(130)), (Int32(SIGTERM), Int32(143))])
    func signalRemovesTemporaryOutput(signal: Int32, status: Int32) throws {
        let executable = try #require(SluiceProcess.executable)
        try withTemporaryDirectory { dir in
            let process = Process()
            process.executableURL = executable
            process.arguments = ["pack", "-", "-o", "stream.slc"]
            process.currentDirectoryURL = URL(fileURLWithPath: dir.string)
            let input = Pipe()
            process.standardInput = input
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            // Feed some data but keep the pipe open, so the run is still going when the signal comes.
            input.fileHandleForWriting.write(Data(Self.data))
            var waited = 0
            // Its output is an anonymous file until complete: wait until the run has it open.
            while !TestSupport.isWriting(process.processIdentifier, in: dir.string), waited < 2000 {
                usleep(10_000)
                waited += 1
            }
            #expect(TestSupport.isWriting(process.processIdentifier, in: dir.string), "the run should be writing its output")
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            try? input.fileHandleForWriting.close()
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == status)
            #expect(try directoryListing(dir) == [])
        }
    }
}
