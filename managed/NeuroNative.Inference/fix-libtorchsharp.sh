#!/usr/bin/env bash
# Makes TorchSharp's native shim load on systems whose libstdc++ predates GCC 13 (Debian 12: up to GLIBCXX_3.4.30).
# libLibTorchSharp.so asks for GLIBCXX_3.4.32 only for _ZSt21ios_base_library_initv, a marker symbol no relocation
# uses (docs/inference.md). Setting VER_FLG_WEAK on that one version requirement (one byte in .gnu.version_r) lets
# the loader accept the library. Nothing is changed where the system libstdc++ has the version, and the patch is
# refused unless the library looks exactly as described. Idempotent; run by NeuroNative.Inference.csproj on build.
#   fix-libtorchsharp.sh PATH/TO/libLibTorchSharp.so
set -euo pipefail
lib="${1:?usage: fix-libtorchsharp.sh PATH/TO/libLibTorchSharp.so}"
version=GLIBCXX_3.4.32
marker=_ZSt21ios_base_library_initv
say() { echo "fix-libtorchsharp: $*" >&2; }

[ -f "$lib" ] || { say "$lib does not exist (was the TorchSharp package restored?)"; exit 1; }
command -v readelf >/dev/null || { say "readelf (binutils) is needed to check $lib; install binutils"; exit 1; }

stdcxx=$( (/sbin/ldconfig -p 2>/dev/null || ldconfig -p) | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
[ -n "$stdcxx" ] || { say "no x86-64 libstdc++.so.6 found through ldconfig; install libstdc++6"; exit 1; }
if grep -qa "$version" "$stdcxx"; then
  exit 0   # the system library provides the version: leave TorchSharp as shipped
fi

entry=$(readelf -V --wide "$lib" | awk -v v="$version" '$2 == "Name:" && $3 == v {sub(":", "", $1); print $1, $5; exit}')
[ -n "$entry" ] || exit 0   # this build of the library does not need the version
read -r entry_off flags <<<"$entry"
[ "$flags" = "WEAK" ] && exit 0   # already patched

# Only the marker may be bound to the version; anything else would really be missing at run time.
others=$(readelf --dyn-syms --wide "$lib" | awk -v v="@$version" 'index($8, v) {print $8}' | grep -v "^$marker@" || true)
if [ -n "$others" ]; then
  say "$lib needs $version for more than $marker ($others); the weak-version patch is unsafe."
  say "Install a libstdc++6 with $version (GCC 13 or later) instead."
  exit 1
fi
section_off=$(readelf -S --wide "$lib" | awk '$2 == ".gnu.version_r" {print $5; exit} $3 == ".gnu.version_r" {print $6; exit}')
[ -n "$section_off" ] || { say "$lib has no .gnu.version_r section"; exit 1; }
# Elf64_Vernaux: vna_hash (4 bytes), then vna_flags (2 bytes, little-endian); VER_FLG_WEAK is 0x2.
pos=$(( 0x$section_off + entry_off + 4 ))
[ "$(od -An -tx1 -j "$pos" -N2 "$lib" | tr -d ' \n')" = "0000" ] || { say "unexpected flags at byte $pos of $lib"; exit 1; }
printf '\x02' | dd of="$lib" bs=1 seek="$pos" conv=notrunc status=none
[ "$(readelf -V --wide "$lib" | awk -v v="$version" '$3 == v {print $5}')" = "WEAK" ] || { say "patching $lib failed"; exit 1; }
say "marked $version weak in $lib (system $stdcxx lacks it)"
