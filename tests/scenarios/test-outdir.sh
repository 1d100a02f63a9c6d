#!/usr/bin/env bash
# Issue 9, point 2: nothing a user did not ask to lose is lost. Runs the
# real binary BIN the way the README shows (relative paths, from a scratch
# working directory) and checks:
#   - a run writes DIR with the .reclaimsim-output marker; a second run
#     replaces it; a user's file beside DIR survives;
#   - a DIR without the marker is refused (exit 2, one line naming DIR and
#     --force) and kept; --force replaces it; a regular file, a symbolic
#     link, "", ".", a path under a file are refused even with --force;
#     a folder the user cannot write is refused (as nobody, when root);
#   - hostile scenario names ("../x", "a/b", "..", "", newlines, ...) create
#     one folder each inside out/ and touch nothing outside it;
#   - SIGINT and SIGTERM during the simulation and during the writing leave
#     the previous output intact (same files), no *.tmp-* or *.old-*
#     folder, and the process dies of the signal after one message line;
#   - a full disk (a small tmpfs in a mount namespace) exits 1 with "No
#     space left on device" naming the file in DIR, the previous output
#     intact; skipped with a message when no namespace can be made;
#   - plot DIR and report DIR refuse a folder that is not a run, and
#     replace plots/ and report.html whole (when gnuplot is there).
# usage: test-outdir.sh BIN SOURCE_DIR
set -uo pipefail

# A scenario that runs in milliseconds (2 MiB pages, one small VM), and a
# variant whose outputs are large (200 VMs sampled every second: tens of
# MiB to write, so the writing phase lasts long enough to be caught).
tiny='{"name": "tiny", "duration": "1m",
 "host": {"memory": "256GiB", "page_size": "2MiB"},
 "vms": [{"name": "vm", "memory": "1GiB", "workload": {"memory": "512MiB"}}]}'
big=(--set duration=10m --set sample_interval=1s --set vms.0.count=200)

# Inside the mount namespace (the script runs itself there): a tmpfs of
# SIZE KiB at disk/, a small run written onto it, then a big one that does
# not fit. Results go to files beside disk/ for the caller to check.
if [ "${1:-}" = --full-disk ]; then
    bin=$2 size=$3 tag=$4
    mkdir -p disk && mount -t tmpfs -o "size=${size}k" tmpfs disk || exit 3
    "$bin" run -q tiny.json -o disk/out/x || exit 4
    cp -a disk/out/x "prev-$tag"
    "$bin" run -q tiny.json "${big[@]}" -o disk/out/x 2>"err-$tag"
    echo $? >"rc-$tag"
    diff -r "prev-$tag" disk/out/x >/dev/null && echo intact >"intact-$tag"
    ls -A disk/out >"list-$tag"
    umount disk
    exit 0
fi

