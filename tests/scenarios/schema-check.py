#!/usr/bin/env python3
"""The scenario schema and the loader agree (issue 5, part 6).

usage: schema-check.py BIN SOURCE_DIR

Validates scenarios/scenario.schema.json with a real JSON Schema validator
(python3-jsonschema, Draft 2020-12) and checks it against the loader, the
real binary BIN:
  - the schema is a valid 2020-12 schema; every key has a description and
    every default is valid for its key;
  - every shipped scenario (scenarios/*.json, scenarios/validation/*.json)
    passes both the schema and `BIN check`;
  - the good samples (tests/scenarios/schema-good/) pass both;
  - the bad samples (tests/scenarios/schema-bad/) and every case of the
    bad-input corpus (tests/scenarios/invalid/) are rejected by both, and the
    schema reports the error at the loader's JSON pointer or at its parent,
    except the corpus cases listed in CANNOT_EXPRESS, whose schema outcome
    is asserted as listed;
  - the schema has exactly the keys of the loader's key tables, as `BIN keys
    --json` lists them (sim/load/keys.c), and for each the same JSON types,
    default, minimum/maximum, enum values, description and "required";
    each of its keys, set alone to its default, passes `BIN check`;
  - the table of docs/model.md ("Scenario keys") is the one keys_doc.py
    makes from `BIN keys --json`;
  - the schema's policy names include every policy `BIN policies` lists;
  - the settings of the built-in policies (host.policy as an object, rows of
    `BIN keys --json` with a "policy") are the allOf of "$defs"/"policy",
    as `keys_doc.py BIN --schema-policy` makes it from them, and each set
    alone to its default passes `BIN check`.
Prints one line per failure and ends with "N passed, M failed".
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator

# Corpus cases whose error the schema cannot express, with the reason and
# what the schema does with the file: "accept" (valid JSON the schema lets
# through) or "unparsable" (not JSON, so no schema ever sees it).
CANNOT_EXPRESS = {
    # Bounds of docs/model.md "Run size bounds" (issue 9): values of durations
    # and sizes, or estimates over the whole scenario, which no pattern holds.
    "balance-period-below-1ms": ("accept", "value of a duration string: period >= 1ms"),
    "balloon-poll-below-1ms": ("accept", "value of a duration string: period >= 1ms"),
    "sample-interval-below-1ms": ("accept", "value of a duration string: period >= 1ms"),
    "sample-period-below-1ms": ("accept", "value of a duration string: period >= 1ms"),
    "period-above-100-years": ("accept", "value of a duration string: period <= 36500d"),
    "duration-over-100-years": ("accept", "value of a duration string: duration <= 36500d"),
    "host-overhead-default-above-memory": ("accept", "cross-field with a default: overhead < memory"),
    "vm-memory-over-page-model": ("accept", "cross-field: memory / page_size <= 2^32 - 4096"),
    "count-page-state-over-bound": ("accept", "estimate: page state of all VMs <= 32GiB"),
    "phases-times-count-over-bound": ("accept", "estimate: phases x count within the bounds"),
    "skew-warm-beyond-memory": ("accept", "cross-field sizes: warm <= memory - active"),
    "skew-shares-over-one": ("accept", "cross-field sum: warm_share + cold_share <= 1"),
    "pred-workload-kind-active-above-memory": ("accept", "cross-field with a preset: active <= the kind's memory"),
    "sample-interval-memory-over-bound": ("accept", "estimate: samples x VMs within 32GiB"),
    "duration-events-over-bound": ("accept", "estimate: events over the duration <= 1e9"),
    "balloon-poll-events-over-bound": ("accept", "estimate: events over the duration <= 1e9"),
    "repeat-period-too-short": ("accept", "estimate: a repeating trace's loops, from the file"),
    "syntax-raw-newline-in-string": ("unparsable", "not JSON: a raw newline in a string"),
    "syntax-c1-control-in-near-text": ("unparsable", "not JSON: a raw control character in a string"),
    "fuzz-del-byte-in-near-text": ("unparsable", "not JSON: a DEL byte where a value should start"),
    "balloon-slow-min-above-max": ("accept", "cross-field: rate_slow_min <= rate_slow_max"),
    "content-sum-over-one": ("accept", "cross-field: zero + image_shared + duplicate <= 1"),
    "duplicate-key": ("unparsable", "JSON syntax: a duplicate key is gone once parsed"),
    "duplicate-vm-name": ("accept", "names must be unique after count expansion (NAME-1..)"),
    "duration-overflow": ("accept", "magnitude: a duration of at most ~292 years is not a regex"),
    "empty": ("unparsable", "not JSON: empty file"),
    "empty-whitespace": ("unparsable", "not JSON: only whitespace"),
    "event-limit-below-reservation": ("accept", "cross-field over time: limit >= reservation "
                                      "after every event"),
    "event-unknown-vm": ("accept", "reference: the event's VM must exist after expansion"),
    "host-memory-below-page": ("accept", "cross-field: host memory >= page_size"),
    "invalid-utf8": ("unparsable", "not JSON text: invalid UTF-8"),
    "kernel-default-exceeds-memory": ("accept", "cross-field: guest kernel < VM memory"),
    "kernel-exceeds-memory": ("accept", "cross-field: guest kernel < VM memory"),
    "limit-below-reservation": ("accept", "cross-field: limit >= reservation"),
    "min-free-too-large": ("accept", "cross-field: min_free < host memory"),
    "nul-byte": ("unparsable", "not JSON text: a raw NUL byte"),
    "phase-active-exceeds-memory": ("accept", "cross-field: active <= workload memory"),
    "phase-memory-exceeds-vm": ("accept", "cross-field: workload memory <= VM memory - kernel"),
    "reservation-exceeds-memory": ("accept", "cross-field: reservation <= VM memory"),
    "reservation-from-template": ("accept", "cross-field: sum of reservations <= host memory"),
    "reservations-exceed-host": ("accept", "cross-field: sum of reservations <= host memory"),
    "size-overflow": ("accept", "magnitude: a size of at most 2^62 bytes is not a regex"),
    "syntax-missing-comma": ("unparsable", "JSON syntax error"),
    "syntax-trailing-garbage": ("unparsable", "JSON syntax error"),
    "template-unknown": ("accept", "reference: the template must be a key of templates"),
    "trace-bad-number": ("accept", "file content: the trace's numbers"),
    "trace-esxtop-time-goes-back": ("accept", "file content: the capture's timestamps"),
    "trace-missing-file": ("accept", "file system: the trace file must exist"),
    "trace-start-after-end": ("accept", "file content: start within the trace"),
    "trace-vm-not-in-trace": ("accept", "file content: the trace must have rows for the VM"),
    "trace-empty-csv": ("accept", "file content: an empty trace"),
    "trace-csv-header-only": ("accept", "file content: a trace without rows"),
    "trace-bitbrains-header-only": ("accept", "file content: a trace without rows"),
    "trace-esxtop-header-only": ("accept", "file content: a capture without samples"),
    "trace-esxtop-empty": ("accept", "file content: an empty capture"),
    "trace-nul-byte": ("accept", "file content: a NUL byte in the trace"),
    "trace-directory": ("accept", "file system: the trace must be a regular file"),
    "trace-memory-too-large": ("accept", "file content: the trace's values"),
    "trace-active-infinite": ("accept", "file content: the trace's values"),
    "trace-bitbrains-usage-negative": ("accept", "file content: the trace's values"),
    "trace-esxtop-granted-infinite": ("accept", "file content: the capture's values"),
    "trace-gzip-corrupt": ("accept", "file content: the gzip stream"),
    "workload-active-exceeds-memory": ("accept", "cross-field: active <= workload memory"),
    "workload-memory-exceeds-vm": ("accept", "cross-field: workload memory <= VM memory - kernel"),
}

# Values for the keys that have no default, to set each key alone.
NO_DEFAULT_VALUES = {
    "$schema": "scenario.schema.json",
    "host.policy.name": "esxi",
    "name": "solo",
    "host.memory": "16GiB",
    "templates.*.memory": "4GiB",
    "vms.*.name": "web",
    "vms.*.template": "t",
    "vms.*.memory": "4GiB",
    "templates.*.workload.active": "512MiB",
    "vms.*.workload.active": "512MiB",
    "sla.perf_index": 0.9,
    "events.*.at": "1m",
    "events.*.action": "set",
    "events.*.vm": "web",
    "events.*.limit": "2GiB",
    "events.*.reservation": "1GiB",
    "events.*.shares": "high",
    "vms.*.workload.trace.file": "trace.csv",
    "templates.*.workload.trace.file": "trace.csv",
    "vms.*.workload.trace.vm": "web",
    "templates.*.workload.trace.vm": "web",
}
# The trace that scenarios with a trace key read (written next to them).
TRACE_CSV = "time_s,vm,memory_mb,active_mb\n0,web,1024,256\n600,web,2048,512\n"
# Phase keys have no defaults: a phase changes what it names.
PHASE_VALUES = {"at": "1m", "memory": "1GiB", "active": "256MiB", "page_cache": "128MiB",
                "touch_rate": "100/s", "write_share": 0.5}

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL " + what)
    return ok


def load_strict(path):
    """Parses like the loader: UTF-8 only, no duplicate keys, no NaN."""
    def pairs(items):
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(items)

    def constant(name):
        raise ValueError("not JSON: " + name)

    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


def pointer_parts(ptr):
    if ptr in ("", "/"):
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in ptr[1:].split("/")]


def schema_errors(validator, doc):
    """[(path parts, message)] for every error the schema finds."""
    return [([str(p) for p in e.absolute_path], e.message) for e in validator.iter_errors(doc)]


def agrees(errors, loader_ptr):
    """Some schema error is at the loader's place or at its parent object."""
    want = pointer_parts(loader_ptr)
    return any(path == want or path == want[:-1] for path, _ in errors)


