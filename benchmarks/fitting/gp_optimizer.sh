#!/usr/bin/env bash
# Benchmark: the optimizer's own time (Ask + Tell, fit.json's timings.optimizer_s) in the HH tutorial fit
# (examples/hh_fit.yaml, 100 samples x 10 rounds, seed 1) with GP against DE in the same script, with each run's CPU
# seconds and best error; --baseline DIR also runs another build's CLI (e.g. main's bin/Release/net10.0) with GP and
# prints this build's speed-up over it.
# usage: benchmarks/fitting/gp_optimizer.sh [--baseline DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
baseline="${2:-}"
[ "${1:-}" = "--baseline" ] || baseline=""
dotnet build managed/NeuroNative.Cli -c Release >/dev/null
out=$(mktemp -d)
run() { # name cli method
  sed "s/method: DE}/method: $3}/; s#\.\./tests#$PWD/tests#" examples/hh_fit.yaml > "$out/$1.yaml"
  /usr/bin/time -f "%U" -o "$out/$1.cpu" "$2" fit "$out/$1.yaml" --out "$out/$1" >/dev/null
  python3 -c "import json; d = json.load(open('$out/$1/fit.json')); print(f\"{d['timings']['optimizer_s']:.3f} {open('$out/$1.cpu').read().split()[-1]} {d['rounds'][-1]['best_error']:.4g}\")"
}
cli=managed/NeuroNative.Cli/bin/Release/net10.0/NeuroNative.Cli
read -r de_s de_cpu de_err <<< "$(run de "$cli" DE)"
read -r gp_s gp_cpu gp_err <<< "$(run gp "$cli" GP)"
echo "DE: optimizer ${de_s} s (process CPU ${de_cpu} s), best error ${de_err}"
echo "GP: optimizer ${gp_s} s (process CPU ${gp_cpu} s), best error ${gp_err}; GP/DE optimizer time $(python3 -c "print(f'{$gp_s / max($de_s, 1e-9):.0f}')")x"
if [ -n "$baseline" ]; then
  read -r b_s b_cpu b_err <<< "$(run base "$baseline/NeuroNative.Cli" GP)"
  echo "baseline GP: optimizer ${b_s} s (process CPU ${b_cpu} s), best error ${b_err}; speed-up $(python3 -c "print(f'{$b_s / $gp_s:.1f}x optimizer time, {$b_cpu / $gp_cpu:.1f}x CPU')")"
fi
rm -rf "$out"
