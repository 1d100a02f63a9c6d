#!/usr/bin/env python3
"""The scenario key list of docs/model.md and of the man page, made from
`BIN keys --json` (sim/load/keys.c holds the keys; these are its copies).

usage: keys_doc.py BIN --markdown|--man|--schema-policy|--update SOURCE_DIR

--markdown prints the table of docs/model.md, "Scenario keys"; --man the
roff between the `.\\" keys: begin` and `.\\" keys: end` lines of
docs/reclaimsim.1; --schema-policy the "allOf" of "$defs"/"policy" in
scenarios/scenario.schema.json: the settings of each built-in policy
(host.policy as an object), from the policy registry. tests/scenarios/
schema-check.py and test-manpage.sh compare them with the files: after
changing a key or a built-in policy's settings, paste this output there.
--update SOURCE_DIR writes all three into docs/model.md, docs/reclaimsim.1
and scenarios/scenario.schema.json of SOURCE_DIR.
The keys of a template (templates.*.KEY) are those of a VM entry, so both
lists leave them out.
"""
import json
import os
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


# The last branch of the policy object's allOf: a plug-in's settings are its own.
PLUGIN_BRANCH = {"if": {"required": ["name"], "properties": {"name": {"$ref": "#/$defs/pluginPath"}}},
                 "then": {"additionalProperties": True}}


def setting_schema(k):
    """The schema of one setting of a built-in policy, from its `keys` row."""
    out = {"description": k["description"]}
    if k["type"] in ("size", "duration", "percent"):
        out["$ref"] = "#/$defs/" + k["type"]
    elif k["type"] == "bool":
        out["type"] = "boolean"
    else:
        out["type"] = "number"
    for word in ("minimum", "maximum"):  # numbers only: a percent's in percent
        if word in k:
            out[word] = k[word]
    out["default"] = k["default"]
    return out


def schema_policy(all_rows):
    """The policy object's allOf: per built-in policy with settings, if its name then
    its settings; then the plug-in branch. With unevaluatedProperties false beside it,
    any other key is refused."""
    branches = {}
    for k in all_rows:
        if "policy" in k:
            props = branches.setdefault(k["policy"], {})
            props[k["path"].rpartition(".")[2]] = setting_schema(k)
    out = [{"if": {"required": ["name"], "properties": {"name": {"const": name}}},
            "then": {"properties": props}} for name, props in branches.items()]
    return out + [PLUGIN_BRANCH]


def replace_between(text, start, end, new, what):
    """`text` with what lies between the first `start` and the next `end` replaced."""
    a = text.index(start) + len(start)
    b = text.index(end, a)
    if a > b:
        raise ValueError(what)
    return text[:a] + new + text[b:]


def update(rows, source):
    """Writes the generated parts into the files of `source`."""
    path = os.path.join(source, "docs", "model.md")
    text = open(path, encoding="utf-8").read()
    head, _, rest = text.partition("## Scenario keys")
    section, after, tail = rest.partition("\n## ")
    lines = section.splitlines(True)
    table = [i for i, line in enumerate(lines) if line.startswith("|")]
    lines[table[0]:table[-1] + 1] = [markdown(rows)]
    open(path, "w", encoding="utf-8").write(head + "## Scenario keys" + "".join(lines) + after
                                            + tail)
    path = os.path.join(source, "docs", "reclaimsim.1")
    text = open(path, encoding="utf-8").read()
    begin = text.index('.\\" keys: begin')
    text = replace_between(text, text[begin:text.index("\n", begin) + 1], '.\\" keys: end',
                           man(rows), "man page")
    open(path, "w", encoding="utf-8").write(text)
    path = os.path.join(source, "scenarios", "scenario.schema.json")
    text = open(path, encoding="utf-8").read()
    fragment = json.dumps(schema_policy(rows), indent=2).replace("\n", "\n      ")
    at = text.index('"description": "host.policy as an object')
    text = text[:at] + replace_between(text[at:], '"allOf": ', ',\n      "unevaluatedProperties"',
                                       fragment, "schema")
    open(path, "w", encoding="utf-8").write(text)


def main():
    if len(sys.argv) == 4 and sys.argv[2] == "--update":
        update(keys(sys.argv[1]), sys.argv[3])
        return 0
    if len(sys.argv) != 3 or sys.argv[2] not in ("--markdown", "--man", "--schema-policy"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    rows = keys(sys.argv[1])
    if sys.argv[2] == "--schema-policy":
        print(json.dumps(schema_policy(rows), indent=2))
        return 0
    sys.stdout.write(markdown(rows) if sys.argv[2] == "--markdown" else man(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
