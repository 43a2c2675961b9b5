#!/usr/bin/env python3
"""Check that the project's code depends downward only.

Reads every project module's imports with `ast` (module level and inside
functions alike, so a deferred import cannot hide a cycle) and fails when:

- two apps import each other, directly or around a longer loop;
- two files import each other, directly or around a longer loop;
- an app imports one that sits above it in LAYERS (the core layer imports no
  domain app, a domain app never imports the project package).

Run it from the repository root: `python .ci/check_imports.py`. Exit status 1
and a list of the offending imports when something is wrong.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first: an app may import the apps before it, never those after it.
LAYERS = [
    "core",
    "agencies",
    "countries",
    "accounts",
    "teams",
    "access",
    "workplans",
    "results",
    "reports",
    "exchange",
    "cycle",
    "unnutrition",
]
SKIP_DIRS = {".venv", "node_modules", "migrations", "tests", "bench", ".ci", "docs", "static", "templates", "locale"}


def project_modules() -> dict[str, Path]:
    modules = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if set(relative.parts) & SKIP_DIRS or relative.parts[0] not in LAYERS:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> set[str]:
    """Dotted names this module imports, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from x import y` imports module x.y when y is a module, else x.
            names.update(f"{prefix}.{alias.name}" for alias in node.names)
            names.add(prefix)
    return names


def resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest project module that `name` names (a name may end in a class or function)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def problems() -> list[str]:
    modules = project_modules()
    files: dict[str, set[str]] = defaultdict(set)
    apps: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], set[str]] = defaultdict(set)
    for module, path in modules.items():
        for name in imported_names(module, path):
            target = resolve(name, modules)
            if target is None or target == module:
                continue
            # A package's __init__ is imported on the way to its modules; only count it when named.
            if modules[target].name == "__init__.py" and name != target:
                continue
            files[module].add(target)
            source_app, target_app = module.split(".")[0], target.split(".")[0]
            if source_app != target_app:
                apps[source_app].add(target_app)
                where[(source_app, target_app)].add(f"{module} -> {target}")

    found = []
    for component in cycles(apps):
        found.append("apps import each other: " + ", ".join(component))
        for a in component:
            for b in component:
                for line in sorted(where.get((a, b), ()))[:3]:
                    found.append(f"    {line}")
    for component in cycles(files):
        found.append("files import each other: " + ", ".join(component))
    for (source_app, target_app), lines in sorted(where.items()):
        if LAYERS.index(target_app) > LAYERS.index(source_app):
            found.append(f"{source_app} (lower) imports {target_app} (higher): {sorted(lines)[0]}")
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} import problem(s); layers, lowest first: {' < '.join(LAYERS)}")
        return 1
    print(f"Imports go downward only: {' < '.join(LAYERS)}; no cycle between apps or files.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