def loader_check(binary, paths, cwd=None):
    """Runs `BIN check` once on all paths; returns (exit code, {path: pointer or None})."""
    proc = subprocess.run([binary, "check"] + paths, cwd=cwd, capture_output=True, text=True,
                          timeout=300)
    result = {}
    for p in paths:
        ok = re.search("^" + re.escape(p) + r": ok \(", proc.stdout, re.M)
        err = re.search("^" + re.escape(p) + r":\d+:\d+: error: .*\(at (/[^)]*)\)$", proc.stderr,
                        re.M)
        result[p] = "ok" if ok else (err.group(1) if err else None)
    return proc.returncode, result, proc.stderr


def walk_properties(node, path, out):
    """Every (path, subschema) under a "properties", with array items as "*"."""
    if not isinstance(node, dict):
        return
    for key, sub in node.get("properties", {}).items():
        out.append((path + [key], sub))
        walk_properties(sub, path + [key], out)
    if isinstance(node.get("items"), dict):
        walk_properties(node["items"], path + ["*"], out)
    if isinstance(node.get("additionalProperties"), dict):
        walk_properties(node["additionalProperties"], path + ["*"], out)


def resolve(schema, sub):
    """Follows $ref (local pointers only) until a schema without one."""
    while isinstance(sub, dict) and "$ref" in sub and "properties" not in sub:
        ref = sub["$ref"]
        target = schema
        for part in pointer_parts(ref[1:]):
            target = target[part]
        merged = dict(target)
        merged.update({k: v for k, v in sub.items() if k != "$ref"})
        sub = merged
    return sub


