"""The package arrows of the design, kept true by reading every import (ast, no execution).

interfaces/results -> api -> engine -> {executors, images} -> {runtime, store} -> {errors, config};
`strategies` imports only the standard library, numpy and scipy, and never localtune.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = {"errors", "config"}
# What each part of localtune may import from localtune besides itself and BASE.
ALLOWED: dict[str, set[str]] = {
    "store": set(),
    "runtime": set(),
    "executors": {"runtime"},
    "images": {"runtime", "store"},
    "engine": {"executors", "images", "runtime", "store"},
    "api": {"engine", "executors", "images", "runtime", "store"},
    "results": {"interfaces", "api", "engine", "runtime", "store"},
    "interfaces": {"results", "api", "engine", "executors", "images", "runtime", "store", "demo"},
    "demo": {"runtime"},
    "errors": set(),
    "config": set(),
    "__init__": {"interfaces", "results"},
    "__main__": {"interfaces"},
}
STRATEGY_USERS = {"engine"}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _part(path: Path) -> str:
    relative = path.relative_to(ROOT / "localtune").with_suffix("")
    return relative.parts[0]


def test_localtune_layers_import_only_downwards():
    problems = []
    for path in sorted((ROOT / "localtune").rglob("*.py")):
        part = _part(path)
        assert part in ALLOWED, f"{path}: new part {part!r} needs a place in ALLOWED"
        for name in _imports(path):
            top, _, rest = name.partition(".")
            if top == "strategies" and part not in STRATEGY_USERS:
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
            if top != "localtune" or not rest:
                continue
            target = rest.split(".")[0]
            if target != part and target not in BASE and target not in ALLOWED[part]:
                problems.append(f"{path.relative_to(ROOT)} ({part}) imports {name}")
    assert problems == []


def test_strategies_depend_on_stdlib_numpy_scipy_only():
    allowed = set(sys.stdlib_module_names) | {"numpy", "scipy", "strategies"}
    problems = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "strategies").rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] not in allowed
    ]
    assert problems == []


def test_only_the_store_speaks_sql():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "localtune").rglob("*.py")
        if "sqlite3" in _imports(path) and _part(path) != "store"
    ]
    assert offenders == []
