#!/usr/bin/env bash
# Sluice's memory-mode numbers against the C libraries called directly, on the same data, chunk size
# and measuring rule, single-threaded, in one run. Prints Swift/C per codec and direction
# (1.00 = as fast as C; the target is ≥ 0.90).
#
#   scripts/bench-c-vs-swift.sh [--data KIND:SIZE] [--seed N] [--chunk-size 4M] [--runs 5] [--min-time 1]
#                               [--rounds N] [--sluice PATH] [SPEC...]
#   SPEC defaults to: memcpy zstd:1,3,9 lz4 lz4hc:9 brotli:1,5 aes-256-gcm chacha20-poly1305
#
# With --rounds N (default 2) the C harness and sluice take turns N times (alternating which goes
# first) and each keeps its best median, so a burst of load from another process hurts neither side
# more than the other.
set -euo pipefail
cd "$(dirname "$0")/.."

data=mixed:64M seed=1 chunk=4M runs=5 min_time=1 rounds=2 sluice=""
specs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --chunk-size) chunk=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --sluice) sluice=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) specs+=("$1"); shift ;;
  esac
done
[ ${#specs[@]} -gt 0 ] || specs=(memcpy zstd:1,3,9 lz4 lz4hc:9 brotli:1,5 aes-256-gcm chacha20-poly1305)

if [ -z "$sluice" ]; then
  swift build -c release --product sluice 2>&1 | grep -E 'error|Compiling|Build' | tail -1 >&2
  sluice="$(swift build -c release --show-bin-path)/sluice"
fi
make -s -C Benchmarks/c-harness cbench >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-c-vs-swift.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$sluice" bench generate "$data" --seed "$seed" -o "$work/data.bin"

# Split the specs for sluice: codecs vs ciphers; memcpy is one of sluice's baseline rows.
codecs=() ciphers=()
for spec in "${specs[@]}"; do
  case "$spec" in
    aes-256-gcm|chacha20-poly1305) ciphers+=("$spec") ;;
    memcpy|xxh3) ;;
    *) codecs+=("$spec") ;;
  esac
done
swift_args=(bench "$work/data.bin" --mode memory --workers 1 --chunk-sizes "$chunk" --runs "$runs" --min-time "$min_time" -q)
[ ${#codecs[@]} -gt 0 ] && swift_args+=(--codecs "${codecs[@]}")
[ ${#ciphers[@]} -gt 0 ] && swift_args+=(--ciphers "${ciphers[@]}")

echo "data: $data (seed $seed), chunk $chunk, ≥$runs runs and ≥${min_time}s per direction, $rounds round(s), 1 thread" >&2
run_c() {
  echo "round $1: C harness" >&2
  Benchmarks/c-harness/cbench --chunk-size "$chunk" --runs "$runs" --min-time "$min_time" "$work/data.bin" "${specs[@]}" \
    > "$work/c-$1.csv"
}
run_swift() {
  echo "round $1: sluice bench" >&2
  "$sluice" "${swift_args[@]}" --format csv --output "$work/swift-$1.csv"
}
# Odd rounds start with C, even rounds with Swift, so neither side always runs second.
for round in $(seq "$rounds"); do
  if [ $((round % 2)) = 1 ]; then run_c "$round"; run_swift "$round"; else run_swift "$round"; run_c "$round"; fi
done

# name → best compress/decompress MB/s over the rounds, for each side; then the ratios.
awk -F, '
  FNR == 1 { side = (FILENAME ~ /\/c-[0-9]+\.csv$/) ? "c" : "s"; for (i = 1; i <= NF; i++) col[side ":" $i] = i; next }
  {
    n = $(col[side ":name"])
    if (side == "c") { cm = $(col["c:compress_mbps"]); dm = $(col["c:decompress_mbps"]) }
    else { cm = $(col["s:compress_mbps_median"]); dm = $(col["s:decompress_mbps_median"]) }
    key = side ":" n
    if (!(key in seen)) { seen[key] = 1; if (side == "c") order[++count] = n }
    if (cm + 0 > comp[key] + 0) comp[key] = cm
    if (dm + 0 > dec[key] + 0) dec[key] = dm
    ratio[key] = $(col[side ":ratio"])
  }
  END {
    printf "%-18s %7s %7s %9s %9s %6s %9s %9s %6s\n", "stage", "ratio C", "ratio S", "C comp", "S comp", "S/C", "C dec", "S dec", "S/C"
    worst = 10; worstName = ""
    for (k = 1; k <= count; k++) {
      n = order[k]; c = "c:" n; s = "s:" n
      if (!(s in seen)) continue
      cr = comp[c] > 0 ? comp[s] / comp[c] : 0
      dr = dec[c] > 0 ? dec[s] / dec[c] : 0
      if (cr > 0 && cr < worst) { worst = cr; worstName = n " compress" }
      if (dr > 0 && dr < worst) { worst = dr; worstName = n " decompress" }
      printf "%-18s %7.3f %7.3f %9.1f %9.1f %6.3f %9s %9s %6s\n", n, ratio[c], ratio[s], comp[c], comp[s], cr,
        (dec[c] > 0 ? sprintf("%.1f", dec[c]) : "-"), (dec[s] > 0 ? sprintf("%.1f", dec[s]) : "-"), (dr > 0 ? sprintf("%.3f", dr) : "-")
    }
    printf "\nworst Swift/C: %.3f (%s); target >= 0.90: %s\n", worst, worstName, (worst >= 0.9 ? "met" : "NOT met")
  }' "$work"/c-*.csv "$work"/swift-*.csv
