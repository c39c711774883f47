import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// Archives at their edges: owners, link times and directory attributes restored; a path the walk
/// cannot open; a hostile index's size; a part of a tree chosen by ``ArchiveOptions/select``; the index
/// spilled as it is written (docs/archives.md).
@Suite(.serialized) struct ArchiveEdgeTests {
    @Test func ownersLinkTimesAndDirectoryAttributesAreRestored() throws {
        try withTemporaryDirectory { root in
            let script = #"""
            set -e
            mkdir -p src/dir
            echo owned > src/dir/f
            ln -s f src/dir/link
            touch -h -d '2020-01-02 03:04:05.5' src/dir/link
            """#
            #expect(try ArchiveTests.shell(script, in: root).status == 0)
            let root_ = geteuid() == 0
            if root_ { #expect(try ArchiveTests.shell("chown 1234:5678 src/dir/f && chown -h 4321:8765 src/dir/link", in: root).status == 0) }
            let xattr = "import os,sys\ntry: os.setxattr('src/dir', 'user.dir', b'on a directory')\nexcept OSError: sys.exit(3)"
            try writeFile(root.appending("x.py"), Array(xattr.utf8))
            let hasXattrs = try ArchiveTests.shell("python3 x.py", in: root).status == 0
            #expect(try ArchiveTests.sluice(["pack", "src", "--archive", "-o", "t.tar.slc"], in: root).status == 0)
            let unpacked = try ArchiveTests.sluice(["unpack", "t.tar.slc", "-o", "out"], in: root)
            #expect(unpacked.status == 0, "\(unpacked)")
            let times = try ArchiveTests.shell("stat -c %y src/dir/link out/src/dir/link", in: root).out.split(separator: "\n")
            #expect(times.count == 2 && times[0] == times[1] && times[0].contains("2020-01-02 03:04:05.5"), "\(times)")
            if root_ {
                let owners = try ArchiveTests.shell("stat -c '%u:%g' out/src/dir/f; stat -c '%u:%g' out/src/dir/link", in: root).out
                #expect(owners == "1234:5678\n4321:8765\n")
            }
            if hasXattrs {
                let read = try ArchiveTests.shell("python3 -c \"import os; print(os.getxattr('out/src/dir', 'user.dir').decode())\"", in: root)
                #expect(read.out == "on a directory\n")
            }
        }
    }

    @Test func aPathTooLongToOpenIsReportedAndLeftOut() throws {
        try withTemporaryDirectory { root in
            // Deeper than PATH_MAX (4,096 bytes): the walk cannot reach it by its name.
            let deep = "import os\nos.makedirs('src')\nopen('src/kept', 'w').write('kept')\nos.chdir('src')\n"
                + "for _ in range(25):\n    os.mkdir('d' * 200)\n    os.chdir('d' * 200)\nopen('deep', 'w').write('deep')\n"
            try writeFile(root.appending("deep.py"), Array(deep.utf8))
            #expect(try ArchiveTests.shell("python3 deep.py", in: root).status == 0)
            defer { _ = try? ArchiveTests.shell("rm -rf src", in: root) }
            let packed = try ArchiveTests.sluice(["pack", "src", "--archive", "-o", "t.tar.slc"], in: root)
            #expect(packed.status == 1, "\(packed)")
            #expect(packed.stderrLines.contains { $0.contains("cannot read") && $0.contains("too long") }, "\(packed.stderr)")
            let listed = try ArchiveTests.sluice(["list", "t.tar.slc"], in: root).stdoutText
            #expect(listed.contains("src/kept"))
            #expect(!listed.contains("deep\n"))
        }
    }

    @Test func anIndexThatWouldDecodeTooLargeIsRefused() throws {
        try withTemporaryDirectory { root in
            #expect(try ArchiveTests.shell("mkdir src && echo a > src/a", in: root).status == 0)
            #expect(try ArchiveTests.sluice(["pack", "src", "--archive", "-o", "t.tar.slc"], in: root).status == 0)
            // An index part of zeros that decodes to more than MemberIndex.maxDecodedSize.
            let zeros = MemberIndex.maxDecodedSize + (1 << 20)
            let made = try ArchiveTests.shell(#"head -c \#(zeros) /dev/zero | "$SLUICE" pack -o z.slc --chunk-size 16M"#, in: root)
            #expect(made.status == 0)
            let splice = "import struct\na=open('t.tar.slc','rb').read(); z=open('z.slc','rb').read()\n"
                + "c,i=struct.unpack('<QQ',a[-24:-8])\nopen('big.tar.slc','wb').write(a[:c]+z+struct.pack('<QQ',c,len(z))+a[-8:])\n"
            try writeFile(root.appending("splice.py"), Array(splice.utf8))
            #expect(try ArchiveTests.shell("python3 splice.py", in: root).status == 0)
            let listed = try ArchiveTests.sluice(["list", "big.tar.slc"], in: root)
            #expect(listed.status == 65, "\(listed)")
            #expect(listed.stderrLines.count == 1)
            #expect(listed.stderr.contains("more than"))
        }
    }

    @Test func selectPacksAPartOfTheTree() throws {
        try withTemporaryDirectory { root in
            try ArchiveTests.makeTree(root)
            var archive = ArchiveOptions()
            archive.select = { $0.path.description.hasSuffix(".txt") }
            // An absolute root (other suites share the working directory): members are named without the `/`.
            let report = try Archive.pack(
                [root.appending("src").string], to: root.appending("part.tar.slc"), overwrite: false, options: PackOptions(codec: try CodecSettings(.zstd)), archive: archive, events: { _ in })
            let fd = try FileDescriptor.open(root.appending("part.tar.slc"), .readOnly)
            defer { _ = try? fd.close() }
            let opened = try Archive.open(fd, name: "part.tar.slc", key: { _ in nil })
            let files = opened.index.members.filter { $0.kind != .directory }.map(\.path.description)
            #expect(!files.isEmpty)
            #expect(files.allSatisfy { $0.hasSuffix(".txt") }, "\(files)")
            #expect(opened.index.members.contains { $0.kind == .directory && $0.path.description.hasSuffix("/src/sub/deeper") })
            #expect(report.members == opened.index.members.count)
        }
    }

    @Test func anIndexLargerThanItsSpillBlockRoundTrips() throws {
        try withTemporaryDirectory { root in
            // 2,000 members with 244-byte names: an index of about 600 KB, spilled (256 KiB at a time) more than once.
            let script = "import os\nfor d in range(20):\n    os.makedirs('src/%02d' % d)\n"
                + "    for f in range(100):\n        open('src/%02d/%s%04d' % (d, 'n' * 240, f), 'w').write(str(f))\n"
            try writeFile(root.appending("t.py"), Array(script.utf8))
            #expect(try ArchiveTests.shell("python3 t.py", in: root).status == 0)
            #expect(try ArchiveTests.sluice(["keygen", "-o", "k.key"], in: root).status == 0)
            #expect(try ArchiveTests.sluice(["pack", "src", "--archive", "-o", "t.tar.slc", "--key-file", "k.key"], in: root).status == 0)
            let listed = try ArchiveTests.sluice(["list", "--json", "t.tar.slc", "--key-file", "k.key"], in: root)
            #expect(listed.status == 0)
            #expect(listed.stdoutText.split(separator: "\n").count == 2_021)
            #expect(try ArchiveTests.sluice(["verify", "t.tar.slc", "--key-file", "k.key"], in: root).status == 0)
            #expect(try ArchiveTests.sluice(["unpack", "t.tar.slc", "-o", "out", "--key-file", "k.key"], in: root).status == 0)
            #expect(try ArchiveTests.shell("diff -r src out/src", in: root).status == 0)
        }
    }

    /// `--only` that matches nothing is one line and 64, not a tar error (it was "the archive's tar
    /// stream: Unrecognized archive format", 65); a name without `/` matches at any depth.
    @Test func onlyThatMatchesNothingIsSaidSo() throws {
        try withTemporaryDirectory { root in
            #expect(try ArchiveTests.shell("mkdir -p src/sub && echo one > src/sub/m-small.txt && echo two > src/b.txt", in: root).status == 0)
            #expect(try ArchiveTests.sluice(["pack", root.appending("src").string, "--archive", "-o", "t.tar.slc"], in: root).status == 0)
            let none = try ArchiveTests.sluice(["unpack", "t.tar.slc", "-o", "out", "--only", "*/m-small.txt"], in: root)
            #expect(none.status == 64, "\(none)")
            #expect(none.stderrLines.count == 1 && none.stderr.contains("matches no member"), "\(none)")
            #expect(!FileManager.default.fileExists(atPath: root.appending("out").string))
            let byName = try ArchiveTests.sluice(["unpack", "t.tar.slc", "-o", "out", "--only", "m-small.txt"], in: root)
            #expect(byName.status == 0, "\(byName)")
            let restored = try ArchiveTests.shell("find out -type f", in: root).out
            #expect(restored.hasSuffix("src/sub/m-small.txt\n") && !restored.contains("b.txt"), "\(restored)")
        }
    }

    @Test func theJSONLogHasProgressRecordsAndEndsWithTheSummary() throws {
        try withTemporaryDirectory { root in
            #expect(try ArchiveTests.shell("mkdir src && head -c 30000000 /dev/urandom > src/big && echo a > src/a", in: root).status == 0)
            let packed = try ArchiveTests.sluice(
                ["pack", "src", "--archive", "-o", "t.tar.slc", "--log-format", "json", "--progress-interval", "0.001"], in: root)
            #expect(packed.status == 0, "\(packed)")
            let lines = packed.stdoutText.split(separator: "\n")
            let progress = lines.filter { $0.contains(#""event":"progress""#) }
            #expect(!progress.isEmpty)
            #expect(lines.last?.contains(#""event":"summary""#) == true)
            for line in progress {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["stream"] is Int)
            }
        }
    }
}
