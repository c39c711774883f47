#!/usr/bin/env python3
"""`make bench`: Sluice against the peer CLIs on a real corpus, every pair measured in the same run.

Usage: scripts/bench.py PATH-TO-SLUICE   (env: BENCH_RUNS=3, BENCH_SIZE_MIB=512, BENCH_BIG=1, BENCH_DIR=.bench,
                                         BENCH_CACHE=warm|cold)

BENCH_CACHE=cold (`make bench-cold`) empties the page cache before every run — as root
`sync; echo 3 > /proc/sys/vm/drop_caches`, otherwise (or with BENCH_EVICT=fadvise, which leaves the
programs' own binaries and libraries cached) fsync + posix_fadvise(DONTNEED) on every file of BENCH_DIR — runs the file-to-file rows and a cold read of the corpus by Sluice and by `dd`, and writes
BENCH_DIR/results-cold.md, to put beside the warm table.

Each command runs BENCH_RUNS times after one warm-up, alternating with its peer (A B A B ...), outputs
deleted before every run; the median wall time gives MB/s (of plaintext), peak RSS comes from wait4().
Prints a Markdown table (also written to BENCH_DIR/results.md) with Sluice's speed ratio to each peer
and the target the issue sets for it.
"""
import json, os, resource, shutil, statistics, subprocess, sys, time

sluice = os.path.abspath(sys.argv[1])
runs = int(os.environ.get("BENCH_RUNS", "3"))
size_mib = int(os.environ.get("BENCH_SIZE_MIB", "512"))
big = os.environ.get("BENCH_BIG", "1") == "1"
cold = os.environ.get("BENCH_CACHE", "warm") == "cold"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
work = os.path.abspath(os.environ.get("BENCH_DIR", os.path.join(root, ".bench")))
os.makedirs(work, exist_ok=True)
corpus = os.path.join(work, "corpus.tar")
W = lambda name: os.path.join(work, name)

def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, **kw)

def need(tool, package):
    if shutil.which(tool) is None:
        sh(f"apt-get install -y -qq {package} >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq {package} >/dev/null)")

for tool, package in [("zstd", "zstd"), ("lz4", "lz4"), ("pigz", "pigz"), ("brotli", "brotli"), ("age", "age")]:
    need(tool, package)
sh(f"{root}/scripts/corpus.sh {corpus} {size_mib}")
size = os.path.getsize(corpus)
sh(f"cat {corpus} > /dev/null")

def drop_caches():
    """Empties the page cache of the benchmark's files before a cold run (not timed)."""
    os.sync()
    if os.geteuid() == 0 and os.environ.get("BENCH_EVICT", "drop_caches") == "drop_caches":
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return
    for name in os.listdir(work):
        path = os.path.join(work, name)
        if os.path.isfile(path):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)

