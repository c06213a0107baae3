"""A run folder re-solves from its own files to the same objective with a script that does not
import this code (scripts/resolve_run.py: standard library, pandas and highspy only)."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "resolve_run.py"

#: Scenarios as --set overrides; together they use every family of the default and common
#: scenarios (the full formulation of the script against the product's aggregated one too).
SCENARIOS = {
    "default": [],
    "sensitive_home": ["rules.sensitive=home", "min_home_share=0.3"],
    "autarky": ["autarky=true"],
    "juste_retour": ["juste_retour_factor=0.5", "max_site_share=0.3"],
    # Grid allowances bind and demand goes unserved (at a scale of 0.2 they bind, but every
    # MW is still served).
    "tight_grid": ["carbon_price_eur_per_t=200", "energy_cap_scale=0.05"],
    "caps": [
        "transfer_cost_eur_per_mwh_per_1000km=5",
        "fair_access_factor=0.8",
        "emissions_budget_t=300000",
        "water_cap_m3_per_country=200000",
        "gpu_cap_per_country=20000",
        "max_country_share=0.3",
    ],
}


def write_run(db: Path, out: Path, overrides: list[str]) -> dict[str, Any]:
    sets = [arg for o in overrides for arg in ("--set", o)]
    cli = [sys.executable, "-m", "optimizer", "--db", str(db), "solve", "--out", str(out)]
    done = subprocess.run([*cli, *sets], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    summary: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return summary


def resolve(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def resolved(
    template_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, dict[str, Any], int, str, str]]:
    """Every scenario's run folder (one seeded database for every solve), its summary and the
    script's exit code, stdout and stderr. The script re-solves one folder while the CLI writes
    the next."""
    tmp = tmp_path_factory.mktemp("resolve")
    db = tmp / "registry.duckdb"
    shutil.copy(template_db, db)
    started = {}
    for name, overrides in SCENARIOS.items():
        folder = tmp / name
        started[name] = (folder, write_run(db, folder, overrides), resolve(folder))
    out = {}
    for name, (folder, summary, proc) in started.items():
        stdout, stderr = proc.communicate(timeout=300)
        out[name] = (folder, summary, proc.returncode, stdout, stderr)
    return out


def objective(stdout: str) -> float:
    lines = [ln for ln in stdout.splitlines() if ln.startswith("objective_eur=")]
    assert len(lines) == 1, stdout
    return float(lines[0].split("=", 1)[1])


@pytest.mark.parametrize("name", SCENARIOS)
def test_run_folder_resolves_to_the_same_objective(
    name: str, resolved: dict[str, tuple[Path, dict[str, Any], int, str, str]]
) -> None:
    folder, summary, code, stdout, stderr = resolved[name]
    assert summary["status"] == "optimal"
    assert code == 0, stderr
    assert "status=Optimal" in stdout
    assert objective(stdout) == pytest.approx(summary["objective_eur"], rel=1e-6)
    if name == "tight_grid":
        assert summary["unserved_mwh"] > 0
        duals = (folder / "duals.csv").read_text(encoding="utf-8")
        assert any(
            ln.startswith("energy_cap|") and ln.endswith(",True") for ln in duals.splitlines()
        )


def test_unreadable_folder_exits_1_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "inputs").mkdir()
    (tmp_path / "scenario.toml").write_text('name = "x"\n', encoding="utf-8")
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    for folder in (tmp_path / "missing", tmp_path):
        proc = resolve(folder)
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 1
        assert stdout == ""
        assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("error:")


def test_script_imports_nothing_from_this_project() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            imported.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            pytest.fail("dynamic import")
    assert not imported & {"optimizer", "tests", "app", "ui", "charts", "views"}
    assert imported <= set(sys.stdlib_module_names) | {"pandas", "highspy", "__future__"}
