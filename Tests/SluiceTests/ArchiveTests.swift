import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `pack --archive`, `list`, `unpack` and `verify` of archives, run as a user does, and checked against
/// GNU tar and Python's tarfile (docs/archives.md).
@Suite(.serialized) struct ArchiveTests {
    /// Runs a shell command in `directory`; its status and standard output.
    @discardableResult
    static func shell(_ command: String, in directory: FilePath) throws -> (status: Int32, out: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory.string)
        var environment = ProcessInfo.processInfo.environment
        environment["SLUICE"] = SluiceProcess.executable?.path ?? "sluice"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A tree with what a tar stream has to carry: nested and empty directories, a long name, a name that
    /// is not UTF-8, a symbolic link, a hard link, modes and nanosecond mtimes, a larger file.
    static func makeTree(_ root: FilePath) throws {
        let script = #"""
        set -e
        mkdir -p src/sub/deeper src/empty
        printf 'hello\n' > src/a.txt
        i=0; while [ $i -lt 300 ]; do echo "line $i of a text file"; i=$((i+1)); done > src/sub/b.txt
        head -c 700000 /dev/urandom > src/sub/deeper/random.bin
        long=$(printf 'n%.0s' $(seq 1 120)); mkdir -p "src/$long"; echo long > "src/$long/$(printf 'f%.0s' $(seq 1 150)).txt"
        printf 'bytes' > "src/$(printf 'caf\351')"
        echo ü > src/ü.txt
        ln -s a.txt src/link
        ln src/a.txt src/hard
        chmod 640 src/sub/b.txt
        chmod 750 src/sub/deeper
        touch -d '2021-03-04 05:06:07.123456789' src/a.txt src/sub/b.txt
        """#
        #expect(try shell(script, in: root).status == 0)
    }

    static func sluice(_ arguments: [String], in directory: FilePath) throws -> SluiceProcess.Result {
        try SluiceProcess.run(arguments, in: directory, withoutTerminal: true)
    }

    @Test(arguments: [
        ["--codec", "zstd"], ["--codec", "lz4", "--chunk-size", "64K"], ["--codec", "store"],
        ["--codec", "zstd", "--cipher", "chacha20-poly1305", "--key-file", "k.key"],
        ["--codec", "brotli", "-l", "1", "--key-file", "k.key"],
    ])
    func roundTripKeepsEverything(_ options: [String]) throws {
        try withTemporaryDirectory { root in
            try Self.makeTree(root)
            if options.contains("k.key") { #expect(try Self.sluice(["keygen", "-o", "k.key"], in: root).status == 0) }
            let keys = options.contains("k.key") ? ["--key-file", "k.key"] : []
            let packed = try Self.sluice(["pack", "src", "--archive", "-o", "t.tar.slc"] + options, in: root)
            #expect(packed.status == 0, "\(packed)")
            // inspect, without a key, describes the content part and names the index part (before: "footer
            // is missing or malformed", exit 65).
            let inspected = try Self.sluice(["inspect", "-q", "t.tar.slc"], in: root)
            #expect(inspected.status == 0 && inspected.stdoutText.hasPrefix("t.tar.slc: archive, .slc v1, \(options[1])"), "\(inspected)")
            let described = try Self.sluice(["inspect", "--json", "t.tar.slc"], in: root)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(described.stdout)) as? [String: Any], "\(described)")
            let stream = try Self.sluice(["unpack", "-c", "t.tar.slc"] + keys, in: root)
            #expect((object["archive_index_size"] as? Int ?? 0) > 0 && object["original_size"] as? Int == stream.stdout.count, "\(described)")
            let unpacked = try Self.sluice(["unpack", "t.tar.slc", "-o", "out"] + keys, in: root)
            #expect(unpacked.status == 0, "\(unpacked)")
            #expect(try Self.shell("diff -r --no-dereference src out/src", in: root).status == 0)
            // Modes, nanosecond mtimes and the hard link survive.
            let stats = try Self.shell(
                "stat -c '%a %y %h' src/sub/b.txt out/src/sub/b.txt src/sub/deeper out/src/sub/deeper out/src/hard; stat -c %i out/src/a.txt out/src/hard | uniq | wc -l",
                in: root).out.split(separator: "\n")
            #expect(stats[0] == stats[1])
            #expect(stats[2] == stats[3])
            #expect(stats[0].contains(".123456789"))
            #expect(stats[4].hasSuffix(" 2"))
            #expect(stats[5] == "1")
            #expect(try Self.sluice(["verify", "t.tar.slc"] + keys, in: root).status == 0)
            #expect(try leftoverTemporaryFiles(in: root.appending("out/src")).isEmpty)
            // Extended attributes, where this file system has user.* ones.
            let xattr = "import os,sys\ntry: os.setxattr('src/sub/b.txt', 'user.sluice', b'kept')\nexcept OSError: sys.exit(3)"
            try writeFile(root.appending("x.py"), Array(xattr.utf8))
            if try Self.shell("python3 x.py", in: root).status == 0 {
                #expect(try Self.sluice(["pack", "src", "--archive", "-o", "x.tar.slc"] + options, in: root).status == 0)
                #expect(try Self.sluice(["unpack", "x.tar.slc", "-o", "xout"] + keys, in: root).status == 0)
                let read = try Self.shell("python3 -c \"import os; print(os.getxattr('xout/src/sub/b.txt', 'user.sluice').decode())\"", in: root)
                #expect(read.out == "kept\n")
            }
        }
    }

    @Test func tarReadsTheStreamAndListsWhatListLists() throws {
        try withTemporaryDirectory { root in
            try Self.makeTree(root)
            #expect(try Self.sluice(["pack", "src", "--archive", "-o", "t.tar.slc"], in: root).status == 0)
            let restored = try Self.shell(#"mkdir t && "$SLUICE" unpack -c t.tar.slc | tar -x -C t 2>/dev/null && diff -r --no-dereference src t/src"#, in: root)
            #expect(restored.status == 0)
            let tarNames = try Self.shell(#""$SLUICE" unpack -c t.tar.slc | tar -t 2>/dev/null | sed 's,/$,,'"#, in: root).out
            let listed = try Self.sluice(["list", "--json", "t.tar.slc"], in: root)
            #expect(listed.status == 0)
            let names = try listed.stdoutText.split(separator: "\n").map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                return object["path"] as! String
            }
            // GNU tar prints the byte that is not UTF-8 as an octal escape, list as \xNN.
            let tarLines = tarNames.split(separator: "\n").map { $0.replacingOccurrences(of: "\\351", with: "\\xE9") }
            #expect(tarLines == names)
            let text = try Self.sluice(["list", "t.tar.slc"], in: root).stdoutText
            #expect(text.contains("-rw-r----- "))
            #expect(text.contains("src/link -> a.txt"))
            #expect(text.contains("src/hard link to src/a.txt"))
        }
    }

    @Test func listReadsOnlyTheIndexAndVerifyChecksEveryMember() throws {
        try withTemporaryDirectory { root in
            try Self.makeTree(root)
            #expect(try Self.sluice(["pack", "src", "--archive", "-o", "t.tar.slc", "--chunk-size", "64K"], in: root).status == 0)
            // Damage a byte in the middle of the content part: list still works, verify and unpack do not.
            let size = try FileSystem.status(ofPath: root.appending("t.tar.slc"))!.size
            let file = try FileDescriptor.open(root.appending("t.tar.slc"), .readWrite)
            var byte: UInt8 = 0
            _ = try withUnsafeMutableBytes(of: &byte) { try file.read(fromAbsoluteOffset: Int64(size / 3), into: $0) }
            byte ^= 0x40
            _ = try withUnsafeBytes(of: &byte) { try file.write(toAbsoluteOffset: Int64(size / 3), $0) }
            try file.close()
            #expect(try Self.sluice(["list", "t.tar.slc"], in: root).status == 0)
            let verified = try Self.sluice(["verify", "t.tar.slc"], in: root)
            #expect(verified.status == 65, "\(verified)")
            #expect(verified.stderrLines.count == 1)
            let unpacked = try Self.sluice(["unpack", "t.tar.slc", "-o", "out"], in: root)
            #expect(unpacked.status == 65)
        }
    }

    @Test func onlyExtractsTheMatchingMembersFromTheirChunks() throws {
        try withTemporaryDirectory { root in try Self.extractOneMemberOfForty("b.tar.slc", in: root) }
    }

    /// Packs 40 random files and a small one into `name` (256 KiB chunks), extracts the small one with
    /// `--only` and checks that at most two chunks were decoded.
    static func extractOneMemberOfForty(_ name: String, in root: FilePath) throws {
        let script = #"""
        mkdir -p big && i=0; while [ $i -lt 40 ]; do head -c 200000 /dev/urandom > big/f$i.bin; i=$((i+1)); done
        echo wanted > big/wanted.txt
        """#
        #expect(try shell(script, in: root).status == 0)
        #expect(try sluice(["pack", "big", "--archive", "-o", name, "--chunk-size", "256K"], in: root).status == 0)
        let result = try sluice(["unpack", name, "-o", "out", "--only", "*/wanted.txt", "--log-format", "json"], in: root)
        #expect(result.status == 0, "\(result)")
        #expect(try directoryListing(root.appending("out/big")) == ["wanted.txt"])
        #expect(try readFile(root.appending("out/big/wanted.txt")) == Array("wanted\n".utf8))
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdoutText.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((summary["chunks"] as! Int) <= 2)
        #expect((summary["members"] as! Int) == 1)
    }

    /// A hostile tar stream (built with Python's tarfile) indexed with --from-tar: nothing may land
    /// outside the target; the harmless members are still extracted; each refusal is one line; exit 1.
    @Test func hostileMembersAreRefused() throws {
        try withTemporaryDirectory { root in
            let script = #"""
            import io, tarfile
            t = tarfile.open("evil.tar", "w", format=tarfile.PAX_FORMAT)
            def add(name, data=b"x", **kw):
                info = tarfile.TarInfo(name)
                for k, v in kw.items(): setattr(info, k, v)
                if info.type == tarfile.REGTYPE:
                    info.size = len(data); t.addfile(info, io.BytesIO(data))
                else:
                    t.addfile(info)
            add("ok.txt", b"fine\n")
            add("../escaped.txt")
            add("/tmp/sluice-absolute-escape.txt")
            add("out", type=tarfile.SYMTYPE, linkname="..")
            add("abs", type=tarfile.SYMTYPE, linkname="/etc")
            add("dir", type=tarfile.SYMTYPE, linkname="sub")
            add("dir/through-link.txt")
            add("hard", type=tarfile.LNKTYPE, linkname="../outside.txt")
            add("dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3)
            add("suid", b"#!/bin/sh\n", mode=0o4755)
            t.close()
            """#
            try writeFile(root.appending("make.py"), Array(script.utf8))
            #expect(try Self.shell("python3 make.py && echo secret > outside.txt", in: root).status == 0)
            let indexed = try Self.sluice(["pack", "evil.tar", "--archive", "--from-tar", "-o", "evil.tar.slc"], in: root)
            #expect(indexed.status == 0, "\(indexed)")
            try FileManager.default.createDirectory(atPath: root.appending("target").string, withIntermediateDirectories: true)
            let result = try Self.sluice(["unpack", "evil.tar.slc", "-o", "target/x"], in: root)
            #expect(result.status == 1, "\(result)")
            #expect(result.stderrLines.count == 8, "\(result.stderr)")  // 7 refusals and the summary
            #expect(try Set(directoryListing(root.appending("target"))) == ["x"])
            #expect(try Set(directoryListing(root.appending("target/x"))) == ["ok.txt", "dir", "suid"])
            #expect(!exists("/tmp/sluice-absolute-escape.txt"))
            #expect(!exists(root.appending("escaped.txt")))
            #expect(try readFile(root.appending("outside.txt")) == Array("secret\n".utf8))
            let mode = try FileSystem.status(ofPath: root.appending("target/x/suid"))!.mode
            #expect(mode & 0o7000 == 0)
            // The symbolic link to a directory inside is kept as a link; nothing went through it.
            #expect(try FileSystem.status(ofPath: root.appending("target/x/dir"), followLinks: false)!.isSymbolicLink)
        }
    }

    @Test func existingFilesAreKeptUnlessForced() throws {
        try withTemporaryDirectory { root in
            try Self.makeTree(root)
            #expect(try Self.sluice(["pack", "src", "--archive", "-o", "t.tar.slc"], in: root).status == 0)
            #expect(try Self.sluice(["unpack", "t.tar.slc", "-o", "out"], in: root).status == 0)
            try writeFile(root.appending("out/src/a.txt"), Array("mine\n".utf8))
            let again = try Self.sluice(["unpack", "t.tar.slc", "-o", "out"], in: root)
            #expect(again.status == 1)
            #expect(again.stderr.contains("already exists"))
            #expect(try readFile(root.appending("out/src/a.txt")) == Array("mine\n".utf8))
            #expect(try Self.sluice(["unpack", "t.tar.slc", "-o", "out", "--force"], in: root).status == 0)
            #expect(try readFile(root.appending("out/src/a.txt")) == Array("hello\n".utf8))
            #expect(try Self.sluice(["pack", "src", "--archive", "-o", "t.tar.slc"], in: root).status == 73)
        }
    }

    @Test func filtersDryRunAndUnarchivableFiles() throws {
        try withTemporaryDirectory { root in
            try Self.makeTree(root)
            #expect(try Self.shell("python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"src/sock\")'", in: root).status == 0)
            let dry = try Self.sluice(["pack", "src", "--archive", "-o", "t.tar.slc", "--dry-run", "--exclude", "*.bin"], in: root)
            #expect(dry.stdoutText.contains("src/a.txt"))
            #expect(!dry.stdoutText.contains("random.bin"))
            #expect(!exists(root.appending("t.tar.slc")))
            let packed = try Self.sluice(["pack", "src", "--archive", "-o", "t.tar.slc", "--exclude", "*.bin"], in: root)
            #expect(packed.status == 1)
            #expect(packed.stderr.contains("src/sock"))
            let listed = try Self.sluice(["list", "t.tar.slc"], in: root).stdoutText
            #expect(listed.contains("src/a.txt"))
            #expect(!listed.contains("random.bin"))
        }
    }

    @Test func errorsHaveTheirExitCodes() throws {
        try withTemporaryDirectory { root in
            try Self.makeTree(root)
            #expect(try Self.sluice(["keygen", "-o", "k.key"], in: root).status == 0)
            #expect(try Self.sluice(["keygen", "-o", "other.key"], in: root).status == 0)
            #expect(try Self.sluice(["pack", "src", "--archive", "-o", "t.tar.slc", "--key-file", "k.key"], in: root).status == 0)
            #expect(try Self.sluice(["list", "t.tar.slc", "--key-file", "other.key"], in: root).status == 77)
            #expect(try Self.sluice(["list", "t.tar.slc"], in: root).status != 0)
            // inspect needs no key: it describes the content part of an encrypted archive too.
            let plain = try Self.sluice(["inspect", "t.tar.slc"], in: root)
            #expect(plain.status == 0 && plain.stdoutText.contains("archive:") && plain.stdoutText.contains("not authenticated"), "\(plain)")
            #expect(try Self.sluice(["pack", "src", "--archive"], in: root).status == 64)
            #expect(try Self.sluice(["pack", "src", "--archive", "--format", "lz4", "-o", "t.tar.lz4"], in: root).status == 64)
            #expect(try Self.sluice(["list", "src/a.txt"], in: root).status == 65)
            // An index taken from another archive does not open this one's content.
            #expect(try Self.sluice(["pack", "src", "--archive", "-o", "u.tar.slc", "--key-file", "k.key"], in: root).status == 0)
            #expect(try Self.shell("python3 - <<'EOF'\nimport struct\na=open('t.tar.slc','rb').read(); b=open('u.tar.slc','rb').read()\nca,ia=struct.unpack('<QQ',a[-24:-8]); cb,ib=struct.unpack('<QQ',b[-24:-8])\nopen('m.tar.slc','wb').write(a[:ca]+b[cb:cb+ib]+struct.pack('<QQ',ca,ib)+a[-8:])\nEOF", in: root).status == 0)
            let mixed = try Self.sluice(["list", "m.tar.slc", "--key-file", "k.key"], in: root)
            #expect(mixed.status == 65)
            #expect(mixed.stderr.contains("another archive"))
        }
    }
}