def key_paths(schema, parents=None):
    """{dotted path: resolved subschema} for every key, refs expanded; `parents`
    gets {dotted path: the object schema that holds its keys} ("" the root)."""
    out = {}

    def walk(node, path, depth):
        node = resolve(schema, node)
        if depth > 12 or not isinstance(node, dict):
            return
        if parents is not None and "properties" in node:
            parents[".".join(path)] = node
        for key, sub in node.get("properties", {}).items():
            r = resolve(schema, sub)
            out[".".join(path + [key])] = r
            walk(r, path + [key], depth + 1)
        for child in ("items", "additionalProperties"):
            if isinstance(node.get(child), dict):
                walk(node[child], path + ["*"], depth + 1)
        for branch in node.get("anyOf", []):  # e.g. trace: a file name or an object
            walk(branch, path, depth + 1)

    walk(schema, [], 0)
    return out


def is_object_key(sub):
    return "properties" in sub or sub.get("type") in ("object", "array")


def check_schema_itself(schema, validator):
    check(schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema",
          "the schema declares draft 2020-12")
    try:
        Draft202012Validator.check_schema(schema)
        check(True, "")
    except Exception as e:  # the metaschema's own message says what is wrong
        check(False, "the schema is not a valid 2020-12 schema: %s" % e)
    raw = []
    walk_properties(schema, [], raw)
    for d, sub in schema["$defs"].items():
        walk_properties(sub, ["$defs", d], raw)
    for path, sub in raw:
        check("description" in resolve(schema, sub), "no description for %s" % ".".join(path))
    for path, sub in key_paths(schema).items():
        if "default" in sub:
            probe = dict(sub)
            probe["$defs"] = schema["$defs"]
            errs = list(Draft202012Validator(probe).iter_errors(sub["default"]))
            check(not errs, "default of %s (%r) is not valid for it: %s"
                  % (path, sub["default"], errs[0].message if errs else ""))


