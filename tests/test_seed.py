"""The embedded default dataset (data/seed): deterministic, sourced and internally consistent."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimizer.registry import TABLES, key_of

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed"
KINDS = {"fact", "derivation", "assumption"}


def table(name: str) -> pd.DataFrame:
    return pd.read_csv(SEED / f"{name}.csv", dtype=str, keep_default_na=False)


def number(frame: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(frame[col].replace("", None))


def assumption(aid: str) -> float:
    a = table("assumptions").set_index("assumption_id")
    return float(a.loc[aid, "value"])


def build(out: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_seed.py"), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_builder_is_deterministic(tmp_path: Path) -> None:
    build(tmp_path / "a")
    build(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").glob("*.csv"))
    assert names == sorted(p.name for p in (tmp_path / "b").glob("*.csv"))
    assert "demand.csv" not in names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_every_value_has_a_provenance_row_with_a_kind() -> None:
    prov = table("provenance")
    assert set(prov["kind"]) <= KINDS
    assert not prov.duplicated(["table_name", "row_key", "column_name"]).any()
    have = set(zip(prov["table_name"], prov["row_key"], prov["column_name"], strict=True))
    for name, spec in TABLES.items():
        for row in table(name).to_dict("records"):
            key = key_of(name, row)
            for col in spec.column_names:
                if col in spec.key or row[col] == "":
                    continue
                assert (name, key, col) in have, (name, key, col)


def test_facts_name_a_source_and_derivations_show_their_arithmetic() -> None:
    prov = table("provenance")
    assert (prov.loc[prov["kind"] == "fact", "source"] != "").all()
    derivations = prov[prov["kind"] == "derivation"]
    assert (derivations["rationale"] != "").all() and (derivations["source"] != "").all()


def test_every_cited_assumption_exists() -> None:
    ids = set(table("assumptions")["assumption_id"])
    prov = table("provenance")
    cited = {m for text in prov["rationale"] for m in re.findall(r"^\[([a-z_0-9]+)\]", text)}
    assert cited and cited <= ids, cited - ids
    assumed = prov[prov["kind"] == "assumption"]
    assert assumed["rationale"].str.match(r"^\[[a-z_0-9]+\]").all()


def test_obsolete_assumptions_are_gone_and_defaults_are_numbers() -> None:
    ids = set(table("assumptions")["assumption_id"])
    assert not ids & {"pool_size", "demand_by_gdp", "energy_cap_headroom", "expansion_cost"}
    for aid in (
        "base_year",
        "facility_capex_eur_per_mw",
        "it_capex_eur_per_mw",
        "facility_life_years",
        "it_life_years",
        "discount_rate",
        "default_lead_time_years",
        "grid_cap_default_share",
        "carbon_price",
        "heat_price",
        "kw_per_accelerator",
    ):
        assert assumption(aid) > 0, aid


def test_capacity_follows_its_status() -> None:
    sites = table("sites")
    firm = sites[sites["capacity_status"].isin(["existing", "committed"])]
    assert (firm["it_capacity_mw"] != "").all(), firm.loc[firm["it_capacity_mw"] == "", "site_id"]
    committed = sites[sites["capacity_status"] == "committed"]
    assert (committed["online_year"] != "").all()
    buildable = sites[sites["capacity_status"] == "buildable"]
    assert (buildable["it_capacity_mw"] == "").all()
    assert (sites["retire_year"] == "").all()  # none published


def test_every_state_can_build_at_home() -> None:
    states = table("member_states")
    sites = table("sites").set_index("site_id")
    for st in states.to_dict("records"):
        k = f"greenfield_{st['iso2'].lower()}"
        assert k in sites.index, k
        g = sites.loc[k]
        assert g["country"] == st["iso2"] and g["capacity_status"] == "buildable"
        assert g["it_capacity_mw"] == "" and g["expansion_limit_mw"] == ""
        assert float(g["pue"]) == assumption("pue_new")
    assert (number(states, "contribution_share") > 0).sum() >= 36


def test_greenfield_heat_is_the_dh_share_of_recoverable_heat() -> None:
    states = table("member_states").set_index("iso2")
    heat = table("heat_options").set_index("site_id")
    frac = assumption("heat_recoverable_fraction")
    for cc, st in states.iterrows():
        k = f"greenfield_{str(cc).lower()}"
        share = float(st["dh_share_residential_heat"] or 0)
        if share > 0:
            assert float(heat.loc[k, "recoverable_fraction"]) == pytest.approx(frac * share)
            assert heat.loc[k, "sink_capacity_mw_th"] == ""
        else:
            assert k not in heat.index


def test_demand_scenarios_equal_their_arithmetic() -> None:
    sites = table("sites")
    sites["mw"] = number(sites, "it_capacity_mw")
    ds = table("demand_scenarios").set_index("demand_scenario")
    total = number(ds.reset_index(), "total_it_mw").set_axis(ds.index)
    year = ds["plan_year"].astype(int)

    existing = sites[sites["capacity_status"] == "existing"]
    assert total["eurohpc_today"] == pytest.approx(round(existing["mw"].sum(), 3))
    assert year["eurohpc_today"] == assumption("base_year")

    committed = sites[
        (sites["capacity_status"] == "committed")
        & (sites["category"] == "eurohpc_ai_factory")
        & (number(sites, "online_year") <= year["ai_factories"])
    ]
    assert not committed.empty
    assert total["ai_factories"] == pytest.approx(
        round(total["eurohpc_today"] + committed["mw"].sum(), 3)
    )
    for sid in committed["site_id"]:
        assert sid in ds.loc["ai_factories", "description"]

    per_gigafactory = 100_000 * assumption("kw_per_gpu_gb200") / 1000
    assert total["gigafactories"] == pytest.approx(
        round(total["ai_factories"] + 5 * per_gigafactory, 3)
    )
    assert year["gigafactories"] == assumption("gigafactory_plan_year")
    assert total["high_action_plan"] == pytest.approx(round(3 * total["gigafactories"], 3))
    assert year["high_action_plan"] == 2032
    prov = table("provenance")
    rows = prov[(prov["table_name"] == "demand_scenarios") & (prov["column_name"] == "total_it_mw")]
    assert set(rows["kind"]) == {"derivation"} and len(rows) == 4


def test_periods_are_the_months_of_a_year() -> None:
    periods = table("periods")
    assert list(periods["period"]) == [
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "oct",
        "nov",
        "dec",
    ]
    assert number(periods, "hours").sum() == 8760
    heat = dict(zip(periods["period"], number(periods, "heat_demand_factor"), strict=True))
    assert heat["jan"] == 1.0 and heat["jul"] == 0.5


def test_profile_factors_average_one_over_the_year() -> None:
    hours = number(table("periods"), "hours").to_numpy()
    pf = table("period_factors")
    assert len(pf) % 12 == 0 and len(pf) > 0
    for cc, rows in pf.groupby("country"):
        assert list(rows["period"]) == list(table("periods")["period"]), cc
        for col in ("price_factor", "carbon_factor"):
            values = number(rows, col)
            if values.isna().all():
                continue
            assert not values.isna().any(), (cc, col)
            mean = float((values.to_numpy() * hours).sum() / hours.sum())
            assert mean == pytest.approx(1.0, abs=1e-4), (cc, col)
        assert (rows["heat_demand_factor"] == "").all()
    prov = table("provenance")
    src = prov.loc[prov["table_name"] == "period_factors", "source"]
    assert src.str.contains("Ember (CC BY 4.0), https://ember-energy.org/", regex=False).all()


def test_energy_caps_are_sourced_derivations() -> None:
    caps = table("energy_caps")
    prov = table("provenance")
    rows = prov[prov["table_name"] == "energy_caps"]
    assert set(rows["row_key"]) == set(caps["country"])
    assert set(rows["kind"]) == {"derivation"} and (rows["source"] != "").all()


def test_member_state_demand_is_the_ember_year_sum() -> None:
    states = table("member_states").set_index("iso2")
    assert states.loc["DE", "elec_demand_year"] == "2024"
    eu = states[states["eu_member"] == "True"]
    assert (eu["elec_demand_year"] == "2024").all()
    eu_twh = pd.to_numeric(eu["elec_demand_twh"]).sum()
    assert assumption("grid_cap_default_share") == pytest.approx(round(45 / eu_twh, 4))
    # No Ember row for IS: the EU-27 demand per person x its population, as an assumption.
    per_person = round(eu_twh * 1e6 / pd.to_numeric(eu["population"]).sum(), 3)
    assert assumption("elec_demand_per_capita") == pytest.approx(per_person)
    expected = round(int(states.loc["IS", "population"]) * per_person / 1e6, 3)
    assert float(states.loc["IS", "elec_demand_twh"]) == pytest.approx(expected)
    prov = table("provenance")
    row = prov[(prov["row_key"] == "IS") & (prov["column_name"] == "elec_demand_twh")]
    assert list(row["kind"]) == ["assumption"]


@pytest.mark.parametrize(
    ("field", "assumption_id"),
    [
        ("facility_capex_eur_per_mw", "facility_capex_eur_per_mw"),
        ("it_capex_eur_per_mw", "it_capex_eur_per_mw"),
        ("facility_life_years", "facility_life_years"),
        ("it_life_years", "it_life_years"),
        ("discount_rate", "discount_rate"),
        ("lead_time_years", "default_lead_time_years"),
        ("base_year", "base_year"),
        ("grid_cap_default_share", "grid_cap_default_share"),
        ("carbon_price_eur_per_t", "carbon_price"),
        ("heat_price_eur_per_mwh_th", "heat_price"),
        ("kw_per_gpu", "kw_per_accelerator"),
    ],
)
def test_scenario_defaults_are_the_seeds_assumptions(field: str, assumption_id: str) -> None:
    from optimizer.scenario import Scenario

    assert getattr(Scenario(), field) == pytest.approx(assumption(assumption_id))


def test_the_default_demand_scenario_is_the_gigafactory_programme() -> None:
    from optimizer.scenario import Scenario

    levels = table("demand_scenarios").set_index("demand_scenario")
    assert Scenario().demand_scenario == "gigafactories"
    assert levels.loc["gigafactories", "plan_year"] == "2030"
