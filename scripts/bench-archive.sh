#!/usr/bin/env bash
# Archive benchmark (docs/performance.md, "Archives"): `sluice pack --archive` and `sluice unpack` of an
# archive against tar with zstd, measured in the same run, alternated, medians of REPS runs.
#
#   scripts/bench-archive.sh PATH-TO-SLUICE [WORKDIR]
#
#   small  the 20,000-file text tree of scripts/bench-batch.sh (scripts/make-tree.py)
#   mixed  the 50,000-file mixed tree of scripts/make-mixed-tree.py (text, binaries, 3 files of 50-200 MB)
#          each: create   tar -I 'zstd -T0' -cf   vs  sluice pack DIR --archive -o A.tar.slc
#                extract  tar -I zstd -xf         vs  sluice unpack A.tar.slc -o DIR
#                sizes, peak RSS (/usr/bin/time %M)
#   list   a 200,000-member archive: time and peak RSS of `sluice list`, peak RSS of its creation
#   one    a 4 GiB archive (incompressible data, 4 MiB chunks) with one small member in the middle:
#          `sluice unpack --only` of that member, its time and the chunks it decoded
#
# Environment: SECTIONS ("small mixed list one"), REPS (3). Outputs under WORKDIR/runs (deleted at the
# end); the trees are kept in WORKDIR (default .bench/archive) for the next run.
set -euo pipefail
sluice=$(realpath "${1:?usage: bench-archive.sh PATH-TO-SLUICE [WORKDIR]}")
here=$(cd "$(dirname "$0")" && pwd)
work=${2:-$here/../.bench/archive}
SECTIONS=${SECTIONS:-small mixed list one}
REPS=${REPS:-3}
mkdir -p "$work"
work=$(realpath "$work")
runs="$work/runs.$$"
mkdir -p "$runs"
trap 'rm -rf "$runs"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Appends wall seconds to $1, CPU seconds (user + sys) to $1.cpu, peak RSS (KiB) to $1.rss.
timed() {
    local into=$1; shift
    sync
    /usr/bin/time -o "$runs/last.time" -f "%e %U %S %M" "$@" >"$runs/last.out" 2>"$runs/last.err" \
        || { echo "bench: failed: $*" >&2; cat "$runs/last.err" >&2; exit 1; }
    awk '{ print $1 }' "$runs/last.time" >>"$into"
    awk '{ print $2 + $3 }' "$runs/last.time" >>"$into.cpu"
    awk '{ print $4 }' "$runs/last.time" >>"$into.rss"
}
# Median over the reps of (line i of $1) / (line i of $2): runs made back to back.
paired() { paste "$1" "$2" | awk '{ printf "%.3f\n", $1 / $2 }' | median; }

echo "bench-archive: $(nproc) cores, sluice $("$sluice" --version), $(zstd --version | head -1), $(tar --version | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"

compare() {  # compare NAME TREE
    local name=$1 tree=$2 parent base
    parent=$(dirname "$tree"); base=$(basename "$tree")
    local files bytes
    files=$(find "$tree" -type f | wc -l); bytes=$(du -sb --apparent-size "$tree" | cut -f1)
    tar -C "$parent" -cf /dev/null "$base"   # warm the page cache
    for t in tarc packc tarx unpackx; do : >"$runs/$t.s"; : >"$runs/$t.s.cpu"; : >"$runs/$t.s.rss"; done
    for rep in $(seq "$REPS"); do
        rm -f "$runs/t.tar.zst" "$runs/s.tar.slc"
        timed "$runs/tarc.s" tar -C "$parent" -I 'zstd -T0' -cf "$runs/t.tar.zst" "$base"
        timed "$runs/packc.s" "$sluice" pack "$tree" --archive -o "$runs/s.tar.slc" -q
        rm -rf "$runs/tx" "$runs/sx"; mkdir "$runs/tx"
        timed "$runs/tarx.s" tar -I zstd -xf "$runs/t.tar.zst" -C "$runs/tx"
        timed "$runs/unpackx.s" "$sluice" unpack "$runs/s.tar.slc" -o "$runs/sx" -q
    done
    local tsize ssize
    tsize=$(stat -c %s "$runs/t.tar.zst"); ssize=$(stat -c %s "$runs/s.tar.slc")
    echo "$name: $files files, $((bytes / 1048576)) MiB; medians of $REPS, alternated"
    printf '  %-34s %7s s  CPU %6s s  RSS %6s MiB  size %s\n' "tar -I 'zstd -T0' -cf" "$(median <"$runs/tarc.s")" \
        "$(median <"$runs/tarc.s.cpu")" "$(($(median <"$runs/tarc.s.rss") / 1024))" "$tsize"
    printf '  %-34s %7s s  CPU %6s s  RSS %6s MiB  size %s (%s of tar)  create x%s tar (goal 1.5)\n' "sluice pack --archive" \
        "$(median <"$runs/packc.s")" "$(median <"$runs/packc.s.cpu")" "$(($(median <"$runs/packc.s.rss") / 1024))" "$ssize" \
        "$(echo "scale=4; $ssize / $tsize" | bc)" "$(paired "$runs/tarc.s" "$runs/packc.s")"
    printf '  %-34s %7s s  CPU %6s s\n' "tar -I zstd -xf" "$(median <"$runs/tarx.s")" "$(median <"$runs/tarx.s.cpu")"
    printf '  %-34s %7s s  CPU %6s s  RSS %6s MiB  extract x%s tar (goal 2)\n' "sluice unpack" "$(median <"$runs/unpackx.s")" \
        "$(median <"$runs/unpackx.s.cpu")" "$(($(median <"$runs/unpackx.s.rss") / 1024))" "$(paired "$runs/tarx.s" "$runs/unpackx.s")"
    rm -rf "$runs/tx" "$runs/sx" "$runs/t.tar.zst" "$runs/s.tar.slc"
}

