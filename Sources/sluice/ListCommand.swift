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
            var out = ListLines()
            for member in archives.lazy.flatMap(\.index.members) {
                if json { out.appendJSON(member) } else { out.appendLine(member) }
                if out.bytes.count > 1 << 16 {
                    FileHandle.standardOutput.write(Data(out.bytes))
                    out.removeAll()
                }
            }
            FileHandle.standardOutput.write(Data(out.bytes))
        }
    }
}
