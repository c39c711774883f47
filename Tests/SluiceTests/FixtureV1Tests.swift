import Foundation
@testable import Sluice
import SystemPackage
import Testing

/// `.slc` version-1 files written by an earlier build (Tests/Fixtures/v1/, made once by
/// Tests/Fixtures/make-v1-fixtures.sh with the main branch of 2026-11-27, before the format layer
/// was refactored) must stay readable byte for byte by every later build: every codec, both ciphers,
/// passphrase and key file, SHA-256 and XXH3 checksums, with and without a metadata block, an empty
/// file, raw frames, multi-chunk files and a file packed from a pipe. Each is read the way a user
/// reads it: `unpack` to a file (the indexed path), from standard input (the stream path), `verify`,
/// `inspect`, `--range`, and a directory `unpack` (the batch's in-memory path for small files).
@Suite(.enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct FixtureV1Tests {
    static let directory = FilePath(
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/v1").path)
    static let passphrase = "sluice fixture v1"

    /// One line of MANIFEST: `file plaintext sha256 size key`.
    struct Fixture: CustomStringConvertible, Sendable {
        var file: String
        var plain: String
        var sha256: String
        var size: Int
        var key: String
        var description: String { file }

        var keyArguments: [String] {
            switch key {
            case "keyfile": ["--key-file", FixtureV1Tests.directory.appending("fixture.key").string]
            case "passphrase": ["--passphrase-env", "SLUICE_FIXTURE_PASSPHRASE"]
            default: []
            }
        }
        var path: FilePath { FixtureV1Tests.directory.appending(file) }
        func plaintext() throws -> [UInt8] { try readFile(FixtureV1Tests.directory.appending("plain/\(plain)")) }
    }

    static let fixtures: [Fixture] = {
        guard let text = try? String(contentsOfFile: directory.appending("MANIFEST").string, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            let f = line.split(separator: " ").map(String.init)
            return Fixture(file: f[0], plain: f[1], sha256: f[2], size: Int(f[3]) ?? -1, key: f[4])
        }
    }()

    static func sha256Hex(_ bytes: [UInt8]) throws -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        try digest.withUnsafeMutableBytes { out in try bytes.withUnsafeBytes { try LibCrypto.sha256($0, into: out.baseAddress!) } }
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    private func sluice(_ arguments: [String], in directory: FilePath, stdin: FilePath? = nil) throws -> SluiceProcess.Result {
        try SluiceProcess.run(
            arguments, in: directory, stdin: stdin, environment: ["SLUICE_FIXTURE_PASSPHRASE": Self.passphrase],
            withoutTerminal: true)
    }

    @Test func theSetIsComplete() throws {
        #expect(Self.fixtures.count >= 20)
        let names = Set(Self.fixtures.map(\.file))
        for codec in ["store", "lz4", "lz4hc", "zstd", "brotli"] {
            #expect(names.contains { $0.hasPrefix(codec + "-") }, "\(codec)")
        }
        for needed in ["aes", "chacha", "keyfile", "passphrase", "sha256", "empty", "nometa", "stdin", "random"] {
            #expect(names.contains { $0.contains(needed) }, "\(needed)")
        }
        // The recorded plaintexts are the ones the MANIFEST vouches for.
        for fixture in Self.fixtures {
            let plain = try fixture.plaintext()
            let digest = try Self.sha256Hex(plain)
            #expect(plain.count == fixture.size && digest == fixture.sha256, "\(fixture)")
        }
    }

    /// The indexed path (a seekable file), then `verify`, then the stream path (standard input).
    @Test(arguments: fixtures)
    func unpacksByteForByte(_ fixture: Fixture) throws {
        try withTemporaryDirectory { dir in
            let unpack = try sluice(["unpack", "-q", "-o", "out"] + fixture.keyArguments + [fixture.path.string], in: dir)
            #expect(unpack.status == 0, "\(unpack)")
            let out = try readFile(dir.appending("out"))
            #expect(out.count == fixture.size)
            #expect(try Self.sha256Hex(out) == fixture.sha256)

            let verify = try sluice(["verify"] + fixture.keyArguments + [fixture.path.string], in: dir)
            #expect(verify.status == 0, "\(verify)")

            let piped = try sluice(["unpack", "-q", "-c"] + fixture.keyArguments + ["-"], in: dir, stdin: fixture.path)
            #expect(piped.status == 0, "\(piped)")
            #expect(try Self.sha256Hex(piped.stdout) == fixture.sha256)
        }
    }

    /// A byte range across a chunk boundary (or the whole of a short file) comes out exactly.
    @Test(arguments: fixtures.filter { $0.size > 0 })
    func restoresARange(_ fixture: Fixture) throws {
        let plain = try fixture.plaintext()
        let start = min(4000, plain.count / 3), length = min(200, plain.count - start)
        try withTemporaryDirectory { dir in
            let result = try sluice(
                ["unpack", "-q", "-o", "part", "--range", "\(start):\(length)"] + fixture.keyArguments + [fixture.path.string],
                in: dir)
            #expect(result.status == 0, "\(result)")
            #expect(try readFile(dir.appending("part")) == Array(plain[start..<start + length]))
        }
    }

    /// `inspect --json` reads the header, footer and trailer without a key.
    @Test(arguments: fixtures)
    func inspects(_ fixture: Fixture) throws {
        try withTemporaryDirectory { dir in
            let result = try sluice(["inspect", "--json", fixture.path.string], in: dir)
            #expect(result.status == 0, "\(result)")
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any]
            #expect(object?["format_version"] as? Int == 1)
            #expect(object?["chunk_size"] as? Int == 4096)
            #expect(object?["chunks"] as? Int == max(1, (fixture.size + 4095) / 4096))
            #expect(object?["original_size"] as? Int == fixture.size)
            #expect(object?["codec"] as? String == String(fixture.file.prefix { $0 != "-" }))
            let cipher = fixture.file.contains("-aes-") ? "aes-256-gcm" : fixture.file.contains("-chacha-") ? "chacha20-poly1305" : "none"
            #expect(object?["cipher"] as? String == cipher)
        }
    }

    /// The metadata block of a file packed from a named file is restored: mode and nanosecond mtime.
    @Test func restoresRecordedMetadata() throws {
        try withTemporaryDirectory { dir in
            let result = try sluice(["unpack", "-q", "-o", "out", Self.directory.appending("zstd-text.slc").string], in: dir)
            #expect(result.status == 0, "\(result)")
            let attributes = try FileAttributes(of: dir.appending("out"))
            #expect(attributes.mode == 0o640)
            #expect(attributes.seconds == 1_700_000_000)
            #expect(attributes.nanoseconds == 123_456_789)
        }
    }

    /// A directory of fixtures unpacked as a tree (small files take the batch's in-memory path).
    @Test(arguments: ["none", "keyfile", "passphrase"])
    func unpacksAsATree(key: String) throws {
        let chosen = Self.fixtures.filter { $0.key == key }
        try withTemporaryDirectory { dir in
            let tree = dir.appending("in")
            try FileManager.default.createDirectory(atPath: tree.string, withIntermediateDirectories: false)
            for fixture in chosen {
                try FileManager.default.copyItem(atPath: fixture.path.string, toPath: tree.appending(fixture.file).string)
            }
            let result = try sluice(["unpack", "-q", "in", "-o", "out"] + (chosen.first?.keyArguments ?? []), in: dir)
            #expect(result.status == 0, "\(result)")
            for fixture in chosen {
                let out = try readFile(dir.appending("out/\(fixture.file.dropLast(4))"))
                #expect(try Self.sha256Hex(out) == fixture.sha256, "\(fixture)")
            }
        }
    }
}
