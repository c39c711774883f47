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