if [ $# -ne 2 ]; then
    echo "usage: $0 BIN SOURCE_DIR" >&2
    exit 2
fi
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
. "$2/tests/scenarios/checks.sh" test-outdir
version=$("$bin" --version | awk 'NR == 1 { print $2 }')
mkdir "$tmp/work" && cd "$tmp/work" || exit 1
echo "$tiny" >tiny.json

# Logs stay outside work/, which the checks compare before and after.
out_txt=$tmp/out.txt err_txt=$tmp/err.txt
# run ARGS...: runs BIN; $rc, and its stderr in $err_txt.
run() {
    "$bin" "$@" >"$out_txt" 2>"$err_txt"
    rc=$?
}
# expect WHAT CODE [TEXT]: exit code CODE and, when given, one stderr line
# containing TEXT.
expect() {
    local what=$1 code=$2 text=${3:-}
    if [ "$rc" -ne "$code" ]; then
        bad "$what: exit $rc, expected $code: $(cat "$err_txt")"
        return
    fi
    if [ -n "$text" ] && { [ "$(wc -l <"$err_txt")" -ne 1 ] || ! grep -qF -- "$text" "$err_txt"; }; then
        bad "$what: expected one line with \"$text\", got: $(cat "$err_txt")"
        return
    fi
    ok
}
# same WHAT A B: the two trees hold the same files with the same bytes.
same() {
    if diff -r "$2" "$3" >/dev/null; then ok; else bad "$1: $3 differs from $2"; fi
}
# no_staging WHAT: no staging or set-aside folder anywhere under work/.
no_staging() {
    local left
    left=$(find . -name '*.tmp-*' -o -name '*.old-*' | head -3)
    if [ -z "$left" ]; then ok; else bad "$1: left behind: $left"; fi
}
is() {
    if [ "$2" = "$3" ]; then ok; else bad "$1: got \"$2\", expected \"$3\""; fi
}

# ---- a run, a second run over it, a user's file beside it ----
run run -q tiny.json -o out/x
expect "first run" 0
is "marker line 1" "$(sed -n 1p out/x/.reclaimsim-output)" "reclaimsim output directory"
is "marker line 2" "$(sed -n 2p out/x/.reclaimsim-output)" "reclaimsim $version"
echo "my notes" >out/notes.txt
cp -a out/x ref-x
run run -q tiny.json --seed 2 -o out/x
expect "second run over a reclaimsim output" 0
if grep -q '"seed": 2,' out/x/summary.json; then ok; else bad "second run did not replace out/x"; fi
is "file beside DIR" "$(cat out/notes.txt)" "my notes"
is "out/ holds" "$(ls -A out | tr '\n' ' ')" "notes.txt x "
no_staging "second run"
rm -rf out/x && cp -a ref-x out/x

# ---- a folder that is not a reclaimsim output ----
mkdir mine && echo keep >mine/keep.txt && echo beside >beside.txt
run run -q tiny.json -o mine
expect "DIR without the marker" 2 "mine: error: "
if grep -q -- "--force" "$err_txt"; then ok; else bad "the refusal does not say --force"; fi
is "file inside a refused DIR" "$(cat mine/keep.txt)" "keep"
run run -q tiny.json -o mine/ --force
expect "--force" 0
if [ ! -e mine/keep.txt ] && [ -f mine/.reclaimsim-output ]; then ok; else bad "--force did not replace mine"; fi
is "file beside a forced DIR" "$(cat beside.txt)" "beside"
no_staging "--force"

# ---- never replaced, not even with --force ----
echo data >afile
ln -s out/x alink
for case in "afile|not a directory" "alink|symbolic link" ".|name a folder inside" \
    "afile/sub|Not a directory" "out/x/..|name a folder inside"; do
    dir=${case%%|*}
    run run -q tiny.json --force -o "$dir"
    expect "-o $dir --force" 2 "${case#*|}"
done
run run -q tiny.json -o ""
expect '-o ""' 2 "reclaimsim: -o: the output directory name is empty"
is "regular file kept" "$(cat afile)" "data"
if [ -L alink ]; then ok; else bad "the link was replaced"; fi
same "link target" ref-x out/x

# ---- a folder the user cannot write (as nobody; root may write anywhere) ----
mkdir -p locked
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
    chmod 755 "$tmp" "$tmp/work" && chmod -R a+rX out &&
    setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" --version >/dev/null 2>&1; then
    as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" "$@"; }
    as_nobody run -q tiny.json -o locked/x >"$out_txt" 2>"$err_txt"
    rc=$?
    expect "DIR in a folder nobody may write" 2 "locked/x: error: cannot create: Permission denied"
    as_nobody run -q tiny.json -o out/x >"$out_txt" 2>"$err_txt"
    rc=$?
    expect "replacing DIR in a folder nobody may write" 2 "out/x: error: cannot replace: Permission denied"
    same "unwritable DIR" ref-x out/x
    is "locked/ stays empty" "$(ls -A locked)" ""
else
    echo "SKIP unwritable folder: needs root and setpriv to run as nobody"
fi

# ---- hostile scenario names: one folder inside out/, nothing outside ----
mkdir x && echo keep >x/keep.txt
outside() { find . -path ./out -prune -o -print | sort; find . -path ./out -prune -o -type f -print0 | sort -z | xargs -0 cat | cksum; }
before=$(outside)
for name in '"../x"' '"a/b"' '".."' '""' '"."' '"x\ny"' '"/tmp/evil"' '"\u0007bell"' \
    '"'"$(printf 'n%.0s' $(seq 300))"'"'; do
    run run -q tiny.json --set "name=$name"
    expect "name $name" 0 "outputs go to out/"
done
is "outside out/ after hostile names" "$(outside)" "$before"
bad_entries=$(find out -mindepth 1 -maxdepth 1 -type d ! -exec test -f '{}/.reclaimsim-output' ';' -print)
is "every folder in out/ is an output" "$bad_entries" ""
if LC_ALL=C find out | LC_ALL=C grep -q '[[:cntrl:]]'; then bad "a name with a control character in out/"; else ok; fi
for folder in _._x a_b _. unnamed _ x_y _tmp_evil _bell; do
    if [ -f "out/$folder/.reclaimsim-output" ]; then ok; else bad "no out/$folder"; fi
done
longest=$(find out -mindepth 1 -maxdepth 1 -name 'nnn*' -printf '%f\n')
is "a long name is cut" "${#longest}" 100
no_staging "hostile names"

# ---- SIGINT and SIGTERM ----

# The signals process PID catches (hex SigCgt of /proc/PID/status), or
# nothing once it has ended.
caught_mask() { awk '/^State:/ && $2 == "Z" { exit } /^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# Polls until PID runs BIN (not the shell forked to start it, which has
# this script's traps) and catches both SIGINT (bit 2) and SIGTERM (bit 15):
# the run is then simulating. False when it ended first.
bin_real=$(readlink -f "$bin")
wait_handlers() {
    local mask
    while mask=$(caught_mask "$1") && [ -n "$mask" ]; do
        if [ "$(readlink "/proc/$1/exe")" = "$bin_real" ] && (((16#$mask & 0x4002) == 0x4002)); then
            return 0
        fi
        sleep 0.05
    done
    return 1
}
# Waits for the background job PID to end (past its stops); sets $rc.
reap() {
    wait "$1"
    rc=$?
    while kill -0 "$1" 2>/dev/null; do
        wait "$1"
        rc=$?
    done
}
signum() { case $1 in INT) echo 2 ;; TERM) echo 15 ;; esac; }
# interrupted WHAT SIG: exit 128+N, one line, out/x as before, no staging.
interrupted() {
    expect "$1" $((128 + $(signum "$2"))) "reclaimsim: interrupted by SIG$2; out/x is unchanged"
    same "$1" ref-x out/x
    no_staging "$1"
}

# During the simulation: a run of seconds, signalled once its handlers are in.
set -m # job control: background jobs keep SIGINT (else a shell ignores it for them)
for sig in INT TERM; do
    "$bin" run -q tiny.json --set duration=20d --set sample_interval=10m -o out/x >"$out_txt" 2>"$err_txt" &
    pid=$!
    if wait_handlers $pid; then
        kill -s "$sig" $pid
        reap $pid
        interrupted "SIG$sig during the simulation" "$sig"
    else
        reap $pid
        bad "SIG$sig during the simulation: the run ended before it caught signals: $(cat "$err_txt")"
    fi
done

# During the writing: stopped (SIGSTOP) once its staging folder appears,
# signalled, continued. A poll that comes after the final rename sees the
# new output in place: the run then completed correctly, and it is tried
# again.
for sig in INT TERM; do
    tries=0 done=0
    while [ $done -eq 0 ] && [ $tries -lt 5 ]; do
        tries=$((tries + 1))
        "$bin" run -q tiny.json "${big[@]}" -o out/x >"$out_txt" 2>"$err_txt" &
        pid=$!
        caught=0
        while [ -n "$(caught_mask $pid)" ]; do
            if compgen -G 'out/x.tmp-*' >/dev/null; then
                kill -s STOP $pid
                until [ ! -e "/proc/$pid" ] ||
                    awk '/^State:/ { exit $2 == "R" || $2 == "S" || $2 == "D" }' "/proc/$pid/status"; do
                    sleep 0.01 # until stopped (T) or ended
                done
                if compgen -G 'out/x.tmp-*' >/dev/null && diff -r ref-x out/x >/dev/null; then
                    kill -s "$sig" $pid
                    caught=1
                fi
                kill -s CONT $pid
                break
            fi
            sleep 0.01
        done
        reap $pid
        if [ $caught -eq 1 ]; then
            interrupted "SIG$sig during the writing" "$sig"
            done=1
        else
            rm -rf out/x && cp -a ref-x out/x
        fi
    done
    [ $done -eq 1 ] || echo "SKIP SIG$sig during the writing: the writing phase was never caught"
done
set +m

# ---- a full disk ----
ns=""
if unshare --mount true 2>/dev/null; then
    ns="unshare --mount"
elif unshare -rm true 2>/dev/null; then
    ns="unshare -rm"
fi
# KiB a tmpfs needs for the files of DIR (whole pages per file).
kib() { find "$@" -type f -printf '%s\n' | awk '{ n += int(($1 + 4095) / 4096) * 4 } END { print n + 0 }'; }
if [ -z "$ns" ]; then
    echo "SKIP full disk: neither unshare --mount nor unshare -rm works here"
else
    # Sizes measured from real runs: the small output, the big one's files.
    "$bin" run -q tiny.json -o small && "$bin" run -q tiny.json "${big[@]}" -o big
    prev=$(kib small)
    before_esxtop=$(kib big/host.csv big/vms.csv big/summary.json)
    half_esxtop=$(($(kib big/esxtop.csv) / 2))
    # 1: room for the small output and 64 KiB; 2: the big one but half its esxtop.csv.
    for spec in "any:$((prev + 64))" "esxtop:$((prev + before_esxtop + half_esxtop))"; do
        tag=${spec%%:*}
        $ns bash "$self" --full-disk "$bin" "${spec#*:}" "$tag" </dev/null
        code=$?
        if [ $code -ne 0 ]; then
            bad "full disk ($tag): the namespace script failed ($code)"
            continue
        fi
        rc=$(cat "rc-$tag") && cp "err-$tag" "$err_txt"
        expect "full disk ($tag)" 1 ": error: cannot write: No space left on device"
        if grep -Eq '^disk/out/x/[a-z]+\.(csv|json): error:' "$err_txt" && ! grep -q 'tmp-' "$err_txt"; then
            ok
        else
            bad "full disk ($tag): the message does not name the file in DIR: $(cat "$err_txt")"
        fi
        if [ -f "intact-$tag" ]; then ok; else bad "full disk ($tag): the previous output changed"; fi
        is "full disk ($tag): disk/out holds" "$(cat "list-$tag")" "x"
    done
    if grep -q '^disk/out/x/esxtop.csv:' err-esxtop; then ok; else bad "esxtop.csv's writer: $(cat err-esxtop)"; fi
fi

# ---- plot DIR and report DIR ----
mkdir notrun && echo mine >notrun/notes.txt
for cmd in plot report; do
    run "$cmd" notrun
    expect "$cmd of a folder that is not a run" 2 "notrun: error: not the output directory of a run"
done
is "notrun/ after plot and report" "$(ls -A notrun)" "notes.txt"
if command -v gnuplot >/dev/null; then
    # Absolute: plot of a relative DIR is fixed by another change of issue 9.
    mkdir -p out/x/plots && echo stale >out/x/plots/stale.png
    run plot "$PWD/out/x"
    expect "plot" 0
    if [ ! -e out/x/plots/stale.png ] && [ -f out/x/plots/host-free.svg ]; then ok; else bad "plots/ was not replaced whole"; fi
    echo old >out/x/report.html
    run report "$PWD/out/x"
    expect "report" 0
    if grep -q '<!DOCTYPE html>' out/x/report.html; then ok; else bad "report.html was not replaced"; fi
    # A run from before the marker: the three files are enough.
    mkdir older && cp -r out/x/host.csv out/x/vms.csv out/x/summary.json out/x/plots older/
    run report "$PWD/older"
    expect "report of a run without the marker" 0
    no_staging "plot and report"
else
    echo "SKIP plot and report writes: gnuplot is missing"
fi

finish
