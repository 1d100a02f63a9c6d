#!/usr/bin/env python3
"""The layering of docs/architecture.md, checked on the sources and the objects.

usage: layers.py SOURCE_DIR [BUILD_DIR] [--list]

Parts are folders (sim/ is the engine; sim/run, sim/load, sim/out and sim/cli
are parts of their own at the edges). A part may include and call only
itself and the parts ALLOWED lists for it. Checked:
  - every `#include "..."` of a project header (the include graph);
  - with BUILD_DIR: every symbol an object file uses that another object of
    the project defines (the call graph, read with nm from the objects the
    build made, so what the linker would resolve);
  - no cycle between files: among headers by includes, among .c files by
    calls (a .c file and the functions it calls in another .c file).
--list prints both graphs, one edge per line. Exit status 1 on a violation.
"""
import os
import re
import subprocess
import sys

# Parts, lowest first, and what each may use (docs/architecture.md).
# "part:file" allows one header of a part and nothing else of it.
ALLOWED = {
    "sim": set(),
    "host": {"sim"},
    "guest": {"sim", "host:host/guest.h", "host:host/pages.h"},
    "policy": {"sim", "host:host/state.h"},
    "run": {"sim", "host", "guest", "policy"},
    "load": {"sim", "policy", "run"},
    "out": {"sim", "host:host/state.h", "run", "load"},
    "plots": {"sim", "load", "out"},
    "cli": {"sim", "policy", "run", "load", "out", "plots"},
}
SUBPARTS = {"sim/run": "run", "sim/load": "load", "sim/out": "out", "sim/cli": "cli"}
TOP = ("sim", "host", "guest", "policy", "plots")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def part_of(path):
    folder = os.path.dirname(path)
    if folder in SUBPARTS:
        return SUBPARTS[folder]
    return folder if folder in TOP else None


def allowed(src_part, dst_part, dst_file):
    if src_part == dst_part:
        return True
    rules = ALLOWED[src_part]
    if dst_part in rules:
        return True
    # "part:x.h" allows the header and the functions of x.c it declares
    base = os.path.splitext(dst_file)[0]
    return any(r == f"{dst_part}:{base}.h" for r in rules)


def sources(root):
    out = []
    for top in TOP:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    rel = os.path.relpath(os.path.join(dirpath, f), root)
                    if part_of(rel) is not None:
                        out.append(rel)
    return sorted(out)


def include_graph(root, files):
    edges = {}
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            text = fh.read()
        edges[f] = sorted({i for i in INCLUDE.findall(text) if part_of(i) is not None})
    return edges


def objects(root, build):
    """Object file -> source path, from CMake's object folders of the parts
    (an object whose source is gone, left from an older build, is skipped)."""
    found = {}
    for dirpath, _, files in os.walk(os.path.join(build, "CMakeFiles")):
        m = re.search(r"CMakeFiles/reclaim(?:_\w+|sim)\.dir/(.*)$", dirpath)
        if m is None:
            continue
        for f in files:
            if f.endswith(".c.o"):
                src = os.path.join(m.group(1), f[:-2]) if m.group(1) else f[:-2]
                if part_of(src) is not None and os.path.exists(os.path.join(root, src)):
                    found[os.path.join(dirpath, f)] = src
    return found


def symbols(obj):
    res = subprocess.run(["nm", obj], capture_output=True, text=True, check=True)
    defined, used = set(), set()
    for line in res.stdout.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[0] == "U":
            used.add(fields[1])
        elif len(fields) == 3 and fields[1] in "TDBR":
            defined.add(fields[2])
    return defined, used


def call_graph(root, build):
    objs = objects(root, build)
    owner, uses = {}, {}
    for obj, src in objs.items():
        defined, used = symbols(obj)
        for s in defined:
            owner[s] = src
        uses[src] = used
    return {src: sorted({owner[s] for s in used if s in owner and owner[s] != src})
            for src, used in uses.items()}


def cycles(edges):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def check(kind, edges):
    bad = 0
    for src, dsts in sorted(edges.items()):
        for dst in dsts:
            sp, dp = part_of(src), part_of(dst)
            if not allowed(sp, dp, dst):
                print(f"{src}: {kind} {dst}: {sp}/ may not use {dp}/")
                bad += 1
    for comp in cycles(edges):
        print(f"cycle of {kind}: " + " -> ".join(comp))
        bad += 1
    return bad


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if not args:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = args[0]
    inc = include_graph(root, sources(root))
    graphs = [("includes", inc)]
    if len(args) > 1:
        calls = call_graph(root, args[1])
        if not calls:
            print(f"{args[1]}: no object files of the parts found", file=sys.stderr)
            return 1
        graphs.append(("calls", calls))
    if "--list" in argv:
        for kind, edges in graphs:
            for src, dsts in sorted(edges.items()):
                for dst in dsts:
                    print(f"{src} {kind} {dst}")
    bad = sum(check(kind, edges) for kind, edges in graphs)
    n_edges = sum(len(d) for _, e in graphs for d in e.values())
    print(f"layers: {len(inc)} files, {n_edges} edges, {bad} violations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
