import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `sluice pack -r/-R` to a `.slc` and `unpack/verify/inspect -i` on it, through the binary
/// (docs/cli.md, "Recipients (.slc)"): keys from Debian's `age-keygen` and from `sluice keygen`,
/// several `-i`, files, pipes, ranges, directories, and every documented refusal with its exit code
/// and nothing left behind.
@Suite(.serialized) struct SlcRecipientCLITests {
    static let size = 3 * 1_048_576 + 12_345

    /// `data` (multi-chunk at 1 MiB chunks), identities `a.txt` (sluice), `b.txt` and `c.txt`
    /// (age-keygen; `c.txt` holds two keys and comments), and `team.txt` with b's and c's second
    /// recipient. Returns a's and b's recipients.
    static func setUp(_ directory: FilePath) throws -> (a: String, b: String) {
        try writeFile(directory.appending("data"), DataKind.text.bytes(count: size))
        let a = try SluiceProcess.run(["keygen", "--identity", "-o", "a.txt"], in: directory)
        #expect(a.status == 0, "\(a)")
        #expect(try AgeInteropTests.peer(["age-keygen", "-o", "b.txt"], in: directory) == 0)
        #expect(try AgeInteropTests.peer(["age-keygen", "-o", "c1.txt"], in: directory) == 0)
        #expect(try AgeInteropTests.peer(["age-keygen", "-o", "c2.txt"], in: directory) == 0)
        // Two keys in one identity file, with age-keygen's comments around each.
        try writeFile(directory.appending("c.txt"),
                      try readFile(directory.appending("c1.txt")) + Array("\n# second key\n\n".utf8) + readFile(directory.appending("c2.txt")))
        #expect(chmod(directory.appending("c.txt").string, 0o600) == 0)
        #expect(try AgeInteropTests.peer(["age-keygen", "-y", "b.txt"], in: directory, stdout: "b.pub") == 0)
        #expect(try AgeInteropTests.peer(["age-keygen", "-y", "c2.txt"], in: directory, stdout: "c2.pub") == 0)
        try writeFile(directory.appending("team.txt"),
                      Array("# the team\n".utf8) + readFile(directory.appending("b.pub")) + readFile(directory.appending("c2.pub")))
        let b = String(decoding: try readFile(directory.appending("b.pub")), as: UTF8.self).trimmingCharacters(in: .newlines)
        return (a.stdoutText.trimmingCharacters(in: .newlines), b)
    }

    static func expectRefusal(_ result: SluiceProcess.Result, _ status: Int32, _ wording: String) {
        AgeErrorTests.expectRefusal(result, status, wording)
    }

