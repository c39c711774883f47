import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// Passphrases are bytes on every route (no lossy decoding), an over-long one is an error (never cut),
/// and key or passphrase files other users can reach are warned about, or refused with `--strict`.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct KeyHygieneTests {
    private func fixture(_ dir: FilePath) throws {
        try writeFile(dir.appending("x"), DataKind.text.bytes(count: 20_000, seed: 8))
    }

    /// Two different invalid UTF-8 strings used to decode to the same U+FFFD passphrase.
    @Test func passphraseEnvironmentBytesAreNotDecoded() throws {
        try withTemporaryDirectory { dir in
            try fixture(dir)
            let packed = try SluiceProcess.shell(
                #"P=$(printf 'pass\377') && export P && "$SLUICE" pack --kdf-cost 10 --passphrase-env P x -o x.slc"#, in: dir)
            #expect(packed.status == 0, "\(packed)")
            let other = try SluiceProcess.shell(
                #"P=$(printf 'pass\376') && export P && "$SLUICE" unpack --passphrase-env P x.slc -o y"#, in: dir)
            #expect(other.status == 77, "\(other)")
            #expect(!exists(dir.appending("y")))
            let same = try SluiceProcess.shell(
                #"P=$(printf 'pass\377') && export P && "$SLUICE" unpack --passphrase-env P x.slc -o y"#, in: dir)
            #expect(same.status == 0, "\(same)")
            // The fd route reads the same bytes.
            let viaFd = try SluiceProcess.shell(
                #"printf 'pass\377\n' | "$SLUICE" verify --passphrase-fd 0 x.slc"#, in: dir)
            #expect(viaFd.status == 0, "\(viaFd)")
        }
    }

    @Test func anOverLongPassphraseIsAnErrorOnEveryRoute() throws {
        try withTemporaryDirectory { dir in
            try fixture(dir)
            let long = String(repeating: "a", count: KeySource.maxPassphraseLength + 10)
            try writeFile(dir.appending("long.txt"), Array((long + "\n").utf8))
            #expect(chmod(dir.appending("long.txt").string, 0o600) == 0)
            let routes = [
                #""$SLUICE" pack --kdf-cost 10 --passphrase-fd 3 x -o fd.slc 3< long.txt"#,
                #"P=$(cat long.txt) && export P && "$SLUICE" pack --kdf-cost 10 --passphrase-env P x -o env.slc"#,
                #""$SLUICE" pack --kdf-cost 10 --passphrase-file long.txt x -o file.slc"#,
            ]
            for route in routes {
                let result = try SluiceProcess.shell(route, in: dir)
                #expect(result.status == 64, "\(route): \(result)")
                #expect(result.stderr.contains("longer than \(KeySource.maxPassphraseLength) bytes"), "\(route): \(result)")
            }
            #expect(try directoryListing(dir) == ["long.txt", "x"])
            // Exactly the limit is accepted.
            try writeFile(dir.appending("max.txt"), Array((String(long.prefix(KeySource.maxPassphraseLength)) + "\n").utf8))
            #expect(chmod(dir.appending("max.txt").string, 0o600) == 0)
            #expect(try SluiceProcess.shell(#""$SLUICE" pack --kdf-cost 10 --passphrase-fd 3 x -o ok.slc 3< max.txt"#, in: dir).status == 0)
            #expect(try SluiceProcess.shell(#""$SLUICE" verify --passphrase-file max.txt ok.slc"#, in: dir).status == 0)
        }
    }

    /// A secret file that is a pipe (`-i <(…)`) has no size to go by: its buffer grows as it is read (the
    /// smaller copies cleansed), so an identity after more than the first 4 KiB of comments is still read.
    @Test func aSecretFileFromAPipeIsReadWhole() throws {
        let identity = try AgeIdentity.generate()
        let text = Array((String(repeating: "# a comment line\n", count: 700) + identity.encoded + "\n").utf8)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        #expect(text.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) } == text.count)
        close(fds[1])
        let read = try IdentityFile.identities(at: FilePath("/dev/fd/\(fds[0])"))
        #expect(read.map(\.recipient) == [identity.recipient])
    }

    @Test func exposedSecretFilesAreWarnedAboutOrRefusedWithStrict() throws {
        try withTemporaryDirectory { dir in
            try fixture(dir)
            #expect(try SluiceProcess.shell(#""$SLUICE" keygen -o k.key"#, in: dir).status == 0)
            let quiet = try SluiceProcess.shell(#""$SLUICE" pack -q --key-file k.key x"#, in: dir)
            #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet)")
            #expect(chmod(dir.appending("k.key").string, 0o644) == 0)
            let warned = try SluiceProcess.shell(#""$SLUICE" verify -q --key-file k.key x.slc"#, in: dir)
            #expect(warned.status == 0, "\(warned)")
            #expect(warned.stderrLines.count == 1 && warned.stderr.contains("warning: k.key is accessible by group or others (mode 644)"), "\(warned)")
            let refused = try SluiceProcess.shell(#""$SLUICE" unpack --strict --key-file k.key x.slc -o y"#, in: dir)
            #expect(refused.status == 64, "\(refused)")
            #expect(refused.stderrLines.count == 1 && refused.stderr.contains("--strict"), "\(refused)")
            #expect(!exists(dir.appending("y")))
            try writeFile(dir.appending("p.txt"), Array("a passphrase\n".utf8))
            #expect(chmod(dir.appending("p.txt").string, 0o640) == 0)
            let passphrase = try SluiceProcess.shell(#""$SLUICE" pack --strict --kdf-cost 10 --passphrase-file p.txt x -o p.slc"#, in: dir)
            #expect(passphrase.status == 64, "\(passphrase)")
            #expect(!exists(dir.appending("p.slc")))
            if geteuid() == 0 {
                #expect(chmod(dir.appending("k.key").string, 0o600) == 0)
                #expect(chown(dir.appending("k.key").string, 4242, 4242) == 0)
                let foreign = try SluiceProcess.shell(#""$SLUICE" verify -q --key-file k.key x.slc"#, in: dir)
                #expect(foreign.stderr.contains("is owned by another user (uid 4242)"), "\(foreign)")
            }
        }
    }
}
