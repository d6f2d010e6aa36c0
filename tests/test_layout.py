"""The layout of macros/ follows its rules: one package per domain, imports pointing down.

``site/`` and ``cli/`` are on top, the domain packages in the middle, ``trial/``
at the bottom. Only ``site/`` and ``cli/`` import mkdocs, no module imports a
private name of another package, and no two modules import each other, even
through others.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "macros"
# The layer of each subpackage; a module may import only from its own package
# or from a lower layer (the command line may also use the site's loader).
LAYERS = {
    "trial": 0,
    "design": 1,
    "eligibility": 1,
    "registry": 1,
    "results": 1,
    # Versions are compared by what the other domains compute from them (the
    # checklist fingerprint, the plan's operating characteristics).
    "history": 2,
    "site": 3,
    "cli": 4,
}
GLUE = {"site", "cli"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """``(module, names, line)`` for every import of a ``macros`` module in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append(("." * node.level + (node.module or ""), [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, [], node.lineno) for a in node.names)
    return found


def _package(module: str) -> str | None:
    """The subpackage of a ``macros`` module; None for the top (hooks, dispatch) and outside."""
    parts = module.split(".")
    if len(parts) > 2 and parts[0] == "macros":
        return parts[1]
    return parts[1] if len(parts) == 2 and parts[0] == "macros" and parts[1] in LAYERS else None


def test_only_the_hooks_and_the_dispatch_are_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py"]
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert set(folders) <= set(LAYERS), f"unknown package: {set(folders) - set(LAYERS)}"
    for folder in folders:
        assert (PACKAGE / folder / "__init__.py").is_file(), folder


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    own = _package(module)
    for target, names, line in _imports(MODULES[module]):
        assert not target.startswith("."), f"{module}:{line}: relative import {target}; name the package"
        if target.split(".")[0] == "mkdocs":
            assert own is None or own in GLUE, f"{module}:{line}: imports mkdocs outside site/ and cli/"
        other = _package(target)
        if other is None or own is None or other == own:
            continue
        allowed = LAYERS[other] < LAYERS[own] or (own == "cli" and other == "site")
        assert allowed, f"{module}:{line}: {own}/ must not import {target} ({other}/ is not below it)"
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{module}:{line}: imports private {private} from {target}"


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set()
        for target, names, _ in _imports(path):
            for candidate in (target, *(f"{target}.{n}" for n in names)):
                if candidate in MODULES and candidate != module and not candidate.count(".") < 2:
                    targets.add(candidate)
        graph[module] = targets

    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in done:
            return
        assert node not in visiting, "import cycle: " + " -> ".join([*visiting, node])
        visiting.append(node)
        for child in sorted(graph[node]):
            visit(child)
        visiting.pop()
        done.add(node)

    for module in sorted(graph):
        visit(module)
