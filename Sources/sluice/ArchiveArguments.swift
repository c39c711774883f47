import ArgumentParser
import Foundation
import Sluice
import SystemPackage

/// `pack --archive`: every input into one archive (docs/archives.md).
struct ArchivePackArguments: ParsableArguments {
    @Flag(help: "Pack the directories (and files) given into one archive: a pax tar stream in chunks, with a member index (docs/archives.md). Needs -o.")
    var archive = false

    @Flag(help: "With --archive: FILE is a tar stream already (tar -cf, python tarfile): index it and pack it as it is.")
    var fromTar = false

    @Flag(help: "With --archive: leave extended attributes out.")
    var noXattrs = false
}

/// `unpack` of an archive: which members, and what may be created.
struct ArchiveUnpackArguments: ParsableArguments {
    @Option(parsing: .upToNextOption, help: ArgumentHelp(
        "From an archive: extract only the members matching GLOB (fnmatch; a pattern with / matches the whole name), reading only the chunks that hold them.",
        valueName: "GLOB"))
    var only: [String] = []

    @Flag(help: "From an archive: create FIFOs and device nodes (refused by default).")
    var devices = false
}

/// One line per member that failed, as text on stderr or a JSON line on stdout.
struct ArchiveConsole: Sendable {
    let json: Bool
    let quiet: Bool

    func handle(_ event: ArchiveEvent, listing: Bool) {
        switch event {
        case .added(let member):
            guard listing else { return }
            if json {
                Terminal.outputLine(#"{"event":"add","path":\#(jsonString(member.path.description)),"size":\#(member.size)}"#)
            } else {
                Terminal.outputLine(member.path.description)
            }
        case .failed(let path, let error):
            if json {
                Terminal.outputLine(#"{"event":"failed","path":\#(jsonString(path.description)),"error":\#(jsonString(error.description))}"#)
            } else {
                Terminal.error("\(path): \(error.description)")
            }
        }
    }
}

/// `text` as a JSON string literal.
func jsonString(_ text: String) -> String {
    let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
    return String(decoding: data, as: UTF8.self)
}
