"""The repository's shape, read from its own source: no first-party import cycle, no test tooling
in production code, no production module past ~400 lines without a written reason.

Imports are read with `ast`, inside functions too: a cycle hidden behind a function-level import
is still a cycle a newcomer has to untangle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Top-level folders holding first-party Python, and the package each is imported as.
PACKAGES = {
    "accounts": "accounts",
    "presets": "presets",
    "kickgen": "kickgen",
    "gpu": "gpu",
    "site": "kickwithreverb",
    "testsupport": "testsupport",
}
TEST_TOOLING = ("pytest", "playwright", "testsupport")
MAX_LINES = 400
KEPT_WHOLE = "Kept whole:"
"""How a long module's docstring starts the paragraph that says why it is not split."""


def module_files(root: Path, packages: dict[str, str]) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under the given top-level folders."""
    modules = {}
    for folder, package in packages.items():
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(root / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def imported_names(path: Path, module: str) -> Iterator[str]:
    """Every dotted name the file imports, relative imports resolved against `module`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the first-party modules it imports (the longest known prefix of each name)."""
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(path, module):
            parts = name.split(".")
            for end in range(len(parts), 0, -1):
                candidate = ".".join(parts[:end])
                if candidate in modules:
                    targets.add(candidate)
                    break
        # `from pkg import mod` names both pkg and pkg.mod; the submodule is the real edge.
        graph[module] = {
            t for t in targets - {module} if not any(u.startswith(t + ".") for u in targets)
        }
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def is_test_code(module: str, path: Path) -> bool:
    return (
        module.startswith("testsupport")
        or "tests" in path.parts
        or path.name == "conftest.py"
        or path.name.startswith("test_")
    )


@pytest.fixture(scope="module")
def first_party() -> dict[str, Path]:
    return module_files(REPO, PACKAGES)


def test_the_layout_checks_find_a_cycle_and_resolve_relative_imports(tmp_path):
    app = tmp_path / "app"
    (app / "jobs").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "jobs" / "__init__.py").write_text("")
    (app / "jobs" / "runner.py").write_text("def run():\n    from ..fragments import render\n")
    (app / "fragments.py").write_text("from app.jobs.runner import run\n")
    (app / "views.py").write_text("from . import fragments\nimport app.jobs\n")
    modules = module_files(tmp_path, {"app": "app"})
    graph = import_graph(modules)
    assert graph["app.views"] == {"app.fragments", "app.jobs"}
    assert cycles(graph) == [["app.fragments", "app.jobs.runner"]]


def test_no_first_party_import_cycle(first_party):
    assert cycles(import_graph(first_party)) == []


def test_production_code_imports_no_test_tooling(first_party):
    offenders = sorted(
        f"{module} imports {name}"
        for module, path in first_party.items()
        if not is_test_code(module, path)
        for name in imported_names(path, module)
        if name.split(".")[0] in TEST_TOOLING
    )
    assert offenders == []


def test_long_production_modules_say_why_they_are_kept_whole(first_party):
    unexplained = sorted(
        f"{module} ({len(path.read_text().splitlines())} lines)"
        for module, path in first_party.items()
        if not is_test_code(module, path)
        and len(path.read_text().splitlines()) > MAX_LINES
        and KEPT_WHOLE not in (ast.get_docstring(ast.parse(path.read_text())) or "")
    )
    assert unexplained == []
