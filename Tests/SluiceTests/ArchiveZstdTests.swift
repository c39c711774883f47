import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `pack --archive -o NAME.tar.zst`: a seekable zstd file that zstd and tar read, with the member index
/// in a skippable frame at its end (docs/archives.md, docs/format.md "zstd archives").
@Suite(.serialized) struct ArchiveZstdTests {
    /// The archive's footer fields: content size, index size.
    private func footer(_ path: FilePath) throws -> (content: Int, index: Int, size: Int) {
        let bytes = try readFile(path)
        let content = bytes[(bytes.count - 24)...].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let index = bytes[(bytes.count - 16)...].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(Array(bytes.suffix(8)) == [0x89, 0x53, 0x4C, 0x43, 0x54, 0x5A, 0x53, 0x0A])
        return (Int(UInt64(littleEndian: content)), Int(UInt64(littleEndian: index)), bytes.count)
    }

    private func flipByte(_ path: FilePath, at offset: Int) throws {
        var bytes = try readFile(path)
        bytes[offset] ^= 0x40
        try writeFile(path, bytes)
    }

    @Test func zstdAndTarReadItAndSluiceExtractsByIndex() throws {
        try withTemporaryDirectory { root in
            try ArchiveTests.makeTree(root)
            let packed = try ArchiveTests.sluice(["pack", "src", "--archive", "-o", "t.tar.zst", "--chunk-size", "64K"], in: root)
            #expect(packed.status == 0, "\(packed)")
            // The real tools: zstd checks every frame (the index frame is skipped), tar extracts the tree.
            #expect(try ArchiveTests.shell("zstd -q -t t.tar.zst", in: root).status == 0)
            #expect(try ArchiveTests.shell("mkdir t && tar -I zstd -xf t.tar.zst -C t 2>/dev/null && diff -r --no-dereference src t/src", in: root).status == 0)
            let tarNames = try ArchiveTests.shell("tar -I zstd -tf t.tar.zst 2>/dev/null | sed 's,/$,,'", in: root).out
                .split(separator: "\n").map { $0.replacingOccurrences(of: "\\351", with: "\\xE9") }
            let listed = try ArchiveTests.sluice(["list", "--json", "t.tar.zst"], in: root)
            #expect(listed.status == 0, "\(listed)")
            let names = try listed.stdoutText.split(separator: "\n").map { line in
                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["path"] as! String
            }
            #expect(names == tarNames)
            // Sluice extracts it by its index, keeps modes and nanosecond mtimes, and verifies it.
            let unpacked = try ArchiveTests.sluice(["unpack", "t.tar.zst", "-o", "out"], in: root)
            #expect(unpacked.status == 0, "\(unpacked)")
            #expect(try ArchiveTests.shell("diff -r --no-dereference src out/src", in: root).status == 0)
            let stats = try ArchiveTests.shell("stat -c '%a %y' src/sub/b.txt out/src/sub/b.txt", in: root).out.split(separator: "\n")
            #expect(stats.count == 2 && stats[0] == stats[1])
            let verified = try ArchiveTests.sluice(["verify", "t.tar.zst"], in: root)
            #expect(verified.status == 0, "\(verified)")
            #expect(verified.stdoutText.contains("archive"))
            // The default target drops .zst and .tar.
            #expect(try ArchiveTests.shell("cp t.tar.zst v.tar.zst", in: root).status == 0)
            #expect(try ArchiveTests.sluice(["unpack", "v.tar.zst"], in: root).status == 0)
            #expect(try ArchiveTests.shell("diff -r --no-dereference src v/src", in: root).status == 0)
            // As a plain zstd file: the seek table is found before the index frame; a pipe skips the frame.
            let inspected = try ArchiveTests.sluice(["inspect", "t.tar.zst"], in: root)
            #expect(inspected.stdoutText.contains("seek table"), "\(inspected.stdoutText)")
            #expect(try ArchiveTests.shell(#""$SLUICE" unpack -c < t.tar.zst | tar -t >/dev/null 2>&1"#, in: root).status == 0)
            // --from-tar writes the same layout.
            #expect(try ArchiveTests.shell("tar -cf plain.tar src", in: root).status == 0)
            #expect(try ArchiveTests.sluice(["pack", "plain.tar", "--archive", "--from-tar", "-o", "p.tar.zst"], in: root).status == 0)
            #expect(try ArchiveTests.shell("zstd -dc p.tar.zst | cmp plain.tar -", in: root).status == 0)
            #expect(try ArchiveTests.sluice(["unpack", "p.tar.zst", "-o", "pout", "--only", "b.txt"], in: root).status == 0)
            #expect(try readFile(root.appending("pout/src/sub/b.txt")) == (try readFile(root.appending("src/sub/b.txt"))))
        }
    }

