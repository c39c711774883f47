import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// With a key or passphrase given, an unencrypted `.slc` — which anyone can forge, since its only check
/// is XXH3 — is refused (exit 77) in every mode, as is a file encrypted for another kind of secret;
/// `--allow-unencrypted` accepts it knowingly (docs/security.md, "No unencrypted file when a key is given").
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct DowngradeCLITests {
    static let genuine = DataKind.text.bytes(count: 40_000, seed: 31)
    static let forged = Array("#!/bin/sh\necho attacker was here\n".utf8) + DataKind.text.bytes(count: 20_000, seed: 32)

    private func sluice(_ arguments: [String], in dir: FilePath, environment: [String: String] = [:]) throws -> SluiceProcess.Result {
        try SluiceProcess.run(arguments, in: dir, environment: environment, withoutTerminal: true)
    }

    private func expectRefused(_ result: SluiceProcess.Result, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 77, "\(what): \(result)", sourceLocation: sourceLocation)
        #expect(!result.crashed, sourceLocation: sourceLocation)
        #expect(result.stderrLines.count == 1, "\(what): \(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains("unencrypted"), "\(what): \(result)", sourceLocation: sourceLocation)
        #expect(result.stdout.isEmpty, "\(what): plaintext reached stdout", sourceLocation: sourceLocation)
    }

    /// `x.slc` encrypted with `k.key` and `p.slc` with a passphrase, then both replaced by a forged
    /// unencrypted file (from a setuid source, as in the review) of the same name.
    private func swappedFixture(_ dir: FilePath) throws -> [String: String] {
        let env = ["SLUICE_DG_PASS": "the passphrase"]
        try writeFile(dir.appending("x"), Self.genuine)
        #expect(try sluice(["keygen", "-o", "k.key"], in: dir).status == 0)
        #expect(try sluice(["pack", "--key-file", "k.key", "x"], in: dir).status == 0)
        #expect(try sluice(["pack", "--kdf-cost", "10", "--passphrase-env", "SLUICE_DG_PASS", "x", "-o", "p.slc"], in: dir, environment: env).status == 0)
        try FileManager.default.removeItem(atPath: dir.appending("x").string)
        try FileManager.default.createDirectory(atPath: dir.appending("forge").string, withIntermediateDirectories: true)
        let source = dir.appending("forge/x")
        try writeFile(source, Self.forged)
        chmod(source.string, 0o4755)
        #expect(try sluice(["pack", "forge/x", "-o", "forged.slc"], in: dir).status == 0)
        for name in ["x.slc", "p.slc"] {
            try FileManager.default.removeItem(atPath: dir.appending(name).string)
            try FileManager.default.copyItem(atPath: dir.appending("forged.slc").string, toPath: dir.appending(name).string)
        }
        return env
    }

    @Test func everySingleFileModeRefusesAnUnencryptedFileWhenAKeyIsGiven() throws {
        try withTemporaryDirectory { dir in
            let env = try swappedFixture(dir)
            let keyRoutes: [(name: String, options: [String], file: String)] = [
                ("key file", ["--key-file", "k.key"], "x.slc"),
                ("passphrase", ["--passphrase-env", "SLUICE_DG_PASS"], "p.slc"),
            ]
            for route in keyRoutes {
                let f = route.file
                expectRefused(try sluice(["unpack"] + route.options + [f], in: dir, environment: env), "\(route.name) unpack")
                expectRefused(try sluice(["unpack"] + route.options + [f, "-o", "out"], in: dir, environment: env), "\(route.name) unpack -o")
                expectRefused(try sluice(["unpack", "-c"] + route.options + [f], in: dir, environment: env), "\(route.name) unpack -c")
                expectRefused(try sluice(["verify"] + route.options + [f], in: dir, environment: env), "\(route.name) verify")
                expectRefused(try sluice(["unpack", "--range", "0:100"] + route.options + [f, "-o", "r"], in: dir, environment: env), "\(route.name) --range")
                expectRefused(try SluiceProcess.run(["unpack", "-c"] + route.options + ["-"], in: dir, stdin: dir.appending(f),
                                                    environment: env, withoutTerminal: true), "\(route.name) unpack from stdin")
            }
            for name in ["x", "out", "r"] { #expect(!exists(dir.appending(name)), "\(name) was written") }
            #expect(try leftoverTemporaryFiles(in: dir) == [])
        }
    }

    /// A standard zstd or LZ4 file is never encrypted: swapped in for an encrypted `.slc` (same name),
    /// it is refused like a forged unencrypted `.slc` on every route, and accepted with `--allow-unencrypted`.
    @Test(arguments: ["zstd", "lz4"])
    func aStandardFileSwappedInIsRefusedWhenAKeyIsGiven(format: String) throws {
        try withTemporaryDirectory { dir in
            _ = try swappedFixture(dir)
            try writeFile(dir.appending("forge/y"), Self.forged)
            #expect(try sluice(["pack", "--format", format, "forge/y", "-o", "std.bin"], in: dir).status == 0)
            try FileManager.default.removeItem(atPath: dir.appending("x.slc").string)
            try FileManager.default.copyItem(atPath: dir.appending("std.bin").string, toPath: dir.appending("x.slc").string)
            expectRefused(try sluice(["unpack", "--key-file", "k.key", "x.slc"], in: dir), "\(format) unpack")
            expectRefused(try sluice(["unpack", "-c", "--key-file", "k.key", "x.slc"], in: dir), "\(format) unpack -c")
            expectRefused(try sluice(["verify", "--key-file", "k.key", "x.slc"], in: dir), "\(format) verify")
            expectRefused(try sluice(["unpack", "--range", "0:100", "--key-file", "k.key", "x.slc", "-o", "r"], in: dir), "\(format) --range")
            expectRefused(try SluiceProcess.run(["unpack", "-c", "--key-file", "k.key", "-"], in: dir, stdin: dir.appending("x.slc"),
                                                withoutTerminal: true), "\(format) from stdin")
            let context = try sluice(["unpack", "-c", "--context", "backups", "x.slc"], in: dir)
            #expect(context.status == 77, "\(format) with --context: \(context)")
            #expect(context.stdout.isEmpty && context.stderrLines.count == 1, "\(context)")
            for name in ["x", "r"] { #expect(!exists(dir.appending(name)), "\(name) was written") }
            let accepted = try sluice(["unpack", "-c", "--allow-unencrypted", "--key-file", "k.key", "x.slc"], in: dir)
            #expect(accepted.status == 0, "\(accepted)")
            #expect(accepted.stdout == Self.forged)
            #expect(try leftoverTemporaryFiles(in: dir) == [])
        }
    }

    @Test func allowUnencryptedAcceptsItKnowingly() throws {
        try withTemporaryDirectory { dir in
            _ = try swappedFixture(dir)
            let verify = try sluice(["verify", "--allow-unencrypted", "--key-file", "k.key", "x.slc"], in: dir)
            #expect(verify.status == 0, "\(verify)")
            let stdout = try sluice(["unpack", "-c", "--allow-unencrypted", "--key-file", "k.key", "x.slc"], in: dir)
            #expect(stdout.status == 0, "\(stdout)")
            #expect(stdout.stdout == Self.forged)
            let file = try sluice(["unpack", "--allow-unencrypted", "--key-file", "k.key", "x.slc"], in: dir)
            #expect(file.status == 0, "\(file)")
            #expect(try readFile(dir.appending("x")) == Self.forged)
            // Without a key an unencrypted file is what the user asked for: nothing to refuse.
            #expect(try sluice(["verify", "forged.slc"], in: dir).status == 0)
        }
    }

    @Test func batchUnpackRefusesTheSwappedFileAndExits77() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir.appending("tree/sub").string, withIntermediateDirectories: true)
            for index in 0..<6 {
                try writeFile(dir.appending("tree/\(index % 2 == 0 ? "" : "sub/")f\(index)"), DataKind.text.bytes(count: 5_000 + index, seed: UInt64(index)))
            }
            #expect(try sluice(["keygen", "-o", "k.key"], in: dir).status == 0)
            #expect(try sluice(["pack", "--key-file", "k.key", "tree", "-o", "packed"], in: dir).status == 0)
            try writeFile(dir.appending("forge"), Self.forged)
            // One small file (decoded in memory) and one large (streamed) swapped for forgeries.
            try writeFile(dir.appending("big"), DataKind.text.bytes(count: 9 << 20, seed: 5))
            #expect(try sluice(["pack", "forge", "-o", "packed/sub/f1.slc", "-f"], in: dir).status == 0)
            #expect(try sluice(["pack", "big", "-o", "packed/f2.slc", "-f"], in: dir).status == 0)
            let run = try sluice(["unpack", "--key-file", "k.key", "packed", "-o", "back"], in: dir)
            #expect(run.status == 77, "\(run)")
            #expect(run.stderrLines.filter { $0.contains("refusing an unencrypted file") }.count == 2, "\(run)")
            #expect(!exists(dir.appending("back/sub/f1")))
            #expect(!exists(dir.appending("back/f2")))
            #expect(try readFile(dir.appending("back/f0")) == DataKind.text.bytes(count: 5_000, seed: 0))
            let allowed = try sluice(["unpack", "--allow-unencrypted", "--key-file", "k.key", "packed", "-o", "back2"], in: dir)
            #expect(allowed.status == 0, "\(allowed)")
            #expect(try readFile(dir.appending("back2/sub/f1")) == Self.forged)
        }
    }
}

