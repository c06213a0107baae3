"""A golden LP file for a tiny scenario with every constraint family on: any change to the
formulation shows up as a diff; every declared constraint family is built, and docs/model.md
holds the table the declarations make.

After an intended change, regenerate with: UPDATE_GOLDEN=1 uv run pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from optimizer.api import write_lp
from optimizer.domain import HeatOption, Inputs, Workload
from optimizer.families import FAMILIES, FAMILY, SWITCHES, Switch, docs_table
from optimizer.model import build_problem
from tests.tiny import BASE, bid, tiny

GOLDEN = Path(__file__).parent / "golden" / "tiny.lp"
EVERYTHING = BASE.with_overrides(
    name="tiny",
    carbon_price_eur_per_t=100.0,
    max_site_share=0.9,
    max_country_share=0.95,
    reuse_floors={"BB": 0.1},
    min_home_share=0.2,
    juste_retour_factor=0.5,
    fair_access_factor=0.5,
    emissions_budget_t=10.0,
    water_cap_m3_per_country=1.0,
    gpu_cap_per_country=5.0,
    transfer_cost_eur_per_mwh_per_1000km=1.0,
)


def everything() -> Inputs:
    """The tiny problem with heat, water use, a bid to build and a home-only rule."""
    inputs = tiny(
        demand_b=4.0,
        rule="home",
        ci_b=100.0,
        caps={"BB": 9.0},
        heat=(HeatOption("a", "district_heating", 0.5, 3.0, None),),
        builds=(bid("g", "BB", 5.0),),
    )
    wet = {k: replace(v, wue_l_per_kwh=1.0) for k, v in inputs.sites.items()}
    return replace(inputs, sites=wet)


def test_tiny_lp_matches_golden_file(tmp_path: Path) -> None:
    out = tmp_path / "tiny.lp"
    write_lp(EVERYTHING, everything(), out)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(out.read_text())
    assert out.read_text() == GOLDEN.read_text()


#: The aggregated formulation (both states may use every site, so they share one flow) with
#: lumpy builds: the columns and rows the full formulation above does not make. The golden
#: file was first written by the model before it built through PuLP's array paths.
AGGREGATED = EVERYTHING.with_overrides(
    name="tiny_aggregated",
    transfer_cost_eur_per_mwh_per_1000km=0.0,
    min_home_share=0.0,
    fair_access_factor=0.0,
    lumpy_builds=True,
    min_build_mw=1.0,
)


def test_aggregated_lumpy_lp_matches_golden_file(tmp_path: Path) -> None:
    out, golden = tmp_path / "tiny_aggregated.lp", GOLDEN.with_name("tiny_aggregated.lp")
    write_lp(AGGREGATED, replace(everything(), workloads={"w": Workload("w", "anywhere")}), out)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out.read_text())
    assert out.read_text() == golden.read_text()


def test_every_declared_family_is_built_and_the_docs_table_is_the_declaration() -> None:
    problem = build_problem(everything(), EVERYTHING)
    lumpy = build_problem(everything(), EVERYTHING.with_overrides(lumpy_builds=True))
    built = {family for family, _ in problem.constraints.values()}
    built |= {family for family, _ in lumpy.constraints.values()}
    assert built == set(FAMILY)
    docs = (Path(__file__).parents[1] / "docs" / "model.md").read_text()
    assert docs_table() in docs


@pytest.mark.parametrize("switch", SWITCHES, ids=lambda s: s.name)
def test_switching_a_family_off_removes_its_rows(switch: Switch) -> None:
    off = build_problem(everything(), EVERYTHING.with_overrides(disabled_constraints=[switch.name]))
    left = {family for family, _ in off.constraints.values()}
    assert not left & {f.name for f in FAMILIES if f.switch == switch}


def test_lp_names_read_back_into_their_parts() -> None:
    problem = build_problem(everything(), EVERYTHING)
    for name, (_, keys) in problem.constraints.items():
        parts = {p for v in keys.values() for p in v.split("|")}
        assert parts <= set(name.split("|")[1:]), name
