#!/usr/bin/env python3
"""Writes SHARDS shard manifests of ENTRIES files each (the format `sluice pack --shard` writes), for
timing `sluice manifest merge` (docs/scale-out.md, "Merge cost"):

    python3 scripts/make-manifests.py DIR 4 250000
    /usr/bin/time -v sluice manifest merge DIR/m.shard-*-of-4.jsonl -o DIR/merged.jsonl

Paths look like a log tree (`host017/2026/11/27/app-000123.log`, ~40 bytes); one file in 10,000 is
failed. Deterministic."""
import os, random, sys

directory, shards, entries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(directory, exist_ok=True)
rng = random.Random(5)
for shard in range(shards):
    ok = failed = 0
    with open(os.path.join(directory, f"m.shard-{shard}-of-{shards}.jsonl"), "w") as out:
        for i in range(entries):
            n = shard * entries + i
            path = f"host{n % 997:03d}/2026/{n % 12 + 1:02d}/{n % 28 + 1:02d}/app-{n:09d}.log"
            size = int(rng.lognormvariate(9, 2))
            mtime = 1_764_000_000_000_000_000 + n * 1_000_003
            if i % 10_000 == 9_999:
                failed += 1
                out.write(f'{{"message":"{directory}/{path}: cannot open: Permission denied","mtime":{mtime},'
                          f'"path":"{path}","shard":{shard},"size":{size},"status":"failed","type":"file"}}\n')
            else:
                ok += 1
                digest = "%032x" % rng.getrandbits(128)
                out.write(f'{{"digest":"xxh128:{digest}","mtime":{mtime},"output":"{path}.slc","path":"{path}",'
                          f'"shard":{shard},"size":{size},"status":"ok","type":"file"}}\n')
        out.write(f'{{"covers":[{shard}],"files_failed":{failed},"files_ok":{ok},"files_skipped":0,"files_up_to_date":0,'
                  f'"operation":"pack","retry":false,"shard":{shard},"shards":{shards},"type":"shard"}}\n')
