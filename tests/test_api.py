"""The Python API as an analyst uses it: plan, compare, stored runs and scenarios."""

from __future__ import annotations

from pathlib import Path

import highspy
import numpy as np
import pandas as pd
import pytest

import optimizer
from optimizer.api import compare, load_inputs, load_run, plan, run_and_store, runs
from optimizer.scenario import Scenario, ScenarioError, apply_overrides, from_dict, read_scenario


def test_default_plan_serves_the_pool(db: Path) -> None:
    p = plan(db=db)
    assert p.has_solution
    assert p.summary.unserved_mwh == pytest.approx(0.0, abs=1e-6)
    assert p.summary.served_mwh == pytest.approx(p.summary.demand_mwh)


def test_pooling_against_national_build_out_on_the_default_data(db: Path) -> None:
    """The credible-plans 'done when': every state can build at home, so the national build-out
    leaves nothing unserved; the money dividend is the difference of real costs, no penalty."""
    c = compare(db=db)
    totals = c.totals.set_index("metric")
    assert c.national.summary.unserved_mwh == 0 and c.national.summary.penalty_eur == 0
    assert c.pooled.summary.unserved_mwh == 0
    assert totals.loc["cost_eur", "dividend"] == pytest.approx(
        (c.national.summary.cost_eur or 0.0) - (c.pooled.summary.cost_eur or 0.0)
    )
    assert totals.loc["cost_eur", "dividend"] > 0
    assert set(c.by_state["state"]) >= {"DE", "FR", "EE"}


def test_the_default_plan_uses_the_operational_fleet_and_pays_for_what_it_builds(
    db: Path,
) -> None:
    p = plan(db=db)
    sites = p.sites.set_index("site_id")
    existing = sites[sites["available_mw"] > 0]
    # Sunk capacity is used before anything new is paid for.
    assert (existing["peak_it_mw"] >= existing["available_mw"] - 1e-6).all()
    # No site hosts more than it has in the plan year plus what the plan builds and pays.
    assert (sites["peak_it_mw"] <= sites["available_mw"] + sites["new_mw"] + 1e-6).all()
    buildable = sites[sites["capacity_status"] == "buildable"]
    assert (buildable["peak_it_mw"] <= buildable["new_mw"] + 1e-6).all()
    assert p.cost_breakdown_eur["capital"] == pytest.approx(p.sites["capital_cost_eur"].sum())
    assert (p.summary.new_mw or 0.0) > 0 and p.cost_breakdown_eur["capital"] > 0


def test_runs_are_stored_and_read_back(db: Path) -> None:
    sc = Scenario(name="stored", carbon_price_eur_per_t=90.0)
    run_id, result, _ = run_and_store(sc, db)
    assert run_id in set(runs(db)["run_id"])
    back = load_run(run_id, db)
    assert from_dict(__import__("json").loads(back["scenario"])) == sc
    assert back["summary"]["objective_eur"] == pytest.approx(result.objective_eur)
    assert len(back["tables"]["allocation"]) == len(result.allocation)
    assert "inputs/demand" in back["tables"]


def test_scenarios_are_saved_by_name(db: Path) -> None:
    optimizer.save_scenario(Scenario(name="strict", rules={"sensitive": "home"}), db)
    assert optimizer.scenarios(db)["strict"].rules == {"sensitive": "home"}


def test_scenario_toml_json_round_trip(tmp_path: Path) -> None:
    sc = Scenario(
        name="x",
        trusted_states=("NO",),
        energy_cap_overrides={"DK": 40.0},
        emissions_budget_t=1e5,
        disabled_constraints=("heat",),
    )
    (tmp_path / "s.toml").write_text(sc.to_toml())
    (tmp_path / "s.json").write_text(sc.to_json())
    assert read_scenario(tmp_path / "s.toml") == sc
    assert read_scenario(tmp_path / "s.json") == sc


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"carbon": 1}, "unknown scenario key(s): carbon"),
        ({"min_home_share": 1.5}, "min_home_share=1.5: must be a number >= 0 and <= 1"),
        ({"rules": {"sensitive": "moon"}}, "rules.sensitive='moon': must be one of"),
        ({"disabled_constraints": ["gravity"]}, "disabled_constraints='gravity': must be one of"),
        ({"carbon_price_eur_per_t": -1}, "carbon_price_eur_per_t=-1: must be a number >= 0"),
    ],
)
def test_bad_scenarios_fail_clearly(data: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=__import__("re").escape(message)):
        from_dict(data)


def test_overrides_parse_values() -> None:
    sc = apply_overrides(
        Scenario(),
        [
            "carbon_price_eur_per_t=120",
            "allow_expansion=true",
            "energy_cap_overrides.DK=55",
            "name=hi",
        ],
    )
    assert sc.carbon_price_eur_per_t == 120.0 and sc.allow_expansion
    assert sc.energy_cap_overrides == {"DK": 55} and sc.name == "hi"


def test_inputs_treat_unknown_capacity_as_zero(db: Path) -> None:
    inputs = load_inputs(db)
    assert inputs.sites["aif_bsc"].it_capacity_mw == 0.0
    assert inputs.sites["eurohpc_lumi"].it_capacity_mw == pytest.approx(7.106)


