#!/usr/bin/env bash
# The SBI tutorial's two-parameter HH case (examples/infer_hh.yaml) end to end, simulations on THREADS threads (default
# 2), LibTorch on one: 15,000
# simulations, SNPE with a MAF, 10,000 draws, SBC on 200 held-out prior simulations. Prints the time of each phase and
# the acceptance checks (truth inside the central 95 %, posterior mean within 10 %, SBC uniform); exits 1 if one fails.
#   benchmarks/inference/hh_sbi.sh [THREADS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
threads="${1:-2}"
dotnet build benchmarks/inference/HhSbi -c Release -v q -nologo >/dev/null
program=benchmarks/inference/HhSbi/bin/Release/net10.0/HhSbi.dll
[ -f tests/data/inference/hh_sbi/output_traces.csv ] || dotnet "$program" data examples/infer_hh.yaml
# The wall clock includes the .NET and LibTorch start.
/usr/bin/time -f "wall clock %e s, peak memory %M kB" dotnet "$program" run examples/infer_hh.yaml out/infer_hh "$threads"
