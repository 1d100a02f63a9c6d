# Sourced by the shell tests (test-install.sh, test-manpage.sh): tool
# checks, a scratch directory removed on exit, and pass/fail counting.
# usage: . checks.sh NAME   (NAME names the test in messages and $tmp)

checks_name=$1

# need_tools HINT TOOL...: fails the test when a tool is missing.
need_tools() {
    local hint=$1 tool
    shift
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "$checks_name: $tool is missing; run scripts/deps.sh$hint" >&2
            exit 1
        fi
    done
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$checks_name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() {
    failed=$((failed + 1))
    echo "FAIL $*"
}

# finish: the summary line; the test fails if any check did.
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
