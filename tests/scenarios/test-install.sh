#!/usr/bin/env bash
# Installation and the Debian package (issue 5, part 7), without touching the
# system: `cmake --install` into a temporary prefix, `cpack -G DEB` into a
# temporary directory, the package unpacked with dpkg-deb -x. Checks:
#   - the binary, the man page, the scenarios with their schema and every
#     plots/*.gp land in bin/, share/man/man1/, share/reclaimsim/;
#   - the installed binary prints the project's version, checks every
#     installed scenario (with the traces installed beside them), runs the
#     installed bitbrains.json for two hours, and the installed limit.json (--quiet) into
#     host.csv, vms.csv and summary.json; `plot` works with the installed
#     gnuplot scripts; `man -l` renders the installed man page;
#   - the .deb's control fields (name, version, Depends on libglib2.0-0,
#     libjansson4, libsqlite3-0 and gnuplot-nox) and contents, and its unpacked binary runs.
# usage: test-install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
. "$src/tests/scenarios/checks.sh" test-install
need_tools "" cmake cpack dpkg-deb dpkg-shlibdeps file man
expect_file() { if [ -s "$1" ]; then ok; else bad "missing or empty: ${1#"$tmp"/}"; fi; }

version=$(sed -n 's/^project(reclaimsim VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || bad "no version in CMakeLists.txt"
plots=$(cd "$src/plots" && ls -- *.gp 2>/dev/null || true)

# 1. cmake --install into a prefix of our own.
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
share=$prefix/share/reclaimsim
expect_file "$prefix/bin/reclaimsim"
expect_file "$prefix/share/man/man1/reclaimsim.1.gz"
expect_file "$share/scenarios/scenario.schema.json"
expect_file "$share/scenarios/default.json"
expect_file "$share/scenarios/limit.json"
for f in "$src"/scenarios/validation/*.json; do expect_file "$share/scenarios/validation/${f##*/}"; done
for f in $plots; do expect_file "$share/plots/$f"; done
if [ -x "$prefix/bin/reclaimsim" ]; then ok; else bad "bin/reclaimsim is not executable"; fi

bin=$prefix/bin/reclaimsim
# the first line; the second says whether MPI is built in
if [ "$("$bin" --version | head -n 1)" = "reclaimsim $version" ]; then ok; else bad "--version: $("$bin" --version)"; fi
mapfile -t scenarios < <(find "$share/scenarios" -name '*.json' ! -name scenario.schema.json | sort)
[ "${#scenarios[@]}" -ge 3 ] || bad "only ${#scenarios[@]} installed scenarios"
# Every installed scenario checks, those that replay traces included: the
# traces are installed next to them (scenarios/data/).
for s in "${scenarios[@]}"; do
    if "$bin" check "$s" >"$tmp/check.out" 2>&1; then ok; else
        bad "check ${s#"$share"/}:"
        cat "$tmp/check.out"
    fi
done
expect_file "$share/scenarios/data/bitbrains/SOURCES.md"
# The installed bitbrains scenario runs (its first two hours) on the
# installed traces, from a folder where no relative path can reach the source.
if (cd "$tmp" && "$bin" run --quiet --set duration=2h -o bb-out "$share/scenarios/bitbrains.json") \
    >"$tmp/bb.out" 2>&1 && [ -s "$tmp/bb-out/summary.json" ]; then ok; else
    bad "run the installed bitbrains.json:"; cat "$tmp/bb.out"
fi
# Run from elsewhere, so nothing can come from the source tree by accident.
out=$tmp/out
if (cd "$tmp" && "$bin" run --quiet --set duration=10m -o "$out" "$share/scenarios/limit.json") \
    >"$tmp/run.out" 2>&1; then ok; else bad "run:"; cat "$tmp/run.out"; fi
if [ -s "$tmp/run.out" ]; then bad "run --quiet printed: $(head -3 "$tmp/run.out")"; else ok; fi
for f in host.csv vms.csv summary.json; do expect_file "$out/$f"; done
if [ -f "$out/host.csv" ] && [ "$(wc -l <"$out/host.csv")" -eq 32 ]; then ok; else
    bad "host.csv should have a header and 31 rows (0 to 600 s every 20 s)"
