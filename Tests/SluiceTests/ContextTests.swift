import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `--context`: a string bound into the key derivation (docs/format.md, "Keys"). The derivation follows
/// the spec byte for byte, a file without a context derives exactly as before, and the header flag that
/// records a context is authenticated and refused where it cannot be.
@Suite struct ContextDerivationTests {
    static let master = (0..<32).map { UInt8($0) }
    static let salt = (32..<64).map { UInt8($0) }

    /// HKDF-SHA-256(master, salt, "sluice v1 " ‖ label ‖ cipher id ‖ SHA-256(context)), computed
    /// independently with Python's hashlib/hmac for the context "backup:db" and AES-256-GCM (id 1).
    @Test func contextKeysFollowTheSpec() throws {
        let context = try KeyContext("backup:db")
        let keys = try FileKeys.derive(master: Self.master, salt: Self.salt, cipher: .aes256gcm, context: context)
        #expect(keys.payloadKey == [UInt8](hex: "4f0bb851bf613ca997e3bf0b1b29e86e69e5db7fa0a0c3173af70766512e1e00"))
        #expect(keys.headerKey == [UInt8](hex: "395c5da0ce7a003cad14e64a532ad6fcd98bf720f38a46be2b0ee6f2cd05dc02"))
        #expect(keys.keyCheck == [UInt8](hex: "c65bbeb21150f63e617fd8accb314a02"))
        // Without a context: the version-1 derivation, unchanged (the same value KnownAnswerTests pins).
        let plain = try FileKeys.derive(master: Self.master, salt: Self.salt, cipher: .aes256gcm)
        #expect(plain.keyCheck == [UInt8](hex: "d212578d4fd0ac0da8f4a00df02b438f"))
    }

    /// A block bound to a context opens with that context only; without one it is refused before
    /// any key is derived, with a line that says a context is needed.
    @Test func openingNeedsTheSameContext() throws {
        let context = try KeyContext("backup:db")
        let block = KeyBlock(
            derivation: .keyFile, cost: nil, salt: Self.salt, keyCheck: [UInt8](hex: "c65bbeb21150f63e617fd8accb314a02"),
            hasContext: true)
        let keys = try FileKeys.open(block, source: .keyFile(Self.master), cipher: .aes256gcm, context: context)
        #expect(keys.payloadKey == [UInt8](hex: "4f0bb851bf613ca997e3bf0b1b29e86e69e5db7fa0a0c3173af70766512e1e00"))
        #expect(Outcome { _ = try FileKeys.open(block, source: .keyFile(Self.master), cipher: .aes256gcm, context: try KeyContext("backup:web")) }
            == .rejected(.wrongKey))
        #expect(Outcome { _ = try FileKeys.open(block, source: .keyFile(Self.master), cipher: .aes256gcm) } == .rejected(.wrongKey))
        #expect(throws: SluiceError.self) { try KeyContext("") }
        #expect(throws: SluiceError.self) { try KeyContext(bytes: [UInt8](repeating: 0x61, count: KeyContext.maxLength + 1)) }
        #expect(try KeyContext(bytes: [UInt8](repeating: 0x61, count: KeyContext.maxLength)).bytes.count == KeyContext.maxLength)
    }

    /// The flag is header flags bit 1, round-trips, and is covered by the header HMAC: clearing it in
    /// a context file fails authentication (the key check cannot pass without the context anyway).
    @Test func theFlagIsInTheAuthenticatedHeader() throws {
        var options = PackOptions(codec: try CodecSettings(.zstd))
        options.cipher = .aes256gcm
        options.key = Harness.key
        options.context = try KeyContext("tenant 7")
        let writer = try #require(try options.writer(chunkSize: 65536, metadata: nil) as? SlcWriter)
        let bytes = writer.headerBytes, keys = writer.keys
        #expect(bytes[24] == 2)
        let decoded = try Header.decode(bytes)
        #expect(decoded.keyBlock?.hasContext == true)
        #expect(decoded.keyDerivation == "key file, bound to a context")
        try decoded.authenticate(bytes, keys: try FileKeys.open(decoded.keyBlock!, source: Harness.key, cipher: .aes256gcm, context: options.context))
        // The same header with the flag cleared: admitted as a context-free file, but its HMAC fails.
        var stripped = bytes
        stripped[24] = 0
        let forged = try Header.decode(stripped)
        #expect(forged.keyBlock?.hasContext == false)
        #expect(Outcome { try forged.authenticate(stripped, keys: keys!) } == .rejected(.corrupt))
        // The policy: a file not bound to a context is refused when one is given, encrypted or not.
        let policy = KeyPolicy(for: Harness.key, allowUnencrypted: true, context: options.context)
        #expect(Outcome { try policy.admit([.keyFile], boundToContext: false) } == .rejected(.wrongKey))
        #expect(Outcome { try policy.admit([], boundToContext: false) } == .rejected(.wrongKey))
        #expect(Outcome { try policy.admit([.keyFile], boundToContext: true) } == .decoded)
        #expect(Outcome { try KeyPolicy(for: Harness.key).admit([.keyFile], boundToContext: true) } == .decoded)
        // Without a cipher the flag is malformed, and packing with a context needs a cipher.
        var plainOptions = PackOptions(codec: try CodecSettings(.zstd))
        var plainBytes = try plainOptions.writer(chunkSize: 65536, metadata: nil).headerBytes
        plainBytes[24] |= 2
        let body = Array(plainBytes[0..<plainBytes.count - 8])
        plainBytes.replaceSubrange((plainBytes.count - 8)..., with: try Header.tag(over: body, cipher: .none, keys: nil))
        #expect(Outcome { _ = try Header.decode(plainBytes) } == .rejected(.corrupt))
        plainOptions.context = try KeyContext("x")
        #expect(Outcome { _ = try plainOptions.writer(chunkSize: 65536, metadata: nil) } == .rejected(.invalidArgument))
    }

    /// Through the library's file API: the round trip with a context, and the three refusals.
    @Test func libraryRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let data = DataKind.text.bytes(count: 300_000, seed: 9)
            try writeFile(dir.appending("in"), data)
            var options = PackOptions(codec: try CodecSettings(.zstd))
            options.cipher = .chacha20poly1305
            options.key = Harness.key
            options.context = try KeyContext("invoices 2026")
            _ = try Pipeline.packFile(dir.appending("in"), to: .file(dir.appending("in.slc"), overwrite: false), options: options)
            func unpack(_ context: KeyContext?, _ name: String) -> Outcome {
                Outcome {
                    _ = try Pipeline.unpackFile(
                        dir.appending("in.slc"), to: .file(dir.appending(name), overwrite: false), key: { _ in Harness.key },
                        limits: DecodeLimits(keys: KeyPolicy(for: Harness.key, context: context)))
                }
            }
            #expect(unpack(options.context, "out") == .decoded)
            #expect(try readFile(dir.appending("out")) == data)
            #expect(unpack(try KeyContext("invoices 2025"), "wrong") == .rejected(.wrongKey))
            #expect(unpack(nil, "missing") == .rejected(.wrongKey))
            #expect(!exists(dir.appending("wrong")) && !exists(dir.appending("missing")))
        }
    }
}

