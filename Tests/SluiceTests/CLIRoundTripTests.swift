import Foundation
import SystemPackage
import Testing

/// The `sluice` executable end to end: what a user types, what lands on disk, what comes out on
/// stdout, and the exit status (docs in `sluice --help`: 0 success, 64 usage, 65 corrupt, 73 output
/// exists, 74 I/O error, 77 wrong or missing key).
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct CLIRoundTripTests {
    static let data = DataKind.text.bytes(count: 50_000, seed: 11)
    /// Small chunks so that a 50 KB file has several frames.
    static let chunkArguments = ["--chunk-size", "4K"]

    private func sluice(_ arguments: String..., in directory: FilePath, stdin: FilePath? = nil, environment: [String: String] = [:]) throws -> SluiceProcess.Result {
        try SluiceProcess.run(arguments, in: directory, stdin: stdin, environment: environment)
    }

    /// `x` → `x.slc` → `x`, with mode and nanosecond mtime restored, and nothing printed.
    @Test func defaultNamesAndMetadata() throws {
        try withTemporaryDirectory { dir in
            let x = dir.appending("x")
            try writeFile(x, Self.data)
            try FileAttributes.set(x, mode: 0o604, seconds: 1_500_000_000, nanoseconds: 123_456_789)

            let pack = try SluiceProcess.run(["pack"] + Self.chunkArguments + ["x"], in: dir)
            #expect(pack.status == 0, "\(pack)")
            #expect(pack.stdout.isEmpty && pack.stderr.isEmpty, "a quiet success when stderr is not a terminal")
            #expect(try directoryListing(dir) == ["x", "x.slc"])
            // The packed file takes the source's read/write permission bits.
            #expect(try FileAttributes(of: dir.appending("x.slc")).mode == 0o604)

            try FileManager.default.removeItem(atPath: x.string)
            let unpack = try sluice("unpack", "x.slc", in: dir)
            #expect(unpack.status == 0, "\(unpack)")
            #expect(try readFile(x) == Self.data)
            let attributes = try FileAttributes(of: x)
            #expect(attributes.mode == 0o604)
            #expect(attributes.seconds == 1_500_000_000)
            #expect(attributes.nanoseconds == 123_456_789)
            #expect(try directoryListing(dir) == ["x", "x.slc"])
        }
    }

    @Test func explicitOutputNames() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("in.bin"), Self.data)
            #expect(try sluice("pack", "--codec", "lz4", "in.bin", "-o", "packed.any", in: dir).status == 0)
            #expect(try sluice("unpack", "packed.any", "-o", "out.bin", in: dir).status == 0)
            #expect(try readFile(dir.appending("out.bin")) == Self.data)
            // Without -o, a name that does not end in .slc cannot be unpacked: a usage error.
            #expect(try sluice("unpack", "packed.any", in: dir).status == 64)
        }
    }

    /// `-c` writes to stdout, `-` reads stdin; stdin to stdout needs neither name.
    @Test func standardInputAndOutput() throws {
        try withTemporaryDirectory { dir in
            let x = dir.appending("x")
            try writeFile(x, Self.data)
            let toStdout = try sluice("pack", "-c", "x", in: dir)
            #expect(toStdout.status == 0, "\(toStdout)")
            #expect(try directoryListing(dir) == ["x"], "-c writes no file")
            try writeFile(dir.appending("c.slc"), toStdout.stdout)
            let back = try sluice("unpack", "-c", "c.slc", in: dir)
            #expect(back.status == 0)
            #expect(back.stdout == Self.data)

            let fromStdin = try sluice("pack", "-", in: dir, stdin: x)
            #expect(fromStdin.status == 0, "\(fromStdin)")
            try writeFile(dir.appending("s.slc"), fromStdin.stdout)
            let streamed = try sluice("unpack", "-", in: dir, stdin: dir.appending("s.slc"))
            #expect(streamed.status == 0)
            #expect(streamed.stdout == Self.data)

            #expect(try sluice("pack", "-", "-o", "o.slc", in: dir, stdin: x).status == 0)
            #expect(try sluice("unpack", "-", "-o", "o.out", in: dir, stdin: dir.appending("o.slc")).status == 0)
            #expect(try readFile(dir.appending("o.out")) == Self.data)
        }
    }

    @Test func overwriteOnlyWithForce() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            try writeFile(dir.appending("x.slc"), Array("keep me".utf8))
            let refused = try sluice("pack", "x", in: dir)
            #expect(refused.status == 73, "\(refused)")
            #expect(refused.stderrLines.count == 1)
            #expect(try readFile(dir.appending("x.slc")) == Array("keep me".utf8))
            #expect(try sluice("pack", "--force", "x", in: dir).status == 0)
            #expect(try sluice("verify", "x.slc", in: dir).status == 0)

            // Unpacking onto an existing file: refused, then forced.
            try writeFile(dir.appending("x"), Array("old".utf8))
            #expect(try sluice("unpack", "x.slc", in: dir).status == 73)
            #expect(try readFile(dir.appending("x")) == Array("old".utf8))
            #expect(try sluice("unpack", "-f", "x.slc", in: dir).status == 0)
            #expect(try readFile(dir.appending("x")) == Self.data)
            #expect(try leftoverTemporaryFiles(in: dir) == [])
        }
    }

    /// The input is never its own output, even with --force.
    @Test func inputIsNeverTheOutput() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            let pack = try sluice("pack", "x", "-o", "x", "--force", in: dir)
            #expect(pack.status == 64, "\(pack)")
            #expect(try readFile(dir.appending("x")) == Self.data)
            #expect(try sluice("pack", "x", in: dir).status == 0)
            let slc = try readFile(dir.appending("x.slc"))
            let unpack = try sluice("unpack", "x.slc", "-o", "./x.slc", "--force", in: dir)
            #expect(unpack.status == 64, "\(unpack)")
            #expect(try readFile(dir.appending("x.slc")) == slc)
        }
    }

    @Test func removeSourceOnlyOnSuccess() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            // Fails (the output exists): the source stays.
            try writeFile(dir.appending("x.slc"), [0])
            #expect(try sluice("pack", "--remove-source", "x", in: dir).status == 73)
            #expect(exists(dir.appending("x")))
            // Succeeds: the source goes, and the output holds it.
            #expect(try sluice("pack", "--remove-source", "--force", "x", in: dir).status == 0)
            #expect(try directoryListing(dir) == ["x.slc"])
            #expect(try sluice("unpack", "--remove-source", "x.slc", in: dir).status == 0)
            #expect(try directoryListing(dir) == ["x"])
            #expect(try readFile(dir.appending("x")) == Self.data)

            // Unpacking a damaged file with --remove-source keeps it.
            #expect(try sluice("pack", "x", "-o", "y.slc", in: dir).status == 0)
            var bytes = try readFile(dir.appending("y.slc"))
            bytes[try SlcLayout(bytes).frames[0].lowerBound + 9] ^= 0x04  // frame 0's checksum
            try writeFile(dir.appending("y.slc"), bytes)
            #expect(try sluice("unpack", "--remove-source", "y.slc", in: dir).status == 65)
            #expect(try directoryListing(dir) == ["x", "y.slc"])
        }
    }

    @Test func keygen() throws {
        try withTemporaryDirectory { dir in
            let result = try sluice("keygen", "-o", "k.key", in: dir)
            #expect(result.status == 0, "\(result)")
            let key = try readFile(dir.appending("k.key"))
            #expect(key.count == 32)
            #expect(try FileAttributes(of: dir.appending("k.key")).mode == 0o600)
            // Never overwritten.
            let again = try sluice("keygen", "-o", "k.key", in: dir)
            #expect(again.status == 73)
            #expect(try readFile(dir.appending("k.key")) == key)
            // Two keys are not the same key.
            #expect(try sluice("keygen", "-o", "k2.key", in: dir).status == 0)
            #expect(try readFile(dir.appending("k2.key")) != key)
        }
    }

    @Test(arguments: ["aes-256-gcm", "chacha20-poly1305"])
    func keyFileRoundTrip(cipher: String) throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            #expect(try sluice("keygen", "-o", "k.key", in: dir).status == 0)
            #expect(try sluice("pack", "--cipher", cipher, "--key-file", "k.key", "x", in: dir).status == 0)
            #expect(try sluice("verify", "--key-file", "k.key", "x.slc", in: dir).status == 0)
            let unpack = try sluice("unpack", "--key-file", "k.key", "x.slc", "-o", "y", in: dir)
            #expect(unpack.status == 0, "\(unpack)")
            #expect(try readFile(dir.appending("y")) == Self.data)
        }
    }

    /// A key option alone turns encryption on (AES-256-GCM by default).
    @Test func keyOptionImpliesEncryption() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            #expect(try sluice("keygen", "-o", "k.key", in: dir).status == 0)
            #expect(try sluice("pack", "--key-file", "k.key", "x", in: dir).status == 0)
            let json = try sluice("inspect", "--json", "x.slc", in: dir)
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any]
            #expect(object?["cipher"] as? String == "aes-256-gcm")
            #expect(object?["kdf"] as? String == "key file")
        }
    }

    /// Passphrases from the environment and from a file (first line, newline stripped) are the same
    /// passphrase; --kdf-cost 10 keeps scrypt quick.
    @Test func passphraseRoundTrips() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            try writeFile(dir.appending("pass.txt"), Array("tr0ub4dor&3\n".utf8))
            let env = ["SLUICE_TEST_PASS": "tr0ub4dor&3"]
            let pack = try sluice("pack", "--cipher", "chacha20-poly1305", "--kdf-cost", "10", "--passphrase-env", "SLUICE_TEST_PASS", "x", in: dir, environment: env)
            #expect(pack.status == 0, "\(pack)")
            let fromFile = try sluice("unpack", "--passphrase-file", "pass.txt", "x.slc", "-o", "y", in: dir)
            #expect(fromFile.status == 0, "\(fromFile)")
            #expect(try readFile(dir.appending("y")) == Self.data)

            #expect(try sluice("pack", "--kdf-cost", "10", "--passphrase-file", "pass.txt", "x", "-o", "z.slc", in: dir).status == 0)
            let fromEnv = try sluice("unpack", "-c", "--passphrase-env", "SLUICE_TEST_PASS", "z.slc", in: dir, environment: env)
            #expect(fromEnv.status == 0, "\(fromEnv)")
            #expect(fromEnv.stdout == Self.data)
            let inspect = try sluice("inspect", "--json", "z.slc", in: dir)
            let object = try JSONSerialization.jsonObject(with: Data(inspect.stdout)) as? [String: Any]
            #expect((object?["kdf"] as? String)?.hasPrefix("scrypt (log2 N = 10") == true)
        }
    }

    @Test func inspectText() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            #expect(try SluiceProcess.run(["pack", "--codec", "zstd", "--level", "5"] + Self.chunkArguments + ["x"], in: dir).status == 0)
            let result = try sluice("inspect", "x.slc", in: dir)
            #expect(result.status == 0, "\(result)")
            // "codec:       zstd-5" → "codec: zstd-5": the alignment is presentation, not content.
            let lines = result.stdoutText.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            #expect(lines.contains("codec: zstd-5"))
            #expect(lines.contains("cipher: none"))
            #expect(lines.contains("checksum: xxh3"))
            #expect(lines.contains("chunk size: 4 KiB"))
            #expect(lines.contains { $0.hasPrefix("chunks: 13 ") })
            #expect(lines.contains { $0.hasPrefix("original: 50000 bytes") })
            #expect(lines.contains("name: x"))
        }
    }

    /// `inspect --json` parses, and its numbers agree with the files on disk.
    @Test(arguments: [[], ["--key-file", "k.key", "--cipher", "chacha20-poly1305"]])
    func inspectJSON(keyArguments: [String]) throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            #expect(try sluice("keygen", "-o", "k.key", in: dir).status == 0)
            #expect(try SluiceProcess.run(["pack", "--codec", "brotli"] + Self.chunkArguments + keyArguments + ["x"], in: dir).status == 0)
            let result = try sluice("inspect", "--json", "x.slc", in: dir)
            #expect(result.status == 0, "\(result)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
            let packedSize = try readFile(dir.appending("x.slc")).count
            #expect(object["codec"] as? String == "brotli")
            #expect(object["cipher"] as? String == (keyArguments.isEmpty ? "none" : "chacha20-poly1305"))
            #expect(object["chunks"] as? Int == (Self.data.count + 4095) / 4096)
            #expect(object["chunk_size"] as? Int == 4096)
            #expect(object["original_size"] as? Int == Self.data.count)
            #expect(object["packed_size"] as? Int == packedSize)
            let ratio = try #require(object["ratio"] as? Double)
            #expect(abs(ratio - Double(Self.data.count) / Double(packedSize)) < 0.0006)
            #expect(ratio > 1, "text compresses")
            #expect(object["index_verified"] as? Bool == keyArguments.isEmpty)
            #expect(object["name"] as? String == "x")
        }
    }

    @Test func verify() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x"), Self.data)
            #expect(try SluiceProcess.run(["pack"] + Self.chunkArguments + ["x"], in: dir).status == 0)
            let ok = try sluice("verify", "x.slc", in: dir)
            #expect(ok.status == 0)
            #expect(ok.stdoutText.contains("OK"))
            #expect(try sluice("verify", "-q", "x.slc", in: dir).stdout.isEmpty)
            // From stdin too.
            #expect(try sluice("verify", "-", in: dir, stdin: dir.appending("x.slc")).status == 0)

            var bytes = try readFile(dir.appending("x.slc"))
            bytes[try SlcLayout(bytes).frames[1].lowerBound + 12] ^= 0x10  // frame 1's checksum
            try writeFile(dir.appending("x.slc"), bytes)
            let bad = try sluice("verify", "x.slc", in: dir)
            #expect(bad.status == 65, "\(bad)")
            #expect(!bad.stdoutText.contains("OK"))
            #expect(bad.stderrLines.count == 1)
        }
    }
}
