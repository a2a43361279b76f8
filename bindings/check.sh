#!/usr/bin/env bash
# Fails with a diff when the committed generated files no longer match native/include/neuronative.h.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/bindings/generate.sh" --bindings-dir "$tmp/bindings" --tests-dir "$tmp/tests"
stale=0
diff -u "$root/bindings/Generated" "$tmp/bindings" || stale=1
diff -u "$root/tests/NeuroNative.Tests/Interop/Generated" "$tmp/tests" || stale=1
if [ "$stale" -ne 0 ]; then
  echo "bindings/check.sh: generated bindings are stale; run bindings/generate.sh and commit the result" >&2
  exit 1
fi
echo "bindings/check.sh: generated bindings are up to date"