/// `--context` from the command line: pack, unpack, -c, verify and batch, with exit 77 and one line
/// for a wrong, missing or unexpected context; the context never appears in the file or the output.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct ContextCLITests {
    static let data = DataKind.text.bytes(count: 60_000, seed: 41)
    static let context = "purpose=payroll-7f3c"

    private func sluice(_ arguments: [String], in dir: FilePath, environment: [String: String] = [:]) throws -> SluiceProcess.Result {
        try SluiceProcess.run(arguments, in: dir, environment: environment, withoutTerminal: true)
    }

    private func expectRefused(
        _ result: SluiceProcess.Result, _ what: String, saying text: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(result.status == 77, "\(what): \(result)", sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1 && result.stderr.contains(text), "\(what): \(result)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(Self.context), "\(what): the context was printed", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(what): plaintext reached stdout", sourceLocation: sourceLocation)
    }

    @Test func singleFileRoundTripAndRefusals() throws {
        try withTemporaryDirectory { dir in
            let env = ["SLUICE_CTX_PASS": "the passphrase"]
            try writeFile(dir.appending("x"), Self.data)
            #expect(try sluice(["keygen", "-o", "k.key"], in: dir).status == 0)
            let packed = try sluice(["pack", "--key-file", "k.key", "--context", Self.context, "x"], in: dir)
            #expect(packed.status == 0, "\(packed)")
            let pass = try sluice(
                ["pack", "--kdf-cost", "10", "--passphrase-env", "SLUICE_CTX_PASS", "--context", Self.context, "x", "-o", "p.slc"],
                in: dir, environment: env)
            #expect(pass.status == 0, "\(pass)")
            #expect(try sluice(["pack", "--key-file", "k.key", "x", "-o", "plain-ctx.slc"], in: dir).status == 0)
            #expect(try sluice(["pack", "x", "-o", "unencrypted.slc"], in: dir).status == 0)
            let fileBytes = try readFile(dir.appending("x.slc"))
            #expect(fileBytes.firstRange(of: Array(Self.context.utf8)) == nil, "the context is stored in the file")

            let key = ["--key-file", "k.key"], right = ["--context", Self.context], wrong = ["--context", "purpose=payroll-7f3d"]
            for (name, options, file) in [("key file", key, "x.slc"), ("passphrase", ["--passphrase-env", "SLUICE_CTX_PASS"], "p.slc")] {
                let out = try sluice(["unpack"] + options + right + [file, "-o", "back-\(file)"], in: dir, environment: env)
                #expect(out.status == 0, "\(name): \(out)")
                #expect(try readFile(dir.appending("back-\(file)")) == Self.data)
                let stdout = try sluice(["unpack", "-c"] + options + right + [file], in: dir, environment: env)
                #expect(stdout.status == 0 && stdout.stdout == Self.data, "\(name) -c: \(stdout)")
                let verified = try sluice(["verify"] + options + right + [file], in: dir, environment: env)
                #expect(verified.status == 0, "\(name) verify: \(verified)")
                for command in [["unpack", "-o", "o"], ["unpack", "-c"], ["verify"], ["unpack", "--range", "0:100", "-o", "r"]] {
                    expectRefused(try sluice(command + options + wrong + [file], in: dir, environment: env),
                                  "\(name) \(command[0]) wrong context", saying: "wrong --context (this file was packed with a context)")
                    expectRefused(try sluice(command + options + [file], in: dir, environment: env),
                                  "\(name) \(command[0]) no context", saying: "this file was packed with a context: give the same --context")
                }
                #expect(!exists(dir.appending("o")) && !exists(dir.appending("r")))
            }
            // A context given for a file packed without one, encrypted or not (even --allow-unencrypted).
            expectRefused(try sluice(["unpack"] + key + right + ["plain-ctx.slc", "-o", "o"], in: dir),
                          "file without a context", saying: "this file was packed without a context, but --context was given")
            expectRefused(try sluice(["verify"] + key + right + ["plain-ctx.slc"], in: dir),
                          "verify file without a context", saying: "packed without a context")
            expectRefused(try sluice(["unpack", "--allow-unencrypted"] + key + right + ["unencrypted.slc", "-o", "o"], in: dir),
                          "unencrypted file", saying: "refusing an unencrypted file although --context was given")
            #expect(try leftoverTemporaryFiles(in: dir) == [])

            // inspect says a context is bound, never which.
            let inspected = try sluice(["inspect", "x.slc"], in: dir)
            #expect(inspected.status == 0 && inspected.stdoutText.contains("bound to a context"), "\(inspected)")
            #expect(!inspected.stdoutText.contains(Self.context))
            // Usage errors: a context without encryption, an empty one.
            let noCipher = try sluice(["pack", "--context", Self.context, "x", "-o", "n.slc"], in: dir)
            #expect(noCipher.status == 64 && noCipher.stderr.contains("--context needs encryption"), "\(noCipher)")
            let empty = try sluice(["pack", "--key-file", "k.key", "--context", "", "x", "-o", "n.slc"], in: dir)
            #expect(empty.status == 64 && empty.stderrLines.count == 1, "\(empty)")
            #expect(!exists(dir.appending("n.slc")))
        }
    }

    @Test func batchWithContext() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir.appending("tree/sub").string, withIntermediateDirectories: true)
            for index in 0..<4 {
                try writeFile(dir.appending("tree/\(index % 2 == 0 ? "" : "sub/")f\(index)"), DataKind.text.bytes(count: 5_000 + index, seed: UInt64(index)))
            }
            // One large file, streamed through the single-file engine in both directions.
            let big = DataKind.text.bytes(count: 5 << 20, seed: 44)
            try writeFile(dir.appending("tree/big"), big)
            #expect(try sluice(["keygen", "-o", "k.key"], in: dir).status == 0)
            let packed = try sluice(["pack", "--key-file", "k.key", "--context", Self.context, "tree", "-o", "packed"], in: dir)
            #expect(packed.status == 0, "\(packed)")
            let back = try sluice(["unpack", "--key-file", "k.key", "--context", Self.context, "packed", "-o", "back"], in: dir)
            #expect(back.status == 0, "\(back)")
            #expect(try readFile(dir.appending("back/sub/f1")) == DataKind.text.bytes(count: 5_001, seed: 1))
            #expect(try readFile(dir.appending("back/big")) == big)
            for (options, text) in [
                (["--context", "another purpose"], "wrong --context"), ([], "packed with a context"),
            ] {
                let run = try sluice(["unpack", "--key-file", "k.key"] + options + ["packed", "-o", "refused"], in: dir)
                #expect(run.status == 77, "\(run)")
                #expect(run.stderrLines.filter { $0.contains(text) }.count == 5, "\(run)")
                #expect(!run.stderr.contains(Self.context))
                #expect(!exists(dir.appending("refused/f0")) && !exists(dir.appending("refused/big")))
            }
            // Files packed without a context, opened with one: each refused.
            #expect(try sluice(["pack", "--key-file", "k.key", "tree", "-o", "plain"], in: dir).status == 0)
            let unexpected = try sluice(["unpack", "--key-file", "k.key", "--context", Self.context, "plain", "-o", "refused2"], in: dir)
            #expect(unexpected.status == 77, "\(unexpected)")
            #expect(unexpected.stderrLines.filter { $0.contains("packed without a context") }.count == 5, "\(unexpected)")
        }
    }
}