    @Test func onlyDecodesTheChunksThatHoldTheMembers() throws {
        try withTemporaryDirectory { root in
            try ArchiveTests.extractOneMemberOfForty("b.tar.zst", in: root)
            // A damaged chunk the member is not in does not stop it; list does not read the content at all.
            let (content, _, _) = try footer(root.appending("b.tar.zst"))
            try flipByte(root.appending("b.tar.zst"), at: content / 3)
            #expect(try ArchiveTests.sluice(["list", "b.tar.zst"], in: root).status == 0)
            #expect(try ArchiveTests.sluice(["unpack", "b.tar.zst", "-o", "again", "--only", "*/wanted.txt"], in: root).status == 0)
            let verified = try ArchiveTests.sluice(["verify", "b.tar.zst"], in: root)
            #expect(verified.status == 65, "\(verified)")
            #expect(verified.stderrLines.count == 1)
            #expect(try ArchiveTests.shell("zstd -q -t b.tar.zst 2>/dev/null", in: root).status != 0)
        }
    }

    @Test func aDamagedIndexIsCorrupt() throws {
        try withTemporaryDirectory { root in
            try ArchiveTests.makeTree(root)
            #expect(try ArchiveTests.sluice(["pack", "src", "--archive", "-o", "t.tar.zst"], in: root).status == 0)
            // Another tree: the same tree packed twice gives the same content, which the index does describe.
            #expect(try ArchiveTests.shell("echo more >> src/a.txt", in: root).status == 0)
            #expect(try ArchiveTests.sluice(["pack", "src", "--archive", "-o", "u.tar.zst"], in: root).status == 0)
            let (content, index, size) = try footer(root.appending("t.tar.zst"))
            #expect(content + 8 + index + 24 == size)
            let original = try readFile(root.appending("t.tar.zst"))
            // A byte of the index's zstd data, the skippable frame's header, the footer's sizes.
            for offset in [content + 8 + index / 2, content + 4, size - 20] {
                try writeFile(root.appending("d.tar.zst"), original)
                try flipByte(root.appending("d.tar.zst"), at: offset)
                for command in [["list", "d.tar.zst"], ["unpack", "d.tar.zst", "-o", "out"], ["verify", "d.tar.zst"]] {
                    let result = try ArchiveTests.sluice(command, in: root)
                    #expect(result.status == 65, "\(command) at \(offset): \(result)")
                    #expect(result.stderrLines.count == 1, "\(result)")
                }
                #expect(!FileManager.default.fileExists(atPath: root.appending("out").string))
            }
            // An index taken from another archive of the same tree does not open this one's content.
            let other = try readFile(root.appending("u.tar.zst"))
            let (otherContent, _, _) = try footer(root.appending("u.tar.zst"))
            var mixed = Array(original[..<content]) + Array(other[otherContent...])
            let contentField = withUnsafeBytes(of: UInt64(content).littleEndian, Array.init)
            mixed.replaceSubrange((mixed.count - 24)..<(mixed.count - 16), with: contentField)
            try writeFile(root.appending("m.tar.zst"), mixed)
            let result = try ArchiveTests.sluice(["list", "m.tar.zst"], in: root)
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("another archive"))
        }
    }

    @Test(arguments: [
        ["--key-file", "k.key"], ["--cipher", "aes-256-gcm"], ["--codec", "lz4"],
    ])
    func encryptionAndOtherCodecsAreRefused(_ options: [String]) throws {
        try withTemporaryDirectory { root in
            try ArchiveTests.makeTree(root)
            #expect(try ArchiveTests.sluice(["keygen", "-o", "k.key"], in: root).status == 0)
            let result = try ArchiveTests.sluice(["pack", "src", "--archive", "-o", "t.tar.zst"] + options, in: root)
            #expect(result.status == 64, "\(result)")
            #expect(result.stderrLines.count == 1, "\(result)")
            #expect(!FileManager.default.fileExists(atPath: root.appending("t.tar.zst").string))
        }
    }

    @Test func lz4ArchivesAreRefused() throws {
        try withTemporaryDirectory { root in
            try ArchiveTests.makeTree(root)
            for options in [["-o", "t.tar.lz4"], ["--format", "lz4", "-o", "t.tar"]] {
                let result = try ArchiveTests.sluice(["pack", "src", "--archive"] + options, in: root)
                #expect(result.status == 64, "\(result)")
                #expect(result.stderr.contains(".tar.zst"), "\(result)")
                #expect(result.stderrLines.count == 1)
            }
        }
    }
}