/// The property behind the CLI tests: whatever an unencrypted header holds (codec, level, checksum,
/// chunk size, metadata), it is never admitted when a secret of any kind was given, and always when
/// none was or `allowUnencrypted` is set; a header for the other kind of secret is never admitted.
@Suite struct DowngradePropertyTests {
    /// Opens a header through the format layer, where the key policy is applied for every format.
    static func open(_ bytes: [UInt8], limits: DecodeLimits = DecodeLimits()) throws {
        _ = try bytes.withUnsafeBytes { try MemoryUnpacker(limits: limits).open($0, key: { _ in nil }, requireKey: false) }
    }

    static func randomHeader(_ random: inout SeededGenerator) throws -> Header {
        let codecs: [CodecSettings] = [
            try CodecSettings(.store), try CodecSettings(.lz4), try CodecSettings(.lz4hc, level: 1 + Int(random.next() % 12)),
            try CodecSettings(.zstd, level: 1 + Int(random.next() % 19)),
            try CodecSettings(.brotli, level: Int(random.next() % 12), window: 10 + Int(random.next() % 15)),
        ]
        let checksums: [ChecksumKind] = [.xxh3, .sha256]
        var metadata: FileMetadata?
        if random.next() % 3 != 0 {
            let name = String((0..<Int(random.next() % 40 + 1)).map { _ in Character(UnicodeScalar(UInt8(97 + random.next() % 26))) })
            metadata = FileMetadata(
                size: random.next() % 2 == 0 ? nil : random.next() % (1 << 40), mode: UInt32(random.next() % 0o10000),
                modificationSeconds: Int64(bitPattern: random.next() % (1 << 40)), modificationNanoseconds: UInt32(random.next() % 1_000_000_000),
                name: name)
        }
        return Header(
            codec: codecs[Int(random.next() % UInt64(codecs.count))], cipher: .none,
            checksum: checksums[Int(random.next() % 2)], chunkSize: 4096 << Int(random.next() % 17), keyBlock: nil, metadata: metadata)
    }

