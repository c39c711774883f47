import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// Restored files get `mode & ~umask`, no setuid/setgid/sticky bits unless `--preserve-special-bits`,
/// and `0666 & ~umask` when no mode is restored — single files and batch alike.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct RestoredModeTests {
    /// Runs `sluice` under `umask` (set in a shell, so the test process's own umask is never touched);
    /// with `stdin`, that file is piped in, as `producer | sluice pack -` does.
    private func sluice(umask: String, _ arguments: [String], in dir: FilePath, stdin: FilePath? = nil) throws -> SluiceProcess.Result {
        let command = "umask \(umask) && " + (stdin.map { "cat '\($0.string)' | " } ?? "") + "\"$SLUICE\" "
            + arguments.map { "'\($0)'" }.joined(separator: " ")
        return try SluiceProcess.shell(command, in: dir)
    }

    private func mode(_ path: FilePath) throws -> UInt32 {
        try #require(BatchTesting.stamp(path.string)).mode & 0o7777
    }

    @Test func umaskAndSpecialBitsOnSingleFiles() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("s"), Array("#!/bin/sh\necho hi\n".utf8))
            #expect(chmod(dir.appending("s").string, 0o6777) == 0)
            let recorded = try mode(dir.appending("s"))
            #expect(recorded & 0o4000 != 0, "setuid could be set on the source")
            #expect(try sluice(umask: "022", ["pack", "s"], in: dir).status == 0)
            #expect(try sluice(umask: "022", ["unpack", "s.slc", "-o", "plain"], in: dir).status == 0)
            #expect(try mode(dir.appending("plain")) == recorded & 0o755)
            #expect(try sluice(umask: "077", ["unpack", "s.slc", "-o", "private"], in: dir).status == 0)
            #expect(try mode(dir.appending("private")) == 0o700)
            #expect(try sluice(umask: "022", ["unpack", "--preserve-special-bits", "s.slc", "-o", "special"], in: dir).status == 0)
            #expect(try mode(dir.appending("special")) == recorded & ~0o022)
            #expect(try sluice(umask: "027", ["unpack", "--no-restore-metadata", "s.slc", "-o", "norestore"], in: dir).status == 0)
            #expect(try mode(dir.appending("norestore")) == 0o640)
            // Packed from stdin (recorded 0644) and unpacked under umask 077: readable by its owner only.
            try writeFile(dir.appending("k.key"), (0..<32).map { UInt8($0) })
            #expect(chmod(dir.appending("k.key").string, 0o600) == 0)
            #expect(try sluice(umask: "022", ["pack", "--key-file", "k.key", "-", "-o", "stdin.slc"], in: dir, stdin: dir.appending("s")).status == 0)
            #expect(try sluice(umask: "077", ["unpack", "--key-file", "k.key", "stdin.slc", "-o", "fromstdin"], in: dir).status == 0)
            #expect(try mode(dir.appending("fromstdin")) == 0o600)
        }
    }

    @Test func umaskAndSpecialBitsInBatch() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir.appending("tree").string, withIntermediateDirectories: true)
            try writeFile(dir.appending("tree/small"), Array("small\n".utf8))
            try writeFile(dir.appending("tree/large"), DataKind.text.bytes(count: 5 << 20, seed: 9))
            for name in ["small", "large"] { #expect(chmod(dir.appending("tree/\(name)").string, 0o6755) == 0) }
            let recorded = try mode(dir.appending("tree/small"))
            #expect(try sluice(umask: "022", ["pack", "tree", "-o", "packed"], in: dir).status == 0)
            #expect(try sluice(umask: "077", ["unpack", "packed", "-o", "back"], in: dir).status == 0)
            for name in ["small", "large"] { #expect(try mode(dir.appending("back/\(name)")) == 0o700, "\(name)") }
            #expect(try sluice(umask: "022", ["unpack", "--preserve-special-bits", "packed", "-o", "kept"], in: dir).status == 0)
            for name in ["small", "large"] { #expect(try mode(dir.appending("kept/\(name)")) == recorded, "\(name)") }
        }
    }

    @Test func bitsFollowTheRules() {
        let mask = RestoredMode.processUmask
        #expect(RestoredMode.bits(recorded: 0o6777, preserveSpecialBits: false) == 0o777 & ~mask)
        #expect(RestoredMode.bits(recorded: 0o6777, preserveSpecialBits: true) == 0o6777 & ~mask)
        #expect(RestoredMode.bits(recorded: nil, preserveSpecialBits: false) == 0o666 & ~mask)
        #expect(RestoredMode.bits(recorded: 0o1644, preserveSpecialBits: false) == 0o644 & ~mask)
    }
}