def check_files(binary, validator, paths, expect_ok, label):
    code, loader, stderr = loader_check(binary, paths)
    check(code == (0 if expect_ok else 2),
          "%s: `check` exited %d, expected %d\n%s" % (label, code, 0 if expect_ok else 2, stderr))
    for p in paths:
        doc = load_strict(p)
        errs = schema_errors(validator, doc)
        if expect_ok:
            check(loader[p] == "ok", "%s: the loader rejects %s" % (label, p))
            check(not errs, "%s: the schema rejects %s: %s" % (label, p, errs[:3]))
        else:
            ptr = loader[p]
            check(ptr not in (None, "ok"), "%s: the loader does not reject %s with a pointer"
                  % (label, p))
            check(bool(errs), "%s: the schema accepts %s" % (label, p))
            if errs and ptr not in (None, "ok"):
                check(agrees(errs, ptr), "%s: %s: the loader fails at %s, the schema at %s"
                      % (label, p, ptr, ["/" + "/".join(e[0]) for e in errs]))


def check_corpus(validator, corpus):
    for name in sorted(os.listdir(corpus)):
        case = os.path.join(corpus, name)
        expected = open(os.path.join(case, "expected.txt"), encoding="utf-8",
                        errors="replace").read()
        m = re.search(r"\(at (/[^)]*)\)\s*$", expected)
        try:
            doc = load_strict(os.path.join(case, "scenario.json"))
            errs = schema_errors(validator, doc)
            outcome = "reject" if errs else "accept"
        except (ValueError, UnicodeDecodeError):
            errs = []
            outcome = "unparsable"
        if name in CANNOT_EXPRESS:
            want, why = CANNOT_EXPRESS[name]
            check(outcome == want, "invalid/%s (%s): expected the schema to %s it, got %s%s"
                  % (name, why, want, outcome, ": %s" % errs[:2] if errs else ""))
            continue
        if not check(outcome == "reject", "invalid/%s: the schema does not reject it (%s); "
                     "make the schema reject it, or list it in CANNOT_EXPRESS with a reason"
                     % (name, outcome)):
            continue
        check(m is not None and agrees(errs, m.group(1)),
              "invalid/%s: the loader fails at %s, the schema at %s"
              % (name, m.group(1) if m else "?", ["/" + "/".join(e[0]) for e in errs]))
    for name in sorted(CANNOT_EXPRESS):
        if not os.path.isdir(os.path.join(corpus, name)):
            print("note: CANNOT_EXPRESS lists %s, which is no longer in the corpus" % name)


