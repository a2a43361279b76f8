#!/usr/bin/env bash
# Inference training data streamed from disk against in memory (docs/inference.md, "Scale"): x of 400 MB and 2 GB
# (float32, 1,000 features per simulation) written to a SimulationStore, then one training epoch from disk and from
# memory, each in a process of its own so that its peak RSS is its own.
#   benchmarks/inference/store_scale.sh [DIR]   (DIR: where the stores go, default out/store_scale; about 2.5 GB)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dir="${1:-out/store_scale}"
dotnet build benchmarks/inference/StoreScale -c Release -v q -nologo >/dev/null
program=benchmarks/inference/StoreScale/bin/Release/net10.0/StoreScale.dll
for mb in 400 2000; do
  [ -d "$dir/$mb" ] || dotnet "$program" write "$dir/$mb" "$mb"
  dotnet "$program" disk "$dir/$mb" "$mb"
  # In memory the 2 GB case holds x as double (4 GB) and float32 (2 GB): run it with MEMORY_2GB=1.
  if [ "$mb" = 400 ] || [ "${MEMORY_2GB:-0}" = 1 ]; then dotnet "$program" memory "$mb"; fi
done
