#!/bin/bash
# scripts/layers.py on small trees made for the purpose: it must accept a
# tree that follows the direction, and name each include or call that runs
# against it and each cycle (issue 10 point 3). The calls are read with nm
# from objects the C compiler makes here (no LTO), laid out as CMake lays out the parts'.
# usage: test-layers.sh SOURCE_DIR [CC]
set -u
src=$1
cc=${2:-cc}
layers="python3 $src/scripts/layers.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1"; fails=$((fails + 1)); }

# expect NAME TREE WANT_STATUS [PATTERN...]: run on TREE (and TREE/build when
# it exists), check the exit status and that each pattern is in the output.
expect() {
    local name=$1 tree=$2 want=$3
    shift 3
    local args=("$tree")
    [ -d "$tree/build" ] && args+=("$tree/build")
    local out status
    out=$($layers "${args[@]}" 2>&1)
    status=$?
    if [ "$status" != "$want" ]; then
        fail "$name: exit $status, want $want; output: $out"
        return
    fi
    for pat in "$@"; do
        if ! grep -qF -- "$pat" <<<"$out"; then
            fail "$name: no \"$pat\" in: $out"
            return
        fi
    done
    pass "$name"
}

# tree DIR: an engine header, a host file that uses it, a guest file that
# uses the host through host/guest.h, and a policy that sees host/state.h.
tree() {
    local t=$1
    mkdir -p "$t/sim" "$t/host" "$t/guest" "$t/policy"
    printf '#pragma once\nint sim_one(void);\n' >"$t/sim/one.h"
    printf '#include "sim/one.h"\nint sim_one(void) { return 1; }\n' >"$t/sim/one.c"
    printf '#pragma once\nint host_touch(int p);\n' >"$t/host/guest.h"
    printf '#include "host/guest.h"\n#include "sim/one.h"\nint host_touch(int p) { return p + sim_one(); }\n' \
        >"$t/host/guest.c"
    printf '#pragma once\ntypedef enum { HOST_STATE_HIGH } HostState;\n' >"$t/host/state.h"
    printf '#include "host/guest.h"\nint guest_tick(void);\nint guest_tick(void) { return host_touch(0); }\n' \
        >"$t/guest/workload.c"
    printf '#include "host/state.h"\nint policy_tick(void);\nint policy_tick(void) { return HOST_STATE_HIGH; }\n' \
        >"$t/policy/esxi.c"
}

# objects DIR: compile every .c of DIR's parts where CMake would put it.
objects() {
    local t=$1 f part
    for f in "$t"/sim/*.c "$t"/host/*.c "$t"/guest/*.c "$t"/policy/*.c; do
        part=$(basename "$(dirname "$f")")
        mkdir -p "$t/build/CMakeFiles/reclaim_$part.dir/$part"
        "$cc" -c -I"$t" "$f" -o "$t/build/CMakeFiles/reclaim_$part.dir/$part/$(basename "$f").o" ||
            fail "compiling $f"
    done
}

tree "$tmp/good"
objects "$tmp/good"
expect "a tree that follows the direction passes" "$tmp/good" 0 "0 violations"

tree "$tmp/up-include"
printf '#include "guest/guest.h"\n' >>"$tmp/up-include/host/state.h"
printf '#pragma once\n' >"$tmp/up-include/guest/guest.h"
expect "a host header that includes a guest header is named" "$tmp/up-include" 1 \
    "host/state.h: includes guest/guest.h: host/ may not use guest/"

tree "$tmp/wide-include"
printf '#pragma once\n' >"$tmp/wide-include/host/host.h"
printf '#include "host/host.h"\n' >>"$tmp/wide-include/guest/workload.c"
expect "a guest file that includes a host header other than host/guest.h is named" \
    "$tmp/wide-include" 1 "guest/workload.c: includes host/host.h: guest/ may not use host/"

tree "$tmp/cycle"
printf '#pragma once\n#include "sim/two.h"\n' >"$tmp/cycle/sim/one.h"
printf '#pragma once\n#include "sim/one.h"\n' >"$tmp/cycle/sim/two.h"
expect "an include cycle between two headers is named" "$tmp/cycle" 1 \
    "cycle of includes: sim/one.h -> sim/two.h"

tree "$tmp/up-call"
printf 'int guest_tick(void);\nint host_poll(void);\nint host_poll(void) { return guest_tick(); }\n' \
    >"$tmp/up-call/host/poll.c"
objects "$tmp/up-call"
expect "a host function that calls the guest is named (from the objects)" "$tmp/up-call" 1 \
    "host/poll.c: calls guest/workload.c: host/ may not use guest/"

tree "$tmp/call-cycle"
printf 'int host_b(void);\nint host_a(int n);\nint host_a(int n) { return n ? host_b() : 0; }\n' \
    >"$tmp/call-cycle/host/a.c"
printf 'int host_a(int n);\nint host_b(void);\nint host_b(void) { return host_a(0); }\n' \
    >"$tmp/call-cycle/host/b.c"
objects "$tmp/call-cycle"
expect "two files that call each other are a cycle" "$tmp/call-cycle" 1 \
    "cycle of calls: host/a.c -> host/b.c"

expect "the project itself follows the direction (includes)" "$src" 0 "0 violations"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
