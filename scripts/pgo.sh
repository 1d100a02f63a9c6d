#!/usr/bin/env bash
# A profile-guided Release build (gcc): instrumented binaries run a training
# set, then everything is built again with the profiles they wrote
# (docs/benchmarks.md, "Profile-guided build"). The result must simulate
# exactly as the plain build: with a plain build beside it, the last step
# runs both on the default scenario under every policy and on the 64 GiB
# benchmark, and compares their outputs byte by byte.
#
# Usage: scripts/pgo.sh [PGO_BUILD_DIR [PLAIN_BUILD_DIR]]   (default build-pgo, build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-pgo}
plain=${2:-build}
jobs=$(nproc)
profiles="$(realpath -m "$build")/pgo-profile"
work=$(mktemp -d "${TMPDIR:-/tmp}/reclaimsim-pgo.XXXXXX")
trap 'rm -rf "$work"' EXIT

# stale profiles of other sources would be read as this build's
rm -rf "$profiles"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc \
    -DRECLAIMSIM_PGO=GENERATE -DRECLAIMSIM_PGO_DIR="$profiles"
cmake --build "$build" -j "$jobs" --target reclaimsim reclaimsim-bench

# The training set: the benchmark's day at 64 GiB (the page-moving paths,
# ESXi), the same under KVM's one KSM scanner, and the default scenario
# under every policy, so each policy's code has its own profile.
echo "pgo: training"
"$build/bench/reclaimsim-bench" bench/bench-64g.json >/dev/null
"$build/bench/reclaimsim-bench" bench/bench-64g.json host.policy=kvm-mom duration=6h >/dev/null
for policy in $("$build/reclaimsim" policies | awk '/^[a-z]/ {print $1}'); do
    "$build/reclaimsim" run -q --force -o "$work/train" --policy "$policy" --set duration=1h \
        scenarios/default.json
done

cmake -S . -B "$build" -DRECLAIMSIM_PGO=USE
cmake --build "$build" -j "$jobs" --target reclaimsim reclaimsim-bench

# Runs scenario $1 with both builds (further arguments: run options) and
# compares every output file.
same_outputs() {
    local name=$1 scenario=$2
    shift 2
    "$plain/reclaimsim" run -q --force -o "$work/plain-$name" "$@" "$scenario"
    "$build/reclaimsim" run -q --force -o "$work/pgo-$name" "$@" "$scenario"
    for f in host.csv vms.csv summary.json esxtop.csv; do
        cmp "$work/plain-$name/$f" "$work/pgo-$name/$f"
    done
}

if [ -x "$plain/reclaimsim" ]; then
    echo "pgo: outputs against $plain"
    for policy in $("$plain/reclaimsim" policies | awk '/^[a-z]/ {print $1}'); do
        same_outputs "$policy" scenarios/default.json --policy "$policy" --set duration=1h
    done
    same_outputs bench-64g bench/bench-64g.json --set duration=2h
    echo "pgo: the same outputs, byte for byte"
else
    echo "pgo: no plain build in $plain to compare with (make build)"
fi
echo "pgo: $build/reclaimsim and $build/bench/reclaimsim-bench are built with profiles"
