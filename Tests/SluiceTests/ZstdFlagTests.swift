import Foundation
import SystemPackage
import Testing

/// zstd flags sluice has no counterpart for: refused with one line that says why (exit 64, nothing
/// written), never "unknown option"; and the `-q`/`-v` counting zstd does (`-qq`, `-vv`, `-qv`).
/// The flags that map onto sluice (`--ultra`, `--long` when decoding, `-B#`, `--format=`,
/// `-lq`/`-lv`) are rows of docs/cli.md's table (ComingFromTests).
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct ZstdFlagTests {
    struct Refused: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        /// The start of the one error line.
        var line: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let refused: [Refused] = [
        Refused(arguments: ["-D", "dict", "f"], line: "sluice: error: -D: sluice compresses without dictionaries"),
        Refused(arguments: ["-d", "-D", "dict", "f.zst"], line: "sluice: error: -D: sluice compresses without dictionaries"),
        Refused(arguments: ["--patch-from", "old", "f"], line: "sluice: error: --patch-from: sluice has no patch mode"),
        Refused(arguments: ["--patch-from=old", "f"], line: "sluice: error: --patch-from: sluice has no patch mode"),
        Refused(arguments: ["--long=27", "f"], line: "sluice: error: --long=27: sluice compresses each chunk"),
        Refused(arguments: ["--long", "f"], line: "sluice: error: --long: sluice compresses each chunk"),
        Refused(arguments: ["--format=gzip", "f"], line: "sluice: error: --format=gzip: sluice writes .slc, zstd, LZ4 and age files, not gzip (use gzip or pigz)"),
        Refused(arguments: ["pack", "--format", "xz", "f"], line: "sluice: error: --format=xz: sluice writes .slc, zstd, LZ4 and age files, not xz"),
        Refused(arguments: ["-d", "--format=gzip", "f.zst"], line: "sluice: error: --format=gzip: sluice reads .slc, zstd, LZ4 and age files, not gzip"),
        Refused(arguments: ["-d", "--no-check", "f.zst"], line: "sluice: error: --no-check: sluice checks every frame it restores"),
        Refused(arguments: ["--no-check", "f"], line: "sluice: error: --no-check: sluice checksums every chunk unless a cipher authenticates it"),
        Refused(arguments: ["--rsyncable", "f"], line: "sluice: error: --rsyncable: sluice has no rsync-friendly mode"),
        Refused(arguments: ["--adapt", "f"], line: "sluice: error: --adapt: sluice keeps the level it is given"),
        Refused(arguments: ["--train", "f"], line: "sluice: error: --train: sluice trains no dictionaries"),
    ]

    @Test(arguments: refused)
    func refusedWithTheReason(_ row: Refused) throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("f"), DataKind.text.bytes(count: 10_000, seed: 1))
            try writeFile(dir.appending("f.zst"), [])
            let result = try SluiceProcess.run(row.arguments, in: dir)
            #expect(result.status == 64, "\(result)")
            #expect(result.stderrLines.count == 1 && result.stderrLines.first?.hasPrefix(row.line) == true, "\(result)")
            #expect(try directoryListing(dir) == ["f", "f.zst"])
        }
    }

    /// `-q` and `-v` count as in zstd: `-qq` is quiet, `-vv` verbose, `-qv` neither; on verify, which
    /// has no `-v`, a `-v` is dropped.
    @Test func quietAndVerboseCount() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("f"), DataKind.text.bytes(count: 10_000, seed: 1))
            try writeFile(dir.appending("g"), DataKind.text.bytes(count: 10_000, seed: 2))
            let quiet = try SluiceProcess.run(["-qq", "f", "g"], in: dir)
            #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet)")
            let verbose = try SluiceProcess.run(["-vv", "-f", "f"], in: dir)
            #expect(verbose.status == 0 && verbose.stderr.contains("f → f.slc"), "\(verbose)")
            let neither = try SluiceProcess.run(["-q", "-v", "-f", "f", "g"], in: dir)
            #expect(neither.status == 0 && neither.stderrLines == ["sluice: packed 2 of 2 inputs"], "\(neither)")
            let verify = try SluiceProcess.run(["-tv", "f.slc"], in: dir)
            #expect(verify.status == 0 && verify.stdoutText.hasPrefix("f.slc: OK (1 chunk, 10000 bytes"), "\(verify)")
        }
    }
}
