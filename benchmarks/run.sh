#!/usr/bin/env bash
# Benchmark: Brian 2 cpp_standalone vs NeuroNative on the seed-000 HH parameter exploration
# (100 x 100 neurons, dt 0.1 ms), pA and nA current grids. See benchmarks/README.md.
#
# usage: benchmarks/run.sh [--long] [--brian-only] [--threads N] [--backends "interpreted ..."] [--repeat N] [--out DIR]
#   --long        also run the 10 s configurations (Brian 2 needs minutes for these)
#   --brian-only  run and tabulate only the Brian 2 side
#   --backends    NeuroNative backends: interpreted, compiled, compiled-float32 (the float32 option)
#   --repeat N    run every configuration N times side by side (Brian then NeuroNative each time) and
#                 print the median ratios
set -euo pipefail
cd "$(dirname "$0")/.."

long=0 brian_only=0 threads=2 backends="interpreted compiled compiled-float32" repeat=1 out=out/bench
while [ $# -gt 0 ]; do
  case "$1" in
    --long) long=1 ;;
    --brian-only) brian_only=1 ;;
    --threads) threads="$2"; shift ;;
    --backends) backends="$2"; shift ;;
    --repeat) repeat="$2"; shift ;;
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
# One configuration: Brian 2 (extra arguments to brian2_hh.py) then each NeuroNative backend on
# benchmarks/experiments/CFG.yaml, all into $out/CFG.
# With --repeat N, repetition r goes to $out/r<r>/CFG.
run_config() {
  local cfg="$1" dir="$out/$rep_dir$1" backend precision
  shift
  rm -rf "$dir"
  "$PY" benchmarks/brian2_hh.py "$@" --threads "$threads" --out "$dir/brian2"
  if [ "$brian_only" -eq 0 ]; then
    for backend in $backends; do
      precision=float64
      [ "$backend" = compiled-float32 ] && precision=float32
      dotnet run --project managed/NeuroNative.Cli -c Release --no-build -- \
        run "benchmarks/experiments/$cfg.yaml" --out "$dir/neuronative-$backend" \
        --backend "${backend%-float32}" --precision "$precision" --threads "$threads"
    done
  fi
  configs+=("$dir")
}

for r in $(seq 1 "$repeat"); do
  rep_dir=""; [ "$repeat" -gt 1 ] && rep_dir="r$r/"
  for dur in $durations; do
    for grid in pA nA; do
      run_config "hh_${grid}_${dur}s" --duration "$dur" --grid "$grid"
    done
  done
  # AdEx and LIF current sweeps (10,000 neurons, 1 s): the cheap models, where per-step overhead shows.
  for model in adex lif; do
    run_config "${model}_1s" --model "$model" --duration 1
  done
done

"$PY" benchmarks/compare.py "${configs[@]}"

# The hand-written ceiling (benchmarks/ceiling/hh_ceiling.cpp: the same HH model as one fused loop,
# compiled as Brian compiles: g++ -O3 -march=native -ffast-math), run in this script beside the others.
ceiling=$out/hh_ceiling
g++ -O3 -march=native -ffast-math -fopenmp-simd -std=c++17 -pthread benchmarks/ceiling/hh_ceiling.cpp -o "$ceiling"
for dir in "${configs[@]}"; do
  case "$(basename "$dir")" in hh_*) ;; *) continue ;; esac
  IFS=_ read -r _ grid dur <<<"$(basename "$dir")"
  dur=${dur%s}
  {
    rate=$("$ceiling" "$grid" "$dur" "$threads" "$dir/ceiling_spike_counts.npy")
    "$PY" - "$dir" "$rate" <<'PYEOF'
import json, sys, pathlib
import numpy as np
d, rate = pathlib.Path(sys.argv[1]), float(sys.argv[2])
brian = json.loads((d / 'brian2' / 'brian2.json').read_text())['neuron_steps_per_s']
same = int((np.load(d / 'ceiling_spike_counts.npy') == np.load(d / 'brian2' / 'brian2_spike_counts.npy')).sum())
line = f"{d.name}: hand-written fast-math ceiling {rate:.3e} neuron-steps/s = {rate / brian:.2f} x Brian 2 ({same} of 10000 neurons with Brian's spike counts)"
for backend in ('compiled', 'interpreted'):
    run = d / f'neuronative-{backend}' / 'run.json'
    if run.exists():
        r = json.loads(run.read_text())['neuron_steps_per_s']
        line += f"; {backend} {100 * r / rate:.0f} % of it"
print(line)
PYEOF
  }
done

# How close the compiled backend gets to the machine's arithmetic limit: operations per neuron-step
# from the IR (the generated kernel's cost line), the exponential-Euler update added per variable,
# nn::exp counted as its ~25 arithmetic instructions (reduction and Horner with explicit FMAs, scaling);
# peak = threads x clock x 16 double operations per cycle (Zen 4: AVX-512 on two 256-bit FMA/multiply
# and two 256-bit add pipes; the model arithmetic itself is not contracted: -ffp-contract=off).
if [ "$brian_only" -eq 0 ] && [[ " $backends " == *" compiled "* ]]; then
  cost=$(dotnet run --project managed/NeuroNative.Cli -c Release --no-build -- \
    codegen benchmarks/experiments/hh_nA_1s.yaml --target cpp | sed -n 's|^// cost per neuron-step||p')
  echo "HH per neuron-step$cost"
  "$PY" - "$cost" "$threads" "${configs[@]}" <<'PYEOF'
import json, re, sys, pathlib
cost, threads, dirs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
arith, div, trans = (int(x) for x in re.findall(r'(\d+) ', cost)[:3])
n_state, exp_ops = 4, 25
ops = arith + div + trans * exp_ops + n_state * (5 + exp_ops)  # update: x, B/A, -B/A, +, *, exp
mhz = max(float(l.split(':')[1]) for l in open('/proc/cpuinfo') if l.startswith('cpu MHz'))
peak = threads * mhz * 1e6 * 16
print(f"~{ops} double operations per neuron-step ({trans + n_state} exp); arithmetic limit "
      f"{threads} x {mhz:.0f} MHz x 16 = {peak:.2e} op/s = {peak / ops:.2e} neuron-steps/s")
for d in (d for d in dirs if pathlib.Path(d).name.startswith('hh_')):
    r = json.loads((pathlib.Path(d) / 'neuronative-compiled' / 'run.json').read_text())
    rate = r['neuron_steps_per_s']
    print(f"{pathlib.Path(d).name}: compiled {rate:.2e} neuron-steps/s = {100 * rate * ops / peak:.0f} % of the arithmetic limit")
PYEOF
fi
