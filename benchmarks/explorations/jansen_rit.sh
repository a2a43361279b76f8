#!/usr/bin/env bash
# Benchmark (issue 10): a 100 x 100 Jansen-Rit exploration (c x ei_ratio, c fastest), 10 s at dt 1e-4, V_e and
# V_i sampled every 1e-3 after a 1 s cutoff, one uniform noise input (120-320) shared by all conditions: Brian 2
# cpp_standalone and NeuroNative (compiled, same threads) on the same equations and the same noise file, in this
# script; the time of each, their ratio, each one's peak memory and the largest deviation between them.
#
# usage: benchmarks/explorations/jansen_rit.sh [--threads N] [--n GRID] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
threads=2 n=100 out=out/bench/jansen_rit
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift ;;
    --n) n="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
PY=/usr/bin/python3
rm -rf "$out"; mkdir -p "$out"
dotnet build managed/NeuroNative.Cli -c Release >/dev/null

# The shared noise: 1e5 steps, one column, seeded.
"$PY" -c "import numpy as np; np.savetxt('$out/noise.csv', np.random.default_rng(1).uniform(120, 320, (100000, 1)), header='u', comments='', fmt='%.17g')"
cat > "$out/jansen_rit_grid.yaml" <<YAML
library: jansen_rit
integration: {method: euler, step_size: 1e-4, duration: 10}
explorations:
  grid:
    parameters:
      c: {lo: 68, hi: 1350, n: $n}
      ei_ratio: {lo: 2, hi: 6, n: $n}
outputs: {variables: [V_e, V_i], sampling_step: 1e-3, cutoff: 1}
inputs: {u: {file: noise.csv}}
YAML

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1 /proc/loadavg)"
"$PY" benchmarks/explorations/brian2_jansen_rit.py --noise "$out/noise.csv" --threads "$threads" --n "$n" --out "$out/brian2"
/usr/bin/time -f '%M' -o "$out/neuronative_peak_kb" dotnet run --project managed/NeuroNative.Cli -c Release --no-build -- \
  run "$out/jansen_rit_grid.yaml" --out "$out/neuronative" --backend compiled --threads "$threads"

"$PY" - "$out" <<'PYEOF'
import json, sys, pathlib
import numpy as np
out = pathlib.Path(sys.argv[1])
b = json.loads((out / 'brian2' / 'brian2.json').read_text())
r = json.loads((out / 'neuronative' / 'grid' / 'run.json').read_text())
nn_peak = int((out / 'neuronative_peak_kb').read_text().split()[-1]) / 1024
worst = 0.0
for name in ('V_e', 'V_i'):
    ours = np.load(out / 'neuronative' / 'grid' / f'state_{name}.npy')
    theirs = np.load(out / 'brian2' / f'{name}.npy')
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    scale = np.maximum(theirs.max(axis=1) - theirs.min(axis=1), 1e-12)[:, None]
    worst = max(worst, float((np.abs(ours - theirs) / scale).max()))
print(f"| simulator | threads | sim s | neuron-steps/s | ratio vs Brian 2 | compile s | peak MB |")
print(f"|---|---:|---:|---:|---:|---:|---:|")
print(f"| brian2 cpp_standalone | {b['threads']} | {b['sim_s']:.2f} | {b['neuron_steps_per_s']:.3e} | 1.00 | {b['compile_s']:.1f} | {b['peak_rss_mb']:.0f} |")
print(f"| neuronative {r['backend']} | {r['threads']} | {r['sim_s']:.2f} | {r['neuron_steps_per_s']:.3e} | "
      f"{r['neuron_steps_per_s'] / b['neuron_steps_per_s']:.2f} | {r['compile_s']:.1f} | {nn_peak:.0f} |")
print(f"largest deviation between the two, relative to each trace's range: {worst:.2e}")
PYEOF
