"""Properties of the LP on random small problems (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from optimizer.api import plan
from optimizer.domain import Inputs, Period, Site, State, Workload
from optimizer.model import usable_sites
from optimizer.runs import effective_inputs
from optimizer.scenario import SWITCHABLE, Scenario
from optimizer.solve import Plan
from tests.verify import violations

COUNTRIES = ["AA", "BB", "CC"]


@st.composite
def problems(draw: st.DrawFn) -> Inputs:
    states = {
        c: State(
            c,
            draw(st.booleans()),
            draw(st.floats(20, 200)),
            draw(st.floats(0, 800)),
            1 / 3,
            frozenset({"club"}) if draw(st.booleans()) else frozenset(),
        )
        for c in COUNTRIES
    }
    n_sites = draw(st.integers(1, 4))
    sites = {}
    for i in range(n_sites):
        buildable = draw(st.booleans())
        sites[f"s{i}"] = Site(
            f"s{i}",
            draw(st.sampled_from(COUNTRIES)),
            0.0 if buildable else draw(st.floats(0, 20)),
            draw(st.floats(1, 2)),
            expansion_limit_mw=draw(st.one_of(st.none(), st.floats(0, 30)))
            if buildable
            else draw(st.floats(0, 5)),
            capacity_status="buildable" if buildable else "existing",
            facility_capex_eur_per_mw=draw(st.floats(0, 5e6)),
        )
    periods = {
        p: Period(p, draw(st.floats(1, 5000))) for p in ("p1", "p2")[: draw(st.integers(1, 2))]
    }
    factors = {(c, p): (draw(st.floats(0.5, 2)), None, None) for c in COUNTRIES for p in periods}
    workloads = {
        w: Workload(w, draw(st.sampled_from(["home", "eu", "trusted", "anywhere"])))
        for w in ("w1", "w2")
    }
    demand = {(s, w): draw(st.floats(0, 15)) for s in COUNTRIES for w in workloads}
    caps = {c: draw(st.floats(0, 30)) for c in COUNTRIES}
    return Inputs(states, sites, periods, workloads, (), {}, caps, factors, demand)


def cost(p: Plan) -> float:
    assert p.has_solution, p.message
    return float(p.objective_eur or 0.0)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCENARIO = Scenario(
    carbon_price_eur_per_t=50.0, trusted_group="club", plan_year=2030, it_capex_eur_per_mw=1e6
)


@SETTINGS
@given(problems())
def test_plan_meets_every_constraint(inputs: Inputs) -> None:
    p = plan(SCENARIO, inputs=inputs)
    tables = {k.removeprefix("inputs/"): v for k, v in effective_inputs(inputs, SCENARIO).items()}
    assert violations(p.allocation, p.unserved, p.sites, tables) == []


@SETTINGS
@given(problems())
def test_pooling_never_costs_more_than_national_build_out(inputs: Inputs) -> None:
    pooled = cost(plan(SCENARIO, inputs=inputs))
    alone = cost(plan(SCENARIO.with_overrides(autarky=True), inputs=inputs))
    assert pooled <= alone + 1e-6 * max(1.0, alone)


@SETTINGS
@given(problems(), st.floats(1.0, 3.0))
def test_raising_caps_never_raises_cost(inputs: Inputs, factor: float) -> None:
    before = cost(plan(SCENARIO, inputs=inputs))
    after = cost(plan(SCENARIO.with_overrides(energy_cap_scale=factor), inputs=inputs))
    assert after <= before + 1e-6 * max(1.0, before)


def _juste_retour_beside_an_empty_site() -> Inputs:
    """Found by the property below: BB's only site has no capacity and no build option, so BB
    is owed no juste retour; switching the capacity rule off must not make it owed (AA's work
    may not leave AA, so BB's share would be a shortfall)."""
    sites = {
        "s0": Site("s0", "AA", 0.0, 1.0, capacity_status="buildable", facility_capex_eur_per_mw=0),
        "s1": Site("s1", "AA", 1.0, 1.0, expansion_limit_mw=0.0, facility_capex_eur_per_mw=0),
        "s3": Site("s3", "BB", 0.0, 1.0, expansion_limit_mw=0.0, facility_capex_eur_per_mw=0),
    }
    return Inputs(
        {c: State(c, False, 20.0, 0.0, 1 / 3, frozenset()) for c in COUNTRIES},
        sites,
        {"p1": Period("p1", 1.0)},
        {"w1": Workload("w1", "home")},
        (),
        {},
        {c: 0.0 for c in COUNTRIES},
        {(c, "p1"): (1.0, None, None) for c in COUNTRIES},
        {("AA", "w1"): 1.0},
    )


@SETTINGS
@given(problems(), st.sampled_from(SWITCHABLE))
@example(_juste_retour_beside_an_empty_site(), "site_capacity")
def test_switching_a_rule_off_never_raises_cost(inputs: Inputs, family: str) -> None:
    sc = SCENARIO.with_overrides(
        min_home_share=0.3, juste_retour_factor=0.5, fair_access_factor=0.5, emissions_budget_t=1e4
    )
    before = cost(plan(sc, inputs=inputs))
    after = cost(plan(sc.with_overrides(disabled_constraints=[family]), inputs=inputs))
    assert after <= before + 1e-6 * max(1.0, before)


@pytest.mark.parametrize("family", SWITCHABLE)
def test_every_family_can_be_switched_off(family: str) -> None:
    assert not Scenario(disabled_constraints=(family,)).on(family)


@SETTINGS
@given(problems(), st.floats(0.0, 1.0))
def test_a_met_juste_retour_rule_shows_in_the_hosting_ratio(inputs: Inputs, factor: float) -> None:
    p = plan(SCENARIO.with_overrides(juste_retour_factor=factor), inputs=inputs)
    if "juste_retour" in " ".join(p.warnings) or p.states["served_mwh"].sum() <= 1e-9:
        return  # the rule was not met (priced shortfall), or nothing was pooled
    hosts = p.states[p.states["state"].isin({s.country for s in usable_sites(inputs, SCENARIO)})]
    assert (hosts["hosting_ratio"] >= factor - 1e-6).all()
    assert (p.summary.juste_retour_met or 0.0) >= factor - 1e-6


@SETTINGS
@given(problems())
def test_the_aggregated_formulation_gives_the_full_formulations_cost(inputs: Inputs) -> None:
    # A transfer cost of ~0 forces the full formulation without changing the costs.
    full = plan(SCENARIO.with_overrides(transfer_cost_eur_per_mwh_per_1000km=1e-12), inputs=inputs)
    assert full.summary.formulation.startswith("LP, full")
    pooled = plan(SCENARIO, inputs=inputs)
    assert cost(pooled) == pytest.approx(cost(full), rel=1e-6, abs=1e-6)
    tables = {k.removeprefix("inputs/"): v for k, v in effective_inputs(inputs, SCENARIO).items()}
    assert violations(pooled.allocation, pooled.unserved, pooled.sites, tables) == []
