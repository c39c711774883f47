import Foundation
import SystemPackage
import Testing

/// What `sluice` does on a real terminal, run through a pseudo-terminal (scripts/pty-run.py, Python's
/// `pty`): the passphrase prompt, the progress bar's width and its redraw on a resize, and binary
/// output refused.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil && PseudoTerminal.python != nil, "needs the sluice executable and python3"))
struct TerminalTests {

    struct Screen {
        var status: Int
        /// Everything the terminal was sent.
        var output: String

        /// The pieces of the output between carriage returns and newlines, escape sequences removed:
        /// what each redraw of a line put on screen.
        var drawnLines: [String] {
            let plain = output.replacing(/\x1B\[[0-9;]*[A-Za-z]/, with: "")
            return plain.split(whereSeparator: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }).map(String.init)
        }

        /// The drawn lines of the progress bar: all but the summary line and prompts or errors.
        var barLines: [String] { drawnLines.filter { !$0.contains("→") && !$0.hasPrefix("sluice:") && !$0.hasPrefix("Passphrase") } }
    }

    /// Runs `sluice arguments…` on a pty `columns` wide in `directory`.
    func onTerminal(
        _ arguments: [String], in directory: FilePath, columns: Int = 80, typing: [(prompt: String, text: String)] = [],
        slowStdin: Int = 0, resize: (afterBlock: Int, columns: Int)? = nil, stdin: FilePath? = nil
    ) throws -> Screen {
        var command = [PseudoTerminal.script.path, "--cols", "\(columns)"]
        if let stdin { command += ["--stdin", stdin.string] }
        for entry in typing { command += ["--type", "\(entry.prompt)=>\(entry.text)"] }
        if slowStdin > 0 { command += ["--slow-stdin", "\(slowStdin)"] }
        if let resize { command += ["--resize", "\(resize.afterBlock):\(resize.columns)"] }
        command += ["--", SluiceProcess.executable!.path] + arguments
        let process = Process()
        process.executableURL = PseudoTerminal.python
        process.arguments = command
        process.currentDirectoryURL = URL(fileURLWithPath: directory.string)
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        // The driver passes bytes as Latin-1 characters: back to bytes, then read as the UTF-8 they are.
        let latin1 = (object?["output"] as? String ?? "").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        return Screen(status: object?["status"] as? Int ?? -1, output: String(decoding: latin1, as: UTF8.self))
    }

