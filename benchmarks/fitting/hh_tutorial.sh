#!/usr/bin/env bash
# Benchmark: the brian2modelfitting HH tutorial fit (DE, 100 samples, 10 rounds) with NeuroNative's TraceFitter
# against Brian 2 simulating the same 10 rounds of 500 neurons (runtime, cython), in one script; prints the ratio, and
# a table of Refine from each seed's best with finite-difference and sensitivity-equation Jacobians.
# usage: benchmarks/fitting/hh_tutorial.sh [--seeds N]
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=5
[ "${1:-}" = "--seeds" ] && seeds="$2"
data=tests/data/reference/hh_fitting_tutorial
dotnet build benchmarks/Fitting -c Release >/dev/null
nn=$(dotnet benchmarks/Fitting/bin/Release/net10.0/Fitting.dll --seeds "$seeds" --data "$data" | tee /dev/stderr | sed -n 's/.*median fit \([0-9.]*\) s.*/\1/p')
brian=$(/usr/bin/python3 benchmarks/fitting/brian2_hh_rounds.py "$data" cython | tee /dev/stderr | sed -n 's/.* rounds in \([0-9.]*\) s.*/\1/p')
python3 -c "print(f'Brian 2 simulating the rounds: {$brian:.3f} s; NeuroNative fitting (simulation + DE): {$nn:.3f} s; ratio {$brian / $nn:.1f}x')"
