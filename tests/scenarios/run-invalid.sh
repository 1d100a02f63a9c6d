#!/bin/sh
# The bad-input corpus (after jansson's test/suites/invalid): every folder in
# DIR holds scenario.json and expected.txt ("exit: N" and the exact stderr).
# For each case, run from inside the folder so messages name "scenario.json":
#   BIN check scenario.json         exit code and stderr must match exactly;
#   BIN run scenario.json -o OUT    the same, and OUT must not be created.
# Prints a diff for every mismatch; exits non-zero if any case fails.
# usage: run-invalid.sh BIN DIR
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 BIN DIR" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-invalid.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# A case that is accidentally valid would simulate; do not let it hang the suite.
limit=""
if command -v timeout >/dev/null 2>&1; then
    limit="timeout 60"
fi

total=0
failed=0
# Runs one command of a case; writes "exit: N" and its stderr to $tmp/actual.
run_case() {
    name=$1
    shift
    (cd "$dir/$name" && $limit "$bin" "$@") >/dev/null 2>"$tmp/stderr"
    printf 'exit: %d\n' "$?" >"$tmp/actual"
    cat "$tmp/stderr" >>"$tmp/actual"
}

for path in "$dir"/*/; do
    name=$(basename "$path")
    total=$((total + 1))
    expected="$dir/$name/expected.txt"
    if [ ! -f "$expected" ]; then
        echo "FAIL $name: no expected.txt"
        failed=$((failed + 1))
        continue
    fi
    ok=1
    run_case "$name" check scenario.json
    if ! cmp -s "$expected" "$tmp/actual"; then
        echo "FAIL $name (check):"
        diff -u "$expected" "$tmp/actual" | sed 1,2d
        ok=0
    fi
    out="$tmp/out-$name"
    run_case "$name" run scenario.json -o "$out"
    if ! cmp -s "$expected" "$tmp/actual"; then
        echo "FAIL $name (run):"
        diff -u "$expected" "$tmp/actual" | sed 1,2d
        ok=0
    fi
    if [ -e "$out" ]; then
        echo "FAIL $name (run): created $out"
        ok=0
    fi
    [ $ok -eq 1 ] || failed=$((failed + 1))
done

echo "$((total - failed))/$total bad-input cases passed"
[ "$total" -gt 0 ] && [ "$failed" -eq 0 ]
