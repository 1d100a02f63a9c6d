#!/usr/bin/env bash
# Line coverage of the input readers reached by the fuzz corpora
# (docs/testing.md): builds the replay programs with clang's source-based
# coverage in BUILD, replays each target's seeds plus what a `make fuzz`
# run learnt (FUZZ_BUILD/fuzz/corpus/NAME), and prints llvm-cov's report
# for the reader files.
# usage: coverage.sh BUILD FUZZ_BUILD
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD FUZZ_BUILD" >&2
    exit 2
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
fuzz=$(cd "$2" && pwd)
flags="-fprofile-instr-generate -fcoverage-mapping"
# Inputs that crash leave the target's private folder behind: keep them here.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-replay.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
build=$(cd "$build" && pwd)
mapfile -t names < <(cut -d' ' -f1 "$build/tests/fuzz/targets.txt" 2>/dev/null || true)
if [ ${#names[@]} -eq 0 ]; then
    cmake --build "$build" --target fuzz-replay-units >/dev/null
    mapfile -t names < <(cut -d' ' -f1 "$build/tests/fuzz/targets.txt")
fi
cmake --build "$build" -j "$(nproc)" --target $(printf 'fuzz-replay-%s ' "${names[@]}") >/dev/null
prof=$build/fuzz-profiles
rm -rf "$prof"
mkdir -p "$prof"
objects=()
while read -r name bin _max _dict seeds; do
    learnt=$fuzz/fuzz/corpus/$name
    [ -d "$learnt" ] || learnt=
    # Known findings abort a replay; the messages check would stop it early.
    FUZZ_LAX_ERRORS=1 LLVM_PROFILE_FILE="$prof/$name-%p.profraw" \
        "$bin" $seeds $learnt >/dev/null 2>&1 || echo "$name: a replay failed (a known finding?)" >&2
    objects+=(-object "$bin")
done <"$build/tests/fuzz/targets.txt"
llvm-profdata merge -sparse "$prof"/*.profraw -o "$prof/all.profdata"
llvm-cov report "${objects[@]:1}" -instr-profile="$prof/all.profdata" \
    "$src"/sim/load/*.c "$src/sim/srcloc.c" "$src/sim/units.c" "$src/plots/rundata.c"
