import Foundation
import SystemPackage
import Testing

/// `pack`, `unpack`, `verify` and `inspect` with several files and directories: each processed, one
/// line per failure naming the input, a summary, and the exit rule of docs/cli.md (the failures' own
/// code when they share one; else 77 when a key was refused; else 1, as `zstd a b c`).
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct ManyInputsTests {
    private func sluice(_ arguments: String..., in directory: FilePath) throws -> SluiceProcess.Result {
        try SluiceProcess.run(arguments, in: directory)
    }

    @Test func packAndUnpackSeveralFilesAndADirectory() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("a"), DataKind.text.bytes(count: 40_000, seed: 1))
            try writeFile(dir.appending("b"), DataKind.random.bytes(count: 10_000, seed: 2))
            try FileManager.default.createDirectory(atPath: dir.appending("tree/sub").string, withIntermediateDirectories: true)
            try writeFile(dir.appending("tree/sub/c"), DataKind.text.bytes(count: 5_000, seed: 3))
            let pack = try sluice("pack", "-v", "a", "b", "tree", in: dir)
            #expect(pack.status == 0, "\(pack)")
            #expect(pack.stderrLines.last == "sluice: packed 3 of 3 inputs", "\(pack)")
            #expect(exists(dir.appending("a.slc")) && exists(dir.appending("b.slc")) && exists(dir.appending("tree/sub/c.slc")))
            // zstd's shape: -d with several files.
            for name in ["a", "b", "tree/sub/c"] { try FileManager.default.moveItem(atPath: dir.appending(name).string, toPath: dir.appending(name + ".orig").string) }
            let unpack = try sluice("-d", "-q", "a.slc", "b.slc", "tree", in: dir)
            #expect(unpack.status == 0, "\(unpack)")
            #expect(unpack.stderr.isEmpty, "\(unpack)")
            for name in ["a", "b", "tree/sub/c"] {
                #expect(try readFile(dir.appending(name)) == readFile(dir.appending(name + ".orig")), "\(name)")
            }
        }
    }

    /// A missing input and a foreign one: one line each, naming it; the others are done; each failure
    /// alone keeps its own code (74 missing, 65 not a Sluice file or damaged).
    @Test func failuresAreCountedAndNamed() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("a"), DataKind.text.bytes(count: 40_000, seed: 1))
            try writeFile(dir.appending("notes.txt"), Array("plain notes\n".utf8))
            let pack = try sluice("pack", "a", "missing", in: dir)
            #expect(pack.status == 74, "\(pack)")
            #expect(pack.stderrLines == ["sluice: error: missing: no such file", "sluice: packed 1 of 2 inputs, 1 failed"], "\(pack)")
            #expect(exists(dir.appending("a.slc")))

            let verify = try sluice("verify", "a.slc", "notes.txt", in: dir)
            #expect(verify.status == 65, "\(verify)")
            #expect(verify.stdoutText.hasPrefix("a.slc: OK ("), "\(verify)")
            #expect(verify.stderrLines.first == "sluice: error: notes.txt is not a .slc, zstd, LZ4 or age file: it looks like ASCII text")
            #expect(verify.stderrLines.last == "sluice: verified 1 of 2 inputs, 1 failed")

            // A damaged file: the reader's message, prefixed with the file's name.
            var packed = try readFile(dir.appending("a.slc"))
            packed[packed.count / 2] ^= 0xFF
            try writeFile(dir.appending("bad.slc"), packed)
            let unpack = try sluice("-d", "-c", "a.slc", "bad.slc", in: dir)
            #expect(unpack.status == 65, "\(unpack)")
            #expect(unpack.stderrLines.first?.hasPrefix("sluice: error: bad.slc") == true, "\(unpack)")
            #expect(unpack.stderrLines.count == 2, "\(unpack)")
            #expect(!exists(dir.appending("bad")))
        }
    }

    /// The exit status of several inputs: one kind of failure keeps its code (all refused for their key:
    /// 77, as for one file); kinds mixed with a key refusal: 77 (as a directory's batch); mixed without: 1.
    @Test func exitStatusOfSeveralFailures() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("k1"), Array(repeating: 1, count: 32))
            try writeFile(dir.appending("k2"), Array(repeating: 2, count: 32))
            try writeFile(dir.appending("a"), DataKind.text.bytes(count: 20_000, seed: 1))
            try writeFile(dir.appending("b"), DataKind.text.bytes(count: 20_000, seed: 2))
            try writeFile(dir.appending("notes.txt"), Array("plain notes\n".utf8))
            for file in ["k1", "k2"] { _ = chmod(dir.appending(file).string, 0o600) }
            #expect(try sluice("pack", "-q", "--key-file", "k1", "a", "b", in: dir).status == 0)

            // Wrong key for both: 77, one line each.
            let wrong = try sluice("-t", "--key-file", "k2", "a.slc", "b.slc", in: dir)
            #expect(wrong.status == 77, "\(wrong)")
            #expect(wrong.stderrLines.count == 3 && wrong.stderrLines.last == "sluice: verified 0 of 2 inputs, 2 failed", "\(wrong)")
            // No key at all (no terminal to ask on): missing key, 77.
            let missing = try SluiceProcess.run(["-t", "a.slc", "b.slc"], in: dir, withoutTerminal: true)
            #expect(missing.status == 77, "\(missing)")
            // A key refusal among other failures: 77.
            let keyAndCorrupt = try sluice("-t", "--key-file", "k2", "a.slc", "notes.txt", in: dir)
            #expect(keyAndCorrupt.status == 77, "\(keyAndCorrupt)")
            // Different failures, none for a key: 1.
            let mixed = try sluice("-t", "--key-file", "k1", "a.slc", "notes.txt", "nothing.slc", in: dir)
            #expect(mixed.status == 1, "\(mixed)")
            #expect(mixed.stderrLines.last == "sluice: verified 1 of 3 inputs, 2 failed", "\(mixed)")
        }
    }

    @Test func inspectSeveral() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("a"), DataKind.text.bytes(count: 40_000, seed: 1))
            #expect(try sluice("pack", "a", in: dir).status == 0)
            #expect(try sluice("pack", "--format", "zstd", "a", in: dir).status == 0)
            let result = try sluice("-l", "a.slc", "a.zst", in: dir)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdoutText.contains("file:        a.slc") && result.stdoutText.contains("file:        a.zst"))
            #expect(result.stdoutText.contains("\n\nfile:        a.zst"), "a blank line between files")
        }
    }

    /// What cannot apply to several inputs is refused before anything is written.
    @Test func oneOutputForSeveralInputsIsRefused() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("a"), Array("a\n".utf8))
            try writeFile(dir.appending("b"), Array("b\n".utf8))
            for arguments in [["pack", "-o", "x.slc", "a", "b"], ["pack", "-c", "a", "b"], ["-d", "--range", "0:1", "a.slc", "b.slc"]] {
                let result = try SluiceProcess.run(arguments, in: dir)
                #expect(result.status == 64, "\(arguments): \(result)")
                #expect(result.stderrLines.first?.hasPrefix("sluice: error: ") == true, "\(result)")
            }
            #expect(try directoryListing(dir) == ["a", "b"])
        }
    }

    /// A passphrase for several files, from one option: every file opens with it.
    @Test func onePassphraseForSeveralFiles() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("a"), Array("first\n".utf8))
            try writeFile(dir.appending("b"), Array("second\n".utf8))
            let env = ["P": "several files"]
            let pack = try SluiceProcess.run(["pack", "--kdf-cost", "10", "--passphrase-env", "P", "a", "b"], in: dir, environment: env)
            #expect(pack.status == 0, "\(pack)")
            let verify = try SluiceProcess.run(["-t", "--passphrase-env", "P", "a.slc", "b.slc"], in: dir, environment: env)
            #expect(verify.status == 0, "\(verify)")
            #expect(verify.stdoutText.split(separator: "\n").count == 2)
        }
    }
}
