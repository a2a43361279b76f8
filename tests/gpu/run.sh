#!/usr/bin/env bash
# The GPU test suite and benchmark (docs/gpu.md). The GPU machine has no .NET, so the suite travels as a
# self-contained linux-x64 build:
#
#   tests/gpu/run.sh build   on a machine with the .NET 10 SDK (after ./build.sh build): publishes
#                            tests/gpu/GpuSuite self-contained with libneuronative.so, the headers and the
#                            reference data into artifacts/gpu/gpusuite-linux-x64.tar.xz (~37 MB, 1-2 min)
#   tests/gpu/run.sh         on the GPU machine (builds first where dotnet exists and the archive is missing):
#                            unpacks the archive, runs `GpuSuite check` (every reference case in float64 and
#                            float32 on the GPU against the CPU interpreter: identical spikes, deviations within
#                            1e-9 of the range in float64, NVRTC compile and cached start times; ~2 min) and
#                            `GpuSuite bench` (the seed-000 HH model at 10^4..10^7 neurons; ~3 min), and writes both
#                            tables to $OUT (the device tool's output folder) or out/gpu/.
#
# From a session with a GPU lent (15 min of device time in all, the machine's start included):
#   tests/gpu/run.sh build
#   run(command="tests/gpu/run.sh", carry=["artifacts/gpu/gpusuite-linux-x64.tar.xz"], timeout_s=540)
# Exit code: 0 when every check passed and the benchmark's spike counts agree; 3 when there is no GPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
archive=artifacts/gpu/gpusuite-linux-x64.tar.xz

build() {
  if [ ! -f build/native/lib/libneuronative.so ]; then ./build.sh build; fi
  rm -rf artifacts/gpu/publish
  dotnet publish tests/gpu/GpuSuite -c Release -r linux-x64 --self-contained \
    -p:NeuroNativeSkipNative=true -p:NeuroNativeNativeDir="$PWD/build/native/lib/" -o artifacts/gpu/publish
  tar -C artifacts/gpu/publish -cf - . | xz -T0 -6 > "$archive"
  rm -rf artifacts/gpu/publish
  echo "tests/gpu/run.sh: $archive ($(du -h "$archive" | cut -f1))"
}

if [ "${1:-}" = build ]; then build; exit 0; fi
if [ ! -f "$archive" ]; then
  if command -v dotnet >/dev/null; then build; else
    echo "tests/gpu/run.sh: $archive is missing and there is no .NET here: run 'tests/gpu/run.sh build' on a machine with the SDK and carry the archive" >&2
    exit 2
  fi
fi

out="${OUT:-out/gpu}"
mkdir -p "$out"
suite=$(mktemp -d)
tar -C "$suite" -xJf "$archive"
# NVRTC from the CUDA toolkit when it is not on the library path.
if [ -z "${NEURONATIVE_NVRTC:-}" ] && ! ldconfig -p 2>/dev/null | grep -q 'libnvrtc\.so'; then
  for f in /usr/local/cuda*/lib64/libnvrtc.so.* /usr/local/cuda*/targets/x86_64-linux/lib/libnvrtc.so.*; do
    case "$f" in *builtins*|*alt*) continue ;; esac
    [ -f "$f" ] && export NEURONATIVE_NVRTC="$f" && break
  done
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee "$out/nvidia-smi.txt" || true
cache="$suite/.kernel-cache"
status=0
timeout 300 "$suite/GpuSuite" check "$cache" 2>&1 | tee "$out/gpu-check.md" || status=$?
timeout 300 "$suite/GpuSuite" bench "$cache" 2>&1 | tee "$out/gpu-bench.md" || status=$((status == 0 ? $? : status))
echo
echo "tests/gpu/run.sh: tables in $out/gpu-check.md and $out/gpu-bench.md (exit $status)"
rm -rf "$suite"
exit "$status"
