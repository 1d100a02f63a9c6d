#!/usr/bin/env bash
# Runs the benchmarks of docs/benchmarks.md. Usage: bench/run.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
"$build/bench/reclaimsim-bench" "$here/bench-64g.json"
"$build/bench/reclaimsim-bench" "$here/bench-256g.json"
"$build/bench/reclaimsim-bench" "$here/bench-1t.json"