def schema_types(schema, sub, depth=0):
    """The JSON types a value of `sub` may have ("number" and "integer" apart)."""
    sub = resolve(schema, sub)
    if not isinstance(sub, dict) or depth > 8:
        return set()
    kinds = {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
             "NoneType": "null", "dict": "object", "list": "array"}
    types = set()
    if "type" in sub:
        types |= set(sub["type"] if isinstance(sub["type"], list) else [sub["type"]])
    if "const" in sub:
        types.add(kinds[type(sub["const"]).__name__])
    if "enum" in sub and "type" not in sub:
        types |= {kinds[type(v).__name__] for v in sub["enum"]}
    for branch in sub.get("anyOf", []) + sub.get("oneOf", []):
        types |= schema_types(schema, branch, depth + 1)
    if not types:  # allOf narrows: the types of its first branch that has any
        for branch in sub.get("allOf", []):
            types |= schema_types(schema, branch, depth + 1)
            if types:
                break
    return types


def schema_bounds(schema, sub):
    """minimum, exclusiveMinimum and maximum of `sub` or of its numeric anyOf branch."""
    sub = resolve(schema, sub)
    found = {}
    for node in [sub] + [resolve(schema, b) for b in sub.get("anyOf", [])]:
        if isinstance(node, dict) and node.get("type") in ("number", "integer", None):
            for word in ("minimum", "exclusiveMinimum", "maximum"):
                if word in node:
                    found[word] = node[word]
    return found


def schema_enum(schema, sub):
    sub = resolve(schema, sub)
    for node in [sub] + [resolve(schema, b) for b in sub.get("anyOf", [])]:
        if isinstance(node, dict) and "enum" in node:
            return node["enum"]
    return None


def same_value(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b)
    return a == b


def loader_keys(binary, settings=None):
    """{dotted path as key_paths writes it: row} from `BIN keys --json`; the rows
    of the built-in policies' settings (with a "policy") go to `settings`."""
    out = subprocess.run([binary, "keys", "--json"], capture_output=True, text=True,
                         timeout=60)
    check(out.returncode == 0, "`keys --json` exited %d: %s" % (out.returncode, out.stderr))
    rows = json.loads(out.stdout or "[]")
    if settings is not None:
        settings.extend(k for k in rows if "policy" in k)
    return {k["path"].replace("[]", ".*"): k for k in rows if "policy" not in k}


def check_key_row(schema, parents, path, sub, row):
    """One key: the schema and the loader's row agree on every fact both hold."""
    check(schema_types(schema, sub) == set(row["json_types"]),
          "%s: the schema takes %s, the loader %s"
          % (path, sorted(schema_types(schema, sub)), sorted(row["json_types"])))
    check(("default" in sub) == ("default" in row)
          and same_value(sub.get("default"), row.get("default")),
          "%s: default %r in the schema, %r in the loader"
          % (path, sub.get("default", "(none)"), row.get("default", "(none)")))
    check(sub.get("description") == row["description"],
          "%s: descriptions differ:\n  schema: %s\n  loader: %s"
          % (path, sub.get("description"), row["description"]))
    if row["type"] in ("number", "integer", "percent"):
        want = {w: row[w] for w in ("minimum", "exclusiveMinimum", "maximum") if w in row}
        got = schema_bounds(schema, sub)
        check(set(want) == set(got) and all(same_value(want[w], got[w]) for w in want),
              "%s: bounds %s in the schema, %s in the loader" % (path, got, want))
    if row["type"] == "enum":
        check(schema_enum(schema, sub) == row["values"], "%s: values %s in the schema, %s in "
              "the loader" % (path, schema_enum(schema, sub), row["values"]))
    parent, _, name = path.rpartition(".")
    required = name in parents.get(parent, {}).get("required", [])
    check(required == row["required"], "%s: required %s in the schema, %s in the loader"
          % (path, required, row["required"]))


