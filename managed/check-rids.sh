#!/usr/bin/env bash
# Builds the managed projects for the runtime identifiers this machine cannot build the native core
# for (what CI can check of the Windows and macOS packages): each build must succeed, say that the
# native library is missing, and not pick up this machine's library. Outputs go to a temporary
# folder, apart from the regular build's bin/ and obj/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
for rid in win-x64 osx-arm64; do
  # No app host: its pack for another RID may not be in an offline NuGet cache, and it is not what this checks.
  if ! dotnet build managed/NeuroNative.Cli/NeuroNative.Cli.csproj -c Release -r "$rid" -p:UseAppHost=false \
       --artifacts-path "$out/$rid" >"$out/$rid.log" 2>&1; then
    echo "check-rids: the $rid build failed:" >&2; tail -20 "$out/$rid.log" >&2; status=1; continue
  fi
  grep -q "NeuroNative: building for $rid on" "$out/$rid.log" || { echo "check-rids: $rid: no notice about the native library" >&2; status=1; }
  if find "$out/$rid/bin" -name 'libneuronative.so' | grep -q .; then
    echo "check-rids: $rid: the output contains this machine's libneuronative.so" >&2; status=1
  fi
  echo "check-rids: $rid: managed build ok"
done
exit $status
