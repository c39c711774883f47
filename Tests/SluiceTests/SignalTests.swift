#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Sluice
import SystemPackage
import Testing

/// SIGINT and SIGTERM at random moments of a real run of the CLI: the process must exit 130 or 143 and
/// leave no temporary file and no output; a run the signal missed must have produced the complete,
/// correct output. Delays are drawn from the length of an uninterrupted run measured first (so the
/// signals land mid-run on a fast or a slow machine alike); nothing asserts a duration.
@Suite(.serialized) struct SignalTests {
    enum Scenario: String, CaseIterable, Sendable {
        /// brotli at quality 11 on 1 MiB of a regular file: seconds of CPU.
        case packSlowCodec
        /// a 96 MiB store+SHA-256 file to a regular file.
        case unpackLargeFile
        /// a 2 MiB .slc arriving slowly on a pipe (stdin), written to a file.
        case unpackFromSlowPipe
    }

    static let runsPerScenario = 6

    @Test(arguments: Scenario.allCases)
    func signalAtARandomMoment(_ scenario: Scenario) throws {
        signal(SIGPIPE, SIG_IGN)  // the feeder of a pipe whose reader was killed gets EPIPE instead
        try TestSupport.withTemporaryDirectory { directory in
            let original: [UInt8]
            let packed: String
            switch scenario {
            case .packSlowCodec:
                original = TestSupport.data(count: 1 << 20)
                packed = ""
            case .unpackLargeFile, .unpackFromSlowPipe:
                // 1 MiB of data repeated with a varying prefix: cheap to make, and store keeps it large.
                let block = TestSupport.data(count: 1 << 20)
                let copies = scenario == .unpackLargeFile ? 96 : 2
                original = (0..<copies).flatMap { i in withUnsafeBytes(of: UInt64(i)) { Array($0) } + block[8...] }
                packed = "\(directory)/input.slc"
            }
            let input = "\(directory)/input"
            try TestSupport.write(original, to: input)
            if !packed.isEmpty {
                let outcome = try Child.run([TestSupport.sluice, "pack", "-q", "--codec", "store", "--checksum", "sha256",
                                             "--chunk-size", "256K", input, "-o", packed])
                try #require(outcome.exitCode == 0, "\(outcome.standardError)")
            }
            let outputDirectory = "\(directory)/out"
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: false)
            let output = "\(outputDirectory)/result"

            func start() throws -> (Child, Thread?) {
                switch scenario {
                case .packSlowCodec:
                    return (try Child([TestSupport.sluice, "pack", "--codec", "brotli", "-l", "11", "--chunk-size", "64K",
                                       input, "-o", output]), nil)
                case .unpackLargeFile:
                    return (try Child([TestSupport.sluice, "unpack", packed, "-o", output]), nil)
                case .unpackFromSlowPipe:
                    let made = try TestSupport.pipe()
                    let ends = [made.read, made.write]
                    let child = try Child([TestSupport.sluice, "unpack", "-", "-o", output], stdinDescriptor: ends[0])
                    close(ends[0])
                    let bytes = try TestSupport.read(packed)
                    let writeEnd = ends[1]
                    // Feeds the pipe slowly; ends when all is written or the reader is gone (EPIPE).
                    let feeder = Thread {
                        defer { close(writeEnd) }
                        var offset = 0
                        while offset < bytes.count {
                            let piece = min(32 << 10, bytes.count - offset)
                            let written = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress! + offset, piece) }
                            if written <= 0 { return }
                            offset += written
                            usleep(5_000)
                        }
                    }
                    feeder.start()
                    return (child, feeder)
                }
            }

            /// Whether `output` is the complete result: the original itself, or a .slc that unpacks to it.
            func outputIsComplete() throws -> Bool {
                guard scenario == .packSlowCodec else { return try TestSupport.read(output) == original }
                let back = "\(directory)/back"
                defer { unlink(back) }
                _ = try Pipeline.unpackFile(FilePath(output), to: .file(FilePath(back), overwrite: true), key: { _ in nil })
                return try TestSupport.read(back) == original
            }

            // One run without a signal: it must succeed, and its length bounds the random delays.
            let began = Date()
            let (child, _) = try start()
            let clean = child.wait()
            var length = Date().timeIntervalSince(began)
            try #require(clean.exitCode == 0, "uninterrupted run: \(clean.standardError)")
            #expect(try outputIsComplete())
            try FileManager.default.removeItem(atPath: output)

            var interrupted = 0
            for run in 0..<Self.runsPerScenario {
                let signal = run % 2 == 0 ? SIGINT : SIGTERM
                let (child, feeder) = try start()
                usleep(useconds_t(Double.random(in: 0.05...0.9) * length * 1_000_000))
                child.send(signal)
                let outcome = try #require(child.wait(atMost: 120), "no exit after signal \(signal)")
                while feeder?.isFinished == false { usleep(1_000) }
                let leftovers = TestSupport.temporaryFiles(in: outputDirectory)
                #expect(leftovers.isEmpty, "run \(run): \(leftovers) left behind")
                switch outcome.exitCode {
                case (signal == SIGINT ? 130 : 143):
                    interrupted += 1
                    // An output may exist only if the signal came after it was renamed into place, and then
                    // it is complete: a partial one never gets the final name.
                    if FileManager.default.fileExists(atPath: output) {
                        #expect(try outputIsComplete(), "run \(run): a partial output after the signal")
                    }
                case nil where outcome.signal == signal:
                    // The signal came before main() blocked it (process start-up): the default action
                    // ended the process, which the shell reports as the same 130/143; nothing existed yet.
                    interrupted += 1
                    #expect(!FileManager.default.fileExists(atPath: output), "run \(run): output after an early signal")
                case 0:
                    // The signal came after the output was published (or as the process exited).
                    #expect(try outputIsComplete(), "run \(run): exit 0 with an incomplete output")
                    // This run was shorter than the first (a loaded machine makes lengths vary a lot):
                    // aim the next signals earlier.
                    length /= 2
                default:
                    Issue.record("run \(run), signal \(signal): exit \(String(describing: outcome.exitCode)), killed by \(String(describing: outcome.signal)): \(outcome.standardError)")
                }
                try? FileManager.default.removeItem(atPath: output)
            }
            #expect(interrupted > 0, "no run was interrupted mid-way")
        }
    }

    /// A second Ctrl-C ends the process at once even when the clean-up after the first one blocks: here
    /// stderr is a pipe that is already full, so printing "interrupted" never finishes.
    @Test func secondInterruptExitsAtOnce() throws {
        signal(SIGPIPE, SIG_IGN)
        try TestSupport.withTemporaryDirectory { directory in
            let input = "\(directory)/input"
            try TestSupport.write(TestSupport.data(count: 1 << 20), to: input)
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            defer { close(ends[0]) }
            // Fill the pipe, then make it blocking again for the child.
            _ = fcntl(ends[1], F_SETFL, O_NONBLOCK)
            let filler = [UInt8](repeating: 0x2E, count: 4096)
            while filler.withUnsafeBytes({ write(ends[1], $0.baseAddress, 4096) }) > 0 {}
            _ = fcntl(ends[1], F_SETFL, 0)
            let output = "\(directory)/input.slc"
            let child = try Child([TestSupport.sluice, "pack", "--codec", "brotli", "-l", "11", "--chunk-size", "64K", input,
                                   "-o", output], stderrDescriptor: ends[1])
            close(ends[1])

            // Wait (bounded) until the output (an anonymous file) is open, then interrupt once.
            try DeathTests.waitUntilWriting(child, in: directory)
            try #require(!child.hasExited, "pack ended before it could be interrupted")
            child.send(SIGINT)
            // Give the first SIGINT time to be taken (its clean-up then blocks on the full stderr).
            usleep(300_000)
            child.send(SIGINT)
            let outcome = child.wait(atMost: 60)
            #expect(outcome != nil, "the second SIGINT did not end the process")
            #expect(outcome?.exitCode == 130)
            #expect(!FileManager.default.fileExists(atPath: output))
        }
    }
}