def model_table(model_md):
    """The table of docs/model.md's "Scenario keys" section, as text."""
    text = open(model_md, encoding="utf-8").read()
    section = text.split("## Scenario keys", 1)[1].split("\n## ", 1)[0]
    return "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))


def check_keys_agree(schema, source, binary):
    parents = {}
    paths = key_paths(schema, parents)
    rows = loader_keys(binary)
    check(set(paths) == set(rows), "schema keys and loader keys differ: only in the schema %s, "
          "only in the loader %s" % (sorted(set(paths) - set(rows)),
                                     sorted(set(rows) - set(paths))))
    for p in sorted(set(paths) & set(rows)):
        check_key_row(schema, parents, p, paths[p], rows[p])

    sys.path.insert(0, os.path.join(source, "tests", "scenarios"))
    import keys_doc
    want = keys_doc.markdown(keys_doc.keys(binary))
    got = model_table(os.path.join(source, "docs", "model.md"))
    if not check(got == want, "docs/model.md, \"Scenario keys\": the table is not the one "
                 "`tests/scenarios/keys_doc.py BIN --markdown` makes; differences:"):
        import difflib
        sys.stdout.writelines(difflib.unified_diff(got.splitlines(True), want.splitlines(True),
                                                   "docs/model.md", "keys_doc.py", n=0))

    # Each leaf set alone (to its default, or a sample value) must load.
    tmp = tempfile.mkdtemp(prefix="schema-keys.")
    with open(os.path.join(tmp, "trace.csv"), "w", encoding="utf-8") as f:
        f.write(TRACE_CSV)
    files = []
    for i, (p, sub) in enumerate(sorted(paths.items())):
        if is_object_key(sub) and "phases" not in p.split(".")[-1:]:
            continue
        doc = key_alone(p, sub)
        if doc is None:
            continue
        name = os.path.join(tmp, "key-%03d.json" % i)
        with open(name, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        files.append((name, p))
    code, loader_out, stderr = loader_check(binary, [f for f, _ in files])
    for f, p in files:
        check(loader_out[f] == "ok", "the loader rejects %s set alone (%s): %s"
              % (p, json.dumps(key_alone(p, paths[p])), stderr_for(stderr, f)))
    shutil.rmtree(tmp)
    check(len(files) > 60, "only %d keys were set alone" % len(files))


def stderr_for(stderr, f):
    return "".join(l for l in stderr.splitlines(True) if l.startswith(f))


def key_alone(path, sub):
    """A minimal scenario with only `path` set, or None for containers."""
    doc = {"host": {"memory": "16GiB"}, "vms": [{"name": "web", "memory": "4GiB"}]}
    parts = path.split(".")
    if parts[-1] == "phases":
        value = [dict(PHASE_VALUES)]
    elif parts[-2:-1] == ["*"] and "phases" in parts:
        value = PHASE_VALUES[parts[-1]]
    elif "default" in sub:
        value = sub["default"]
    elif path in NO_DEFAULT_VALUES:
        value = NO_DEFAULT_VALUES[path]
    else:
        return None
    if parts[0] == "templates" or path == "vms.*.template":
        doc["templates"] = {"t": {}}
        doc["vms"][0]["template"] = "t"
    if parts[0] == "templates":
        parts = ["templates", "t"] + parts[2:]
    if parts[0] == "vms":
        parts = ["vms", 0] + parts[2:]
    elif parts[0] == "events":
        doc["events"] = [{"at": "1m", "action": "set", "vm": "web", "limit": "2GiB"}]
        parts = ["events", 0] + parts[2:]
    cur = doc
    for i, part in enumerate(parts[:-1]):
        if part == "phases":
            cur = cur.setdefault("phases", [{"at": "1m", "memory": "1GiB"}])
            continue
        if part == "*":
            part = 0
        if isinstance(cur, dict):
            cur = cur.setdefault(part, {})
        else:
            cur = cur[part]
    cur[parts[-1] if parts[-1] != "*" else 0] = value
    if parts[-2:] == ["workload", "active"]:
        cur["memory"] = "1GiB"  # the hot set is part of the workload's memory
    if parts[-2:-1] == ["trace"]:
        cur.setdefault("file", "trace.csv")  # a trace object needs its file
    return doc


def check_policy_settings(schema, source, binary):
    """The built-in policies' settings: the schema's are the generated ones, and
    each, set alone to its default, loads."""
    settings = []
    loader_keys(binary, settings)
    sys.path.insert(0, os.path.join(source, "tests", "scenarios"))
    import keys_doc
    want = keys_doc.schema_policy(settings)
    got = schema["$defs"]["policy"].get("allOf")
    check(got == want, "scenario.schema.json, $defs/policy/allOf is not the one "
          "`tests/scenarios/keys_doc.py BIN --schema-policy` makes from the built-in "
          "policies' settings; paste its output there (or run `keys_doc.py BIN --update "
          "SOURCE_DIR`):\n" + json.dumps(want, indent=2))
    tmp = tempfile.mkdtemp(prefix="schema-settings.")
    files = []
    for i, k in enumerate(settings):
        doc = {"host": {"memory": "16GiB", "policy": {"name": k["policy"]}},
               "vms": [{"name": "web", "memory": "4GiB"}]}
        doc["host"]["policy"][k["path"].rpartition(".")[2]] = k["default"]
        name = os.path.join(tmp, "setting-%03d.json" % i)
        with open(name, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        files.append((name, k))
    if files:
        _, loader_out, stderr = loader_check(binary, [f for f, _ in files])
        for f, k in files:
            check(loader_out[f] == "ok", "the loader rejects setting %s of policy %s at its "
                  "default %r: %s" % (k["path"], k["policy"], k["default"], stderr_for(stderr, f)))
    shutil.rmtree(tmp)


def check_policies(schema, binary):
    proc = subprocess.run([binary, "policies"], capture_output=True, text=True, timeout=60)
    # a policy line starts at the margin; its settings are indented under it
    names = [line.split()[0] for line in proc.stdout.splitlines() if line.strip() and not line[0].isspace()]
    check(proc.returncode == 0 and names, "`policies` lists no policy")
    enum = schema["$defs"]["policyName"]["enum"]
    for n in names:
        check(n in enum, "policy %s is built in but not in the schema's policyName enum" % n)


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    binary, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.chdir(source)
    schema = load_strict("scenarios/scenario.schema.json")
    validator = Draft202012Validator(schema)
    check_schema_itself(schema, validator)

    shipped = sorted(os.path.join("scenarios", f) for f in os.listdir("scenarios")
                     if f.endswith(".json") and f != "scenario.schema.json")
    shipped += sorted(os.path.join("scenarios/validation", f)
                      for f in os.listdir("scenarios/validation") if f.endswith(".json"))
    check(len(shipped) >= 3, "only %d shipped scenarios found" % len(shipped))
    check_files(binary, validator, shipped, True, "shipped")
    good = sorted(os.path.join("tests/scenarios/schema-good", f)
                  for f in os.listdir("tests/scenarios/schema-good") if f.endswith(".json"))
    check(len(good) >= 3, "only %d good samples" % len(good))
    check_files(binary, validator, good, True, "schema-good")
    bad = sorted(os.path.join("tests/scenarios/schema-bad", f)
                 for f in os.listdir("tests/scenarios/schema-bad") if f.endswith(".json"))
    check(len(bad) >= 30, "only %d bad samples" % len(bad))
    check_files(binary, validator, bad, False, "schema-bad")
    check_corpus(validator, "tests/scenarios/invalid")
    check_keys_agree(schema, source, binary)
    check_policies(schema, binary)
    check_policy_settings(schema, source, binary)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
