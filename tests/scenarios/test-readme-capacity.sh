#!/usr/bin/env bash
# Issue 13, point 6: the README's answer for the shipped capacity example
# still holds for the built binary. Reads the answer lines of the
# `capacity scenarios/capacity-web.json --grow web` block of README.md
# ("  esxi                     24 (24 passes, 25 fails)"), then runs the
# confirming probes N and N + 1 of each policy as one sweep of the real
# binary and checks, from the sweep's database read with sqlite3, that N
# meets the SLA and N + 1 does not.
# usage: test-readme-capacity.sh BIN SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

block=$(sed -n '/^capacity-web: the largest count of VM entry web/,/^probes:/p' "$src/README.md")
answers=$(printf '%s\n' "$block" | sed -n 's/^  \([a-z0-9-]*\) *\([0-9][0-9]*\) (\([0-9]*\) passes, \([0-9]*\) fails)$/\1 \2 \3 \4/p')
if [ "$(printf '%s\n' "$answers" | grep -c .)" -lt 2 ]; then
    echo "README.md: no capacity-web answers found (got: $block)"
    exit 1
fi

status=0
while read -r policy answer pass fail; do
    if [ "$pass" != "$answer" ] || [ "$fail" != $((answer + 1)) ]; then
        echo "README.md: $policy: answer $answer but passes $pass, fails $fail"
        status=1
        continue
    fi
    out="$tmp/$policy"
    "$bin" sweep "$src/scenarios/capacity-web.json" --policies "$policy" \
        --vary "vms.1.count=$pass,$fail" -q -o "$out"
    got=$(sqlite3 -batch "$out/sweep.sqlite" \
        'SELECT "vms.1.count" || ":" || sla_met FROM points ORDER BY id' | tr '\n' ' ')
    want="$pass:1 $fail:0 "
    if [ "$got" != "$want" ]; then
        echo "README.md says $policy holds $answer web VMs; the binary: count:sla_met = $got"
        status=1
    else
        echo "ok: $policy $pass passes, $fail fails"
    fi
done <<< "$answers"
exit $status
