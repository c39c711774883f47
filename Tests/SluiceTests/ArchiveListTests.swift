import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// `sluice list`'s lines and JSON objects, byte for byte, for names that need escaping.
@Suite struct ArchiveListTests {
    @Test func namesModesAndTimesArePrintedExactly() throws {
        try withTemporaryDirectory { root in
            let script = #"""
            python3 - <<'EOF'
            import tarfile, io
            with tarfile.open('w.tar', 'w', format=tarfile.PAX_FORMAT) as t:
                for name, mode, mtime in [('a/b\x01"\\c', 0o4755, 1700000000), ('caf\udce9', 0o1777, -1), ('tab\there', 0o2640, 253402300799)]:
                    ti = tarfile.TarInfo(name); ti.size = 3; ti.mode = mode; ti.mtime = mtime; ti.uid = 1000; ti.gid = 27
                    t.addfile(ti, io.BytesIO(b'abc'))
                ti = tarfile.TarInfo('ln'); ti.type = tarfile.SYMTYPE; ti.linkname = 'a/"q'; t.addfile(ti)
            EOF
            """#
            #expect(try ArchiveTests.shell(script, in: root).status == 0)
            #expect(try ArchiveTests.sluice(["pack", "w.tar", "--archive", "--from-tar", "-o", "w.tar.slc"], in: root).status == 0)
            let text = try ArchiveTests.sluice(["list", "w.tar.slc"], in: root)
            #expect(text.status == 0)
            #expect(text.stdoutText == """
                -rwsr-xr-x 1000/27           3 2023-11-14 22:13 a/b\\x01"\\c
                -rwxrwxrwt 1000/27           3 1969-12-31 23:59 caf\\xE9
                -rw-r-S--- 1000/27           3 9999-12-31 23:59 tab\\x09here
                lrw-r--r-- 0/0           0 1970-01-01 00:00 ln -> a/"q

                """)
            let json = try ArchiveTests.sluice(["list", "--json", "w.tar.slc"], in: root)
            let lines = json.stdoutText.split(separator: "\n")
            #expect(lines.count == 4)
            #expect(lines[0].hasPrefix(#"{"path":"a\/b\\x01\"\\c","type":"file","size":3,"mode":"4755","uid":1000,"gid":27,"mtime":1700000000.000000000,"offset":0,"digest":""#))
            #expect(lines[1].contains(#""mtime":-1.000000000,"#))
            #expect(lines[3] == #"{"path":"ln","type":"symlink","size":0,"mode":"644","uid":0,"gid":0,"mtime":0.000000000,"offset":5120,"link":"a\/\"q"}"#)
            for line in lines { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil) }
        }
    }
}
