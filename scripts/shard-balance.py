#!/usr/bin/env python3
"""Shard balance of `--shard I/N` (docs/scale-out.md): how much longer than the mean the largest shard
of a tree is, for real file-size distributions.

    python3 scripts/shard-balance.py [ROOT=/usr] [FILES=1000000] [SHARDS=1000] [SEED=1] [SPLITS=64,8]

Sluice puts a file in shard XXH3-64(relative path) mod N. XXH3 is a uniform hash, so what matters is
only that each file lands in a shard independently and uniformly: the script hashes real paths with
BLAKE2b (Python has no XXH3) and draws uniform shards for simulated files. Pure Python, no packages.

It prints, for each case, the largest shard over the mean shard (1.00 = perfect balance) by files, by
bytes, and by a time model of one shard on one core: 90 us per file (measured per-file cost of a
small-file pack on this machine kind, docs/batch.md) plus bytes at 300 MB/s (zstd-3 per core, with I/O).
Cases: ROOT's own files cut in 4/16/64 shards by their real paths; FILES files in SHARDS shards with
sizes drawn from ROOT's distribution (bootstrap) and from a lognormal fitted to it; and the same with
`--shard-split S` for each S in SPLITS (MiB; Sluice's default is 64): a file larger than S is cut into
ranges of S bytes, range k going to shard (h + k) mod N where h is the file's own shard, as
SplitRange.shard does.
"""
import hashlib, math, os, random, sys

root = sys.argv[1] if len(sys.argv) > 1 else "/usr"
files = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
shards = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
PER_FILE, PER_BYTE = 90e-6, 1 / 300e6
SPLITS = [int(x) << 20 for x in (sys.argv[5] if len(sys.argv) > 5 else "64,8").split(",")]

paths, sizes = [], []
for base, dirs, names in os.walk(root):
    dirs.sort()
    for name in names:
        full = os.path.join(base, name)
        try:
            st = os.lstat(full)
        except OSError:
            continue
        if os.path.stat.S_ISREG(st.st_mode):
            paths.append(os.path.relpath(full, root).encode("utf-8", "surrogateescape"))
            sizes.append(st.st_size)
logs = [math.log(max(s, 1)) for s in sizes]
mu = sum(logs) / len(logs)
sigma = math.sqrt(sum((x - mu) ** 2 for x in logs) / len(logs))
total = sum(sizes)
print(f"{root}: {len(sizes):,} files, {total / 2**30:.2f} GiB, mean {total / len(sizes) / 1024:.1f} KiB, "
      f"median {sorted(sizes)[len(sizes) // 2] / 1024:.1f} KiB, largest {max(sizes) / 2**20:.1f} MiB; "
      f"lognormal fit of the sizes: mu {mu:.2f}, sigma {sigma:.2f} (median {math.exp(mu) / 1024:.1f} KiB)")


def balance(assignment, n):
    """assignment: iterable of (shard, size). Returns max/mean by files, bytes, modelled time, and the mean time."""
    count, volume = [0] * n, [0] * n
    for shard, size in assignment:
        count[shard] += 1
        volume[shard] += size
    time = [c * PER_FILE + v * PER_BYTE for c, v in zip(count, volume)]
    def ratio(xs):
        mean = sum(xs) / n
        return max(xs) / mean if mean else float("nan")
    return ratio(count), ratio(volume), ratio(time), sum(time) / n


def show(label, result):
    files_ratio, bytes_ratio, time_ratio, mean_time = result
    print(f"  {label:<58} files {files_ratio:5.2f}   bytes {bytes_ratio:6.2f}   time {time_ratio:5.2f}   (mean shard {mean_time:8.1f} s)")


def hashed(path, n):
    return int.from_bytes(hashlib.blake2b(path, digest_size=8).digest(), "little") % n


print(f"\n{root}'s own files by their real paths:")
for n in (4, 16, 64):
    show(f"{n} shards", balance(((hashed(p, n), s) for p, s in zip(paths, sizes)), n))


def split(size, limit):
    """A file's pieces when files over `limit` are cut into ranges of `limit` bytes."""
    if size <= limit:
        return [size]
    return [limit] * (size // limit) + ([size % limit] if size % limit else [])


def placed(drawn, n, limit):
    """(shard, bytes) of every piece: a file's shard is uniform, its range k goes to (shard + k) mod n."""
    for size in drawn:
        home = rng.randrange(n)
        for k, piece in enumerate(split(size, limit)):
            yield (home + k) % n, piece


bootstrap = [rng.choice(sizes) for _ in range(files)]
lognormal = [int(rng.lognormvariate(mu, sigma)) for _ in range(files)]
for n in (shards, max(1, shards // 10)):
    print(f"\n{files:,} files in {n:,} shards ({files // n:,} files a shard):")
    for label, drawn in (("sizes drawn from " + root, bootstrap), ("lognormal fit", lognormal)):
        show(label, balance(((rng.randrange(n), s) for s in drawn), n))
        for limit in SPLITS:
            show(f"  same, --shard-split {limit >> 20}M", balance(placed(drawn, n, limit), n))
        if n == shards:
            print(f"    largest file {max(drawn) / 2**20:,.0f} MiB = {max(drawn) * PER_BYTE:,.2f} s alone; "
                  f"{sum(drawn) / 2**30:.1f} GiB in all")
