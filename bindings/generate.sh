#!/usr/bin/env bash
# Regenerates bindings/Generated (and the struct layout tests) from native/include/neuronative.h.
# Extra arguments go to generate.py (check.sh uses them to write elsewhere).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Debian's libclang bindings live in the system Python, not in whatever python3 is first on PATH.
py=/usr/bin/python3
if ! "$py" -c 'import clang.cindex' 2>/dev/null; then
  echo "generate.sh: installing python3-clang-14 (libclang bindings)" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-clang-14 libclang-14-dev
fi
exec "$py" "$here/generate.py" "$@"