    @Test(arguments: ["zstd", "lz4", "brotli", "store"], ["aes-256-gcm", "chacha20-poly1305"])
    func roundTripThroughTheBinary(codec: String, cipher: String) throws {
        try withTemporaryDirectory { directory in
            let (a, _) = try Self.setUp(directory)
            let original = try readFile(directory.appending("data"))
            // Three recipients: one -r (sluice's key) and two from -R (age-keygen's keys).
            let packed = try SluiceProcess.run(
                ["pack", "-r", a, "-R", "team.txt", "--codec", codec, "--cipher", cipher, "--chunk-size", "1M", "data", "-o", "d.slc"],
                in: directory)
            #expect(packed.status == 0, "\(packed)")
            #expect(try readFile(directory.appending("d.slc")).starts(with: [0x89, 0x53, 0x4C, 0x43]))
            for identity in ["a.txt", "b.txt", "c.txt"] {
                let out = try SluiceProcess.run(["unpack", "-c", "-i", identity, "d.slc"], in: directory)
                #expect(out.status == 0 && out.stdout == original, "\(identity): \(out)")
            }
            // One recipient only, then several -i of which one matches.
            #expect(try SluiceProcess.run(["pack", "-r", a, "--codec", codec, "--cipher", cipher, "data", "-o", "one.slc"],
                                          in: directory).status == 0)
            let several = try SluiceProcess.run(["unpack", "-i", "b.txt", "-i", "c.txt", "-i", "a.txt", "one.slc", "-o", "back"], in: directory)
            #expect(several.status == 0, "\(several)")
            #expect(try readFile(directory.appending("back")) == original)
            let verified = try SluiceProcess.run(["verify", "-i", "c.txt", "d.slc"], in: directory)
            #expect(verified.status == 0 && verified.stdoutText.contains("d.slc: OK"), "\(verified)")
        }
    }

    /// stdin to stdout both ways, --range, --context, and inspect (text and JSON).
    @Test func pipesRangesContextAndInspect() throws {
        try withTemporaryDirectory { directory in
            let (a, b) = try Self.setUp(directory)
            let original = try readFile(directory.appending("data"))
            let packed = try SluiceProcess.run(["pack", "-r", a, "-r", b, "--chunk-size", "256K", "-"], in: directory,
                                               stdin: directory.appending("data"))
            #expect(packed.status == 0, "\(packed)")
            try writeFile(directory.appending("piped.slc"), packed.stdout)
            let unpacked = try SluiceProcess.run(["unpack", "-i", "b.txt", "-"], in: directory, stdin: directory.appending("piped.slc"))
            #expect(unpacked.status == 0 && unpacked.stdout == original, "\(unpacked)")
            let range = try SluiceProcess.run(["unpack", "-c", "-i", "a.txt", "--range", "300000:700000", "piped.slc"], in: directory)
            #expect(range.status == 0 && range.stdout == Array(original[300_000..<1_000_000]), "\(range)")

            #expect(try SluiceProcess.run(["pack", "-r", a, "--context", "db", "data", "-o", "ctx.slc"], in: directory).status == 0)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "-i", "a.txt", "ctx.slc"], in: directory), 77, "give the same --context")
            let context = try SluiceProcess.run(["unpack", "-c", "-i", "a.txt", "--context", "db", "ctx.slc"], in: directory)
            #expect(context.status == 0 && context.stdout == original, "\(context)")

            let inspect = try SluiceProcess.run(["inspect", "piped.slc"], in: directory)
            #expect(inspect.status == 0 && inspect.stdoutText.contains("key:         age X25519 recipients (2 stanzas)"), "\(inspect)")
            #expect(!inspect.stdoutText.contains("age1"))
            let json = try SluiceProcess.run(["inspect", "--json", "piped.slc"], in: directory)
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any]
            #expect(object?["stanzas"] as? [String: Int] == ["X25519": 2], "\(json.stdoutText)")
            #expect(object?["kdf"] as? String == "age X25519 recipients (2 stanzas)")
        }
    }

    /// No identity matches: 77, one line naming the file, nothing written; a changed stanza of another
    /// recipient or a changed header tag: 65, nothing written, no temporary file.
    @Test func noMatchAndChangedHeaders() throws {
        try withTemporaryDirectory { directory in
            let (a, b) = try Self.setUp(directory)
            #expect(try SluiceProcess.run(["pack", "-r", a, "-r", b, "data", "-o", "d.slc"], in: directory).status == 0)
            for command in [["unpack", "-i", "c.txt", "d.slc", "-o", "out"], ["verify", "-i", "c.txt", "d.slc"],
                            ["unpack", "-i", "c.txt", "--range", "0:10", "d.slc", "-o", "out"]] {
                Self.expectRefusal(try SluiceProcess.run(command, in: directory), 77, "d.slc: no identity matches")
            }
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-i", "c.txt", "-c", "-"], in: directory, stdin: directory.appending("d.slc")),
                               77, "stdin: no identity matches")
            // No -i at all: no passphrase prompt, 77.
            Self.expectRefusal(try SluiceProcess.run(["unpack", "d.slc", "-o", "out"], in: directory, withoutTerminal: true),
                               77, "no identity matches: this file is encrypted to 2 age recipient(s)")

            let bytes = try readFile(directory.appending("d.slc"))
            let block = 25 + KeyBlock.encodedSize
            let length = Int(bytes[10]) | Int(bytes[11]) << 8
            // Stanza 1 is b's; a opens stanza 0 and then the header tag fails. The tag's last byte too.
            for (name, offset) in [("stanza.slc", block + 2 + 65 + 10), ("tag.slc", length - 1)] {
                var changed = bytes
                changed[offset] ^= 0x20
                try writeFile(directory.appending(name), changed)
                Self.expectRefusal(try SluiceProcess.run(["unpack", "-i", "a.txt", name, "-o", "out"], in: directory), 65,
                                   "header authentication failed")
                Self.expectRefusal(try SluiceProcess.run(["verify", "-i", "a.txt", name], in: directory), 65, "header authentication failed")
            }
            #expect(!exists(directory.appending("out")))
            #expect(try leftoverTemporaryFiles(in: directory).isEmpty)
        }
    }

    /// The refusals of docs/cli.md for recipients and identities on `.slc`, one line each.
    @Test func refusals() throws {
        try withTemporaryDirectory { directory in
            let (a, _) = try Self.setUp(directory)
            try writeFile(directory.appending("k.key"), try LibCrypto.randomBytes(32))
            #expect(chmod(directory.appending("k.key").string, 0o600) == 0)
            Self.expectRefusal(try SluiceProcess.run(["pack", "-r", a, "--key-file", "k.key", "data"], in: directory), 64,
                               "give recipients (-r/-R) or a key option")
            Self.expectRefusal(try SluiceProcess.run(["pack", "-r", a, "--remove-source", "data"], in: directory), 64,
                               "recipients (public keys) cannot open it")
            Self.expectRefusal(try SluiceProcess.run(["pack", "-r", a, "--cipher", "none", "data"], in: directory), 64,
                               "--cipher is none")
            Self.expectRefusal(try SluiceProcess.run(["pack", "-r", a, "--format", "lz4", "data"], in: directory), 64,
                               "a standard lz4 file has no encryption")
            #expect(exists(directory.appending("data")) && !exists(directory.appending("data.slc")))

            #expect(try SluiceProcess.run(["pack", "-r", a, "data", "-o", "r.slc"], in: directory).status == 0)
            // A recipients .slc given a key file or a passphrase: the key policy refuses it (77).
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "--key-file", "k.key", "r.slc"], in: directory), 77,
                               "encrypted with an identity, not a key file")
            Self.expectRefusal(try SluiceProcess.run(["verify", "--passphrase-env", "PW", "r.slc"], in: directory,
                                                     environment: ["PW": "pw"]), 77, "encrypted with an identity, not a passphrase")
            // A key-file .slc and an unencrypted .slc given only -i: the same rules (77).
            #expect(try SluiceProcess.run(["pack", "--key-file", "k.key", "data", "-o", "k.slc"], in: directory).status == 0)
            Self.expectRefusal(try SluiceProcess.run(["unpack", "-c", "-i", "a.txt", "k.slc"], in: directory), 77,
                               "encrypted with a key file, not an identity")
            #expect(try SluiceProcess.run(["pack", "data", "-o", "plain.slc"], in: directory).status == 0)
            Self.expectRefusal(try SluiceProcess.run(["verify", "-i", "a.txt", "plain.slc"], in: directory), 77,
                               "refusing an unencrypted file although an identity was given")
            #expect(try leftoverTemporaryFiles(in: directory).isEmpty)
        }
    }

    /// A directory packed to recipients, then unpacked with -i, with an age file (written by Debian's
    /// age) among the .slc files; a wrong identity fails every file with 77.
    @Test func directories() throws {
        try withTemporaryDirectory { directory in
            let (a, _) = try Self.setUp(directory)
            let tree = directory.appending("tree")
            try FileManager.default.createDirectory(atPath: tree.appending("sub").string, withIntermediateDirectories: true)
            try writeFile(tree.appending("big"), DataKind.text.bytes(count: 2_500_000))
            try writeFile(tree.appending("sub/small"), Array("small file\n".utf8))
            try writeFile(tree.appending("empty"), [])
            let packed = try SluiceProcess.run(["pack", "-r", a, "-R", "team.txt", "tree", "-o", "packed"], in: directory)
            #expect(packed.status == 0, "\(packed)")
            #expect(try readFile(directory.appending("packed/sub/small.slc")).starts(with: [0x89, 0x53, 0x4C, 0x43]))
            #expect(try AgeInteropTests.peer(["age", "-R", "team.txt", "-o", "packed/sub/note.age", "data"], in: directory) == 0)

            let restored = try SluiceProcess.run(["unpack", "-i", "c.txt", "packed", "-o", "restored"], in: directory)
            #expect(restored.status == 0, "\(restored)")
            for name in ["big", "sub/small", "empty"] {
                #expect(try readFile(directory.appending("restored/\(name)")) == readFile(tree.appending(name)), "\(name)")
            }
            #expect(try readFile(directory.appending("restored/sub/note")) == readFile(directory.appending("data")))

            let wrong = try SluiceProcess.run(["unpack", "-i", "c1.txt", "packed", "-o", "wrong"], in: directory)
            #expect(wrong.status == 77 && wrong.stderr.contains("no identity matches"), "\(wrong)")
            #expect(!exists(directory.appending("wrong/big")))
            // An armored age file in a batch: one line, the batch fails (1).
            #expect(try AgeInteropTests.peer(["age", "-a", "-R", "team.txt", "-o", "packed/armored.age", "data"], in: directory) == 0)
            let armored = try SluiceProcess.run(["unpack", "-i", "b.txt", "packed", "-o", "again"], in: directory)
            #expect(armored.status == 1 && armored.stderr.contains("armored.age: an armored age file is not unpacked in a directory batch"),
                    "\(armored)")
            #expect(try leftoverTemporaryFiles(in: directory.appending("restored")).isEmpty)
        }
    }
}
