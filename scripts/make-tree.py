#!/usr/bin/env python3
"""Builds a benchmark tree for scripts/bench-batch.sh: COUNT text files of MIN..MAX bytes in nested
directories (100 files per directory, 20 directories per parent), cut from real text on this machine.
Deterministic for a given seed. Usage: make-tree.py DIR COUNT MIN MAX"""
import os, random, sys

root, count, low, high = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(42)
pool = bytearray()
for top in ("/usr/share/doc", "/usr/include", "/usr/share/perl5", "/usr/lib/python3"):
    for base, _, names in os.walk(top):
        for name in sorted(names):
            if name.endswith((".h", ".txt", ".py", ".pm", ".md", "copyright", ".html", ".rst", ".c")):
                try:
                    with open(os.path.join(base, name), "rb") as f:
                        pool += f.read(65536)
                except OSError:
                    pass
            if len(pool) > 64 << 20:
                break
if len(pool) < 1 << 20:
    pool = bytearray(b"".join(b"line %d of generated text, nothing to see here\n" % i for i in range(200000)))
for index in range(count):
    directory = os.path.join(root, "d%03d" % (index // 2000), "e%02d" % (index // 100 % 20))
    if index % 100 == 0:
        os.makedirs(directory, exist_ok=True)
    size = rng.randint(low, high)
    start = rng.randint(0, len(pool) - size - 1)
    with open(os.path.join(directory, "f%06d.txt" % index), "wb") as f:
        f.write(pool[start:start + size])
