#!/usr/bin/env bash
# Runs every fuzz target of a RECLAIMSIM_FUZZ build for SECONDS each, JOBS
# at a time (`make fuzz`, docs/testing.md). Each target starts from its seeds
# (targets.txt, written by tests/fuzz/CMakeLists.txt) and keeps what it finds
# in BUILD/fuzz/corpus/NAME. A crash, leak, sanitizer report, timeout (an
# input running longer than FUZZ_TIMEOUT s) or OOM (over FUZZ_RSS_MB MiB)
# is a finding: its input lands in BUILD/fuzz/findings/NAME/ and the script
# exits 1. Prints a table of executions and coverage per target. FUZZ_FLAGS
# adds libFuzzer flags (e.g. "-fork=1 -ignore_crashes=1" to explore past a
# known finding, docs/testing.md).
# usage: run.sh BUILD SECONDS [JOBS] [NAME...]
set -uo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD SECONDS [JOBS] [NAME...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
jobs=${3:-2}
shift $(($# < 3 ? $# : 3))
table=$build/tests/fuzz/targets.txt
if [ ! -f "$table" ]; then
    echo "$0: no $table (configure with -DRECLAIMSIM_FUZZ=ON)" >&2
    exit 2
fi
out=$build/fuzz
mkdir -p "$out/tmp"
export TMPDIR=$out/tmp
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# One target: NAME PROGRAM MAX_LEN DICT SEEDS... (a line of targets.txt).
fuzz_one() {
    local name=$1 bin=$2 max_len=$3 dict=$4
    shift 4
    local dict_opt=()
    [ "$dict" != "-" ] && dict_opt=(-dict="$dict")
    mkdir -p "$out/corpus/$name" "$out/findings/$name"
    "$bin" -max_total_time="$seconds" -max_len="$max_len" \
        -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -print_final_stats=1 ${FUZZ_FLAGS:-} -artifact_prefix="$out/findings/$name/" "${dict_opt[@]}" \
        "$out/corpus/$name" "$@" >"$out/$name.log" 2>&1
    echo $? >"$out/$name.rc"
}
export -f fuzz_one
export out seconds

names=("$@")
lines=()
while read -r line; do
    name=${line%% *}
    if [ ${#names[@]} -eq 0 ] || [[ " ${names[*]} " == *" $name "* ]]; then
        lines+=("$line")
    fi
done <"$table"
echo "fuzzing ${#lines[@]} targets for ${seconds}s each, $jobs at a time (logs in $out)"
printf '%s\n' "${lines[@]}" | xargs -P "$jobs" -L 1 bash -c 'fuzz_one "$@"' _

# The table: what libFuzzer printed last (cov, ft, corpus) and its final stats.
status=0
printf '%-16s %10s %8s %6s %6s %8s %8s  %s\n' target execs exec/s cov ft corpus rss_mb result
for line in "${lines[@]}"; do
    name=${line%% *}
    log=$out/$name.log
    rc=$(cat "$out/$name.rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    if [ -z "$execs" ]; then # -fork mode prints no final stats: "#EXECS: cov: ..."
        execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$last")
        rate=$([ -n "$execs" ] && echo $((execs / seconds)))
    fi
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    result=ok
    if [ "$rc" != 0 ]; then
        result="FAIL: $(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+( [^ ]+)?|libFuzzer: [a-z -]+|fuzz: .{0,60}' "$log" || echo "exit $rc") (see $log)"
        status=1
    fi
    printf '%-16s %10s %8s %6s %6s %8s %8s  %s\n' "$name" "${execs:--}" "${rate:--}" \
        "${cov:--}" "${ft:--}" "${corp:--}" "${rss:--}" "$result"
done
exit $status
