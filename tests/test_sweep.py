"""Sweeps on Dask: every combination solved, same numbers as one-by-one, Pareto front marked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.api import load_inputs, plan
from optimizer.cli import app
from optimizer.scenario import Scenario, ScenarioError
from optimizer.sweep import grid_scenarios, pareto, sweep
from tests.tiny import tiny


def test_grid_is_the_product_of_its_axes() -> None:
    found = grid_scenarios(
        Scenario(), {"carbon_price_eur_per_t": ["0", "100"], "rules.w": ['"home"', '"anywhere"']}
    )
    assert len(found) == 4
    assert {s.carbon_price_eur_per_t for s in found} == {0.0, 100.0}
    assert {s.rules["w"] for s in found} == {"home", "anywhere"}
    with pytest.raises(ScenarioError):
        grid_scenarios(Scenario(), {"carbon_price_eur_per_t": ["-1"]})


def test_pareto_front() -> None:
    frame = pd.DataFrame({"cost": [1, 2, 3, 2, float("nan")], "co2": [3, 2, 1, 3, 0]})
    assert pareto(frame, "cost", "co2").tolist() == [True, True, True, False, False]


def test_sweep_on_a_local_dask_cluster_matches_single_solves() -> None:
    inputs = tiny(ci_b=100.0, caps={("BB", "h1"): 6.0})
    scenarios = grid_scenarios(Scenario(), {"carbon_price_eur_per_t": ["0", "50", "500"]})
    frame = sweep(scenarios, inputs, workers=2)
    assert len(frame) == 3 and (frame["status"] == "optimal").all()
    for sc, row in zip(scenarios, frame.itertuples(), strict=True):
        assert row.objective_eur == pytest.approx(plan(sc, inputs=inputs).objective_eur)


def test_sweep_command(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            "--db",
            str(db),
            "--out",
            str(out),
            "--grid",
            "demand_growth=1,4",
            "--workers",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert len(frame) == 2 and frame["pareto_cost_co2"].any()
    low, high = frame.sort_values("objective_eur")["unserved_mwh"]
    assert high >= low
    assert load_inputs(db)  # the database is still usable after the sweep
