import Foundation
import SystemPackage
import Testing

/// What a new user meets first (issue #13, "rough edges"): each message names the file and says what
/// to do, usage errors have the documented one-line form, tiny inputs get no made-up speeds, and inputs
/// whose size is unknown or wrong are streamed.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct FirstStepsTests {
    private func sluice(_ arguments: String..., in directory: FilePath) throws -> SluiceProcess.Result {
        try SluiceProcess.run(arguments, in: directory)
    }

    private func expectOneErrorLine(_ result: SluiceProcess.Result, _ status: Int32, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
        #expect(!result.crashed, sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderrLines.first?.hasPrefix("sluice: error: ") == true, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "\(result)", sourceLocation: sourceLocation)
    }

    /// `inspect`, `unpack` and `verify` of a file that is not one Sluice reads: the file named, and what
    /// it looks like instead (was "not a Sluice file (bad magic)").
    @Test func foreignFilesAreNamedAndDescribed() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("a.txt"), Array("just some notes\n".utf8))
            try writeFile(dir.appending("u.txt"), Array("größer\n".utf8))
            try writeFile(dir.appending("x.gz"), [0x1F, 0x8B, 0x08, 0x00] + [UInt8](repeating: 0, count: 20))
            try writeFile(dir.appending("empty"), [])
            try writeFile(dir.appending("blob"), [0x00, 0x01, 0x02, 0xFF, 0x10, 0x00, 0x00, 0x00, 0x07])
            let cases: [(String, String)] = [
                ("a.txt", "a.txt is not a .slc, zstd, LZ4 or age file: it looks like ASCII text"),
                ("u.txt", "it looks like UTF-8 text"),
                ("x.gz", "it looks like gzip data (gzip -d or pigz -d reads it)"),
                ("empty", "empty is not a .slc, zstd, LZ4 or age file: it is empty"),
                ("blob", "it looks like binary data (first bytes 00 01 02 ff 10 00 00 00)"),
            ]
            for (name, message) in cases {
                expectOneErrorLine(try sluice("inspect", name, in: dir), 65, containing: message)
                expectOneErrorLine(try sluice("verify", name, in: dir), 65, containing: message)
                expectOneErrorLine(try sluice("unpack", name, "-o", "out", in: dir), 65, containing: message)
            }
            #expect(!exists(dir.appending("out")))
        }
    }

    /// A damaged file of a format Sluice reads keeps the reader's own message: it is not "foreign".
    @Test func damagedSluiceFilesAreNotRelabelled() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), DataKind.text.bytes(count: 50_000, seed: 2))
            #expect(try sluice("pack", "x", in: dir).status == 0)
            let packed = try readFile(dir.appending("x.slc"))
            try writeFile(dir.appending("cut.slc"), Array(packed.prefix(40)))
            let result = try sluice("inspect", "cut.slc", in: dir)
            #expect(result.status == 65, "\(result)")
            #expect(!result.stderr.contains("looks like"), "\(result)")
        }
    }

    /// `keygen -o DIR` (was "DIR already exists; not overwriting a key").
    @Test func keygenIntoADirectory() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir.appending("keys").string, withIntermediateDirectories: false)
            expectOneErrorLine(try sluice("keygen", "-o", "keys", in: dir), 64,
                               containing: "keys is a directory: name the key file to create in it (-o keys/backup.key)")
            expectOneErrorLine(try sluice("keygen", "--identity", "-o", "keys", in: dir), 64, containing: "(-o keys/identity.txt)")
            #expect(try directoryListing(dir.appending("keys")) == [])
            expectOneErrorLine(try sluice("keygen", "-o", "nowhere/k.key", in: dir), 74,
                               containing: "cannot write nowhere/k.key: the directory nowhere does not exist")
        }
    }

    /// `--range` past the end (was "the range 5120..<5121 reaches past the end (6 bytes)").
    @Test func rangePastTheEnd() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Array("hello\n".utf8))
            #expect(try sluice("pack", "x", in: dir).status == 0)
            expectOneErrorLine(try sluice("unpack", "--range", "5K:1", "x.slc", "-o", "y", in: dir), 64,
                               containing: "--range 5K:1 (bytes 5120…5120) reaches past the end of x.slc: its original is 6 bytes")
            #expect(try directoryListing(dir) == ["x", "x.slc"])
        }
    }

    /// `-o` into a directory that does not exist (was "cannot create a temporary file in /nonexistent/dir").
    @Test func outputInAMissingDirectory() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Array("hello\n".utf8))
            expectOneErrorLine(try sluice("pack", "x", "-o", "/nonexistent/dir/x", in: dir), 74,
                               containing: "cannot write /nonexistent/dir/x: the directory /nonexistent/dir does not exist")
            #expect(try sluice("pack", "x", in: dir).status == 0)
            expectOneErrorLine(try sluice("unpack", "x.slc", "-o", "x/y", in: dir), 74,
                               containing: "cannot write x/y: x is not a directory")
            #expect(try directoryListing(dir) == ["x", "x.slc"])
        }
    }

    /// Usage errors: `sluice: error: …` first (docs/cli.md), then the command's usage; exit 64
    /// (was "Error: …" then usage).
    @Test func usageErrorsHaveTheDocumentedForm() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Array("hello\n".utf8))
            for arguments in [["pack", "--no-such-option", "x"], ["pack", "-c", "-o", "y", "x"], ["unpack", "--workers"], ["--no-such-option"]] {
                let result = try SluiceProcess.run(arguments, in: dir)
                #expect(result.status == 64, "\(arguments): \(result)")
                #expect(result.stderrLines.first?.hasPrefix("sluice: error: ") == true, "\(arguments): \(result)")
                #expect(result.stderr.contains("Usage: sluice"), "\(arguments): \(result)")
                #expect(!result.stderr.contains("Error: "), "\(arguments): \(result)")
            }
            let pack = try sluice("pack", "--no-such-option", "x", in: dir)
            #expect(pack.stderrLines.first == "sluice: error: Unknown option '--no-such-option'", "\(pack)")
            #expect(pack.stderr.contains("See 'sluice pack --help'"))
        }
    }

    /// Tiny inputs: no speed in the summary ("0 MB/s" before), and --explain says a one-chunk file is
    /// one chunk for one worker (it claimed "each worker 2 or more chunks").
    @Test func tinyInputsAreDescribedHonestly() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("tiny"), Array("hello\n".utf8))
            let pack = try sluice("pack", "-v", "--explain", "--workers", "2", "tiny", in: dir)
            #expect(pack.status == 0, "\(pack)")
            #expect(pack.stderr.contains("a 6 B input is one chunk, for one worker"), "\(pack)")
            #expect(!pack.stderr.contains("gives each worker"), "\(pack)")
            let summary = pack.stderrLines.last.map(String.init) ?? ""
            #expect(summary.hasPrefix("tiny → tiny.slc: 6 B → "), "\(summary)")
            #expect(!summary.contains("B/s"), "\(summary)")
            let unpack = try sluice("unpack", "-v", "-f", "tiny.slc", in: dir)
            #expect(unpack.status == 0)
            #expect(!unpack.stderr.contains("B/s"), "\(unpack)")
            // Large enough to measure: the speed is shown.
            try writeFile(dir.appending("big"), DataKind.text.bytes(count: 8 << 20, seed: 1))
            let big = try sluice("pack", "-v", "big", in: dir)
            #expect(big.stderr.contains("B/s, "), "\(big)")
        }
    }

    /// `bench` on a 256 KiB input shows the 256 KiB chunk it measured, not the 4 MiB it was asked for.
    @Test func benchShowsTheChunkTheDataSaw() throws {
        try withTemporaryDirectory { dir in
            let result = try sluice("bench", "--generate", "text:256K", "--codecs", "lz4", "--no-baselines", "--runs", "1",
                                    "--min-time", "0", "--warmup", "0", in: dir)
            #expect(result.status == 0, "\(result)")
            let row = result.stdoutText.split(separator: "\n").first { $0.hasPrefix("lz4 ") }.map(String.init) ?? ""
            #expect(row.contains(" 256 KiB "), "\(result.stdoutText)")
            #expect(result.stderr.contains("lz4 · 256 KiB · 1w"), "\(result)")
            #expect(!result.stdoutText.contains(" 4 MiB") && !result.stderr.contains(" 4 MiB"), "\(result)")
        }
    }

    /// `pack --help` shows -o, --codec, --level and the other everyday options before keys, I/O and
    /// directories.
    @Test func packHelpShowsEverydayOptionsFirst() throws {
        try withTemporaryDirectory { dir in
            let help = try sluice("pack", "--help", in: dir).stdoutText
            // Where an option's own line starts (not a mention in the examples).
            func position(_ option: String) -> Int {
                help.range(of: "\n  " + option).map { help.distance(from: help.startIndex, to: $0.lowerBound) } ?? Int.max
            }
            for everyday in ["-o, --output", "--codec", "-l, --level", "-f, --force"] {
                for rare in ["--key-file", "--io-tokens", "--include", "--chunk-size", "-r, --recipient"] {
                    #expect(position(everyday) < position(rare), "\(everyday) after \(rare)")
                #expect(position(rare) < Int.max, "\(rare) not in the help")
                }
            }
        }
    }

    /// Inputs whose size is unknown or wrong are streamed: /proc (reports 0 bytes), /sys (4096), a
    /// FIFO, a character device. (`pack /proc/…` failed with "the input changed size … (0 bytes expected)".)
    @Test func pseudoFilesFifosAndDevicesAreStreamed() throws {
        try withTemporaryDirectory { dir in
            var sources = ["/proc/version", "/dev/null"]
            if FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled") {
                sources.append("/sys/kernel/mm/transparent_hugepage/enabled")
            }
            for (index, source) in sources.enumerated() {
                let expected = Array(FileHandle(forReadingAtPath: source)?.readDataToEndOfFile() ?? Data())
                let pack = try sluice("pack", source, "-o", "\(index).slc", in: dir)
                #expect(pack.status == 0, "\(source): \(pack)")
                let back = try sluice("unpack", "-c", "\(index).slc", in: dir)
                #expect(back.status == 0, "\(source): \(back)")
                #expect(back.stdout == expected, "\(source)")
            }
            // A FIFO: its writer runs beside the packing process.
            let fifo = dir.appending("fifo")
            #expect(mkfifo(fifo.string, 0o600) == 0)
            let payload = DataKind.text.bytes(count: 300_000, seed: 9)
            let writer = Thread {
                if let handle = FileHandle(forWritingAtPath: fifo.string) {
                    handle.write(Data(payload))
                    try? handle.close()
                }
            }
            writer.start()
            let pack = try sluice("pack", "fifo", in: dir)
            #expect(pack.status == 0, "\(pack)")
            let back = try sluice("unpack", "-c", "fifo.slc", in: dir)
            #expect(back.stdout == payload)
        }
    }

    /// Shell completions come from the same definitions as --help.
    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(shell: String) throws {
        try withTemporaryDirectory { dir in
            let result = try sluice("--generate-completion-script", shell, in: dir)
            #expect(result.status == 0, "\(result)")
            for word in ["pack", "unpack", "inspect", "verify", "keygen", "codec", "key-file"] {
                #expect(result.stdoutText.contains(word), "\(shell): \(word)")
            }
        }
    }
}
