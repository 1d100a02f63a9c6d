#!/usr/bin/env bash
# Installs the Debian packages reclaimsim needs: `deps.sh run` what building
# and running need (`make run`), `deps.sh test` (the default) that and what
# the test suite needs (`make test`). As root it uses apt-get; otherwise it
# prints the exact command and stops.
set -eu
what=${1:-test}
case $what in
run | test) ;;
*)
    echo "usage: $0 [run|test]" >&2
    exit 2
    ;;
esac
# build and run: the compiler, CMake, the libraries (libsqlite3-dev: the
# database of `reclaimsim sweep`), gnuplot for plots and fonts-dejavu-core,
# the font the plots name
packages="cmake make gcc pkg-config libglib2.0-dev libjansson-dev libsqlite3-dev gnuplot-nox"
packages="$packages fonts-dejavu-core"
if [ "$what" = test ]; then
    # cmocka: the unit tests; clang: the second compiler; valgrind: the
    # memory checks; chromium: the report test opens report.html in a real
    # (headless) browser; python3-jsonschema: the schema test's validator;
    # man-db, groff-base: the man page test; dpkg-dev, file: cpack -G DEB
    # (dpkg-shlibdeps) in the install test; sqlite3: the sweep tests read
    # sweep.sqlite back with the command-line tool.
    packages="$packages libcmocka-dev clang valgrind chromium python3-jsonschema man-db sqlite3"
    packages="$packages groff-base dpkg-dev file"
    # libopenmpi-dev, openmpi-bin: sweeps across MPI ranks (built when
    # found) and their test under mpirun
    packages="$packages libopenmpi-dev openmpi-bin"
fi
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
