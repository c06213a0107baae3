"""The command line as a user runs it: exit codes, run folders, imports that fail cleanly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from optimizer.cli import app
from tests.test_store import GOOD_SITE, fingerprint
from tests.verify import violations

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_data_tables_and_export(db: Path, tmp_path: Path) -> None:
    code, out = run("data", "tables", "--db", str(db))
    assert code == 0 and "sites" in out and "56" in out
    code, out = run("data", "export", "sites", str(tmp_path / "out.csv"), "--db", str(db))
    assert code == 0
    frame = pd.read_csv(tmp_path / "out.csv")
    assert len(frame) == 56 and "provenance_it_capacity_mw" in frame


def test_db_from_environment(db: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    code, _ = run("data", "export", "periods", str(tmp_path / "p.parquet"))
    assert code == 0 and len(pd.read_parquet(tmp_path / "p.parquet")) == 2


def test_import_with_one_bad_row_exits_1_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    rows = [GOOD_SITE, GOOD_SITE | {"site_id": "bad", "pue": 0.5}]
    pd.DataFrame(rows).to_csv(tmp_path / "in.csv", index=False)
    before = fingerprint(db)
    code, out = run("data", "import", "sites", str(tmp_path / "in.csv"), "--db", str(db))
    assert code == 1
    assert "in.csv, row 2, column 'pue': value '0.5': must be >= 1" in out
    assert fingerprint(db) == before


def test_import_good_file(db: Path, tmp_path: Path) -> None:
    pd.DataFrame([GOOD_SITE]).to_csv(tmp_path / "in.csv", index=False)
    code, out = run("data", "import", "sites", str(tmp_path / "in.csv"), "--db", str(db))
    assert code == 0 and "1 added" in out


def test_unknown_table_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    code, _ = run("data", "export", "castles", str(tmp_path / "x.csv"), "--db", str(db))
    assert code == 2


def test_solve_writes_a_run_folder_that_checks_out_from_inputs_alone(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "base"
    code, text = run("solve", "--out", str(out), "--db", str(db), "--write-lp")
    assert code == 0, text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["objective_eur"] > 0
    assert set(summary["cost_breakdown_eur"]) >= {"energy", "carbon", "unserved"}
    read = {p.stem: pd.read_csv(p) for p in out.glob("*.csv")}
    inputs = {p.stem: pd.read_csv(p) for p in (out / "inputs").glob("*.csv")}
    assert {"state", "workload", "site_id", "host_country", "period", "it_mw"} <= set(
        read["allocation"]
    )
    assert violations(read["allocation"], read["unserved"], read["sites"], inputs) == []
    assert (out / "model.lp").read_text().count("energy_cap_") > 0
    assert "carbon_price_eur_per_t" in (out / "scenario.toml").read_text()


def test_solve_with_overrides_and_formats(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "strict"
    code, text = run(
        "solve",
        "--out",
        str(out),
        "--db",
        str(db),
        "--format",
        "parquet",
        "--set",
        "rules.sensitive=home",
        "--set",
        "carbon_price_eur_per_t=150",
    )
    assert code == 0, text
    alloc = pd.read_parquet(out / "allocation.parquet")
    sensitive = alloc[alloc["workload"] == "sensitive"]
    assert (sensitive["state"] == sensitive["host_country"]).all()
    assert 'sensitive = "home"' in (out / "scenario.toml").read_text()


def test_bad_scenario_key_exits_1(db: Path, tmp_path: Path) -> None:
    code, out = run("solve", "--out", str(tmp_path / "x"), "--db", str(db), "--set", "carbn=1")
    assert code == 1 and "unknown scenario key(s): carbn" in out


def test_scenario_file_round_trip(db: Path, tmp_path: Path) -> None:
    scen = tmp_path / "s.toml"
    scen.write_text('name = "high carbon"\ncarbon_price_eur_per_t = 200.0\n')
    code, text = run(
        "solve", "--out", str(tmp_path / "r"), "--db", str(db), "--scenario", str(scen)
    )
    assert code == 0, text
    assert 'name = "high carbon"' in (tmp_path / "r" / "scenario.toml").read_text()


def test_compare_reports_a_pooling_dividend(db: Path, tmp_path: Path) -> None:
    code, text = run("compare", "--out", str(tmp_path / "cmp"), "--db", str(db))
    assert code == 0, text
    assert "pooling dividend" in text
    by_state = pd.read_csv(tmp_path / "cmp" / "pooling_dividend.csv")
    assert {"state", "dividend_cost_eur", "dividend_unserved_mwh"} <= set(by_state)
    assert by_state["dividend_cost_eur"].sum() > 0
    for side in ("pooled", "autarky"):  # each side is a self-contained run folder
        folder = tmp_path / "cmp" / side
        read = {p.stem: pd.read_csv(p) for p in folder.glob("*.csv")}
        inputs = {p.stem: pd.read_csv(p) for p in (folder / "inputs").glob("*.csv")}
        assert violations(read["allocation"], read["unserved"], read["sites"], inputs) == []


def test_console_entry_point_runs(db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "data", "tables", "--db", str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "member_states" in done.stdout


def test_runs_list_export_and_reproduce(db: Path, tmp_path: Path) -> None:
    code, text = run(
        "solve", "--out", str(tmp_path / "a"), "--db", str(db), "--set", "demand_growth=2.0"
    )
    assert code == 0, text
    run_id = text.split()[1].rstrip(":")
    code, text = run("runs", "list", "--db", str(db))
    assert code == 0 and run_id in text
    code, text = run("runs", "export", run_id, "--out", str(tmp_path / "b"), "--db", str(db))
    assert code == 0, text
    first = pd.read_csv(tmp_path / "a" / "allocation.csv")
    again = pd.read_csv(tmp_path / "b" / "allocation.csv")
    pd.testing.assert_frame_equal(first, again, rtol=1e-9, check_dtype=False)  # via JSON
    assert (tmp_path / "b" / "inputs" / "demand.csv").exists()
    code, text = run("runs", "reproduce", run_id, "--db", str(db))
    assert code == 0 and "re-solved" in text
    code, _ = run("runs", "export", "nope", "--out", str(tmp_path / "c"), "--db", str(db))
    assert code == 1
