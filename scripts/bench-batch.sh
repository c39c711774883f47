#!/usr/bin/env bash
# Batch benchmark (docs/batch.md, "Performance"): Sluice on directory trees against its peers, measured
# in the same run, interleaved, medians of REPS runs.
#
#   scripts/bench-batch.sh PATH-TO-SLUICE [WORKDIR]
#
#   small  20,000 text files of 1-16 KiB: sluice pack vs `zstd -r -3 --output-dir-mirror` and `cp -r`;
#          sluice unpack vs `tar -I zstd -xf` of the same tree.
#   large  50 files of 20-200 MB: sluice pack of the tree vs sluice pack of one file of the same total.
#   rss    peak RSS of walking and packing a 200,000-file tree (/usr/bin/time -v).
#
# Environment: SECTIONS ("small large rss"), REPS (3), SMALL_FILES (20000), LARGE_FILES (50),
# LARGE_MIN_MB (20), LARGE_MAX_MB (200), RSS_FILES (200000), CORPUS (.bench/corpus.tar from make bench:
# the large files are cut from it; generated text when it is missing), KEEP=1 keeps the outputs,
# OUTFS=loop|here (loop when root).
#
# Outputs go to a fresh ext4 file system on a loop device (OUTFS=loop, the default as root: a
# preallocated image, direct I/O), in fresh directories, deleted with the image at the end. Two effects of a shared, used file system made the first
# measurements meaningless: ext4 scans recently freed inodes when creating files shortly after many
# were deleted (recently_deleted(): every tool, cp included, up to 10x slower), and syncfs also
# flushes whatever other users of the file system left dirty. Inputs stay where they are (page cache).
set -euo pipefail
sluice=$(realpath "${1:?usage: bench-batch.sh PATH-TO-SLUICE [WORKDIR]}")
here=$(cd "$(dirname "$0")" && pwd)
work=${2:-$here/../.bench/batch}
SECTIONS=${SECTIONS:-small large rss}
REPS=${REPS:-3}
SMALL_FILES=${SMALL_FILES:-20000}
LARGE_FILES=${LARGE_FILES:-50}
LARGE_MIN_MB=${LARGE_MIN_MB:-20}
LARGE_MAX_MB=${LARGE_MAX_MB:-200}
RSS_FILES=${RSS_FILES:-200000}
mkdir -p "$work"
work=$(realpath "$work")
OUTFS=${OUTFS:-$([ "$(id -u)" = 0 ] && echo loop || echo here)}
mounted=""
if [ "$OUTFS" = loop ]; then
    mkdir -p "$work/mnt"
    # Preallocated, and with direct I/O from the loop device to its file, so that writing back goes to
    # the disk once instead of through a second page cache and the host's block allocator.
    fallocate -l 16G "$work/fs.img"
    loopdev=$(losetup --direct-io=on --show -f "$work/fs.img")
    mkfs.ext4 -q -F "$loopdev"
    mount "$loopdev" "$work/mnt"
    mounted="$work/mnt"
    runs="$work/mnt/runs"
else
    runs="$work/runs.$$"
fi
mkdir -p "$runs"
cleanup() {
    if [ -n "$mounted" ]; then
        umount "$mounted" && losetup -d "$loopdev" 2>/dev/null; rm -f "$work/fs.img"
    elif [ "${KEEP:-0}" != 1 ]; then
        rm -rf "$runs"
    fi
}
trap cleanup EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Wall seconds of a command appended to the file named by $1, and its CPU seconds (user + sys) to $1.cpu.
# A sync first (not timed), so that no run pays for writing back what the previous one left dirty:
# Sluice's own final syncfs would otherwise flush the peers' outputs too.
timed() {
    local into=$1; shift
    sync
    /usr/bin/time -o "$runs/last.time" -f "%e %U %S" "$@" >"$runs/last.out" 2>"$runs/last.err" \
        || { echo "bench: failed: $*" >&2; cat "$runs/last.err" >&2; exit 1; }
    awk '{ print $1 }' "$runs/last.time" >>"$into"
    awk '{ print $2 + $3 }' "$runs/last.time" >>"$into.cpu"
}
rate() { echo "scale=1; $1 / $2" | bc -l; }
# Median over the reps of (line i of file $1) / (line i of file $2): each ratio compares runs made
# back to back, which cancels the load other users put on the machine better than a ratio of medians.
paired() { paste "$1" "$2" | awk '{ printf "%.3f\n", $1 / $2 }' | median; }

