import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// Every documented refusal around age files and identities, through the CLI: one error line and the
/// documented exit code (docs/cli.md), no output left behind.
@Suite struct AgeErrorTests {
    static func setUp(_ directory: FilePath) throws -> String {
        try writeFile(directory.appending("data"), try LibCrypto.randomBytes(70_000))
        let made = try SluiceProcess.run(["keygen", "--identity", "-o", "me.txt"], in: directory)
        #expect(made.status == 0)
        return made.stdoutText.trimmingCharacters(in: .newlines)
    }

    static func expectRefusal(_ result: SluiceProcess.Result, _ status: Int32, _ wording: String) {
        #expect(result.status == status && !result.crashed, "\(result)")
        #expect(result.stderrLines.count == 1 && result.stderr.contains(wording), "\(result)")
    }

    @Test func packRefusals() throws {
        try withTemporaryDirectory { directory in
            let recipient = try Self.setUp(directory)
            try writeFile(directory.appending("k.key"), try LibCrypto.randomBytes(32))
            Self.expectRefusal(try SluiceProcess.run(["pack", "--format", "age", "--codec", "zstd", "-r", recipient, "data"], in: directory),
                               64, "age has no compression")
            Self.expectRefusal(try SluiceProcess.run(["pack", "--format", "age", "--key-file", "k.key", "data"], in: directory),
                               64, "not a key file")
            // One --format for every format: each keeps its own refusals (-r/-R encrypt .slc and age files).
            Self.expectRefusal(try SluiceProcess.run(["pack", "--format", "zstd", "-r", recipient, "data"], in: directory),
                               64, "a standard zstd file has no encryption")
            Self.expectRefusal(try SluiceProcess.run(["pack", "--format", "lz4", "--armor", "data"], in: directory), 64, "--armor is for age files")
            Self.expectRefusal(try SluiceProcess.run(["pack", "-r", recipient, "data", "-o", "data.zst"], in: directory),
                               64, "a standard zstd file has no encryption")
            Self.expectRefusal(try SluiceProcess.run(["pack", "--armor", "data", "-o", "data.lz4"], in: directory),
                               64, "names a .lz4 file, but --armor writes age files")
            Self.expectRefusal(try SluiceProcess.run(["pack", "--format", "zstd", "--key-file", "k.key", "data"], in: directory),
                               64, "has no encryption")
            Self.expectRefusal(try SluiceProcess.run(["pack", "-r", recipient, "--context", "c", "data", "-o", "data.age"], in: directory),
                               64, "age files cannot record one")
            let unknown = try SluiceProcess.run(["pack", "--format", "brotli", "data"], in: directory)
            #expect(unknown.status == 64 && unknown.stderr.contains("'slc', 'zstd', 'lz4' or 'age'"), "\(unknown)")
            Self.expectRefusal(try SluiceProcess.run(["pack", "-r", "age1pq1" + String(repeating: "q", count: 60), "data"], in: directory),
                               64, "ML-KEM")
            Self.expectRefusal(try SluiceProcess.run(["pack", "-r", "age1notakey", "data"], in: directory), 64, "not an age recipient")
            Self.expectRefusal(try SluiceProcess.run(["pack", "--armor", "--format", "slc", "data"], in: directory), 64, "--armor is for age files")
            Self.expectRefusal(try SluiceProcess.run(["pack", "--format", "age", "--chunk-size", "100K", "-r", recipient, "data"], in: directory),
                               64, "multiple of 64")
            #expect(try leftoverTemporaryFiles(in: directory).isEmpty)
            #expect(!exists(directory.appending("data.age")))
            #expect(!exists(directory.appending("data.slc")))
        }
    }

