#!/usr/bin/env python3
"""Builds the mixed tree of docs/performance.md ("Archives"): COUNT small and medium files — text cut
from real text on this machine, and binaries cut from the programs and libraries under /usr — in
nested directories (about 1.3 GB for 50,000), plus a few large files of 50-200 MB (text and binary pieces mixed, so they
compress as real data does). Deterministic for a given machine and seed.

Usage: make-mixed-tree.py DIR [COUNT=50000] [LARGE=3]"""
import os, random, sys

root = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
large = int(sys.argv[3]) if len(sys.argv) > 3 else 3
rng = random.Random(1414)


def gather(tops, suffixes, limit):
    pool = bytearray()
    for top in tops:
        for base, dirs, names in os.walk(top):
            dirs.sort()
            for name in sorted(names):
                if suffixes and not name.endswith(suffixes):
                    continue
                path = os.path.join(base, name)
                if os.path.islink(path):
                    continue
                try:
                    with open(path, "rb") as f:
                        pool += f.read(262144)
                except OSError:
                    pass
                if len(pool) > limit:
                    return pool
    return pool


text = gather(("/usr/share/doc", "/usr/include", "/usr/share/perl5", "/usr/lib/python3"),
              (".h", ".txt", ".py", ".pm", ".md", "copyright", ".html", ".rst", ".c"), 64 << 20)
binary = gather(("/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib"), (), 96 << 20)
if len(text) < 1 << 20:
    text = bytearray(b"".join(b"line %d of generated text, nothing to see here\n" % i for i in range(200000)))
if len(binary) < 1 << 20:
    binary = bytearray(random.Random(7).randbytes(8 << 20))


def piece(pool, size):
    start = rng.randint(0, len(pool) - size - 1)
    return pool[start:start + size]


for index in range(count):
    directory = os.path.join(root, "p%02d" % (index // 5000), "q%03d" % (index // 100 % 50))
    if index % 100 == 0:
        os.makedirs(directory, exist_ok=True)
    kind = rng.random()
    if kind < 0.75:
        name, data = "t%06d.txt" % index, piece(text, rng.randint(200, 32768))
    elif kind < 0.995:
        name, data = "b%06d.bin" % index, piece(binary, rng.randint(1024, 65536))
    else:
        name, data = "m%06d.dat" % index, piece(binary if rng.random() < 0.5 else text, rng.randint(262144, 4 << 20))
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)

os.makedirs(os.path.join(root, "large"), exist_ok=True)
for index in range(large):
    size = rng.randint(50, 200) << 20
    with open(os.path.join(root, "large", "l%02d.dat" % index), "wb") as f:
        written = 0
        while written < size:
            pool = text if rng.random() < 0.6 else binary
            data = piece(pool, min(size - written, rng.randint(1 << 20, 8 << 20)))
            f.write(data)
            written += len(data)