    /// The prompt asks twice with echo off: the passphrase never appears on the terminal, and the file
    /// opens with it.
    @Test func passphrasePromptAsksTwiceWithoutEcho() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("notes.txt"), DataKind.text.bytes(count: 20_000, seed: 3))
            let screen = try onTerminal(
                ["pack", "--cipher", "aes-256-gcm", "--kdf-cost", "10", "notes.txt"], in: dir,
                typing: [("Passphrase: ", "tiger lily 42"), ("Passphrase (again): ", "tiger lily 42")])
            #expect(screen.status == 0, "\(screen.output)")
            #expect(screen.output.contains("Passphrase: "))
            #expect(screen.output.contains("Passphrase (again): "))
            #expect(!screen.output.contains("tiger lily"), "the passphrase was echoed: \(screen.output.debugDescription)")
            let back = try SluiceProcess.run(["unpack", "-c", "--passphrase-env", "P", "notes.txt.slc"], in: dir, environment: ["P": "tiger lily 42"])
            #expect(back.status == 0, "\(back)")
            #expect(back.stdout == DataKind.text.bytes(count: 20_000, seed: 3))
        }
    }

    /// Two different passphrases: refused, exit 64, nothing written.
    @Test func mismatchedPassphrasesAreRefused() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("notes.txt"), Array("short".utf8))
            let screen = try onTerminal(
                ["pack", "--cipher", "aes-256-gcm", "--kdf-cost", "10", "notes.txt"], in: dir,
                typing: [("Passphrase: ", "one"), ("Passphrase (again): ", "two")])
            #expect(screen.status == 64, "\(screen.output)")
            #expect(screen.output.contains("sluice: error: the passphrases do not match"))
            #expect(try directoryListing(dir) == ["notes.txt"])
        }
    }

    /// The bar is cut to the terminal: at 80 and at 40 columns no drawn line reaches the last column.
    @Test(arguments: [80, 40])
    func progressBarFitsTheTerminal(columns: Int) throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("big"), DataKind.text.bytes(count: 8 << 20, seed: 5))
            let screen = try onTerminal(
                ["pack", "--progress", "--codec", "zstd", "--level", "6", "--chunk-size", "256K", "--workers", "1", "big"],
                in: dir, columns: columns)
            #expect(screen.status == 0, "\(screen.output)")
            let bars = screen.barLines.filter { $0.contains("[") }
            #expect(!bars.isEmpty, "no progress bar drawn: \(screen.output.debugDescription)")
            for line in bars { #expect(line.count <= columns - 1, "\(line.count) columns: \(line)") }
            // The gauge uses the room it has: a wider terminal gets a wider line.
            if columns == 80 { #expect(bars.contains { $0.count > 40 }, "\(bars)") }
        }
    }

    /// A resize (SIGWINCH) while the bar is shown: the next lines fit the new width, drawn after
    /// clearing to the end of the screen.
    @Test func progressBarFollowsAResize() throws {
        try withTemporaryDirectory { dir in
            let screen = try onTerminal(
                ["pack", "--progress", "--chunk-size", "64K", "-", "-o", "piped.slc"], in: dir, columns: 80,
                slowStdin: 12, resize: (afterBlock: 4, columns: 12))
            #expect(screen.status == 0, "\(screen.output)")
            let cleared = screen.output.components(separatedBy: "\u{1B}[J")
            #expect(cleared.count >= 2, "no redraw after the resize: \(screen.output.debugDescription)")
            let after = Screen(status: 0, output: cleared.last ?? "").barLines
            #expect(!after.isEmpty)
            for line in after { #expect(line.count <= 11, "\(line)") }
        }
    }

    /// Compressed data is never written to a terminal (as zstd refuses); `unpack -c` writes the
    /// original there, with no progress bar drawn into it.
    @Test func binaryOutputToATerminalIsRefused() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("x.txt"), Array("hello terminal\n".utf8))
            let pack = try onTerminal(["pack", "-c", "x.txt"], in: dir)
            #expect(pack.status == 64, "\(pack.output)")
            #expect(pack.output.contains("sluice: error: refusing to write a .slc file to a terminal"))
            #expect(try SluiceProcess.run(["pack", "x.txt"], in: dir).status == 0)
            let unpack = try onTerminal(["unpack", "-c", "--progress", "x.txt.slc"], in: dir)
            #expect(unpack.status == 0, "\(unpack.output)")
            #expect(unpack.output.replacingOccurrences(of: "\r\n", with: "\n") == "hello terminal\n", "\(unpack.output.debugDescription)")
        }
    }

    /// A restored original that is not text is not shown on a terminal — `unpack -c`, `sluice -dc`,
    /// and standard input to standard output (`sluice -d < FILE`) — exit 64, one line, not a byte of
    /// it; `-f` shows it anyway; text (long, UTF-8, with colours) passes whole.
    @Test func binaryOriginalOnATerminalIsRefusedUnlessForced() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appending("bin"), DataKind.random.bytes(count: 300_000, seed: 7))
            var text = Array("naïve café — \u{1B}[1mbold\u{1B}[0m\tend\n".utf8)
            while text.count < 200_000 { text += Array("line \(text.count) of a long text → on\n".utf8) }
            text += Array("the last line\n".utf8)
            try writeFile(dir.appending("text"), text)
            #expect(try SluiceProcess.run(["pack", "-q", "bin", "text"], in: dir).status == 0)
            #expect(try SluiceProcess.run(["pack", "-q", "--format", "zstd", "bin"], in: dir).status == 0)

            for arguments in [["unpack", "-c", "bin.slc"], ["-dc", "bin.slc"], ["-dc", "bin.zst"], ["unpack", "-c", "--progress", "bin.slc"]] {
                let screen = try onTerminal(arguments, in: dir)
                #expect(screen.status == 64, "\(arguments): \(screen.output.prefix(300).debugDescription)")
                let lines = screen.drawnLines
                #expect(lines == ["sluice: error: refusing to write binary data to a terminal: what bin.\(arguments.last!.hasSuffix("zst") ? "zst" : "slc") holds is not text (use -o FILE, a pipe, or -f to show it anyway)"],
                        "\(arguments): \(screen.output.prefix(300).debugDescription)")
            }
            let piped = try onTerminal(["-d"], in: dir, stdin: dir.appending("bin.slc"))
            #expect(piped.status == 64, "\(piped.output.prefix(300).debugDescription)")
            #expect(piped.drawnLines.count == 1 && piped.output.contains("what standard input holds is not text"), "\(piped.output.prefix(300).debugDescription)")

            let forced = try onTerminal(["-dcf", "bin.slc"], in: dir)
            #expect(forced.status == 0)
            #expect(forced.output.utf8.count > 250_000, "\(forced.output.utf8.count) bytes shown")

            let shown = try onTerminal(["-dc", "text.slc"], in: dir)
            #expect(shown.status == 0, "\(shown.output.suffix(300).debugDescription)")
            #expect(Array(shown.output.replacingOccurrences(of: "\r\n", with: "\n").utf8) == text)
        }
    }
}

/// Where the pseudo-terminal driver and its interpreter are.
enum PseudoTerminal {
    static let python: URL? = ["/usr/bin/python3", "/usr/local/bin/python3"].map { URL(fileURLWithPath: $0) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/pty-run.py")
}
