"""The package's layers import downward only, and no module imports itself in a circle.

Layers, from the bottom: core (the law's semantics), io (files), analysis, then
render and workspace (peers that do not import each other), then cli. The
package's ``__init__`` (the public API) may re-export from any layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import procsim

PACKAGE = Path(procsim.__file__).parent
RANK = {"core": 0, "io": 1, "analysis": 2, "render": 3, "workspace": 3, "cli": 4}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Every procsim module and the procsim modules it imports (at any depth of the file)."""
    graph: dict[str, set[str]] = {}
    modules = {_module_name(path) for path in PACKAGE.rglob("*.py")}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("procsim"):
                assert node.level == 0, f"{name}: relative import"
                for alias in node.names:  # ``from package import module`` imports the module
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("procsim"))
        graph[name] = found
    return graph


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def test_layers_import_downward_only():
    wrong = []
    for module, imported in _imports().items():
        layer = _layer(module)
        if layer is None:  # procsim/__init__, __main__: the top
            continue
        for target in imported:
            other = _layer(target)
            if other is None and target != "procsim.io":
                wrong.append(f"{module} imports {target} (not a layer)")
            elif other is not None and other != layer and RANK[other] >= RANK[layer]:
                wrong.append(f"{module} ({layer}) imports {target} ({other})")
    assert wrong == []


def test_no_import_cycles():
    imports = _imports()  # parsed once (once per edge made the suite's slowest test)
    graph = {m: {t for t in ts if t in imports} for m, ts in imports.items()}
    # a package's __init__ is imported with its modules; count only module-to-module edges
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checker_sees_every_layer():
    layers = {_layer(m) for m in _imports()}
    assert set(RANK) <= layers
