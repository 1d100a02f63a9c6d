#!/usr/bin/env bash
# Installs the Debian packages reclaimsim needs to build and test.
# As root it uses apt-get; otherwise it prints the exact command and stops.
set -eu
packages="cmake make gcc clang pkg-config libglib2.0-dev libjansson-dev libcmocka-dev gnuplot-nox valgrind"
# chromium: the report test opens report.html in a real browser (headless);
# fonts-dejavu-core: the font the plots and the report name.
packages="$packages chromium fonts-dejavu-core"
# python3-jsonschema: the schema test's validator; man-db, groff-base: the man
# page test; dpkg-dev, file: cpack -G DEB (dpkg-shlibdeps) in the install test.
packages="$packages python3-jsonschema man-db groff-base dpkg-dev file"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    echo "deps.sh: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing
else
    echo "deps.sh: missing packages:$missing" >&2
    echo "run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