    /// The format is chosen by --format, --armor or the output name; -r alone writes a .slc (docs/cli.md).
    @Test func theOutputNameChoosesAge() throws {
        try withTemporaryDirectory { directory in
            let recipient = try Self.setUp(directory)
            let slc = try SluiceProcess.run(["pack", "-r", recipient, "data"], in: directory)
            #expect(slc.status == 0, "\(slc)")
            #expect(try readFile(directory.appending("data.slc")).starts(with: [0x89, 0x53, 0x4C, 0x43]))
            #expect(!exists(directory.appending("data.age")))
            let packed = try SluiceProcess.run(["pack", "-r", recipient, "data", "--format", "age"], in: directory)
            #expect(packed.status == 0)
            #expect(try readFile(directory.appending("data.age")).starts(with: Array("age-encryption.org/v1\n".utf8)))
            let armored = try SluiceProcess.run(["pack", "-r", recipient, "--armor", "data", "-o", "armored"], in: directory)
            #expect(armored.status == 0)
            #expect(try readFile(directory.appending("armored")).starts(with: Array("-----BEGIN AGE".utf8)))
            try FileManager.default.moveItem(atPath: directory.appending("data").string, toPath: directory.appending("orig").string)
            let unpacked = try SluiceProcess.run(["unpack", "-i", "me.txt", "data.age"], in: directory)
            #expect(unpacked.status == 0, "\(unpacked)")
            #expect(try readFile(directory.appending("data")) == (try readFile(directory.appending("orig"))))
            let verified = try SluiceProcess.run(["verify", "-i", "me.txt", "data.age"], in: directory)
            #expect(verified.status == 0 && verified.stdoutText.contains("OK"), "\(verified)")
            let named = try SluiceProcess.run(["pack", "--passphrase-env", "PW", "--kdf-cost", "10", "orig", "-o", "p.age"], in: directory,
                                              environment: ["PW": "pw"])
            #expect(named.status == 0, "\(named)")
            #expect(String(decoding: try readFile(directory.appending("p.age")).prefix(40), as: UTF8.self).contains("-> scrypt"))
        }
    }

