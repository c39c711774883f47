import ArgumentParser
import Foundation
import Sluice
import SystemPackage

struct ListCommand: ParsableCommand, OpensFiles {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the members of an archive (pack --archive) from its index, without decoding the content.",
        discussion: """
            One line per member, as `ls -l` (type and mode, owner/group ids, size, mtime, name; a link \
            with its target); --json prints one JSON object per member. Only the archive's index is read \
            (and decrypted, with the key options). Several archives (the parts `pack --archive --shard` \
            writes) are listed one after the other; a directory is in every part.

            EXAMPLES
              sluice list backup.tar.slc
              sluice list --json --key-file k.key backup.tar.slc
              sluice list backup.part-*-of-4.tar.slc
            """
    )

    @Argument(help: ArgumentHelp("The archive, or the parts of one.", valueName: "ARCHIVE"))
    var inputs: [String]

    @Flag(help: "One JSON object per member (path, type, size, mode, uid, gid, mtime, offset, digest, link).")
    var json = false

    @OptionGroup
    var decoding: DecodeKeyOptions

    func run() throws {
        try reportingErrors {
            let archives = try inputs.map { input in
                let (fd, archive) = try openArchive(input, keys: keys, identities: identities, allowUnencrypted: allowUnencrypted, maxKdfCost: maxKdfCost)
                _ = try? fd.close()
                return archive
            }
            var out = ""
            for member in archives.lazy.flatMap(\.index.members) {
                out += json ? Self.jsonLine(member) : Self.line(member)
                out += "\n"
                if out.utf8.count > 1 << 16 {
                    try Terminal.output(out)
                    out = ""
                }
            }
            try Terminal.output(out)
        }
    }

    /// `-rw-r--r-- 1000/1000    1234 2026-11-27 12:00:00 path -> target`.
    static func line(_ member: ArchiveMember) -> String {
        var text = String(member.kind.letter) + permissions(member.mode)
        text += " \(member.owner)/\(member.group)"
        let size = String(member.size)
        text += String(repeating: " ", count: max(1, 12 - size.count)) + size
        text += " " + timestamp(member.modificationSeconds) + " " + member.path.description
        if let target = member.linkTarget { text += (member.kind == .hardlink ? " link to " : " -> ") + target.description }
        return text
    }

    static func jsonLine(_ member: ArchiveMember) -> String {
        var text = #"{"path":\#(jsonString(member.path.description)),"type":"\#(member.kind)","size":\#(member.size),"#
        text += #""mode":"\#(String(member.mode, radix: 8))","uid":\#(member.owner),"gid":\#(member.group),"#
        text += #""mtime":\#(member.modificationSeconds).\#(String(format: "%09u", member.modificationNanoseconds)),"offset":\#(member.headerOffset)"#
        if !member.digest.isEmpty { text += #","digest":"\#(member.digest.map { String(format: "%02x", $0) }.joined())""# }
        if let target = member.linkTarget { text += #","link":\#(jsonString(target.description))"# }
        return text + "}"
    }

    private static func permissions(_ mode: UInt32) -> String {
        let letters: [Character] = ["r", "w", "x"]
        var text = ""
        for shift in stride(from: 6, through: 0, by: -3) {
            for bit in 0..<3 {
                let set = mode & (1 << UInt32(shift + 2 - bit)) != 0
                var letter = set ? letters[bit] : "-"
                if bit == 2 {
                    let special: UInt32 = shift == 6 ? 0o4000 : shift == 3 ? 0o2000 : 0o1000
                    if mode & special != 0 { letter = shift == 0 ? (set ? "t" : "T") : (set ? "s" : "S") }
                }
                text.append(letter)
            }
        }
        return text
    }

    private static func timestamp(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min))
    }
}
