#!/usr/bin/env python3
"""The curve behind Plan's defaults: chunk size × workers × codec, measured with the real pipeline.

Usage: scripts/curve.py PATH-TO-SLUICE [CORPUS]   (env: CURVE_MIB=128, CURVE_RUNS=3)

For each codec and chunk size, packs the first CURVE_MIB MiB of the corpus to /dev/null with 1 and 2
workers (median of CURVE_RUNS) and records the ratio; prints a Markdown table.
"""
import os, statistics, subprocess, sys, time

sluice = os.path.abspath(sys.argv[1])
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, ".bench", "corpus.tar")
mib = int(os.environ.get("CURVE_MIB", "128"))
runs = int(os.environ.get("CURVE_RUNS", "3"))
if not os.path.exists(corpus):
    subprocess.run([os.path.join(root, "scripts", "corpus.sh"), corpus, "512"], check=True)
sample = os.path.join(os.path.dirname(corpus), f"curve-{mib}m.bin")
if not os.path.exists(sample) or os.path.getsize(sample) != mib << 20:
    with open(corpus, "rb") as src, open(sample, "wb") as dst:
        dst.write(src.read(mib << 20))
size = os.path.getsize(sample)

codecs = [("lz4", ["--codec", "lz4"]), ("zstd-1", ["--level", "1"]), ("zstd-3", []), ("zstd-9", ["--level", "9"]),
          ("brotli-5", ["--codec", "brotli", "--level", "5"])]
chunks = ["64K", "256K", "1M", "4M", "16M"]
print(f"| codec | chunk | ratio | 1 worker MB/s | 2 workers MB/s | scaling |")
print(f"|---|---:|---:|---:|---:|---:|")
for name, flags in codecs:
    for chunk in chunks:
        speeds = {}
        packed_path = sample + ".slc"
        subprocess.run([sluice, "pack", "-q", "-f", "--chunk-size", chunk, *flags, sample, "-o", packed_path], check=True)
        packed = os.path.getsize(packed_path)
        os.remove(packed_path)
        for workers in (1, 2):
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run([sluice, "pack", "-q", "-o", "/dev/null", "--workers", str(workers), "--chunk-size", chunk,
                                *flags, sample], check=True)
                times.append(time.perf_counter() - start)
            speeds[workers] = size / statistics.median(times) / 1e6
        print(f"| {name} | {chunk} | {size / packed:.3f} | {speeds[1]:.0f} | {speeds[2]:.0f} | ×{speeds[2] / speeds[1]:.2f} |", flush=True)