    @Test func unpackRefusals() throws {
        try withTemporaryDirectory { directory in
            let recipient = try Self.setUp(directory)
            #expect(try SluiceProcess.run(["pack", "-r", recipient, "data", "-o", "x.age"], in: directory).status == 0)
            // No identity at all for a file encrypted to a recipient: 77, no prompt. A key file: the key
            // policy refuses it before the key is read (a file for another kind of secret).
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "x.age"], in: directory, withoutTerminal: true), 77, "no identity matches")
            try writeFile(directory.appending("k.key"), try LibCrypto.randomBytes(32))
            #expect(chmod(directory.appending("k.key").string, 0o600) == 0)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "--key-file", "k.key", "x.age"], in: directory), 77,
                               "encrypted with an identity, not a key file")
            // An identity for a .slc file made with a key file: refused by the same rule.
            #expect(try SluiceProcess.run(["pack", "--key-file", "k.key", "data", "-o", "x.slc"], in: directory).status == 0)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "-i", "me.txt", "x.slc"], in: directory), 77,
                               "encrypted with a key file, not an identity")
            // Identity files that are not: the file and the line are named.
            try writeFile(directory.appending("bad.txt"), Array("# c\nAGE-SECRET-KEY-1QQQ\n".utf8))
            #expect(chmod(directory.appending("bad.txt").string, 0o600) == 0)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "-i", "bad.txt", "x.age"], in: directory), 64, "bad.txt line 2")
            try writeFile(directory.appending("pq.txt"), Array("AGE-SECRET-KEY-PQ-1QQQQ\n".utf8))
            #expect(chmod(directory.appending("pq.txt").string, 0o600) == 0)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "-i", "pq.txt", "x.age"], in: directory), 64, "ML-KEM")
            // A truncated file and a flipped payload byte: 65, and no output file.
            var bytes = try readFile(directory.appending("x.age"))
            try writeFile(directory.appending("short.age"), Array(bytes.dropLast(10)))
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-i", "me.txt", "short.age", "-o", "out"], in: directory), 65, "age payload")
            bytes[bytes.count - 100] ^= 1
            try writeFile(directory.appending("flip.age"), bytes)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-i", "me.txt", "flip.age", "-o", "out"], in: directory), 65, "age payload")
            #expect(!exists(directory.appending("out")))
            #expect(try leftoverTemporaryFiles(in: directory).isEmpty)
            // Text that is not armor, and a PEM block of another type.
            try writeFile(directory.appending("pem.age"), Array("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8))
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "-i", "me.txt", "pem.age"], in: directory), 65, "invalid age armor")
        }
    }

    /// Identities count as a key given (docs/security.md, "No unencrypted file when a key is given"): an
    /// unencrypted .slc with -i is refused on every read path unless --allow-unencrypted, and an age
    /// passphrase file is refused for -i; nothing is written.
    @Test func identitiesRefuseUnencryptedFiles() throws {
        try withTemporaryDirectory { directory in
            _ = try Self.setUp(directory)
            #expect(try SluiceProcess.run(["pack", "data", "-o", "plain.slc"], in: directory).status == 0)
            let refusal = "refusing an unencrypted file although an identity was given"
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-i", "me.txt", "plain.slc", "-o", "out"], in: directory), 77, refusal)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "-i", "me.txt", "plain.slc"], in: directory), 77, refusal)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-i", "me.txt", "-c", "-"], in: directory,
                                                     stdin: directory.appending("plain.slc")), 77, refusal)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-i", "me.txt", "--range", "0:10", "plain.slc", "-o", "out"], in: directory),
                               77, refusal)
            Self.expectRefusal(try SluiceProcess.run(["verify", "-i", "me.txt", "plain.slc"], in: directory), 77, refusal)
            #expect(!exists(directory.appending("out")))
            #expect(try leftoverTemporaryFiles(in: directory).isEmpty)
            let allowed = try SluiceProcess.run(["unpack", "-c", "-i", "me.txt", "--allow-unencrypted", "plain.slc"], in: directory)
            #expect(try allowed.status == 0 && allowed.stdout == readFile(directory.appending("data")), "\(allowed)")
            let verified = try SluiceProcess.run(["verify", "-i", "me.txt", "--allow-unencrypted", "plain.slc"], in: directory)
            #expect(verified.status == 0, "\(verified)")
            // An age file made with a passphrase, given an identity: another kind of secret, 77.
            let packed = try SluiceProcess.run(["pack", "--passphrase-env", "PW", "--kdf-cost", "10", "data", "-o", "p.age"],
                                               in: directory, environment: ["PW": "pw"])
            #expect(packed.status == 0, "\(packed)")
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "-i", "me.txt", "p.age"], in: directory), 77,
                               "encrypted with a passphrase, not an identity")
        }
    }

    /// Identity files are checked as key files (docs/security.md, "Key, passphrase and identity files"):
    /// one group or others can read gets a warning line naming it; --strict refuses it (exit 64).
    @Test func exposedIdentityFiles() throws {
        try withTemporaryDirectory { directory in
            let recipient = try Self.setUp(directory)
            #expect(try SluiceProcess.run(["pack", "-r", recipient, "data", "-o", "x.age"], in: directory).status == 0)
            #expect(chmod(directory.appending("me.txt").string, 0o644) == 0)
            let warned = try SluiceProcess.run(["unpack", "-c", "-i", "me.txt", "x.age"], in: directory)
            #expect(try warned.status == 0 && warned.stdout == readFile(directory.appending("data")), "\(warned)")
            #expect(warned.stderrLines.count == 1 && warned.stderr.contains("me.txt is accessible by group or others"), "\(warned)")
            Self.expectRefusal(try SluiceProcess.run(["unpack", "--strict", "-i", "me.txt", "x.age", "-o", "out"], in: directory),
                               64, "refusing it (--strict)")
            Self.expectRefusal(try SluiceProcess.run(["verify", "--strict", "-i", "me.txt", "x.age"], in: directory),
                               64, "refusing it (--strict)")
            #expect(!exists(directory.appending("out")))
            #expect(chmod(directory.appending("me.txt").string, 0o600) == 0)
            let quiet = try SluiceProcess.run(["unpack", "--strict", "-c", "-i", "me.txt", "x.age"], in: directory)
            #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet)")
        }
    }
}
