import Foundation
import SystemPackage
import Testing

/// `make install`'s copying (`make install-files`, which `make install` runs after the release build)
/// into a DESTDIR: the binary runs from there, the man page renders (with `man -l` where man is
/// installed, else its roff is checked) and reads right — no character of the help texts dropped —
/// and the bash, zsh and fish completions are there and load.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil && ManualTool.url != nil,
                             "needs the sluice executable and generate-manual beside it (make test builds both)"))
struct InstallTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the shell `script` (`$SLUICE`: the built executable) in `directory`: its status and standard output.
    func run(_ script: String, in directory: FilePath = FilePath("/")) throws -> (status: Int32, output: String) {
        let result = try SluiceProcess.shell(script, in: directory)
        return (result.status, result.stdoutText + result.stderr)
    }

    @Test func installIntoADestdir() throws {
        try withTemporaryDirectory { dir in
            let make = try run("make -s install-files DESTDIR='\(dir.string)' PREFIX=/usr/local BIN=\"$SLUICE\" MAN_TOOL='\(ManualTool.url!.path)'",
                               in: FilePath(Self.repository.path))
            #expect(make.status == 0, "\(make.output)")
            let root = dir.appending("usr/local")
            let binary = root.appending("bin/sluice")
            #expect(FileManager.default.isExecutableFile(atPath: binary.string))

            let help = try run("'\(binary.string)' --help")
            #expect(help.status == 0 && help.output.contains("USAGE: sluice"), "\(help.output)")
            let version = try run("'\(binary.string)' --version")
            #expect(version.status == 0 && !version.output.isEmpty)

            // The page: every character of the help kept (the generator drops what is not ASCII).
            let page = String(decoding: try readFile(root.appending("share/man/man1/sluice.1")), as: UTF8.self)
            #expect(page.contains(".Dt SLUICE 1"), "\(page.prefix(400))")
            #expect(page.contains("big.csv.slc (zstd-3)") && page.contains("# -> big.csv.slc"), "an example lost its arrow")
            #expect(page.contains("EXIT CODES") && page.contains("77 wrong or missing key"))
            if try run("command -v man").status == 0 {
                let shown = try run("MANPAGER=cat PAGER=cat MANWIDTH=100 LC_ALL=C.UTF-8 man -l '\(root.appending("share/man/man1/sluice.1").string)' 2>/dev/null")
                #expect(shown.status == 0, "\(shown.output.prefix(400))")
                let plain = shown.output.replacing(/.\x08/, with: "")  // overstrike bold and underline
                #expect(plain.contains("sluice pack big.csv") && plain.contains("-> big.csv.slc"), "\(plain.prefix(2000))")
                #expect(plain.contains("--key-file"))
            }

            // Completions, made from the installed binary.
            let bash = root.appending("share/bash-completion/completions/sluice")
            let loaded = try run("bash -c \"source '\(bash.string)' && complete -p sluice\"")
            #expect(loaded.status == 0 && loaded.output.contains("sluice"), "\(loaded.output)")
            let zsh = String(decoding: try readFile(root.appending("share/zsh/site-functions/_sluice")), as: UTF8.self)
            #expect(zsh.hasPrefix("#compdef sluice"), "\(zsh.prefix(100))")
            let fish = String(decoding: try readFile(root.appending("share/fish/vendor_completions.d/sluice.fish")), as: UTF8.self)
            #expect(fish.contains("complete -c 'sluice'") && fish.contains("-l 'key-file'"), "\(fish.prefix(300))")
        }
    }

    /// What generate-manual reads is ASCII: no help text loses a character in the man page.
    @Test func helpTextsAreASCII() throws {
        let dump = try run("$SLUICE --experimental-dump-help")
        #expect(dump.status == 0)
        let other = Set(dump.output.unicodeScalars.filter { !$0.isASCII }.map(String.init))
        #expect(other.isEmpty, "characters the man page would drop: \(other.sorted())")
    }
}

/// swift-argument-parser's generate-manual, built next to sluice by `make test`.
enum ManualTool {
    static let url: URL? = SluiceProcess.executable.map { $0.deletingLastPathComponent().appendingPathComponent("generate-manual") }
        .flatMap { FileManager.default.isExecutableFile(atPath: $0.path) ? $0 : nil }
}