echo "bench-batch: outputs on $([ -n "$mounted" ] && echo 'a fresh ext4 loop file system' || echo "$runs"), $(nproc) cores, sluice $("$sluice" --version), $(zstd --version | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ " $SECTIONS " == *" small "* ]]; then
    tree="$work/small-$SMALL_FILES"
    [ -d "$tree" ] || python3 "$here/make-tree.py" "$tree" "$SMALL_FILES" 1024 16384
    bytes=$(du -sb --apparent-size "$tree" | cut -f1)
    [ -f "$tree.tar.zst" ] || tar -C "$work" -I 'zstd -3' -cf "$tree.tar.zst" "$(basename "$tree")"
    packed="$runs/packed"
    "$sluice" pack "$tree" -o "$packed" -q
    tar -C / -cf /dev/null "${tree#/}" "${packed#/}" "${tree#/}.tar.zst"   # warm the page cache
    sync
    for tool in cp zstd pack tarx unpack; do : >"$runs/$tool.s"; : >"$runs/$tool.s.cpu"; done
    : >"$runs/pack.sync"; : >"$runs/unpack.sync"
    for rep in $(seq "$REPS"); do
        timed "$runs/cp.s" cp -r "$tree" "$runs/cp-$rep"
        timed "$runs/zstd.s" zstd -r -3 -q --output-dir-mirror "$runs/zstd-$rep" "$tree"
        timed "$runs/pack.s" "$sluice" pack "$tree" -o "$runs/pack-$rep" --log-format json
        grep '"summary"' "$runs/last.out" | grep -o '"sync_seconds":[0-9.]*' | cut -d: -f2 >>"$runs/pack.sync"
        mkdir "$runs/tar-$rep"
        timed "$runs/tarx.s" tar -I zstd -xf "$tree.tar.zst" -C "$runs/tar-$rep"
        timed "$runs/unpack.s" "$sluice" unpack "$packed" -o "$runs/unpack-$rep" --log-format json
        grep '"summary"' "$runs/last.out" | grep -o '"sync_seconds":[0-9.]*' | cut -d: -f2 >>"$runs/unpack.sync"
        sync
    done
    n=$SMALL_FILES
    for tool in cp zstd pack tarx unpack; do eval "m_$tool=$(median <"$runs/$tool.s")"; done
    echo
    echo "(ratios: median over the reps of each rep's ratio; speeds: from median times)"
    echo "small files: $n files, $((bytes / 1048576)) MiB, medians of $REPS (seconds: cp $(paste -sd' ' "$runs/cp.s"); zstd $(paste -sd' ' "$runs/zstd.s"); pack $(paste -sd' ' "$runs/pack.s"); tar -x $(paste -sd' ' "$runs/tarx.s"); unpack $(paste -sd' ' "$runs/unpack.s"))"
    printf '  %-44s %8s s %10s files/s\n' "cp -r" "$m_cp" "$(rate "$n" "$m_cp")"
    printf '  %-44s %8s s %10s files/s\n' "zstd -r -3 --output-dir-mirror" "$m_zstd" "$(rate "$n" "$m_zstd")"
    printf '  %-44s %8s s %10s files/s   %sx zstd (target 3), %sx cp (target 0.5)\n' "sluice pack (incl. its syncfs)" "$m_pack" \
        "$(rate "$n" "$m_pack")" "$(paired "$runs/zstd.s" "$runs/pack.s")" "$(paired "$runs/cp.s" "$runs/pack.s")"
    printf '  %-44s %8s s %10s files/s\n' "tar -I zstd -xf" "$m_tarx" "$(rate "$n" "$m_tarx")"
    printf '  %-44s %8s s %10s files/s   %sx tar (target 1.0)\n' "sluice unpack (incl. its syncfs)" "$m_unpack" \
        "$(rate "$n" "$m_unpack")" "$(paired "$runs/tarx.s" "$runs/unpack.s")"
    echo "  sluice's final syncfs (median): pack $(median <"$runs/pack.sync") s, unpack $(median <"$runs/unpack.sync") s; without it: pack $(rate "$n" "$(echo "$m_pack - $(median <"$runs/pack.sync")" | bc -l)") files/s, unpack $(rate "$n" "$(echo "$m_unpack - $(median <"$runs/unpack.sync")" | bc -l)") files/s"
    echo "  CPU seconds (user + sys, median): cp $(median <"$runs/cp.s.cpu"), zstd $(median <"$runs/zstd.s.cpu"), pack $(median <"$runs/pack.s.cpu"), tar -x $(median <"$runs/tarx.s.cpu") (with its zstd child), unpack $(median <"$runs/unpack.s.cpu")"
