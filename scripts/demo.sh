#!/usr/bin/env bash
# `make demo`: pack → unpack round trip on generated data, with sizes, ratio and throughput.
set -euo pipefail
sluice=${1:?usage: demo.sh PATH-TO-SLUICE}
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

# About 128 MiB of realistic data: text (docs, headers) and binaries (libraries) from this machine.
echo "demo: building a 128 MiB sample from files on this machine in $work"
{
  find /usr/share/doc /usr/include /usr/share/perl* /usr/lib/python3* -type f -size -4M 2>/dev/null | head -20000 | xargs cat 2>/dev/null
  find /usr/lib/x86_64-linux-gnu /usr/bin -type f -size -16M 2>/dev/null | head -400 | xargs cat 2>/dev/null
} | head -c $((128 << 20)) > "$work/sample" || true
ls -l "$work/sample" | awk '{printf "demo: sample is %d bytes\n", $5}'

run() { echo "+ $*"; "$@"; }
run "$sluice" pack -v "$work/sample" -o "$work/sample.slc"
run "$sluice" inspect "$work/sample.slc"
run "$sluice" unpack -v "$work/sample.slc" -o "$work/sample.out"
cmp "$work/sample" "$work/sample.out" && echo "demo: round trip OK (byte for byte)"

"$sluice" keygen -o "$work/demo.key"
run "$sluice" pack -v --codec lz4 --key-file "$work/demo.key" "$work/sample" -o "$work/sample.lz4.slc"
run "$sluice" unpack -v --key-file "$work/demo.key" "$work/sample.lz4.slc" -o "$work/sample.lz4.out"
cmp "$work/sample" "$work/sample.lz4.out" && echo "demo: encrypted round trip OK (lz4 + aes-256-gcm)"
