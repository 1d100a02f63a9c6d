#!/usr/bin/env python3
"""Checks a libFuzzer dictionary against the scenario schema.

Every property name of scenarios/scenario.schema.json (at any depth, in
"properties" and "$defs" alike) and every string of an "enum" must be an
entry of the dictionary, so the scenario fuzzers know every key the loader
reads. Prints what is missing and exits 1; exits 0 when nothing is.

usage: check-dict.py SCHEMA DICT
"""
import json
import re
import sys


def schema_words(node, words):
    """Collects property names and enum strings below `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                words.update(value.keys())
            if key == "enum" and isinstance(value, list):
                words.update(v for v in value if isinstance(v, str))
            schema_words(value, words)
    elif isinstance(node, list):
        for value in node:
            schema_words(value, words)
    return words


def dict_entries(path):
    """The quoted values of a libFuzzer dictionary (name="value" or "value")."""
    entries = set()
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.fullmatch(r'(?:[A-Za-z0-9_]+=)?"(.*)"', line)
            if m is None:
                sys.exit(f"{path}:{number}: not a dictionary entry: {line}")
            value = re.sub(r"\\x([0-9A-Fa-f]{2})", lambda h: chr(int(h.group(1), 16)), m.group(1))
            entries.add(value.replace('\\"', '"').replace("\\\\", "\\"))
    return entries


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], encoding="utf-8") as f:
        words = schema_words(json.load(f), set())
    entries = dict_entries(sys.argv[2])
    missing = sorted(w for w in words if f'"{w}"' not in entries and w not in entries)
    for word in missing:
        print(f'{sys.argv[2]}: missing schema word "{word}" (add the line "\\"{word}\\"")')
    print(f"{len(words) - len(missing)}/{len(words)} schema words in {sys.argv[2]}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
