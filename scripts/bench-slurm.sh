#!/usr/bin/env bash
# Sharding overhead on a one-host Slurm (docs/scale-out.md, "Measured"): a 4-task array
# (`sbatch --array=0-3 --cpus-per-task=1`, each task `--shard auto --workers 1`) against one unsharded
# `sluice pack` of the same tree with every core, alternated run by run, outputs removed and `sync`
# before each run. Time of the array: from sbatch until squeue no longer lists it. CPU: user + sys of the
# unsharded run against the sum over the 4 tasks (GNU time), which the load of other users does not
# inflate the way it does wall times.
#
#   scripts/bench-slurm.sh PATH-TO-SLUICE [RUNS=5] [FILES=30000] [MIN=1000] [MAX=64000]
set -euo pipefail
sluice=$(realpath "$1"); runs=${2:-5}; files=${3:-30000}; low=${4:-1000}; high=${5:-64000}
here=$(cd "$(dirname "$0")" && pwd)
T=10
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-slurm-bench.XXXXXX")
export SLURM_LOCAL_DIR=$work/slurm
trap '"$here/slurm-local.sh" stop || true; rm -rf "$work"' EXIT
eval "$("$here/slurm-local.sh" start)"
python3 "$here/make-tree.py" "$work/src" "$files" "$low" "$high"
echo "tree: $files files, $(du -sh "$work/src" | cut -f1); load $(cut -d' ' -f1-3 /proc/loadavg)"
now() { date +%s.%N; }
# Each run appends "user sys" to $work/cpu.
cat > "$work/timed-sluice" <<SH
#!/usr/bin/env bash
exec /usr/bin/time -a -o "$work/cpu" -f "%U %S" "$sluice" "\$@"
SH
chmod +x "$work/timed-sluice"
cpu() { awk '{s += $1 + $2} END {printf "%.2f", s}' "$work/cpu"; rm -f "$work/cpu"; }
for run in $(seq "$runs"); do
    rm -rf "$work/one" "$work/four" "$work"/four.shard-*; sync
    start=$(now); "$work/timed-sluice" pack "$work/src" -o "$work/one" -q; one=$(echo "$(now) - $start" | bc)
    one_cpu=$(cpu)
    sync
    start=$(now)
    job=$(timeout "$T" sbatch --parsable --array=0-3 --cpus-per-task=1 -o /dev/null \
        "$here/slurm-shard.sbatch" "$work/timed-sluice" pack "$work/src" "$work/four" 4 -q)
    while [[ -n $(timeout "$T" squeue -h -j "$job" -o %i) ]]; do sleep 0.1; done
    four=$(echo "$(now) - $start" | bc)
    four_cpu=$(cpu)
    [[ $(find "$work/four" -type f | wc -l) == "$files" ]] || { echo "array $job did not write every file"; exit 1; }
    printf 'run %d: unsharded %.2f s (CPU %s s), 4-task array %.2f s (CPU %s s): wall ratio %.3f, CPU ratio %.3f (load %s)\n' \
        "$run" "$one" "$one_cpu" "$four" "$four_cpu" "$(echo "$four / $one" | bc -l)" "$(echo "$four_cpu / $one_cpu" | bc -l)" \
        "$(cut -d' ' -f1 /proc/loadavg)"
done
