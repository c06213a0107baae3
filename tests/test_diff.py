"""Two stored runs side by side: totals, scenario keys and input rows that differ."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from optimizer import label
from optimizer.api import load_run, run_and_store
from optimizer.diff import diff_runs
from optimizer.labels import title
from optimizer.scenario import Scenario
from ui import md_escape

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def two_runs(db: Path) -> tuple[str, str]:
    """A baseline run and one with DE's grid allowance overridden to 100 MW."""
    base = Scenario(time_limit_s=60)
    first, _, _ = run_and_store(base, db)
    second, _, _ = run_and_store(
        base.with_overrides(name="de_cap", energy_cap_overrides={"DE": 100.0}), db
    )
    return first, second


def test_diff_names_the_scenario_key_and_the_input_rows_that_differ(
    db: Path, two_runs: tuple[str, str]
) -> None:
    a, b = (load_run(r, db) for r in two_runs)
    diff = diff_runs(a, b)
    changed = diff.scenario.set_index("key").loc["energy_cap_overrides.DE"]
    assert (changed["A"], changed["B"]) == ("not set", "100.0")
    caps = diff.inputs["inputs/energy_caps"]
    de = caps[caps["country"] == "DE"].set_index("side")
    assert float(de.loc["A only", "energy_cap_mw"]) != 100.0
    assert float(de.loc["B only", "energy_cap_mw"]) == 100.0
    assert set(caps["country"]) == {"DE"}  # only the row that changed
    totals = diff.totals.set_index("total")
    cost = totals.loc[label("cost_eur")]
    assert cost["A"] == pytest.approx(a["summary"]["cost_eur"])
    assert cost["B"] == pytest.approx(b["summary"]["cost_eur"])


def test_same_run_twice_differs_in_nothing(db: Path, two_runs: tuple[str, str]) -> None:
    a = load_run(two_runs[0], db)
    diff = diff_runs(a, a)
    assert diff.scenario.empty and diff.inputs == {}
    assert (diff.totals["A"].fillna(0) == diff.totals["B"].fillna(0)).all()


def test_pooling_page_shows_the_diff_of_runs_with_different_inputs(
    db: Path, two_runs: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "views/3_Pooling.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert any(md_escape("inputs/energy_caps") in c.value for c in at.caption)
    shown = [df.value for df in at.dataframe]
    setting = "Grid allowance overrides [MW facility]: DE"
    scenario = next(df for df in shown if setting in set(df.get(title("key"), [])))
    assert scenario.set_index(title("key")).loc[setting].tolist() == ["not set", "100.0"]
    assert any(label("cost_eur") in set(df.get(title("total"), [])) for df in shown)
    caps = next(df for df in shown if title("side") in df and title("energy_cap_mw") in df)
    de = caps[caps[title("country")] == "DE"].set_index(title("side"))[title("energy_cap_mw")]
    assert float(de["B only"]) == 100.0 and float(de["A only"]) != 100.0  # both values shown
