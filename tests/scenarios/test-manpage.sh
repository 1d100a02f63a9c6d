#!/usr/bin/env bash
# docs/reclaimsim.1 (issue 5, part 7): renders it with man-db's `man -l` and
# groff, with warnings on, and checks it against the real binary BIN:
#   - no warning from man or groff; no line wider than MANWIDTH=80;
#   - the sections NAME, SYNOPSIS, DESCRIPTION, COMMANDS, OPTIONS,
#     EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES, SEE ALSO;
#   - every command and every option of `BIN --help` has an entry;
#   - compare, sweep and capacity (docs/design.md section 4) have entries, marked
#     "Not implemented yet." exactly when `BIN --help` does not list them;
#   - the key list of SCENARIOS is `keys_doc.py BIN --man` (from `BIN keys --json`);
#   - the exit codes 0, 1, 2 and the version of `BIN --version`.
# usage: test-manpage.sh BIN SOURCE_DIR
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 BIN SOURCE_DIR" >&2
    exit 2
fi
bin=$1
page=$2/docs/reclaimsim.1
. "$2/tests/scenarios/checks.sh" test-manpage
need_tools " (man-db, groff)" man groff

# ASCII rendering (LC_ALL=C), so options read as typed.
LC_ALL=C MANPAGER=cat MANWIDTH=80 man --warnings=all -l "$page" >"$tmp/page.txt" 2>"$tmp/man.err"
LC_ALL=C groff -man -Tascii -ww -z "$page" 2>"$tmp/groff.err"
if [ -s "$tmp/man.err" ]; then bad "man warnings:"; cat "$tmp/man.err"; else ok; fi
if [ -s "$tmp/groff.err" ]; then bad "groff warnings:"; cat "$tmp/groff.err"; else ok; fi
# man -l with MANPAGER=cat still emits overstrikes when not on a terminal; drop them.
sed -e 's/.\x08//g' "$tmp/page.txt" >"$tmp/plain.txt"
if [ "$(wc -l <"$tmp/plain.txt")" -gt 100 ]; then ok; else bad "rendered page is short"; fi
wide=$(awk 'length > 80' "$tmp/plain.txt" | head -3)
if [ -z "$wide" ]; then ok; else bad "lines wider than 80 columns: $wide"; fi

for section in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" ENVIRONMENT FILES \
    EXAMPLES "SEE ALSO"; do
    if grep -qx "$section" "$tmp/plain.txt"; then ok; else bad "no section $section"; fi
done

# The text of one section: from its heading to the next heading.
section() { awk -v s="$1" '/^[A-Z][A-Z ]*$/ { on = ($0 == s) ; next } on' "$tmp/plain.txt"; }
section COMMANDS >"$tmp/commands.txt"
section OPTIONS >"$tmp/options.txt"

"$bin" --help >"$tmp/help.txt"
# Commands: the lines "  NAME ..." after "Commands:" in --help.
commands=$(awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on { print $1 }' "$tmp/help.txt")
[ -n "$commands" ] || bad "no commands in --help"
for cmd in $commands; do
    if grep -Eq "^       $cmd( |$)" "$tmp/commands.txt"; then ok; else bad "no entry for command $cmd"; fi
done
# The commands of docs/design.md that may not exist yet: honest about it.
for cmd in compare sweep capacity; do
    entry=$(awk -v c="$cmd" '/^       [a-z]/ { on = ($1 == c) } on' "$tmp/commands.txt" | tr -s ' \n' ' ')
    if [ -z "$entry" ]; then
        bad "no entry for command $cmd"
    elif grep -qw "$cmd" <<<"$commands"; then
        if grep -q "Not implemented yet" <<<"$entry"; then bad "$cmd exists but is marked not implemented"; else ok; fi
    else
        if grep -q "Not implemented yet" <<<"$entry"; then ok; else bad "$cmd is not implemented but not marked so"; fi
    fi
done

# Options: every --long and -s of --help, as an entry of OPTIONS.
options=$(grep -Eo -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' "$tmp/help.txt" | tr -d ' ,' | sort -u)
[ "$(wc -w <<<"$options")" -ge 8 ] || bad "too few options in --help: $options"
for opt in $options; do
    if grep -Eq -- "^       (.*, )?$opt([=, ]|$)" "$tmp/options.txt"; then ok; else bad "no entry for option $opt"; fi
done

# The key list of SCENARIOS is what `keys_doc.py BIN --man` makes from `BIN keys
# --json`, i.e. from the loader's key tables (sim/load/keys.c).
awk '/^\.\\" keys: begin/ { on = 1; next } /^\.\\" keys: end/ { on = 0 } on' "$page" >"$tmp/keys.roff"
if ! python3 "$2/tests/scenarios/keys_doc.py" "$bin" --man >"$tmp/keys.want"; then
    bad "keys_doc.py failed"
elif [ "$(wc -l <"$tmp/keys.want")" -gt 300 ] && cmp -s "$tmp/keys.roff" "$tmp/keys.want"; then
    ok
else
    bad "the key list in SCENARIOS is not \`tests/scenarios/keys_doc.py BIN --man\` (paste it between the keys: lines):"
    diff "$tmp/keys.roff" "$tmp/keys.want" | head -20
fi

# Exit status and version.
for code in 0 1 2; do
    if section "EXIT STATUS" | grep -Eq "^       $code( |$)"; then ok; else bad "exit code $code not described"; fi
done
version=$("$bin" --version | awk '{ print $2 }')
if tail -1 "$tmp/plain.txt" | grep -q "reclaimsim $version "; then ok; else bad "footer lacks version $version"; fi

finish
