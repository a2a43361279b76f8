#!/usr/bin/env bash
# NeuroNative's one entry point (Linux; build.ps1 is the Windows twin with the same verbs).
#   ./build.sh deps    install missing prerequisites (Debian/Ubuntu, apt) and check the .NET SDK
#   ./build.sh build   dotnet build -c Release of the solution (which builds native/ with CMake)
#   ./build.sh test    build, check the generated bindings, run the native (ctest) and .NET tests and the
#                      real-Slurm test (tests/slurm/slurm_e2e.sh), build the managed code for win-x64 and osx-arm64
#   ./build.sh run     the HH parameter exploration of examples/hh_exploration.yaml into out/hh_exploration,
#                      and its firing-rate heat map (out/hh_exploration/*_rate_heatmap.png)
#   ./build.sh bench   benchmarks/run.sh
#   ./build.sh pack    NuGet packages into artifacts/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Debian packages and the file or module that proves each is there, so a ready machine costs no apt call.
APT_PACKAGES=(cmake g++ clang-14 libclang-14-dev python3-clang-14 python3-brian slurm-wlm munge)

# Finds the module without importing it (importing brian2 alone takes seconds). Debian's modules live in
# the system Python, which need not be the python3 first on PATH.
has_module() {
  /usr/bin/python3 -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)' "$1" 2>/dev/null
}

missing_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    case "$pkg" in
      cmake)            command -v cmake >/dev/null ;;
      g++)              command -v g++ >/dev/null ;;
      clang-14)         command -v clang-14 >/dev/null ;;
      libclang-14-dev)  [ -e /usr/lib/llvm-14/lib/libclang-14.so.1 ] ;;
      python3-clang-14) has_module clang.cindex ;;
      python3-brian)    has_module brian2 ;;
      slurm-wlm)        [ -x /usr/sbin/slurmctld ] && [ -x /usr/sbin/slurmd ] && command -v sbatch >/dev/null ;;
      munge)            [ -x /usr/sbin/munged ] ;;
    esac || echo "$pkg"
  done
}

deps() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  if [ -n "$missing" ]; then
    command -v apt-get >/dev/null || {
      echo "build.sh: missing prerequisites (${missing% }); install them with your package manager" >&2
      exit 1
    }
    local sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    echo "build.sh: installing ${missing% }" >&2
    $sudo_cmd apt-get update -qq
    # shellcheck disable=SC2086 # one package per word
    $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
  fi
  if ! command -v dotnet >/dev/null || ! dotnet --list-sdks | grep -q '^10\.'; then
    echo "build.sh: the .NET SDK 10 is required (found: $(dotnet --list-sdks 2>/dev/null | tr '\n' ' ' || true))." >&2
    echo "          Install it: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
    exit 1
  fi
}

build() {
  dotnet build NeuroNative.sln -c Release
}

verb="${1:-}"
case "$verb" in
  deps)
    deps ;;
  build)
    deps
    build ;;
  test)
    deps
    build
    bindings/check.sh
    ctest --test-dir build/native -C Release --output-on-failure --no-tests=ignore
    dotnet test NeuroNative.sln -c Release --no-build
    tests/slurm/slurm_e2e.sh
    managed/check-rids.sh ;;
  run)
    deps
    build
    [ -d managed/NeuroNative.Cli ] || { echo "build.sh: managed/NeuroNative.Cli does not exist yet" >&2; exit 1; }
    dotnet run --project managed/NeuroNative.Cli -c Release -- run examples/hh_exploration.yaml --out out/hh_exploration
    # The example's output is its picture: the firing-rate heat map over the g_na x I grid.
    dotnet run --project managed/NeuroNative.Cli -c Release --no-build -- plot out/hh_exploration ;;
  bench)
    deps
    build
    [ -x benchmarks/run.sh ] || { echo "build.sh: benchmarks/run.sh does not exist yet" >&2; exit 1; }
    benchmarks/run.sh ;;
  pack)
    deps
    dotnet pack NeuroNative.sln -c Release -o artifacts ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2 ;;
esac
