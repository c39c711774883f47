import Foundation
import SystemPackage
import Testing

/// One row of docs/cli.md's table "Coming from zstd, gzip, lz4, tar, age": the habit, sluice's
/// equivalent as the table shows it, and a shell script (with `$SLUICE`) that runs it on real files and
/// prints `ok` only when it did what the row says.
struct HabitRow: CustomTestStringConvertible, Sendable {
    var habit: String
    var sluice: String
    var script: String
    var testDescription: String { sluice }
}

/// Every row of the table is run here, and the table is checked to have no row without a test.
@Suite(.serialized, .enabled(if: SluiceProcess.executable != nil, "the sluice executable was not found"))
struct ComingFromTests {
    /// Files every script starts with: `f` (text, 200 KB) and `dir/` (a small tree).
    static let setUp = """
        set -e
        seq 1 40000 > f
        mkdir -p dir/sub && seq 1 3000 > dir/a && printf 'b\\n' > dir/sub/b
        """

    static let rows: [HabitRow] = [
        HabitRow(habit: "zstd FILE · lz4 FILE · gzip -k FILE", sluice: "sluice FILE", script: """
            $SLUICE f && test -f f && test -f f.slc && $SLUICE unpack -c f.slc | cmp - f && echo ok
            """),
        HabitRow(habit: "zstd -d FILE.zst · unzstd · gunzip FILE.gz · lz4 -d FILE.lz4", sluice: "sluice -d FILE.slc", script: """
            $SLUICE f && mv f f.orig && $SLUICE -d f.slc && cmp f f.orig && test -f f.slc && echo ok
            """),
        HabitRow(habit: "zstd -d FILE.zst (a file zstd wrote)", sluice: "sluice -d FILE.zst", script: """
            zstd -q f -o f.zst && $SLUICE -d f.zst -o g && cmp f g && echo ok
            """),
        HabitRow(habit: "zstd -19 -T0 FILE · pigz -9 -p 2 FILE", sluice: "sluice -19 -T0 FILE", script: """
            $SLUICE -19 -T0 f && $SLUICE -l f.slc | grep -q 'codec:       zstd-19' && $SLUICE -T2 -3 -f f \\
              && $SLUICE -l f.slc | grep -q 'zstd-3' && echo ok
            """),
        HabitRow(habit: "zstd --fast=3 FILE", sluice: "sluice --fast=3 FILE", script: """
            $SLUICE --fast=3 f && $SLUICE -l f.slc | grep -q 'codec:       zstd--3' && echo ok
            """),
        HabitRow(habit: "zstd --ultra -22 FILE", sluice: "sluice --ultra -22 FILE", script: """
            $SLUICE --ultra -22 f && $SLUICE -l f.slc | grep -q 'codec:       zstd-22' && echo ok
            """),
        HabitRow(habit: "zstd -B1M FILE (independent jobs of 1 MiB)", sluice: "sluice -B1M FILE", script: """
            seq 1 400000 > big && $SLUICE -B1M big && $SLUICE -lq big.slc | grep -q ', 3 chunks, ' && $SLUICE -B0 -f big && echo ok
            """),
        HabitRow(habit: "zstd --format=zstd FILE · lz4 FILE", sluice: "sluice --format=zstd FILE", script: """
            $SLUICE --format=zstd f && zstd -dc f.zst | cmp - f && $SLUICE --format=lz4 f && lz4 -dc f.lz4 | cmp - f \\
              && $SLUICE -d --format=zstd -c f.zst | cmp - f && echo ok
            """),
        HabitRow(habit: "zstd -d --long=31 FILE.zst", sluice: "sluice -d --long=31 FILE.zst", script: """
            zstd -q --long=31 f -o f.zst && $SLUICE -d --long=31 f.zst -o g && cmp f g && echo ok
            """),
        HabitRow(habit: "zstd -c FILE > FILE.zst · gzip -c", sluice: "sluice -c FILE > FILE.slc", script: """
            $SLUICE -c f > f.slc && $SLUICE -t f.slc >/dev/null && echo ok
            """),
        HabitRow(habit: "zstd -dc FILE.zst | less · zcat · lz4cat", sluice: "sluice -dc FILE.slc | less", script: """
            $SLUICE f && $SLUICE -dc f.slc | cmp - f && echo ok
            """),
        HabitRow(habit: "zstd -t FILE.zst · gzip -t", sluice: "sluice -t FILE.slc", script: """
            $SLUICE f && $SLUICE -t f.slc | grep -q 'f.slc: OK' && head -c 3000 f.slc > cut.slc \\
              && ! $SLUICE -t cut.slc 2>/dev/null && echo ok
            """),
        HabitRow(habit: "zstd -l FILE.zst · gzip -l", sluice: "sluice -l FILE.slc", script: """
            $SLUICE f && $SLUICE -l f.slc | grep -q 'original:    228894 bytes' && echo ok
            """),
        HabitRow(habit: "zstd -lv FILE.zst", sluice: "sluice -lv FILE.slc", script: """
            $SLUICE f && $SLUICE -lv f.slc | grep -q 'chunk size:' && echo ok
            """),
        HabitRow(habit: "zstd -l FILE.zst… (one row per file)", sluice: "sluice -lq FILE…", script: """
            $SLUICE f && $SLUICE --format=zstd f && test "$($SLUICE -lq f.slc f.zst | wc -l)" = 2 \\
              && $SLUICE -lq f.slc | grep -q '^f.slc: .slc v[0-9]*, zstd-3, cipher none, 1 chunk, 228894 → ' && echo ok
            """),
        HabitRow(habit: "zstd -qq FILE · zstd -vv FILE", sluice: "sluice -qq FILE · sluice -vv FILE", script: """
            cp f a && cp f b && test -z "$($SLUICE -qq a b 2>&1)" && $SLUICE -vv -f a 2>&1 | grep -q 'a.slc' && echo ok
            """),
        HabitRow(habit: "zstd --rm FILE · gzip FILE", sluice: "sluice --rm FILE", script: """
            cp f g && $SLUICE --rm g && test ! -e g && $SLUICE -d --rm g.slc && test ! -e g.slc && cmp f g && echo ok
            """),
        HabitRow(habit: "zstd -k -f FILE", sluice: "sluice -k -f FILE", script: """
            $SLUICE f && $SLUICE -k -f -19 f && test -f f && $SLUICE -l f.slc | grep -q zstd-19 && ! $SLUICE f 2>/dev/null && echo ok
            """),
        HabitRow(habit: "zstd -o OUT.zst FILE", sluice: "sluice -o OUT.slc FILE", script: """
            $SLUICE -o out.slc f && $SLUICE -d -o back out.slc && cmp f back && echo ok
            """),
        HabitRow(habit: "zstd -o - FILE (stdout)", sluice: "sluice -o - FILE", script: """
            $SLUICE -o - f > s.slc && $SLUICE -d -o - s.slc | cmp - f && test ! -e ./- && echo ok
            """),
        HabitRow(habit: "cat FILE | zstd > FILE.zst", sluice: "cat FILE | sluice > FILE.slc", script: """
            cat f | $SLUICE > p.slc && $SLUICE -t p.slc >/dev/null && echo ok
            """),
        HabitRow(habit: "zstd -d < FILE.zst > FILE", sluice: "sluice -d < FILE.slc > FILE", script: """
            $SLUICE f && $SLUICE -d < f.slc > g && cmp f g && echo ok
            """),
        HabitRow(habit: "zstd a b c · gzip -k a b c", sluice: "sluice FILE… DIR…", script: """
            cp f a && cp f b && $SLUICE -q a b dir && test -f a.slc && test -f b.slc && test -f dir/sub/b.slc && echo ok
            """),
        HabitRow(habit: "zstd -d a.zst b.zst · gunzip *.gz", sluice: "sluice -d FILE.slc…", script: """
            cp f a && cp f b && $SLUICE -q --rm a b && $SLUICE -q -d a.slc b.slc && cmp a f && cmp b f && echo ok
            """),
        HabitRow(habit: "zstd -t *.zst · gzip -t *.gz", sluice: "sluice -t FILE.slc…", script: """
            cp f a && cp f b && $SLUICE -q a b && test "$($SLUICE -t a.slc b.slc | grep -c ': OK')" = 2 \
              && ! $SLUICE -t a.slc f 2>/dev/null && echo ok
            """),
        HabitRow(habit: "tar -I zstd -cf x.tar.zst dir", sluice: "tar -I sluice -cf x.tar.slc dir", script: """
            tar -I "$SLUICE" -cf x.tar.slc dir && $SLUICE -t x.tar.slc >/dev/null && $SLUICE -dc x.tar.slc | tar -t | grep -q dir/sub/b && echo ok
            """),
        HabitRow(habit: "tar -I zstd -xf x.tar.zst", sluice: "tar -I sluice -xf x.tar.slc", script: """
            tar -cf - dir | $SLUICE > x.tar.slc && mkdir out && tar -I "$SLUICE" -xf x.tar.slc -C out && diff -r dir out/dir && echo ok
            """),
        HabitRow(habit: "tar -I 'zstd -T2 -19' -cf x.tar.zst dir", sluice: "tar -I 'sluice -T2 -19' -cf x.tar.slc dir", script: """
            tar -I "$SLUICE -T2 -19" -cf x.tar.slc dir && $SLUICE -l x.tar.slc | grep -q zstd-19 \\
              && mkdir out && tar -I "$SLUICE -T2 -19" -xf x.tar.slc -C out && diff -r dir out/dir && echo ok
            """),
        HabitRow(habit: "tar -I 'zstd -T0' -cf x.tar.zst dir", sluice: "sluice pack --archive dir -o x.tar.slc", script: """
            $SLUICE pack -q --archive dir -o x.tar.slc && mkdir out && $SLUICE unpack -q x.tar.slc -o out \
              && diff -r dir out/dir && $SLUICE unpack -c x.tar.slc | tar -t | grep -q '^dir/sub/b$' && echo ok
            """),
        HabitRow(habit: "tar -tvf x.tar.zst", sluice: "sluice list x.tar.slc", script: """
            $SLUICE pack -q --archive dir -o x.tar.slc && $SLUICE list x.tar.slc | grep -q 'dir/sub/b$' && echo ok
            """),
        HabitRow(habit: "age-keygen -o key.txt", sluice: "sluice keygen --identity -o key.txt", script: """
            $SLUICE keygen --identity -o key.txt > pub && grep -q AGE-SECRET-KEY-1 key.txt && grep -q '^age1' pub && echo ok
            """),
        HabitRow(habit: "age -r age1… -o FILE.age FILE", sluice: "sluice pack --format age -r age1… FILE", script: """
            $SLUICE keygen --identity -o key.txt > pub && $SLUICE pack --format age -r "$(cat pub)" f && age -d -i key.txt f.age | cmp - f && echo ok
            """),
        HabitRow(habit: "zstd -c FILE | age -r age1… > FILE.zst.age", sluice: "sluice pack -r age1… FILE", script: """
            $SLUICE keygen --identity -o key.txt > pub && $SLUICE pack -r "$(cat pub)" f && mv f f.orig \
              && $SLUICE unpack -i key.txt f.slc && cmp f f.orig && echo ok
            """),
        HabitRow(habit: "age -d -i key.txt -o FILE FILE.age", sluice: "sluice -d -i key.txt FILE.age", script: """
            age-keygen -o key.txt 2>/dev/null && age -r "$(age-keygen -y key.txt)" -o f.age f && mv f f.orig \\
              && $SLUICE -d -i key.txt f.age && cmp f f.orig && echo ok
            """),
    ]

