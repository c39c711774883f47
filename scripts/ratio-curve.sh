#!/usr/bin/env bash
# The curve behind zstd's chunk size and window (docs/performance.md, "Ratio: the window and the chunk
# size"): for each chunk size, the corpus cut into chunks and each compressed alone by `zstd -3` with
# the level's own window (2 MiB) and with a window covering the chunk, then `sluice pack` at that chunk
# size (which uses the covering window), against `zstd -3 -T0` of the whole corpus. Prints one line per
# row: bytes, the ratio to zstd -T0's size, and sluice's wall time and speed.
#
#   scripts/ratio-curve.sh SLUICE [CORPUS] [LEVEL]     (CORPUS: built by scripts/corpus.sh, 384 MiB)
set -euo pipefail
sluice=${1:?usage: ratio-curve.sh SLUICE [CORPUS] [LEVEL]}
corpus=${2:-.bench/corpus-384}
level=${3:-3}
[ -s "$corpus" ] || scripts/corpus.sh "$corpus" 384 >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
size=$(stat -c %s "$corpus")
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }
mbps() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b / 1000000 }'; }
divide() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }

start=$(now); zstd -q -"$level" -T0 -c "$corpus" > "$work/whole.zst"; end=$(now)
reference=$(stat -c %s "$work/whole.zst")
ref_time=$(seconds "$start" "$end")
printf '%-32s %12s %8s %8s %9s\n' "row" "bytes" "÷ zstd" "seconds" "MB/s"
printf '%-32s %12d %8.4f %8.2f %9.0f\n' "zstd -$level -T0 (whole)" "$reference" 1 "$ref_time" "$(mbps "$size" "$ref_time")"
for chunk in 1 2 4 8 16 32; do
  split -b "${chunk}M" "$corpus" "$work/part."
  log=$(awk -v c="$chunk" 'BEGIN { l = 20; while (2 ^ l < c * 1048576) l++; print l }')
  for window in level covering; do
    total=0
    for part in "$work"/part.*; do
      if [ "$window" = level ]; then n=$(zstd -q -"$level" -c "$part" | wc -c); else n=$(zstd -q -"$level" --zstd=wlog="$log" -c "$part" | wc -c); fi
      total=$((total + n))
    done
    printf '%-32s %12d %8.4f %8s %9s\n' "${chunk} MiB chunks, $window window" "$total" "$(divide "$total" "$reference")" "-" "-"
  done
  rm -f "$work"/part.*
  start=$(now); "$sluice" pack -q --codec zstd --level "$level" --chunk-size "${chunk}M" "$corpus" -o "$work/x.slc" -f; end=$(now)
  packed=$(stat -c %s "$work/x.slc")
  t=$(seconds "$start" "$end")
  printf '%-32s %12d %8.4f %8.2f %9.0f\n' "sluice pack ${chunk} MiB" "$packed" "$(divide "$packed" "$reference")" "$t" "$(mbps "$size" "$t")"
done
