#!/usr/bin/env bash
# `make test-slurm`: a sharded batch on a real one-host Slurm (scripts/slurm-local.sh), end to end.
#
#   scripts/test-slurm.sh PATH-TO-SLUICE       (KEEP=1: keep the work directory, for a post-mortem)
#
# 1. sbatch --array=0-3 packs a generated tree in 4 shards; the 4 manifests merge complete; the packed
#    tree equals an unsharded pack of the same tree file for file; a 4-task unpack array restores the
#    tree byte for byte. The tree holds a 15 MB file and the arrays pack with --shard-split 2M: its eight
#    ranges go to all four tasks, the last to finish assembles them, and the result equals the unsharded
#    pack's file byte for byte (the same --chunk-size on both sides).
# 2. A task killed mid-run (SIGKILL, as when its node dies): the merge reports its shard missing and
#    exits 1; `sbatch --array=2` with --retry-failed reruns only that shard; the second merge is
#    complete, and the tree round-trips byte for byte. The killed task's ranges of the 15 MB file were
#    never written, so the merge also names that file as not assembled; the retry packs them and assembles.
# Every Slurm client call is wrapped in `timeout` (a dead munged makes them hang) and every wait has a
# deadline. Prints the wall time of each array next to the unsharded run (information, not a test).
set -euo pipefail
sluice=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
T=${SLURM_TIMEOUT:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-slurm-test.XXXXXX")
export SLURM_LOCAL_DIR=$work/slurm

cleanup() {
    "$here/slurm-local.sh" stop || true
    if [[ -n ${KEEP:-} ]]; then echo "test-slurm: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail() { echo "test-slurm: FAILED: $*" >&2; exit 1; }
step() { echo "test-slurm: $*"; }

eval "$("$here/slurm-local.sh" start)"
step "cluster up ($(timeout "$T" sinfo -h -o '%P %D node(s) %c CPUs %T'))"

# Submits one array of scripts/slurm-shard.sbatch and prints the job id.
submit() {
    local array=$1; shift
    timeout "$T" sbatch --parsable --array="$array" --cpus-per-task=1 -o "$work/logs/%A_%a.out" \
        "$here/slurm-shard.sbatch" "$sluice" "$@"
}

# Waits (with a deadline) until job $1 has left the queue.
wait_job() {
    local job=$1 deadline=$((SECONDS + ${2:-300}))
    while ((SECONDS < deadline)); do
        [[ -z $(timeout "$T" squeue -h -j "$job" -o %i 2>/dev/null || echo busy) ]] && return 0
        sleep 0.2
    done
    fail "job $job still queued or running after ${2:-300} s"
}

# The states of job $1's tasks, one per line (no accounting here: scontrol keeps finished jobs for MinJobAge).
states() { timeout "$T" scontrol -o show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }

mkdir -p "$work/logs"
python3 "$here/make-tree.py" "$work/src" 1200 100 40000
# A few large files, which go through the chunked pipeline.
mkdir -p "$work/src/big"
python3 - "$work/src/big" <<'PY'
import os, random, sys
rng = random.Random(7)
words = [b"alpha", b"beta", b"gamma", b"delta", b"sluice", b"shard", b"slurm", b"0123456789"]
for i in range(3):
    with open(os.path.join(sys.argv[1], "large%d.log" % i), "wb") as f:
        for _ in range((i + 1) * 25000):
            f.write(b" ".join(rng.choice(words) for _ in range(12)) + b"\n")
# Several times the split threshold below: cut into chunk ranges across the shards.
with open(os.path.join(sys.argv[1], "huge.log"), "wb") as f:
    for _ in range(200000):
        f.write(b" ".join(rng.choice(words) for _ in range(12)) + b"\n")
PY
# The large files' chunk size, the same in the arrays and the unsharded pack, and the split threshold.
split=(--chunk-size 1M --shard-split 2M)
step "tree: $(find "$work/src" -type f | wc -l) files, $(du -sh "$work/src" | cut -f1)"

# --- 1. four shards, merge, compare with the unsharded pack, unpack in four shards, round trip --------
start=$(date +%s.%N)
job=$(submit 0-3 pack "$work/src" "$work/packed" 4 "${split[@]}")
wait_job "$job"
sharded=$(echo "$(date +%s.%N) - $start" | bc)
[[ $(states "$job" | sort -u) == COMPLETED ]] || { cat "$work"/logs/*; fail "pack array $job: $(states "$job" | tr '\n' ' ')"; }
ls "$work"/packed.shard-{0,1,2,3}-of-4.jsonl >/dev/null || fail "a shard manifest is missing"
"$sluice" manifest merge "$work"/packed.shard-*-of-4.jsonl -o "$work/packed.jsonl" || fail "merge of a complete run"
start=$(date +%s.%N)
# With the tasks' one worker, so that large files get the same plan (chunk size) and the outputs can be
# compared byte for byte.
"$sluice" pack "$work/src" -o "$work/whole" -q --workers 1 --chunk-size 1M
whole=$(echo "$(date +%s.%N) - $start" | bc)
diff -r "$work/packed" "$work/whole" >/dev/null || fail "the union of the shards differs from the unsharded pack"
ok=$(grep '"type":"file"' "$work/packed.jsonl" | grep -c '"status":"ok"')
files=$(find "$work/src" -type f | wc -l)
[[ $ok == "$files" ]] || fail "the merged manifest lists $ok files done, the tree has $files"
dups=$(grep -h '"type":"file"' "$work"/packed.shard-*-of-4.jsonl | grep -o '"path":"[^"]*"' | sort | uniq -d | wc -l)
[[ $dups == 0 ]] || fail "$dups files in two shards"
# The huge file: its 2 MiB ranges each in one shard, all four shards taking some; assembled once, no part left.
expected=$(( ($(stat -c %s "$work/src/big/huge.log") + (2 << 20) - 1) / (2 << 20) ))
huge() { grep -h '"path":"big/huge.log"' "$work"/packed.shard-*-of-4.jsonl | grep '"type":"part"'; }
ranges=$(huge | grep -o '"range":[0-9]*' | sort -u | wc -l)
[[ $ranges == "$expected" && $(huge | wc -l) == "$expected" ]] || fail "the huge file's ranges: $ranges of $expected, or one in two shards"
owners=$(huge | grep -o '"shard":[0-9]*' | sort -u | wc -l)
[[ $owners == 4 ]] || fail "the huge file's ranges went to $owners shards, not 4"
[[ $(grep -h '"path":"big/huge.log"' "$work"/packed.shard-*-of-4.jsonl | grep -c '"type":"file"') == 1 ]] || fail "the huge file was not assembled exactly once"
[[ -z $(find "$work/packed" -name '*.sluice-part-*') ]] || fail "parts left behind"
step "pack: 4-task array ${sharded} s (from sbatch to done), unsharded ${whole} s; union = unsharded, no file in two shards; the 15 MB file in $expected ranges over 4 shards, assembled once"

job=$(submit 0-3 unpack "$work/packed" "$work/restored" 4)
wait_job "$job"
[[ $(states "$job" | sort -u) == COMPLETED ]] || { cat "$work"/logs/*; fail "unpack array $job"; }
"$sluice" manifest merge "$work"/restored.shard-*-of-4.jsonl -o "$work/restored.jsonl" -q || fail "merge of the unpack"
diff -r "$work/src" "$work/restored" || fail "the round trip through 4+4 shards differs"
step "unpack: 4-task array, round trip byte for byte"

# --- 2. kill one task mid-run, merge reports it, retry only it -------------------------------------------
# Task 2 runs through a wrapper that writes part of its shard (the files up to 20 kB, with a manifest
# elsewhere), then hangs: killed there, it has left some outputs and no manifest, as a task whose node
# died mid-run does.
cat > "$work/slow-sluice" <<SH
#!/usr/bin/env bash
if [[ \${SLURM_ARRAY_TASK_ID:-} == 2 && ! -e $work/retrying ]]; then
    "$sluice" "\$@" --max-size 20000 --manifest "$work/partial.jsonl" && touch "$work/task2-started" && sleep 600
    exit 1
fi
exec "$sluice" "\$@"
SH
chmod +x "$work/slow-sluice"
sluice_real=$sluice
sluice=$work/slow-sluice
job=$(submit 0-3 pack "$work/src" "$work/packed2" 4 "${split[@]}")
deadline=$((SECONDS + 120))
until [[ -e $work/task2-started ]]; do ((SECONDS < deadline)) || fail "task 2 never started"; sleep 0.2; done
timeout "$T" scancel --signal=KILL --full "${job}_2"
wait_job "$job"
step "killed task ${job}_2 mid-run; tasks: $(states "$job" | sort | uniq -c | tr -s ' \n' ' ')"
[[ ! -e $work/packed2.shard-2-of-4.jsonl ]] || fail "the killed task left a manifest"
if "$sluice_real" manifest merge "$work"/packed2.shard-*-of-4.jsonl -o "$work/packed2.jsonl" 2>"$work/merge.err"; then
    fail "merge with a killed shard exited 0"
fi
grep -q "1 of 4 shards missing: 2" "$work/merge.err" || { cat "$work/merge.err"; fail "merge did not name shard 2 as missing"; }
grep -q "big/huge.log" "$work/merge.err" || { cat "$work/merge.err"; fail "merge did not name the unassembled huge file"; }
[[ ! -e $work/packed2/big/huge.log.slc ]] || fail "the huge file was assembled without shard 2's ranges"
touch "$work/retrying"
partial=$(grep -c '"status":"ok"' "$work/partial.jsonl" || true)
job=$(submit 2 pack "$work/src" "$work/packed2" 4 "${split[@]}" --retry-failed "$work/packed2.jsonl")
wait_job "$job"
[[ $(states "$job" | sort -u) == COMPLETED ]] || { cat "$work"/logs/*; fail "retry job $job"; }
retried=$(grep -c '"status":"ok"' "$work/packed2.retry-2-of-4.jsonl" || true)
resumed=$(grep -c '"status":"up to date"' "$work/packed2.retry-2-of-4.jsonl" || true)
((retried > 0 && partial > 0)) || fail "the killed task wrote $partial files, the retry $retried: nothing was mid-run"
[[ $resumed == "$partial" ]] || fail "the retry found $resumed outputs up to date; the killed task had written $partial"
# (The assembled huge file's own record names the file's shard, not the task's: left out.)
others=$(grep -v '"ranges"' "$work/packed2.retry-2-of-4.jsonl" | grep -c '"shard":[013],' || true)
[[ $others == 0 ]] || fail "the retry of shard 2 touched $others files of other shards"
"$sluice_real" manifest merge "$work/packed2.jsonl" "$work/packed2.retry-2-of-4.jsonl" -o "$work/packed2.final.jsonl" \
    || fail "the merge after the retry is not complete"
sluice=$sluice_real
rm -rf "$work/restored"
"$sluice" unpack "$work/packed2" -o "$work/restored" -q
diff -r "$work/src" "$work/restored" || fail "the round trip after the retry differs"
cmp "$work/packed2/big/huge.log.slc" "$work/whole/big/huge.log.slc" || fail "the huge file assembled after the retry differs from the unsharded one"
step "retry of shard 2 only: $retried files written, $resumed up to date from before the kill; merge complete; round trip byte for byte"
echo "test-slurm: passed"
