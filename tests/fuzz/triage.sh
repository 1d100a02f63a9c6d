#!/usr/bin/env bash
# Groups the findings of a `make fuzz` run by what went wrong and where:
# runs PROGRAM on every file of DIR (crash-*, leak-*, timeout-*, oom-*),
# takes the kind of report and the first stack frame in reclaimsim's own
# code (sim/, host/, guest/, policy/, plots/, tests/fuzz/), and prints one
# line a group with its count and its smallest input, the one to minimise
# with PROGRAM -minimize_crash=1 -runs=N FILE (docs/testing.md).
# usage: triage.sh PROGRAM DIR
set -uo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 PROGRAM DIR" >&2
    exit 2
fi
bin=$1
dir=$2
# Inputs that crash leave the target's private folder behind: keep them here.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-replay.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
declare -A count smallest size
for f in "$dir"/*; do
    [ -f "$f" ] || continue
    [[ $(basename "$f") == README* ]] && continue
    report=$(UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        timeout 60 "$bin" -timeout=10 -rss_limit_mb=2048 "$f" 2>&1)
    # The report's first line, numbers and addresses blurred so that alike ones group.
    kind=$(grep -m1 -oE 'runtime error: .*|ERROR: AddressSanitizer: [a-z-]+|ERROR: LeakSanitizer|ERROR: libFuzzer: [a-z -]+|fuzz: [a-z ]+' <<<"$report" |
        sed -E 's/0x[0-9a-f]+/N/g; s/[-+]?[0-9][0-9.e+-]*/N/g' | cut -c1-90)
    frame=$(grep -E '^ +#[0-9]+ |^SUMMARY' <<<"$report" |
        grep -oE '(sim|host|guest|policy|plots|tests/fuzz)/[A-Za-z0-9_./-]+\.c:[0-9]+' |
        grep -v 'fuzzutil.c' | head -1)
    [ -n "$kind" ] || kind="no report (fixed?)"
    key="$kind @ ${frame:-?}"
    n=$(stat -c %s "$f")
    count[$key]=$((${count[$key]:-0} + 1))
    if [ -z "${size[$key]:-}" ] || [ "$n" -lt "${size[$key]}" ]; then
        size[$key]=$n
        smallest[$key]=$f
    fi
done
for key in "${!count[@]}"; do
    printf '%5d  %s  (smallest: %s, %s bytes)\n' "${count[$key]}" "$key" "${smallest[$key]}" \
        "${size[$key]}"
done | sort -rn
