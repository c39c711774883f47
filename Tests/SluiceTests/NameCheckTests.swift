import Foundation
import SystemPackage
import Testing

/// A `.slc` renamed to another file's name: unpack warns that the header records another name, and
/// with `--strict` refuses it before writing anything.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct NameCheckTests {
    @Test func aRenamedFileIsWarnedAboutOrRefused() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("report.csv"), Array("a,b\n1,2\n".utf8))
            #expect(try SluiceProcess.run(["pack", "report.csv"], in: dir).status == 0)
            let same = try SluiceProcess.run(["unpack", "report.csv.slc", "-o", "elsewhere"], in: dir)
            #expect(same.status == 0 && same.stderr.isEmpty, "\(same)")
            try FileManager.default.moveItem(atPath: dir.appending("report.csv.slc").string, toPath: dir.appending("deploy.sh.slc").string)
            let strict = try SluiceProcess.run(["unpack", "--strict", "deploy.sh.slc"], in: dir)
            #expect(strict.status == 65, "\(strict)")
            #expect(strict.stderrLines.count == 1 && strict.stderr.contains("records the name 'report.csv'"), "\(strict)")
            #expect(!exists(dir.appending("deploy.sh")))
            #expect(try leftoverTemporaryFiles(in: dir) == [])
            let warned = try SluiceProcess.run(["unpack", "deploy.sh.slc"], in: dir)
            #expect(warned.status == 0, "\(warned)")
            #expect(warned.stderrLines.count == 1 && warned.stderr.contains("warning: deploy.sh.slc records the name 'report.csv', not 'deploy.sh'"), "\(warned)")
        }
    }
}

/// The same check in batch unpack: every renamed `.slc` in a tree (decoded in memory or streamed) gets
/// one warning line and is restored; with `--strict` each fails (exit 1), nothing is written for it, and
/// the other files are restored.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct BatchNameCheckTests {
    @Test func renamedFilesInATreeAreWarnedAboutOrFailed() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir.appending("tree/sub").string, withIntermediateDirectories: true)
            let small = DataKind.text.bytes(count: 7_000, seed: 3), big = DataKind.text.bytes(count: 5 << 20, seed: 4)
            try writeFile(dir.appending("tree/a.txt"), small)
            try writeFile(dir.appending("tree/sub/b.txt"), DataKind.text.bytes(count: 8_000, seed: 5))
            try writeFile(dir.appending("tree/big.log"), big)
            try writeFile(dir.appending("tree/keep.txt"), DataKind.text.bytes(count: 9_000, seed: 6))
            #expect(try SluiceProcess.run(["pack", "tree", "-o", "packed"], in: dir).status == 0)
            // A small file and a large one each renamed to another name; sub/b.txt moved, name kept.
            for (from, to) in [("a.txt.slc", "run.sh.slc"), ("big.log.slc", "cron.slc"), ("sub/b.txt.slc", "b.txt.slc")] {
                try FileManager.default.moveItem(atPath: dir.appending("packed/\(from)").string, toPath: dir.appending("packed/\(to)").string)
            }
            let strict = try SluiceProcess.run(["unpack", "--strict", "packed", "-o", "strict"], in: dir)
            #expect(strict.status == 1, "\(strict)")
            let refusals = strict.stderrLines.filter { $0.contains("it may have been renamed; refusing it (--strict)") }
            #expect(refusals.count == 2, "\(strict)")
            #expect(refusals.contains { $0.contains("records the name 'a.txt', not 'run.sh'") })
            #expect(refusals.contains { $0.contains("records the name 'big.log', not 'cron'") })
            #expect(!exists(dir.appending("strict/run.sh")) && !exists(dir.appending("strict/cron")))
            #expect(try readFile(dir.appending("strict/b.txt")) == DataKind.text.bytes(count: 8_000, seed: 5))
            #expect(try readFile(dir.appending("strict/keep.txt")) == DataKind.text.bytes(count: 9_000, seed: 6))
            #expect(try leftoverTemporaryFiles(in: dir.appending("strict")) == [])

            let warned = try SluiceProcess.run(["unpack", "packed", "-o", "warned"], in: dir)
            #expect(warned.status == 0, "\(warned)")
            let warnings = warned.stderrLines.filter { $0.hasPrefix("sluice: warning: ") }
            #expect(warnings.count == 2, "\(warned)")
            #expect(warnings.contains { $0.contains("run.sh.slc records the name 'a.txt', not 'run.sh': it may have been renamed") })
            #expect(warnings.contains { $0.contains("cron.slc records the name 'big.log', not 'cron'") })
            #expect(try readFile(dir.appending("warned/run.sh")) == small)
            #expect(try readFile(dir.appending("warned/cron")) == big)
            // JSON log: one "warning" record per file.
            let json = try SluiceProcess.run(["unpack", "--log-format", "json", "packed", "-o", "json"], in: dir)
            #expect(json.status == 0, "\(json)")
            #expect(json.stdoutText.split(separator: "\n").filter { $0.contains("\"type\":\"warning\"") }.count == 2, "\(json)")
        }
    }
}
