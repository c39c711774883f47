import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// Sluice against Debian's `age` and `age-keygen` (Makefile PACKAGES), both ways: keys, X25519 files,
/// several recipients, passphrase files (age reads passphrases only from a terminal: it runs under a
/// pseudo-terminal made by Python's `pty` module), armor, empty files and exact multiples of 64 KiB.
@Suite(.serialized) struct AgeInteropTests {
    static let sizes = [0, 1, 65536, 131072, 200_000]

    /// Runs a peer tool (`age`, `age-keygen`, `python3`) in `directory`; returns its exit status.
    @discardableResult
    static func peer(_ arguments: [String], in directory: FilePath, stdin: FilePath? = nil, stdout: FilePath? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.string)
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: directory.appending(stdin.string).string)) }
        if let stdout {
            FileManager.default.createFile(atPath: directory.appending(stdout.string).string, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.appending(stdout.string).string))
        }
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// What `age -o name` wrote: age creates its output only when it writes to it, so an empty
    /// plaintext leaves no file.
    static func ageOutput(_ directory: FilePath, _ name: String) throws -> [UInt8] {
        exists(directory.appending(name)) ? try readFile(directory.appending(name)) : []
    }

    /// Runs `age …` on a pseudo-terminal, typing `passphrase` at every prompt.
    static func ageWithPassphrase(_ passphrase: String, _ arguments: [String], in directory: FilePath) throws -> Int32 {
        let script = """
            import os, pty, sys
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp("age", sys.argv[2:])
            seen, answered = b"", 0
            while True:
                try:
                    data = os.read(fd, 1024)
                except OSError:
                    break
                if not data:
                    break
                seen += data
                while seen.lower().count(b"passphrase") > answered:
                    os.write(fd, sys.argv[1].encode() + b"\\n")
                    answered += 1
            sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
            """
        return try peer(["python3", "-c", script, passphrase] + ["age"] + arguments, in: directory)
    }

    @Test func theToolsAreInstalled() throws {
        try withTemporaryDirectory { directory in
            let age = try Self.peer(["age", "--version"], in: directory)
            #expect(age == 0, "age is missing: make deps installs it")
            let keygen = try Self.peer(["age-keygen", "-y", "/dev/null"], in: directory)
            #expect(keygen != 127, "age-keygen is missing")
        }
    }

    @Test func keysServeBothTools() throws {
        try withTemporaryDirectory { directory in
            let ours = try SluiceProcess.run(["keygen", "--identity", "-o", "ours.txt"], in: directory)
            #expect(ours.status == 0)
            #expect(try Self.peer(["age-keygen", "-y", "ours.txt"], in: directory, stdout: "ours.pub") == 0)
            #expect(String(decoding: try readFile(directory.appending("ours.pub")), as: UTF8.self) == ours.stdoutText)
            #expect(try Self.peer(["age-keygen", "-o", "theirs.txt"], in: directory) == 0)
            #expect(try Self.peer(["age-keygen", "-y", "theirs.txt"], in: directory, stdout: "theirs.pub") == 0)
            let theirs = try SluiceProcess.run(["keygen", "-y", "theirs.txt"], in: directory)
            let theirPublicKey = try readFile(directory.appending("theirs.pub"))
            #expect(theirs.status == 0 && theirs.stdout == theirPublicKey)
            // The identity file has age-keygen's layout: the same comment lines, the key line last.
            let lines = String(decoding: try readFile(directory.appending("ours.txt")), as: UTF8.self).split(separator: "\n")
            let theirLines = String(decoding: try readFile(directory.appending("theirs.txt")), as: UTF8.self).split(separator: "\n")
            #expect(lines.map { $0.prefix(14) } == theirLines.map { $0.prefix(14) })
        }
    }

    @Test(arguments: sizes)
    func x25519BothWays(size: Int) throws {
        try withTemporaryDirectory { directory in
            try writeFile(directory.appending("data"), try LibCrypto.randomBytes(size))
            #expect(try Self.peer(["age-keygen", "-o", "theirs.txt"], in: directory) == 0)
            let recipient = try IdentityFile.identities(at: directory.appending("theirs.txt"))[0].recipient.description
            for armor in [false, true] {
                // Sluice writes, age reads.
                let packed = try SluiceProcess.run(["pack", "-r", recipient, "data", "-o", "s.age", "-f"] + (armor ? ["--armor"] : []), in: directory)
                #expect(packed.status == 0, "\(packed)")
                #expect(try Self.peer(["age", "-d", "-i", "theirs.txt", "-o", "s.out", "s.age"], in: directory) == 0)
                #expect(try Self.ageOutput(directory, "s.out") == (try readFile(directory.appending("data"))))
                // age writes, sluice reads, from a file and from a pipe.
                #expect(try Self.peer(["age", "-r", recipient, "-o", "a.age"] + (armor ? ["-a"] : []) + ["data"], in: directory) == 0)
                let unpacked = try SluiceProcess.run(["unpack", "-i", "theirs.txt", "a.age", "-o", "a.out", "-f"], in: directory)
                #expect(unpacked.status == 0, "\(unpacked)")
                #expect(try readFile(directory.appending("a.out")) == (try readFile(directory.appending("data"))))
                let piped = try SluiceProcess.run(["unpack", "-i", "theirs.txt", "-c", "-"], in: directory, stdin: directory.appending("a.age"))
                let original = try readFile(directory.appending("data"))
                #expect(piped.status == 0 && piped.stdout == original, "\(piped)")
                try? FileManager.default.removeItem(atPath: directory.appending("s.out").string)
            }
        }
    }

    @Test func severalRecipientsBothWays() throws {
        try withTemporaryDirectory { directory in
            let data = try LibCrypto.randomBytes(100_000)
            try writeFile(directory.appending("data"), data)
            var recipients: [String] = []
            for name in ["a", "b", "c"] {
                #expect(try Self.peer(["age-keygen", "-o", "\(name).txt"], in: directory) == 0)
                recipients.append(try IdentityFile.identities(at: directory.appending("\(name).txt"))[0].recipient.description)
            }
            try writeFile(directory.appending("team.txt"), Array("# the team\n\(recipients[1])\n\n\(recipients[2])\n".utf8))
            let packed = try SluiceProcess.run(["pack", "-r", recipients[0], "-R", "team.txt", "data", "-o", "s.age"], in: directory)
            #expect(packed.status == 0, "\(packed)")
            for name in ["a", "b", "c"] {
                #expect(try Self.peer(["age", "-d", "-i", "\(name).txt", "-o", "\(name).out", "s.age"], in: directory) == 0)
                #expect(try Self.ageOutput(directory, "\(name).out") == data)
            }
            #expect(try Self.peer(["age", "-r", recipients[0], "-R", "team.txt", "-o", "a.age", "data"], in: directory) == 0)
            for name in ["a", "c"] {
                let unpacked = try SluiceProcess.run(["unpack", "-i", "\(name).txt", "-c", "a.age"], in: directory)
                #expect(unpacked.status == 0 && unpacked.stdout == data, "\(unpacked)")
            }
            // Several -i: the one that matches is found; none matching → 77.
            try FileManager.default.removeItem(atPath: directory.appending("a.txt").string)
            #expect(try Self.peer(["age-keygen", "-o", "a.txt"], in: directory) == 0)
            let both = try SluiceProcess.run(["unpack", "-i", "a.txt", "-i", "b.txt", "-c", "a.age"], in: directory)
            #expect(both.status == 0 && both.stdout == data)
            let none = try SluiceProcess.run(["unpack", "-i", "a.txt", "-c", "a.age"], in: directory)
            #expect(none.status == 77 && none.stderr.contains("no identity matches"), "\(none)")
        }
    }

    @Test(arguments: [0, 65536, 70000])
    func passphraseBothWays(size: Int) throws {
        try withTemporaryDirectory { directory in
            let data = try LibCrypto.randomBytes(size)
            try writeFile(directory.appending("data"), data)
            let environment = ["PW": "correct horse"]
            let packed = try SluiceProcess.run(
                ["pack", "--format", "age", "--passphrase-env", "PW", "--kdf-cost", "12", "data", "-o", "s.age"], in: directory,
                environment: environment)
            #expect(packed.status == 0, "\(packed)")
            #expect(try Self.ageWithPassphrase("correct horse", ["-d", "-o", "s.out", "s.age"], in: directory) == 0)
            #expect(try Self.ageOutput(directory, "s.out") == data)
            #expect(try Self.ageWithPassphrase("correct horse", ["-p", "-o", "a.age", "data"], in: directory) == 0)
            let header = String(decoding: try readFile(directory.appending("a.age")).prefix(60), as: UTF8.self)
            #expect(header.contains("-> scrypt "))
            let unpacked = try SluiceProcess.run(["unpack", "--passphrase-env", "PW", "-c", "a.age"], in: directory, environment: environment)
            #expect(unpacked.status == 0 && unpacked.stdout == data, "\(unpacked)")
            let wrong = try SluiceProcess.run(
                ["unpack", "--passphrase-env", "PW", "-c", "a.age"], in: directory, environment: ["PW": "wrong"])
            #expect(wrong.status == 77 && wrong.stderr.contains("no identity matches"), "\(wrong)")
            // The work factor is capped on decryption: age's 18 is above a limit of 16.
            let capped = try SluiceProcess.run(
                ["unpack", "--passphrase-env", "PW", "--max-kdf-cost", "16", "-c", "a.age"], in: directory, environment: environment)
            #expect(capped.status == 65 && capped.stderr.contains("--max-kdf-cost"), "\(capped)")
        }
    }
}
