#!/usr/bin/env python3
"""The scenario key list of docs/model.md and of the man page, made from
`BIN keys --json` (sim/load/keys.c holds the keys; these are its copies).

usage: keys_doc.py BIN --markdown|--man

--markdown prints the table of docs/model.md, "Scenario keys"; --man the
roff between the `.\\" keys: begin` and `.\\" keys: end` lines of
docs/reclaimsim.1. tests/scenarios/schema-check.py and test-manpage.sh
compare them with the files: after changing a key, paste this output there.
The keys of a template (templates.*.KEY) are those of a VM entry, so both
lists leave them out.
"""
import json
import subprocess
import sys


def keys(binary):
    out = subprocess.run([binary, "keys", "--json"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    return [k for k in json.loads(out) if not k["path"].startswith("templates.*.")]


def default_text(key, quote=""):
    """The default as JSON text (in `quote`s), or "required" or "-"."""
    if "default" in key:
        return quote + json.dumps(key["default"], ensure_ascii=False) + quote
    return "required" if key["required"] else "-"


def markdown(rows):
    def cell(text):
        return text.replace("|", "\\|")

    lines = ["| key | type | default | range | unit | description |",
             "|---|---|---|---|---|---|"]
    for k in rows:
        lines.append("| `%s` | %s | %s | %s | %s | %s |" % (
            k["path"], k["type"], cell(default_text(k, "`")), cell(k["range"]),
            k.get("unit", ""), cell(k["description"])))
    return "\n".join(lines) + "\n"


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def man(rows):
    lines = []
    for k in rows:
        facts = [k["type"]]
        if k.get("unit"):
            facts.append(k["unit"])
        facts.append("required" if k["required"] else
                     "default " + default_text(k) if "default" in k else "no default")
        if k["range"]:
            facts.append(k["range"])
        lines += [".TP", ".B " + roff(k["path"]), roff("; ".join(facts) + "."),
                  roff(k["description"])]
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in ("--markdown", "--man"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    rows = keys(sys.argv[1])
    sys.stdout.write(markdown(rows) if sys.argv[2] == "--markdown" else man(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