if [[ " $SECTIONS " == *" small "* ]]; then
    tree="$work/small-20000"
    [ -d "$tree" ] || python3 "$here/make-tree.py" "$tree" 20000 1024 16384
    compare "small (20,000 text files)" "$tree"
fi

if [[ " $SECTIONS " == *" mixed "* ]]; then
    tree="$work/mixed-50000"
    [ -d "$tree" ] || python3 "$here/make-mixed-tree.py" "$tree" 50000 3
    compare "mixed (50,000 files + 3 large)" "$tree"
fi

if [[ " $SECTIONS " == *" list "* ]]; then
    tree="$work/many-200000"
    [ -d "$tree" ] || python3 "$here/make-tree.py" "$tree" 200000 16 256
    : >"$runs/c20.s"; : >"$runs/c200.s"; : >"$runs/list.s"
    [ -d "$work/small-20000" ] || python3 "$here/make-tree.py" "$work/small-20000" 20000 1024 16384
    timed "$runs/c20.s" "$sluice" pack "$work/small-20000" --archive -o "$runs/m20.tar.slc" -q
    timed "$runs/c200.s" "$sluice" pack "$tree" --archive -o "$runs/m.tar.slc" -q
    for rep in $(seq "$REPS"); do timed "$runs/list.s" "$sluice" list "$runs/m.tar.slc"; done
    echo "list: $(wc -l <"$runs/last.out") members listed in $(median <"$runs/list.s") s (goal < 0.5), peak RSS $(($(median <"$runs/list.s.rss") / 1024)) MiB (goal < 128)"
    echo "create peak RSS: 20,000 members $(($(cat "$runs/c20.s.rss") / 1024)) MiB, 200,000 members $(($(cat "$runs/c200.s.rss") / 1024)) MiB (flat in tree size)"
    rm -f "$runs/m.tar.slc" "$runs/m20.tar.slc"
fi

if [[ " $SECTIONS " == *" one "* ]]; then
    tree="$work/four-gib"
    if [ ! -d "$tree" ]; then
        mkdir -p "$tree"
        for i in $(seq -w 0 19); do head -c 107374182 /dev/urandom >"$tree/a$i.bin"; done
        echo "the one small member" >"$tree/m-small.txt"
        for i in $(seq -w 0 19); do head -c 107374182 /dev/urandom >"$tree/z$i.bin"; done
    fi
    "$sluice" pack "$tree" --archive -o "$runs/big.tar.slc" --chunk-size 4M -q
    : >"$runs/one.s"
    for rep in $(seq "$REPS"); do
        rm -rf "$runs/one"
        timed "$runs/one.s" "$sluice" unpack "$runs/big.tar.slc" -o "$runs/one" --only 'm-small.txt' --log-format json
    done
    chunks=$(grep -o '"chunks":[0-9]*' "$runs/last.out" | cut -d: -f2)
    echo "one member of a $(($(stat -c %s "$runs/big.tar.slc") >> 20)) MiB archive: $(median <"$runs/one.s") s (goal < 0.05), $chunks chunks decoded (goal <= 2)"
fi
