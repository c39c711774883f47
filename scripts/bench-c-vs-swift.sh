#!/usr/bin/env bash
# Sluice's memory-mode numbers against the C libraries called directly, on the same data, chunk size
# and measuring rule, single-threaded, in one run. Prints Swift/C per codec and direction
# (1.00 = as fast as C; the target is ≥ 0.90), by wall time and by CPU time.
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
  swift build -c release --product sluice --static-swift-stdlib 2>&1 | grep -E 'error|Compiling|Build' | tail -1 >&2
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

# name → best compress/decompress MB/s over the rounds, for each side, by wall time and by CPU time
# (CPU time does not count waiting for a core, so it is the steadier of the two on a shared machine).
awk -F, '
  FNR == 1 { side = (FILENAME ~ /\/c-[0-9]+\.csv$/) ? "c" : "s"; for (i = 1; i <= NF; i++) col[side ":" $i] = i; next }
  {
    n = $(col[side ":name"])
    if (side == "c") {
      cm = $(col["c:compress_mbps"]); dm = $(col["c:decompress_mbps"])
      cc = $(col["c:compress_cpu_mbps"]); dc = $(col["c:decompress_cpu_mbps"])
    } else {
      mb = $(col["s:input_bytes"]) / 1e6
      cm = $(col["s:compress_mbps_median"]); dm = $(col["s:decompress_mbps_median"])
      t = $(col["s:compress_cpu_s_median"]); cc = t > 0 ? mb / t : 0
      t = $(col["s:decompress_cpu_s_median"]); dc = t > 0 ? mb / t : 0
    }
    key = side ":" n
    if (!(key in seen)) { seen[key] = 1; if (side == "c") order[++count] = n }
    if (cm + 0 > comp[key] + 0) comp[key] = cm
    if (dm + 0 > dec[key] + 0) dec[key] = dm
    if (cc + 0 > compCPU[key] + 0) compCPU[key] = cc
    if (dc + 0 > decCPU[key] + 0) decCPU[key] = dc
    ratio[key] = $(col[side ":ratio"])
  }
  function r(a, b) { return b > 0 && a > 0 ? a / b : 0 }
  function show(x) { return x > 0 ? sprintf("%.3f", x) : "-" }
  function num(x) { return x > 0 ? sprintf("%.1f", x) : "-" }
  END {
    printf "%-18s %6s | %9s %9s %6s %6s | %9s %9s %6s %6s\n", "stage", "ratio", "C comp", "S comp", "wall", "cpu", "C dec", "S dec", "wall", "cpu"
    worstWall = 10; worstCPU = 10
    for (k = 1; k <= count; k++) {
      n = order[k]; c = "c:" n; s = "s:" n
      if (!(s in seen)) continue
      if (ratio[c] != ratio[s] && (ratio[c] - ratio[s]) ^ 2 > 1e-6) printf "warning: %s ratios differ (C %s, Swift %s)\n", n, ratio[c], ratio[s]
      cw = r(comp[s], comp[c]); dw = r(dec[s], dec[c]); cc = r(compCPU[s], compCPU[c]); dc = r(decCPU[s], decCPU[c])
      if (n != "memcpy" && n != "xxh3") {
        if (cw > 0 && cw < worstWall) { worstWall = cw; worstWallName = n " compress" }
        if (dw > 0 && dw < worstWall) { worstWall = dw; worstWallName = n " decompress" }
        if (cc > 0 && cc < worstCPU) { worstCPU = cc; worstCPUName = n " compress" }
        if (dc > 0 && dc < worstCPU) { worstCPU = dc; worstCPUName = n " decompress" }
      }
      printf "%-18s %6.3f | %9.1f %9.1f %6s %6s | %9s %9s %6s %6s\n", n, ratio[c], comp[c], comp[s], show(cw), show(cc),
        num(dec[c]), num(dec[s]), show(dw), show(dc)
    }
    printf "\nSwift/C = Swift MB/s over C MB/s (best median of the rounds), by wall time and by CPU time.\n"
    printf "worst codec or cipher, wall time: %.3f (%s); CPU time: %.3f (%s). Target >= 0.90: %s by wall time, %s by CPU time\n",
      worstWall, worstWallName, worstCPU, worstCPUName, (worstWall >= 0.9 ? "met" : "NOT met"), (worstCPU >= 0.9 ? "met" : "NOT met")
  }' "$work"/c-*.csv "$work"/swift-*.csv