    @Test func noHeaderWithoutAKeyBlockIsAdmittedWhenASecretWasGiven() throws {
        var random = SeededGenerator(seed: 0x5EC_19)
        for _ in 0..<2_000 {
            let bytes = try Self.randomHeader(&random).encoded(keys: nil)
            #expect(throws: Never.self) { try Self.open(bytes) }
            for kind in KeyKind.allCases {
                let outcome = Outcome { try Self.open(bytes, limits: DecodeLimits(keys: KeyPolicy(given: kind))) }
                #expect(outcome == .rejected(.wrongKey))
                #expect(throws: Never.self) { try Self.open(bytes, limits: DecodeLimits(keys: KeyPolicy(given: kind, allowUnencrypted: true))) }
            }
        }
    }

    /// Whole random unencrypted files, opened through the library's file paths (unpack, verify, range
    /// restore) with a key policy: never a byte out.
    @Test func wholeUnencryptedFilesAreRefusedByEveryReadPath() throws {
        var random = SeededGenerator(seed: 0xD0_96)
        try withTemporaryDirectory { dir in
            for round in 0..<24 {
                let codec: Codec = [.store, .lz4, .zstd, .brotli][round % 4]
                var options = try Harness.options(codec, checksum: round % 2 == 0 ? .xxh3 : .sha256)
                options.chunkSize = 4096
                let data = DataKind.text.bytes(count: 1 + Int(random.next() % 30_000), seed: random.next())
                let packed = try Harness.pack(data, options: options, metadata: round % 3 == 0 ? nil : Harness.metadata(size: data.count)).bytes
                let path = dir.appending("f\(round).slc")
                try writeFile(path, packed)
                let key: KeySource = round % 2 == 0 ? Harness.key : Harness.passphrase
                let limits = DecodeLimits(keys: KeyPolicy(for: key))
                let out = dir.appending("out\(round)")
                #expect(Outcome { _ = try Pipeline.unpackFile(path, to: .file(out, overwrite: false), key: { _ in key }, limits: limits) } == .rejected(.wrongKey))
                #expect(Outcome { _ = try Pipeline.verifyFile(path, key: { _ in key }, limits: limits) } == .rejected(.wrongKey))
                #expect(Outcome {
                    _ = try Pipeline.unpackFile(path, to: .file(out, overwrite: false), key: { _ in key }, limits: limits, range: 0..<1)
                } == .rejected(.wrongKey))
                #expect(Outcome { _ = try Harness.unpack(packed, key: key, viaPipe: true, limits: limits) } == .rejected(.wrongKey))
                #expect(!exists(out))
                #expect(try Harness.unpack(packed, key: key, limits: DecodeLimits(keys: KeyPolicy(for: key, allowUnencrypted: true))).bytes == data)
            }
            #expect(try leftoverTemporaryFiles(in: dir) == [])
        }
    }

    /// A file made for a passphrase is refused when a key file is given and the reverse, before any
    /// key derivation, even with `allowUnencrypted`.
    @Test func aHeaderForAnotherKindOfSecretIsRefused() throws {
        let data = DataKind.text.bytes(count: 9_000, seed: 3)
        let byPassphrase = try Harness.pack(data, options: try Harness.options(.zstd, .aes256gcm, key: Harness.passphrase)).bytes
        let byKeyFile = try Harness.packed(data, .zstd, .chacha20poly1305)
        for (bytes, given) in [(byPassphrase, KeyKind.keyFile), (byKeyFile, KeyKind.passphrase)] {
            let header = Array(bytes[0..<(try Header.length(fromPrefix: Array(bytes[0..<12])))])
            #expect(Outcome { try Self.open(header, limits: DecodeLimits(keys: KeyPolicy(given: given, allowUnencrypted: true))) }
                    == .rejected(.wrongKey))
        }
        #expect(try Harness.unpack(byPassphrase, key: Harness.passphrase, limits: DecodeLimits(keys: KeyPolicy(for: Harness.passphrase))).bytes == data)
    }
}
