#!/usr/bin/env python3
"""Fails when modules of src/ import each other in a cycle (ARCHITECTURE.md: layers without cycles).

Reads `crate::` and `super::` paths (in `use` lines and inline), skipping `#[cfg(test)]` modules at the end of a file,
and builds the graph of modules at depth 1 (`store`, `graphql`, ...) and at depth 2 (`graphql::types`, `http::respond`,
...). A path is resolved textually, which is enough for this tree: modules are files, and no macro builds paths.
Usage: .ci/module-cycles.py [src]
"""
import os
import re
import sys

PATH = re.compile(r"(crate|(?:super::)+)(?:::)?(\{[^;]*?\}|[\w:]+)")
NAME = re.compile(r"(?:^|[{,\s])(\w+(?:::\w+)*)")
TESTS = re.compile(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{.*", re.S)


def module_of(root, path):
    parts = os.path.relpath(path, root)[:-3].split(os.sep)
    return parts[:-1] if parts[-1] == "mod" else parts


def edges(root, depth):
    graph = {}
    for folder, _, files in os.walk(root):
        for file in files:
            if not file.endswith(".rs"):
                continue
            path = os.path.join(folder, file)
            module = module_of(root, path)
            if not module or module[0] in ("lib", "main", "bin"):
                continue
            text = TESTS.sub("", open(path, encoding="utf-8").read())
            me = "::".join(module[:depth])
            for m in PATH.finditer(text):
                prefix = [] if m[1] == "crate" else module[: max(0, len(module) - m[1].count("super::"))]
                for name in NAME.findall(m[2]):
                    target = "::".join((prefix + name.split("::"))[:depth])
                    if target and target != me and not (depth == 1 and target == module[0]):
                        graph.setdefault(me, set()).add(target)
    return graph


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "src"
    failed = False
    for depth in (1, 2):
        graph = edges(root, depth)
        for component in cycles(graph):
            failed = True
            print(f"module cycle: {' <-> '.join(component)}", file=sys.stderr)
            for module in component:
                inside = sorted(w for w in graph.get(module, ()) if w in component)
                print(f"  {module} uses {', '.join(inside)}", file=sys.stderr)
    if failed:
        sys.exit(1)
    print("no module cycles in", root)


if __name__ == "__main__":
    main()