fi
if grep -q '"scenario": *"limit"' "$out/summary.json" 2>/dev/null; then ok; else bad "summary.json does not name limit"; fi
if [ -n "$plots" ] && "$bin" --help | grep -q '^  plot '; then
    if RECLAIMSIM_PLOTS_DIR=$share/plots "$bin" plot "$out" >"$tmp/plot.out" 2>&1; then ok; else
        bad "plot with the installed scripts:"; cat "$tmp/plot.out"
    fi
    n_png=$(find "$out/plots" -name '*.png' -size +1k 2>/dev/null | wc -l)
    n_svg=$(find "$out/plots" -name '*.svg' -size +1k 2>/dev/null | wc -l)
    if [ "$n_png" -ge 1 ] && [ "$n_png" -eq "$n_svg" ]; then ok; else bad "plots: $n_png PNG, $n_svg SVG"; fi
fi
LC_ALL=C MANPAGER=cat MANWIDTH=80 man -l "$prefix/share/man/man1/reclaimsim.1.gz" >"$tmp/man.txt" 2>&1
if grep -q "^NAME" "$tmp/man.txt" && grep -q "reclaimsim - simulate" "$tmp/man.txt"; then ok; else
    bad "installed man page does not render"
fi
# The installed plug-in interface builds the installed example plug-in
# (policy/policy.h through the relocatable reclaimsim-policy.pc) and the
# installed binary runs it.
pc=$(find "$prefix" -name reclaimsim-policy.pc | head -1)
example=$prefix/share/doc/reclaimsim/examples/free_target.c
if [ -n "$pc" ] && [ -f "$example" ] &&
    cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -o "$tmp/free-target.so" "$example" \
        $(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags reclaimsim-policy) 2>"$tmp/cc.out" &&
    "$bin" run --quiet --policy "$tmp/free-target.so" -o "$tmp/plugin-out" "$share/scenarios/limit.json" &&
    grep -q '"policy": "free-target"' "$tmp/plugin-out/summary.json"; then ok; else
    bad "the installed example plug-in does not build or run:"; cat "$tmp/cc.out"
fi

# 2. The Debian package, built into our own directory.
(cd "$build" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1 ||
    { bad "cpack failed:"; tail -20 "$tmp/cpack.log"; }
deb=$(find "$tmp/pkg" -maxdepth 1 -name 'reclaimsim_*.deb' | head -1)
if [ -n "$deb" ]; then
    ok
    dpkg-deb -I "$deb" >"$tmp/info.txt"
    dpkg-deb -c "$deb" >"$tmp/contents.txt"
    field() { dpkg-deb -f "$deb" "$1"; }
    if [ "$(field Package)" = reclaimsim ]; then ok; else bad "Package: $(field Package)"; fi
    if [ "$(field Version)" = "$version" ]; then ok; else bad "Version: $(field Version)"; fi
    if [ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ]; then ok; else bad "no Maintainer or Description"; fi
    depends=$(field Depends)
    for dep in libglib2.0-0 libjansson4 libsqlite3-0 gnuplot-nox libc6; do
        if grep -qE "(^|, |\| )$dep( |,|$)" <<<"$depends"; then ok; else bad "Depends lacks $dep: $depends"; fi
    done
    for path in ./usr/bin/reclaimsim ./usr/share/man/man1/reclaimsim.1.gz \
        ./usr/share/reclaimsim/scenarios/scenario.schema.json \
        ./usr/share/reclaimsim/scenarios/default.json \
        ./usr/share/reclaimsim/scenarios/data/bitbrains/rnd-2013-7/1.csv.gz; do
        if grep -q " $path\$" "$tmp/contents.txt"; then ok; else bad "the .deb lacks $path"; fi
    done
    for f in $plots; do
        if grep -q " ./usr/share/reclaimsim/plots/$f\$" "$tmp/contents.txt"; then ok; else bad "the .deb lacks plots/$f"; fi
    done
    if grep -v ' ./usr/' "$tmp/contents.txt" | grep -vq ' ./$'; then bad "files outside /usr:"; grep -v ' ./usr/' "$tmp/contents.txt"; else ok; fi
    if awk '{ print $2 }' "$tmp/contents.txt" | grep -vqx 'root/root'; then bad "files not owned by root"; else ok; fi
    dpkg-deb -x "$deb" "$tmp/root"
    if [ "$("$tmp/root/usr/bin/reclaimsim" --version | head -n 1)" = "reclaimsim $version" ]; then ok; else bad "packaged binary --version"; fi
    if "$tmp/root/usr/bin/reclaimsim" check "$tmp/root/usr/share/reclaimsim/scenarios/limit.json" >/dev/null; then ok; else
        bad "packaged binary cannot check the packaged limit.json"
    fi
else
    bad "no .deb in $tmp/pkg"
fi

finish
