import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `inspect --json` and `verify` print the whole-file digest, computed as docs/security.md says:
/// SHA-256 (or XXH3-128) over every frame's plaintext checksum in order, then the plain size as 8
/// little-endian bytes.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct DigestReportTests {
    private static func sha256(_ bytes: [UInt8]) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        try bytes.withUnsafeBytes { input in try digest.withUnsafeMutableBytes { try LibCrypto.sha256(input, into: $0.baseAddress!) } }
        return digest
    }

    @Test func inspectAndVerifyPrintTheDocumentedDigest() throws {
        try withTemporaryDirectory { dir in
            let data = DataKind.text.bytes(count: 200_000, seed: 77)
            try writeFile(dir.appending("x"), data)
            let chunk = 65536
            #expect(try SluiceProcess.run(["pack", "--checksum", "sha256", "--chunk-size", "64K", "x"], in: dir).status == 0)
            var concatenated: [UInt8] = []
            for start in stride(from: 0, to: data.count, by: chunk) {
                concatenated += try Self.sha256(Array(data[start..<min(start + chunk, data.count)]))
            }
            withUnsafeBytes(of: UInt64(data.count).littleEndian) { concatenated += $0 }
            let expected = "sha256:" + (try Self.sha256(concatenated)).map { String(format: "%02x", $0) }.joined()

            let inspect = try SluiceProcess.run(["inspect", "--json", "x.slc"], in: dir)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout)) as? [String: Any])
            #expect(object["digest"] as? String == expected)
            let verify = try SluiceProcess.run(["verify", "x.slc"], in: dir)
            #expect(verify.status == 0)
            #expect(verify.stdoutText.contains("digest \(expected))"), "\(verify.stdoutText)")
            // The default XXH3 file digest is printed too, by the same rule.
            #expect(try SluiceProcess.run(["pack", "x", "-o", "y.slc"], in: dir).status == 0)
            let plain = try SluiceProcess.run(["verify", "y.slc"], in: dir)
            #expect(plain.stdoutText.contains("digest xxh3-128:"), "\(plain.stdoutText)")
        }
    }
}
