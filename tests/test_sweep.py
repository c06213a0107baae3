"""Sweeps on Dask: every combination solved, same numbers as one-by-one, Pareto front marked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimizer.api import load_inputs
from optimizer.scenario import Scenario, ScenarioError
from optimizer.sweep import grid_scenarios, pareto

ROOT = Path(__file__).resolve().parents[1]


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
    # Fairness: higher is better. (2, 3) beats (3, 1), and (1, 3) beats (2, 3) and (2, 2).
    assert pareto(frame, "cost", "co2", maximise_y=True).tolist() == [
        True,
        False,
        False,
        False,
        False,
    ]
    fair = pd.DataFrame({"cost": [1, 2, 3], "fair": [0.0, 0.5, 0.4]})
    assert pareto(fair, "cost", "fair", maximise_y=True).tolist() == [True, True, False]
    # The same plan solved twice, up to round-off: neither beats the other.
    twice = pd.DataFrame({"cost": [5e7, 5e7 * (1 + 1e-12)], "fair": [1.0, 1.0 - 1e-15]})
    assert pareto(twice, "cost", "fair", maximise_y=True).tolist() == [True, True]


# Dask starts worker processes with the "spawn" method, which re-runs the parent's __main__
# module; inside pytest that may be a Streamlit page left there by AppTest. So the sweeps run in
# a fresh interpreter, as an analyst's script or the CLI would.
SWEEP_SCRIPT = """
import json, sys
from optimizer.api import plan
from optimizer.sweep import grid_scenarios, sweep
from tests.tiny import BASE, bid, tiny

inputs = tiny(demand_a=25.0, ci_b=100.0, caps={"AA": 3.0}, builds=(bid(),))
scenarios = grid_scenarios(BASE, {"carbon_price_eur_per_t": ["0", "50", "500"]})
frame = sweep(scenarios, inputs, workers=2, in_process_below=0)
single = [plan(sc, inputs=inputs).objective_eur for sc in scenarios]
print(json.dumps({"swept": frame["objective_eur"].tolist(), "single": single,
                  "status": frame["status"].tolist()}))
"""


def test_sweep_on_a_local_dask_cluster_matches_single_solves() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SWEEP_SCRIPT], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == ["optimal"] * 3
    assert result["swept"] == pytest.approx(result["single"])


def test_sweep_command(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "optimizer",
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
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 scenarios, 2 optimal" in done.stdout
    frame = pd.read_csv(out)
    assert len(frame) == 2 and frame["pareto_cost_co2"].any()
    low, high = frame.sort_values("objective_eur")["unserved_mwh"]
    assert high >= low
    assert load_inputs(db)  # the database is still usable after the sweep


SCHEDULER_SCRIPT = """
import json
import os
from dask.distributed import LocalCluster
from optimizer.sweep import grid_scenarios, sweep
from tests.tiny import BASE, tiny

if __name__ == "__main__":
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        scenarios = grid_scenarios(BASE, {"demand_growth": ["1.0", "2.0"]})
        frame = sweep(scenarios, tiny(), scheduler=cluster.scheduler_address)
        print(json.dumps(frame["unserved_mwh"].tolist()))
"""


def test_sweep_on_an_existing_scheduler(tmp_path: Path) -> None:
    script = tmp_path / "on_cluster.py"
    script.write_text(SCHEDULER_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Demand 15 MW against 20 MW of sites: growth 2 leaves 10 MW x 1 h unserved.
    assert json.loads(done.stdout.strip().splitlines()[-1]) == pytest.approx([0.0, 10.0])
