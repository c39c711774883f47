#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Sluice
import SystemPackage
import Testing

/// The fuzz seed corpus (valid files of every codec × cipher, Tests/Fuzz/corpus/container) must decode,
/// and every input the fuzzer found a crash with (Tests/Fuzz/regressions/) must now be refused cleanly,
/// through the same paths as the harness in Fuzz/: the stream decoder, inspect, and range restore.
@Suite struct FuzzCorpusTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func files(_ folder: String) -> [String] {
        let path = fuzzDirectory.appendingPathComponent(folder).path
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(folder)/\($0)" }
    }

    static let fuzzKey = [UInt8](repeating: 0x5A, count: 32)
    /// The identity the recipient seeds are encrypted to (Tests/Fuzz/make-reader-seeds.sh).
    static let fuzzIdentity = try! AgeIdentity(parsing: "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0")
    static func key(for request: KeyRequest) -> KeySource? {
        switch request.wrappings.first {
        case .keyFile: .keyFile(fuzzKey)
        case .passphrase: .passphrase(Array("sluice fuzz".utf8))
        case .recipients: .identities([fuzzIdentity])
        case nil: nil
        }
    }

    @Test func corpusIsThere() {
        #expect(Self.files("corpus/container").count >= 50)
    }

    @Test(arguments: files("corpus/container"))
    func seedDecodes(_ name: String) throws {
        let path = FilePath(Self.fuzzDirectory.appendingPathComponent(name).path)
        let info = try Pipeline.inspect(path)
        let report = try Pipeline.verifyFile(path, key: Self.key(for:), workers: 2)
        #expect(report.plainBytes == info.plainSize)
        #expect(info.info.chunkSize == 4096)
        try TestSupport.withTemporaryDirectory { directory in
            let out = FilePath("\(directory)/out")
            let middle = info.plainSize / 3..<info.plainSize / 3 * 2
            let restored = try Pipeline.unpackFile(path, to: .file(out, overwrite: false), key: Self.key(for:), range: middle)
            #expect(restored.plainBytes == UInt64(middle.count))
        }
    }

    /// The seeds of the `keys` target (Tests/Fuzz/corpus/keys) are valid files of their kind: the identity
    /// files hold the fuzz identity, the recipients files its recipient (and one more), the key file the fuzz key.
    @Test func keySeedsRead() throws {
        func path(_ name: String) -> FilePath { FilePath(Self.fuzzDirectory.appendingPathComponent("corpus/keys/\(name)").path) }
        for name in ["identity-age-keygen", "identity-crlf"] {
            let identities = try IdentityFile.identities(at: path(name))
            #expect(!identities.isEmpty && identities.allSatisfy { $0.recipient == Self.fuzzIdentity.recipient }, "\(name)")
        }
        #expect(try IdentityFile.recipients(at: path("recipients")).count == 2)
        #expect(try IdentityFile.recipients(at: path("recipient-no-newline")) == [Self.fuzzIdentity.recipient])
        guard case .keyFile(let key) = try KeyFile.read(at: path("key-file")) else { throw SluiceError.invalid("not a key file") }
        #expect(key == Self.fuzzKey)
    }

    @Test(arguments: files("regressions"))
    func crashInputIsRefused(_ name: String) throws {
        let path = FilePath(Self.fuzzDirectory.appendingPathComponent(name).path)
        func refused(_ what: String, _ body: () throws -> Void) {
            do {
                try body()
                Issue.record("\(what): a crash input was accepted")
            } catch let error as SluiceError {
                #expect([.corrupt, .wrongKey, .invalidArgument].contains(error.code), "\(what): \(error)")
            } catch {
                Issue.record("\(what): not a SluiceError: \(error)")
            }
        }
        refused("verify") { _ = try Pipeline.verifyFile(path, key: Self.key(for:), workers: 2) }
        refused("inspect") {
            let info = try Pipeline.inspect(path, limits: DecodeLimits(maxScryptLogN: 64))
            _ = info.info.keyDerivation
            _ = "\(info.info.codec) \(info.ratio)"
            try TestSupport.withTemporaryDirectory { directory in
                _ = try Pipeline.unpackFile(path, to: .file(FilePath("\(directory)/out"), overwrite: false),
                                            key: Self.key(for:), range: 0..<info.plainSize)
            }
        }
        // And the CLI says so in one line with a documented code.
        let outcome = try Child.run([TestSupport.sluice, "inspect", path.string])
        #expect([0, 64, 65, 77].contains(outcome.exitCode ?? -1), "\(outcome.standardError)")
        // unpack and verify refuse it in one line that names the file, and leave nothing behind.
        try TestSupport.withTemporaryDirectory { directory in
            for command in [["unpack", path.string, "-o", "\(directory)/out"], ["verify", path.string]] {
                let outcome = try Child.run([TestSupport.sluice] + command + ["--key-file", Self.fuzzDirectory.appendingPathComponent("corpus/keys/key-file").path])
                let lines = outcome.standardError.split(separator: "\n")
                #expect([64, 65, 77].contains(outcome.exitCode ?? -1), "\(command[0]): \(outcome.standardError)")
                #expect(lines.count == 1 && lines[0].contains(name), "\(command[0]): \(outcome.standardError)")
            }
            #expect(TestSupport.contents(of: directory).isEmpty)
        }
    }
}
