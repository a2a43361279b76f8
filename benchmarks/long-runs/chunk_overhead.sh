#!/usr/bin/env bash
# Benchmark: the cost of chunks, the catalog and in-chunk snapshots (issue 11) on the seed-000 sweep (HH nA, 1 s,
# 10,000 conditions, compiled): one piece (--chunk-size 10000, no snapshots) against the default chunks, and against
# the default chunks with a snapshot every second, run alternately; prints the median wall times and their ratios.
#
# usage: benchmarks/long-runs/chunk_overhead.sh [--repeat N] [--threads N] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

repeat=3 threads=2 out=out/bench-chunks
while [ $# -gt 0 ]; do
  case "$1" in
    --repeat) repeat="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

dotnet build managed/NeuroNative.Cli -c Release >/dev/null
cli=(dotnet managed/NeuroNative.Cli/bin/Release/net10.0/NeuroNative.Cli.dll)
exp=benchmarks/experiments/hh_nA_1s.yaml
mkdir -p "$out"
declare -A options=(
  [one_piece]="--chunk-size 10000 --snapshot-every 0"
  [chunks]="--snapshot-every 0"
  [chunks_snapshots_1s]="--snapshot-every 1"
)
order=(one_piece chunks chunks_snapshots_1s)
# The kernel is built (and cached) once before timing.
"${cli[@]}" run "$exp" --out "$out/warm" --backend compiled --threads "$threads" >/dev/null 2>&1
for ((k = 0; k < repeat; k++)); do
  for name in "${order[@]}"; do
    rm -rf "$out/$name"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086 # options are words
    "${cli[@]}" run "$exp" --out "$out/$name" --backend compiled --threads "$threads" ${options[$name]} >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$name $(echo "$end - $start" | bc)" >> "$out/times.txt"
    cmp -s "$out/one_piece/spike_counts.npy" "$out/$name/spike_counts.npy" || { echo "$name: results differ" >&2; exit 1; }
  done
done
python3 - "$out/times.txt" <<'PY'
import sys, statistics, collections
t = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, s = line.split()
    t[name].append(float(s))
base = statistics.median(t["one_piece"])
for name, v in t.items():
    m = statistics.median(v)
    print(f"{name:22s} median {m:7.2f} s over {len(v)} runs  ratio to one piece {m / base:.3f}")
PY
rm -f "$out/times.txt"
