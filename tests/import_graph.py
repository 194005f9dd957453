"""The project's import graph, read from the source (nothing is imported).

Each module of the installed packages (``mathoracle`` and the three content packages that
pyproject.toml maps onto ``oracles/``, ``properties/`` and ``implementations/``) is parsed,
and its imports of other project modules are sorted into those made when the module loads
(module level, outside ``if TYPE_CHECKING``) and those made inside a function.

A submodule's own package is loaded before it, so that edge is implied, not counted; an
import ``from pkg import sub`` of a submodule depends on ``pkg.sub``, not on ``pkg``'s body.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"mathoracle": "mathoracle", "mathoracle.oracles": "oracles",
            "mathoracle.properties": "properties", "mathoracle.implementations": "implementations"}


@dataclass
class Graph:
    files: dict[str, Path] = field(default_factory=dict)
    loads: dict[str, set[str]] = field(default_factory=dict)       # module-level edges
    deferred: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # (line, module)

    def cycles(self) -> list[list[str]]:
        """The strongly connected components of more than one module (Tarjan)."""
        index, low, stack, on, out = {}, {}, [], set(), []

        def visit(v):
            index[v] = low[v] = len(index)
            stack.append(v)
            on.add(v)
            for w in self.loads[v]:
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                part = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    part.append(w)
                    if w == v:
                        break
                if len(part) > 1:
                    out.append(sorted(part))
        for v in sorted(self.loads):
            if v not in index:
                visit(v)
        return out


def _modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = [p for p in path.relative_to(ROOT / folder).with_suffix("").parts if p != "__init__"]
            if package == "mathoracle" and parts and parts[0] in ("oracles", "properties", "implementations"):
                continue
            found[".".join([package, *parts])] = path
    return found


def _targets(module: str, node, is_package: bool, known) -> set[str]:
    """The project modules one import statement loads, implied parent packages left out."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            parts = module.split(".") if is_package else module.split(".")[:-1]
            parts = parts[:len(parts) - node.level + 1]
            base = ".".join(parts + ([base] if base else []))
        subs = [f"{base}.{a.name}" for a in node.names]
        names = subs if all(s in known for s in subs) else [base, *subs]
    out = set()
    for name in names:
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            implied = i < len(parts) and module.startswith(prefix + ".")
            if prefix in known and prefix != module and not implied:
                out.add(prefix)
    return out


def read() -> Graph:
    g = Graph(files=_modules())
    for module, path in g.files.items():
        tree = ast.parse(path.read_text())
        is_package = path.name == "__init__.py"
        g.loads[module], g.deferred[module] = set(), []

        def walk(node, in_function: bool):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                    continue  # annotations only
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    found = _targets(module, child, is_package, g.files)
                    if in_function:
                        g.deferred[module].extend((child.lineno, t) for t in sorted(found))
                    else:
                        g.loads[module] |= found
                else:
                    walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                                      ast.Lambda)))
        walk(tree, False)
    return g
