#!/bin/sh
# Usage: isa_symbols.sh NM LEVEL OBJECT...
# Fails when an ISA level's objects define a weak (linker-merged) symbol outside the level's
# namespace: the linker keeps one copy of such a function for every level, possibly one built with
# instructions that another level's CPUs lack (native/CMakeLists.txt, NN_ISA_SOURCES).
nm=$1 level=$2
shift 2
leaked=$("$nm" -C --defined-only "$@" | awk '$2 ~ /^[WVu]$/' | grep -v -e "::$level::" -e "::$level)")
if [ -n "$leaked" ]; then
    echo "weak symbols outside namespace '$level' in the $level objects:"
    echo "$leaked"
    exit 1
fi
echo "$level: every weak symbol is in namespace $level"