def run_once(cmd, stdout=None):
    if cold:
        drop_caches()
    start = time.perf_counter()
    with open(stdout or os.devnull, "wb") as out:
        proc = subprocess.Popen(cmd, shell=True, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: command failed ({proc.returncode}): {cmd}\n{err}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime

spread = {}  # name → slowest wall time ÷ median, of the last measure() that ran it

def measure(commands, clean=()):
    """Runs the commands alternately; returns {name: (median wall, max rss, median cpu)}."""
    samples = {name: [] for name, _ in commands}
    for i in range(runs + 1):
        for name, cmd in commands:
            for path in clean:
                if os.path.exists(path):
                    os.remove(path)
            result = run_once(cmd)
            if i > 0:
                samples[name].append(result)
    for name, v in samples.items():
        spread[name] = max(s[0] for s in v) / statistics.median(s[0] for s in v)
    return {name: (statistics.median(s[0] for s in v), max(s[1] for s in v), statistics.median(s[2] for s in v))
            for name, v in samples.items()}

rows = []
# The cold-cache goals (issue 18), where they differ from the warm ones.
cold_targets = {"unpack zstd-3 → file": 1.3, "unpack lz4 → file": 1.5, "pack lz4": 1.8, "pack zstd-3 + aes-256-gcm": None}
def row(case, ours, peer, target, plain=size, packed_ours=None, packed_peer=None, note=""):
    if cold and case in cold_targets:
        target = cold_targets[case]
    (ours_name, (ow, orss, ocpu)), (peer_name, (pw, prss, pcpu)) = ours, peer
    ratio = pw / ow
    verdict = "" if target is None else ("met" if ratio >= target else "MISSED")
    rows.append(dict(case=case, ours=ours_name, peer=peer_name, spread=(spread.get(ours_name), spread.get(peer_name.replace(" (no encryption)", ""))), ours_mbs=plain / ow / 1e6, peer_mbs=plain / pw / 1e6,
                     speed_ratio=ratio, target=target, verdict=verdict, ours_rss=orss, peer_rss=prss,
                     ours_ratio=(plain / packed_ours) if packed_ours else None,
                     peer_ratio=(plain / packed_peer) if packed_peer else None, note=note))
    print(f"  {case}: {ours_name} {plain / ow / 1e6:.0f} MB/s vs {peer_name} {plain / pw / 1e6:.0f} MB/s → ×{ratio:.2f}"
          + (f" (target ×{target}: {verdict})" if target else ""), flush=True)

key = W("bench.key")
if not os.path.exists(key):
    sh(f"{sluice} keygen -o {key}")
age_key = W("age.key")
if not os.path.exists(age_key):
    sh(f"age-keygen -o {age_key} 2>/dev/null")
recipient = subprocess.run(f"age-keygen -y {age_key}", shell=True, capture_output=True, text=True).stdout.strip()

print(f"bench: corpus {corpus} ({size} bytes), {runs} runs each after a warm-up, medians", flush=True)
S = sluice
# 1. zstd-3 pack, with and without encryption, against zstd -3 -T0.
r = measure([("sluice zstd-3", f"{S} pack -q {corpus} -o {W('s.slc')}"),
             ("zstd -3 -T0", f"zstd -q -3 -T0 {corpus} -o {W('z.zst')}"),
             ("sluice zstd-3+aes", f"{S} pack -q --key-file {key} --cipher aes-256-gcm {corpus} -o {W('e.slc')}")],
            clean=[W("s.slc"), W("z.zst"), W("e.slc")])
sh(f"{S} pack -q -f {corpus} -o {W('s.slc')} && zstd -q -f -3 -T0 {corpus} -o {W('z.zst')} "
   f"&& {S} pack -q -f --key-file {key} --cipher aes-256-gcm {corpus} -o {W('e.slc')}")
zsize, ssize, esize = (os.path.getsize(W(n)) for n in ("z.zst", "s.slc", "e.slc"))
row("pack zstd-3", ("sluice zstd-3", r["sluice zstd-3"]), ("zstd -3 -T0", r["zstd -3 -T0"]), 1.2,
    packed_ours=ssize, packed_peer=zsize, note=f"size {100 * (ssize / zsize - 1):+.2f}% vs zstd (target within 1%)")
row("pack zstd-3 + aes-256-gcm", ("sluice zstd-3+aes", r["sluice zstd-3+aes"]), ("zstd -3 -T0 (no encryption)", r["zstd -3 -T0"]),
    1.1, packed_ours=esize, packed_peer=zsize)
# 2. Unpack to a file and to /dev/null.
r = measure([("sluice unpack", f"{S} unpack -q {W('s.slc')} -o {W('s.out')}"), ("zstd -d", f"zstd -q -d {W('z.zst')} -o {W('z.out')}")],
            clean=[W("s.out"), W("z.out")])
row("unpack zstd-3 → file", ("sluice unpack", r["sluice unpack"]), ("zstd -d", r["zstd -d"]), 1.3)
sh(f"{S} unpack -q -f {W('s.slc')} -o {W('s.out')} && cmp {corpus} {W('s.out')}")  # the numbers are of a correct decoder
if not cold:
    r = measure([("sluice unpack -c", f"{S} unpack -q -c {W('s.slc')}"), ("zstd -d -c", f"zstd -q -d -c {W('z.zst')}")])
    row("unpack zstd-3 → /dev/null", ("sluice unpack -c", r["sluice unpack -c"]), ("zstd -d -c", r["zstd -d -c"]), 1.8)
r = measure([("sluice unpack aes", f"{S} unpack -q --key-file {key} {W('e.slc')} -o {W('e.out')}"),
             ("zstd -d", f"zstd -q -d {W('z.zst')} -o {W('z.out')}")], clean=[W("e.out"), W("z.out")])
row("unpack zstd-3+aes → file", ("sluice unpack aes", r["sluice unpack aes"]), ("zstd -d", r["zstd -d"]), None)
# 3. lz4.
r = measure([("sluice lz4", f"{S} pack -q --codec lz4 {corpus} -o {W('l.slc')}"), ("lz4 -1", f"lz4 -q -1 {corpus} {W('l.lz4')}")],
            clean=[W("l.slc"), W("l.lz4")])
sh(f"{S} pack -q -f --codec lz4 {corpus} -o {W('l.slc')} && lz4 -q -f -1 {corpus} {W('l.lz4')}")
row("pack lz4", ("sluice lz4", r["sluice lz4"]), ("lz4 -1", r["lz4 -1"]), 2.0,
    packed_ours=os.path.getsize(W("l.slc")), packed_peer=os.path.getsize(W("l.lz4")))
r = measure([("sluice unpack lz4", f"{S} unpack -q {W('l.slc')} -o {W('l.out')}"), ("lz4 -d", f"lz4 -q -d {W('l.lz4')} {W('l.out2')}")],
            clean=[W("l.out"), W("l.out2")])
row("unpack lz4 → file", ("sluice unpack lz4", r["sluice unpack lz4"]), ("lz4 -d", r["lz4 -d"]), 1.8)
# 4. Encryption only: store + chacha20-poly1305 against age.
r = measure([("sluice store+chacha20", f"{S} pack -q --codec store --cipher chacha20-poly1305 --key-file {key} {corpus} -o {W('c.slc')}"),
             ("age -e", f"age -e -r {recipient} -o {W('c.age')} {corpus}")], clean=[W("c.slc"), W("c.age")])
sh(f"{S} pack -q -f --codec store --cipher chacha20-poly1305 --key-file {key} {corpus} -o {W('c.slc')} && age -e -r {recipient} -o {W('c.age')} {corpus}")
row("encrypt chacha20-poly1305", ("sluice store+chacha20", r["sluice store+chacha20"]), ("age -e", r["age -e"]), 1.8)
r = measure([("sluice decrypt", f"{S} unpack -q --key-file {key} {W('c.slc')} -o {W('c.out')}"),
             ("age -d", f"age -d -i {age_key} -o {W('c.out2')} {W('c.age')}")], clean=[W("c.out"), W("c.out2")])
row("decrypt chacha20-poly1305", ("sluice decrypt", r["sluice decrypt"]), ("age -d", r["age -d"]), 1.8)
if cold:
    # Reading alone: Sluice verifying a store .slc with no checksum work to speak of is bound by its reads;
    # `dd` reads the same file sequentially with 4 MiB blocks.
    sh(f"{S} pack -q -f --codec store {corpus} -o {W('r.slc')}")
    r = measure([("sluice verify store", f"{S} verify -q {W('r.slc')}"), ("dd bs=4M", f"dd if={W('r.slc')} of=/dev/null bs=4M")])
    row("read a cold file (verify store vs dd)", ("sluice verify store", r["sluice verify store"]), ("dd bs=4M", r["dd bs=4M"]), 0.9)
    lines = [f"Corpus: {size} bytes of real files ({corpus}); page cache emptied before every run "
             f"({'drop_caches' if os.geteuid() == 0 and os.environ.get('BENCH_EVICT', 'drop_caches') == 'drop_caches' else 'fsync + posix_fadvise DONTNEED on the data files'}); "
             f"{runs} runs after a warm-up, "
             "alternating with the peer, median wall time; MB/s = plaintext bytes / wall seconds.", "",
             "| case (cold) | Sluice | MB/s | peer | MB/s | Sluice ÷ peer | target | slowest ÷ median (Sluice / peer) |",
             "|---|---|---:|---|---:|---:|---|---|"]
    for x in rows:
        target = f"≥ {x['target']}× {x['verdict']}" if x["target"] else "—"
        lines.append(f"| {x['case']} | {x['ours']} | {x['ours_mbs']:.0f} | {x['peer']} | {x['peer_mbs']:.0f} | ×{x['speed_ratio']:.2f} "
                     f"| {target} | " + " / ".join("—" if v is None else f"{v:.2f}" for v in x["spread"]) + " |")
    report = "\n".join(lines)
    with open(W("results-cold.md"), "w") as f:
        f.write(report + "\n")
    print()
    print(report)
    sys.exit(0)
# 5. The slow peers, for reference: pigz -6 and brotli -q 5 (single-threaded) on the same corpus.
r = measure([("sluice zstd-3", f"{S} pack -q {corpus} -o {W('s.slc')}"), ("pigz -6 -p2", f"pigz -6 -p2 -c {corpus} > {W('p.gz')}")],
            clean=[W("s.slc")])
row("pack vs pigz", ("sluice zstd-3", r["sluice zstd-3"]), ("pigz -6 -p2", r["pigz -6 -p2"]), None,
    packed_ours=ssize, packed_peer=os.path.getsize(W("p.gz")))
r = measure([("sluice brotli-5", f"{S} pack -q --codec brotli --level 5 {corpus} -o {W('b.slc')}"),
             ("brotli -q 5", f"brotli -q 5 -f -o {W('b.br')} {corpus}")], clean=[W("b.slc"), W("b.br")])
sh(f"{S} pack -q -f --codec brotli --level 5 {corpus} -o {W('b.slc')} && brotli -q 5 -f -o {W('b.br')} {corpus}")
row("pack brotli-5", ("sluice brotli-5", r["sluice brotli-5"]), ("brotli -q 5", r["brotli -q 5"]), None,
    packed_ours=os.path.getsize(W("b.slc")), packed_peer=os.path.getsize(W("b.br")))

# 5b. One core: every codec packed and unpacked with --workers 1 on a 128 MiB real file, beside the
#     single-threaded peer CLIs at the same level (zstd -T1, lz4, brotli), in the same run.
single_file = W("128m.bin")
if not os.path.exists(single_file) or os.path.getsize(single_file) != 128 << 20:
    sh(f"head -c {128 << 20} {corpus} > {single_file}")
single_size = os.path.getsize(single_file)
single = []
for label, flags, peer_pack, peer_unpack, peer_out in [
        ("store", "--codec store", None, None, None),
        ("lz4", "--codec lz4", f"lz4 -q -1 {single_file} {W('1.lz4')}", f"lz4 -q -d {W('1.lz4')} {W('1.lz4.out')}", W("1.lz4")),
        ("lz4hc-9", "--codec lz4hc --level 9", f"lz4 -q -9 {single_file} {W('1.lz4')}", f"lz4 -q -d {W('1.lz4')} {W('1.lz4.out')}", W("1.lz4")),
        ("zstd-1", "--level 1", f"zstd -q -1 -T1 {single_file} -o {W('1.zst')}", f"zstd -q -d {W('1.zst')} -o {W('1.zst.out')}", W("1.zst")),
        ("zstd-3", "", f"zstd -q -3 -T1 {single_file} -o {W('1.zst')}", f"zstd -q -d {W('1.zst')} -o {W('1.zst.out')}", W("1.zst")),
        ("zstd-9", "--level 9", f"zstd -q -9 -T1 {single_file} -o {W('1.zst')}", f"zstd -q -d {W('1.zst')} -o {W('1.zst.out')}", W("1.zst")),
        ("brotli-5", "--codec brotli --level 5", f"brotli -q 5 -f -o {W('1.br')} {single_file}", f"brotli -d -f -o {W('1.br.out')} {W('1.br')}", W("1.br"))]:
    outputs = [W("1.slc"), W("1.out"), W("1.lz4"), W("1.lz4.out"), W("1.zst"), W("1.zst.out"), W("1.br"), W("1.br.out")]
    commands = [("pack", f"{S} pack -q --workers 1 {flags} {single_file} -o {W('1.slc')}")]
    if peer_pack:
        commands.append(("peer pack", peer_pack))
    r = measure(commands, clean=outputs)
    sh(f"{S} pack -q -f --workers 1 {flags} {single_file} -o {W('1.slc')}")
    packed = os.path.getsize(W("1.slc"))
    if peer_pack:
        sh(peer_pack.replace(" -q ", " -q -f ", 1) if "brotli" not in peer_pack else peer_pack)
        peer_packed = os.path.getsize(peer_out)
    commands = [("unpack", f"{S} unpack -q --workers 1 {W('1.slc')} -o {W('1.out')}")]
    if peer_unpack:
        commands.append(("peer unpack", peer_unpack))
    u = measure(commands, clean=[W("1.out"), W("1.lz4.out"), W("1.zst.out"), W("1.br.out")])
    entry = (label, single_size / r["pack"][0] / 1e6, single_size / u["unpack"][0] / 1e6, single_size / packed,
             peer_pack.split()[0] + " " + peer_pack.split()[2] if peer_pack else "—",
             single_size / r["peer pack"][0] / 1e6 if peer_pack else None,
             single_size / u["peer unpack"][0] / 1e6 if peer_unpack else None,
             single_size / peer_packed if peer_pack else None)
    single.append(entry)
    print(f"  one core {label}: pack {entry[1]:.0f} MB/s, unpack {entry[2]:.0f} MB/s, ratio {entry[3]:.3f}"
          + (f"; {entry[4]}: {entry[5]:.0f} / {entry[6]:.0f} MB/s, ratio {entry[7]:.3f}" if peer_pack else ""), flush=True)

# 6. Pipeline overhead: parallel throughput to /dev/null against workers × the single-thread speed of
#    the same stages (measured by the same binary's stage timers on one worker, in this run).
efficiency = []
def measure_efficiency(name, command):
    """command(workers) is a sluice run with --stats-json; its stage seconds on one worker against its
    wall time on two."""
    def stats(workers):
        out = subprocess.run(command(workers), shell=True, capture_output=True, text=True, check=True).stderr
        return json.loads(out.strip().splitlines()[-1])
    singles = [stats(1) for _ in range(runs)]
    single_speed = size / statistics.median(sum(s["seconds"] for s in one["stages"]) for one in singles) / 1e6
    walls = sorted(stats(2)["wall_seconds"] for _ in range(runs))
    parallel_speed = size / walls[len(walls) // 2] / 1e6
    efficiency.append((name, single_speed, parallel_speed, parallel_speed / (2 * single_speed)))
    print(f"  parallel {name}: stages {single_speed:.0f} MB/s on one core, pipeline {parallel_speed:.0f} MB/s on 2 → "
          f"{100 * parallel_speed / (2 * single_speed):.0f}% of 2 × (target 85%)", flush=True)

for label, flags in [("zstd-3", ""), ("lz4", "--codec lz4"), ("store+aes-256-gcm", f"--codec store --cipher aes-256-gcm --key-file {key}"),
                     ("store+chacha20", f"--codec store --cipher chacha20-poly1305 --key-file {key}"),
                     ("zstd-3+aes-256-gcm", f"--cipher aes-256-gcm --key-file {key}")]:
    measure_efficiency(f"pack {label}", lambda w: f"{S} pack -q -c --workers {w} --stats-json {flags} {corpus} > /dev/null")
    # The same mode unpacked (-c to /dev/null), against the one-worker speed of the decoding stages.
    sh(f"{S} pack -q -f {flags} {corpus} -o {W('eff.slc')}")
    key_flag = f"--key-file {key}" if "--key-file" in flags else ""
    measure_efficiency(f"unpack {label}", lambda w: f"{S} unpack -q -c --workers {w} --stats-json {key_flag} {W('eff.slc')} > /dev/null")

# 7. Peak RSS is flat in file size: 400 MiB and 4 GiB inputs with defaults.
memory = []
if big:
    small_file, big_file = W("400m.bin"), W("4g.bin")
    copies = (4 << 30) // size + 1  # the corpus repeated until the file is big enough
    if not os.path.exists(small_file) or os.path.getsize(small_file) != 400 << 20:
        sh(f"for i in $(seq {copies}); do cat {corpus}; done | head -c {400 << 20} > {small_file}")
    if not os.path.exists(big_file) or os.path.getsize(big_file) != 4 << 30:
        sh(f"for i in $(seq {copies}); do cat {corpus}; done | head -c {4 << 30} > {big_file}")
    for path in (small_file, big_file):
        for name in ("m.slc", "m.out"):
            if os.path.exists(W(name)):
                os.remove(W(name))
        _, pack_rss, _ = run_once(f"{S} pack -q {path} -o {W('m.slc')}")
        _, unpack_rss, _ = run_once(f"{S} unpack -q {W('m.slc')} -o {W('m.out')}")
        memory.append((os.path.getsize(path), pack_rss, unpack_rss))
        print(f"  peak RSS {os.path.getsize(path) >> 20} MiB input: pack {pack_rss >> 20} MiB, unpack {unpack_rss >> 20} MiB (target < 128 MiB)", flush=True)
        os.remove(W("m.out"))

lines = [f"Corpus: {size} bytes of real files ({corpus}); {runs} runs after a warm-up, median wall time; "
         f"MB/s = plaintext bytes / wall seconds; peers measured alternately with Sluice in the same run.", "",
         "| case | Sluice | MB/s | peer | MB/s | Sluice ÷ peer | target | ratio (Sluice / peer) | peak RSS MiB (Sluice / peer) |",
         "|---|---|---:|---|---:|---:|---|---|---|"]
for x in rows:
    ratios = f"{x['ours_ratio']:.3f} / {x['peer_ratio']:.3f}" if x["ours_ratio"] else ""
    target = f"≥ {x['target']}× {x['verdict']}" if x["target"] else "—"
    lines.append(f"| {x['case']} | {x['ours']} | {x['ours_mbs']:.0f} | {x['peer']} | {x['peer_mbs']:.0f} | ×{x['speed_ratio']:.2f} "
                 f"| {target} | {ratios} {x['note']} | {x['ours_rss'] / 2**20:.0f} / {x['peer_rss'] / 2**20:.0f} |")
lines += ["", f"One core (`--workers 1`), {single_size >> 20} MiB of the corpus, pack and unpack file to file, beside the "
          "single-threaded peer at the same level:", "",
          "| codec | Sluice pack MB/s | Sluice unpack MB/s | Sluice ratio | peer | peer pack MB/s | peer unpack MB/s | peer ratio |",
          "|---|---:|---:|---:|---|---:|---:|---:|"]
for label, p, u, ratio, peer, pp, pu, pr in single:
    lines.append(f"| {label} | {p:.0f} | {u:.0f} | {ratio:.3f} | {peer} | " + (f"{pp:.0f} | {pu:.0f} | {pr:.3f} |" if pp else "— | — | — |"))
lines += ["", "| parallel mode (-c to /dev/null) | stages, 1 core MB/s | pipeline, 2 workers MB/s | efficiency (target ≥ 85%) |",
          "|---|---:|---:|---:|"]
lines += [f"| {l} | {a:.0f} | {b:.0f} | {100 * e:.0f}% |" for l, a, b, e in efficiency]
if memory:
    lines += ["", "| input | pack peak RSS | unpack peak RSS | target |", "|---|---:|---:|---|"]
    lines += [f"| {s >> 20} MiB | {p >> 20} MiB | {u >> 20} MiB | < 128 MiB |" for s, p, u in memory]
report = "\n".join(lines)
with open(W("results.md"), "w") as f:
    f.write(report + "\n")
print()
print(report)
