import Foundation
import SystemPackage
import Testing

/// age's rule for recipient stanzas a reader does not understand (C2SP age spec: an identity
/// implementation ignores stanzas it does not recognise; "grease" stanzas exist to keep readers
/// honest): skipped, through the CLI as the reference `age` does — the CCTV vector `x25519_grease`
/// opens, and a header of unknown stanzas only is "no identity matches" (exit 77), not corrupt.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct AgeUnknownStanzaTests {
    static let age: URL? = ["/usr/bin/age", "/usr/local/bin/age"].map { URL(fileURLWithPath: $0) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    @Test func greaseStanzasAreSkipped() throws {
        let vector = try AgeVector.load("x25519_grease")
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("key.txt"), Array((vector.identities.joined(separator: "\n") + "\n").utf8))
            _ = chmod(dir.appending("key.txt").string, 0o600)
            try writeFile(dir.appending("grease.age"), vector.file)
            let opened = try SluiceProcess.run(["-d", "-i", "key.txt", "grease.age", "-o", "plain"], in: dir)
            #expect(opened.status == 0, "\(opened)")
            #expect(try sha256Hex(readFile(dir.appending("plain"))) == vector.payloadSHA256)

            // The X25519 stanza (its line and its body line) taken out: only unknown stanzas are left.
            let file = vector.file
            let marker = Array("\n-> X25519 ".utf8)
            let start = try #require((0..<(file.count - marker.count)).first { Array(file[$0..<($0 + marker.count)]) == marker }) + 1
            var end = start
            for _ in 0..<2 { end = try #require(file[end...].firstIndex(of: UInt8(ascii: "\n"))) + 1 }
            let unknownOnly = Array(file[..<start] + file[end...])
            let header = String(decoding: unknownOnly.prefix(200), as: UTF8.self)
            #expect(header.contains("-> grease") && !header.contains("X25519"), "\(header)")
            try writeFile(dir.appending("unknown.age"), unknownOnly)
            let refused = try SluiceProcess.run(["-d", "-i", "key.txt", "unknown.age", "-o", "none"], in: dir)
            #expect(refused.status == 77, "\(refused)")
            #expect(refused.stderrLines == ["sluice: error: unknown.age: no identity matches: the identity given does not open this file"], "\(refused)")
            #expect(!exists(dir.appending("none")))
            if let age = Self.age {
                let reference = try SluiceProcess.shell("'\(age.path)' -d -i key.txt unknown.age", in: dir)
                #expect(reference.status != 0 && reference.stderr.contains("no identity matched"), "age: \(reference)")
            }
        }
    }
}