    @Test(arguments: rows)
    func habit(_ row: HabitRow) throws {
        try withTemporaryDirectory { dir in
            let result = try SluiceProcess.shell(Self.setUp + "\n" + row.script, in: dir)
            #expect(result.status == 0, "\(row.sluice): \(result)")
            #expect(result.stdoutText.hasSuffix("ok\n"), "\(row.sluice): \(result.stdoutText) \(result)")
        }
    }

    /// The table in docs/cli.md and ``rows`` list the same commands: no row of the table goes untested.
    @Test func everyRowOfTheTableIsATest() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/cli.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        guard let start = text.range(of: "## Coming from zstd, gzip, lz4, tar, age") else {
            Issue.record("docs/cli.md has no section \"Coming from zstd, gzip, lz4, tar, age\"")
            return
        }
        let section = text[start.upperBound...]
        let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
        let tableRows = section[..<end].split(separator: "\n").filter { $0.hasPrefix("| `") }
        let documented = tableRows.compactMap { row -> String? in
            // A `|` inside a cell is written `\|`.
            let cells = row.replacingOccurrences(of: "\\|", with: "\u{1}").split(separator: "|", omittingEmptySubsequences: false)
            guard cells.count >= 3 else { return nil }
            return cells[2].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                .replacingOccurrences(of: "\u{1}", with: "|")
        }
        #expect(Set(documented) == Set(Self.rows.map(\.sluice)), "documented: \(documented)")
        #expect(documented.count == Self.rows.count)
    }
}
