#!/usr/bin/env bash
# Benchmark: Brian 2 cpp_standalone vs NeuroNative on the seed-000 HH parameter exploration
# (100 x 100 neurons, dt 0.1 ms), pA and nA current grids. See benchmarks/README.md.
#
# usage: benchmarks/run.sh [--long] [--brian-only] [--threads N] [--backends "interpreted ..."] [--out DIR]
#   --long        also run the 10 s configurations (Brian 2 needs minutes for these)
#   --brian-only  run and tabulate only the Brian 2 side
set -euo pipefail
cd "$(dirname "$0")/.."

long=0 brian_only=0 threads=2 backends="interpreted" out=out/bench
while [ $# -gt 0 ]; do
  case "$1" in
    --long) long=1 ;;
    --brian-only) brian_only=1 ;;
    --threads) threads="$2"; shift ;;
    --backends) backends="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# Brian 2 comes from Debian and imports only in the system Python.
PY=/usr/bin/python3
if ! "$PY" -c 'import brian2' 2>/dev/null; then
  echo "brian2 not importable in $PY: installing python3-brian" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update && $sudo apt-get install -y python3-brian
fi

durations="1"; [ "$long" -eq 1 ] && durations="1 10"

if [ "$brian_only" -eq 0 ]; then
  dotnet build managed/NeuroNative.Cli -c Release
fi

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
configs=()
for dur in $durations; do
  for grid in pA nA; do
    cfg="hh_${grid}_${dur}s"
    dir="$out/$cfg"
    rm -rf "$dir"
    "$PY" benchmarks/brian2_hh.py --duration "$dur" --grid "$grid" --threads "$threads" --out "$dir/brian2"
    if [ "$brian_only" -eq 0 ]; then
      for backend in $backends; do
        dotnet run --project managed/NeuroNative.Cli -c Release --no-build -- \
          run "benchmarks/experiments/$cfg.yaml" --out "$dir/neuronative-$backend" \
          --backend "$backend" --threads "$threads"
      done
    fi
    configs+=("$dir")
  done
done

"$PY" benchmarks/compare.py "${configs[@]}"