def test_workbook_has_every_sheet_filled(db: Path, tmp_path: Path) -> None:
    import openpyxl

    sc = Scenario(name="wb")
    p = plan(sc, db=db)
    path = tmp_path / "plan.xlsx"
    path.write_bytes(optimizer.workbook_bytes(p, sc))
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == [
        "allocation",
        "unserved",
        "sites",
        "states",
        "duals",
        "levers",
        "scenario",
        "run",
        "units and sources",
    ]
    for name in book.sheetnames:
        rows = list(book[name].iter_rows(values_only=True))
        assert rows and rows[0][0] is not None, name  # a header at least
        if name != "unserved":  # nothing is unserved in the baseline
            assert len(rows) > 1, name
    run_sheet = {r[0]: r[1] for r in book["run"].iter_rows(min_row=2, values_only=True)}
    assert run_sheet["status"] == "optimal"


HMS = highspy.HighsModelStatus


@pytest.mark.parametrize(
    ("code", "has", "expected"),
    [
        (HMS.kOptimal, True, "optimal"),
        (HMS.kInfeasible, False, "infeasible"),
        (HMS.kTimeLimit, True, "time_limit"),
        (HMS.kTimeLimit, False, "error"),
        (HMS.kSolveError, False, "error"),
        (HMS.kNotset, False, "error"),
    ],
)
def test_solver_outcomes_map_to_plan_statuses(
    code: highspy.HighsModelStatus, has: bool, expected: str
) -> None:
    from optimizer.highs import Solution
    from optimizer.solve import _status

    none = np.zeros(0)
    assert _status(Solution(code, has, none, none, none, none, False)).value == expected


RICH = Scenario(
    name="rich",
    demand_growth=1.6,
    energy_cap_overrides={"PT": 60.0},
    rules={"sensitive": "home", "industrial": "anywhere"},
    trusted_states=("NO",),
    transfer_cost_eur_per_mwh_per_1000km=3.0,
    heat_price_eur_per_mwh_th=35.0,
    allow_expansion=True,
    min_home_share=0.1,
)


def test_a_stored_run_reproduces_from_its_own_inputs(db: Path, tmp_path: Path) -> None:
    run_id, original, _ = run_and_store(RICH, db)
    # Change the registry afterwards: the reproduction must not see it.
    (tmp_path / "p.csv").write_text(
        "iso2,name,eu_member,eurohpc_participant,elec_price_eur_per_mwh\nPT,Portugal,yes,yes,500\n"
    )
    optimizer.import_file(db, "member_states", tmp_path / "p.csv")
    assert plan(RICH, db=db).objective_eur != pytest.approx(original.objective_eur)
    again = optimizer.reproduce(run_id, db)
    assert again.objective_eur == pytest.approx(original.objective_eur, rel=1e-9)
    keys = ["state", "workload", "site_id", "period"]
    pd.testing.assert_frame_equal(
        again.allocation.sort_values(keys).reset_index(drop=True)[keys + ["it_mw"]],
        original.allocation.sort_values(keys).reset_index(drop=True)[keys + ["it_mw"]],
        rtol=1e-6,
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_a_run_folder_reproduces_without_the_database(db: Path, tmp_path: Path, fmt: str) -> None:
    inputs = load_inputs(db)
    original = plan(RICH, inputs=inputs)
    optimizer.export_run(original, RICH, optimizer.effective_inputs(inputs, RICH), tmp_path, fmt)
    tables, scenario = optimizer.read_run_folder(tmp_path)
    assert scenario == RICH
    rebuilt, baked = optimizer.inputs_from_run(tables, scenario)
    assert plan(baked, inputs=rebuilt).objective_eur == pytest.approx(
        original.objective_eur, rel=1e-9
    )


def test_every_state_has_a_capital_for_transfer_distances(db: Path) -> None:
    inputs = load_inputs(db)
    missing = [s.iso2 for s in inputs.states.values() if s.latitude is None]
    assert missing == []
    assert inputs.states["IS"].latitude == pytest.approx(64.135, abs=0.01)  # Reykjavík


@pytest.mark.parametrize(
    "name", ["../../escape.csv", "/tmp/sovcompute_abs_escape.csv", "..\\..\\win.csv"]
)
def test_an_upload_is_read_from_memory_never_written_under_its_client_name(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    box = tmp_path / "box"
    (box / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(box / "a" / "b")
    before = sorted(p for p in Path("/tmp").iterdir() if p.name.startswith("sovcompute_abs"))
    body = (
        b"site_id,site_name,category,country,capacity_status,pue,it_capacity_mw\n"
        b"up1,Up One,user_site,DK,existing,1.2,3\n"
    )
    counts = optimizer.import_upload(db, "sites", body, name)
    assert counts["added"] == 1
    assert sorted(p.relative_to(box) for p in box.rglob("*")) == [
        Path("a"),
        Path("a/b"),
    ]
    after = sorted(p for p in Path("/tmp").iterdir() if p.name.startswith("sovcompute_abs"))
    assert after == before
    prov = optimizer.registry_table(db, "sites").set_index("site_id").loc["up1"]
    label = prov["provenance_pue"]
    assert "/" not in label.split("import of ", 1)[1].split(" ", 1)[0]
    assert "\\" not in label


def test_an_upload_of_an_unknown_type_or_too_large_is_refused_and_changes_nothing(
    db: Path,
) -> None:
    before = optimizer.registry(db)["sites"]
    with pytest.raises(optimizer.ValidationError, match=r"evil\.sh: cannot be read: unknown file"):
        optimizer.import_upload(db, "sites", b"x", "evil.sh")
    with pytest.raises(optimizer.ValidationError, match="larger than 50 MB"):
        optimizer.import_upload(db, "sites", b"x" * 50_000_001, "big.csv")
    pd.testing.assert_frame_equal(optimizer.registry(db)["sites"], before)