fi

if [[ " $SECTIONS " == *" large "* ]]; then
    large="$work/large-$LARGE_FILES-$LARGE_MIN_MB-$LARGE_MAX_MB"
    if [ ! -d "$large" ]; then
        python3 - "$large" "$LARGE_FILES" "$LARGE_MIN_MB" "$LARGE_MAX_MB" "${CORPUS:-$here/../.bench/corpus.tar}" <<'PY'
import os, random, sys
root, count, low, high, corpus = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rng = random.Random(7)
if os.path.exists(corpus):
    with open(corpus, "rb") as f:
        blob = f.read()
else:
    blob = b"".join(b"%d some generated text that compresses like logs do, %x\n" % (i, i * 2654435761) for i in range(4_000_000))
os.makedirs(root)
for index in range(count):
    size = rng.randint(low << 20, high << 20)
    with open(os.path.join(root, "part%02d.bin" % index), "wb") as f:
        written = 0
        while written < size:
            start = rng.randrange(0, len(blob) - (1 << 20))
            piece = blob[start:start + min(size - written, rng.randint(1 << 20, 16 << 20))]
            f.write(piece)
            written += len(piece)
PY
        cat "$large"/part*.bin >"$large.single"
    fi
    total=$(du -sb --apparent-size "$large" | cut -f1)
    cat "$large"/part*.bin "$large.single" >/dev/null
    : >"$runs/tree.s"; : >"$runs/single.s"; : >"$runs/singlesync.s"; : >"$runs/tree.s.cpu"; : >"$runs/single.s.cpu"; : >"$runs/singlesync.s.cpu"
    sync
    for rep in $(seq "$REPS"); do
        timed "$runs/tree.s" "$sluice" pack "$large" -o "$runs/tree-$rep"
        sync
        timed "$runs/single.s" "$sluice" pack "$large.single" -o "$runs/single-$rep.slc"
        sync
        timed "$runs/singlesync.s" "$sluice" pack --sync "$large.single" -o "$runs/singlesync-$rep.slc"
        rm -rf "$runs/tree-$rep" "$runs/single-$rep.slc" "$runs/singlesync-$rep.slc"   # 50 files: no inode-scan effect
        sync
    done
    m_tree=$(median <"$runs/tree.s"); m_single=$(median <"$runs/single.s"); m_ss=$(median <"$runs/singlesync.s")
    mb() { echo "scale=0; $total / $1 / 1000000" | bc -l; }
    echo
    echo "large files: $LARGE_FILES files of $LARGE_MIN_MB-$LARGE_MAX_MB MB, $((total / 1000000)) MB, medians of $REPS (tree $(paste -sd' ' "$runs/tree.s"); single $(paste -sd' ' "$runs/single.s"); single --sync $(paste -sd' ' "$runs/singlesync.s"))"
    printf '  %-44s %8s s %6s MB/s\n' "sluice pack TREE (incl. its syncfs)" "$m_tree" "$(mb "$m_tree")"
    printf '  %-44s %8s s %6s MB/s   tree = %sx (target 0.9)\n' "sluice pack ONE FILE --sync" "$m_ss" "$(mb "$m_ss")" "$(paired "$runs/singlesync.s" "$runs/tree.s")"
    printf '  %-44s %8s s %6s MB/s   tree = %sx\n' "sluice pack ONE FILE (no fsync)" "$m_single" "$(mb "$m_single")" "$(paired "$runs/single.s" "$runs/tree.s")"
fi

if [[ " $SECTIONS " == *" rss "* ]]; then
    rss="$work/rss-$RSS_FILES"
    [ -d "$rss" ] || python3 "$here/make-tree.py" "$rss" "$RSS_FILES" 256 4096
    /usr/bin/time -v "$sluice" pack "$rss" -o "$runs/rss-out" -q 2>"$runs/rss.time"
    peak=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$runs/rss.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$runs/rss.time")
    echo
    echo "peak RSS packing $RSS_FILES files: $((peak / 1024)) MiB (target < 256 MiB), wall $wall"
fi
