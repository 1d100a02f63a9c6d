#!/usr/bin/env bash
# scenarios/scenario.schema.json against a real validator and the loader
# (issue 5, part 6): runs schema-check.py (see its header) with a Python that
# has jsonschema >= 4 (Draft 2020-12): Debian's python3-jsonschema, installed
# by scripts/deps.sh, is tried first.
# usage: test-schema.sh BIN SOURCE_DIR
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 BIN SOURCE_DIR" >&2
    exit 2
fi
bin=$1
src=$2
probe='from jsonschema import Draft202012Validator'
python=""
for candidate in /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "$probe" 2>/dev/null; then
        python=$candidate
        break
    fi
done
if [ -z "$python" ]; then
    echo "test-schema: no python3 with jsonschema (Draft 2020-12); run scripts/deps.sh" >&2
    echo "(it installs Debian's python3-jsonschema)" >&2
    exit 1
fi
exec "$python" "$(dirname "$0")/schema-check.py" "$bin" "$src"
