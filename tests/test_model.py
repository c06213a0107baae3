"""The LP against problems solved by hand: values, objective, shadow prices and their ranges."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer.api import compare, plan
from optimizer.domain import HeatOption, Period
from optimizer.levers import levers
from optimizer.model import energy_cap
from optimizer.solve import Plan, Status
from tests.tiny import BASE, bid, tiny


def dual(p: Plan, name: str) -> float:
    return float(p.duals.set_index("constraint").loc[name, "dual"])


def row(p: Plan, name: str) -> pd.Series:
    return p.duals.set_index("constraint").loc[name]


def load(p: Plan, site: str) -> float:
    return float(p.allocation.loc[p.allocation["site_id"] == site, "it_mw"].sum())


def new(p: Plan, site: str) -> float:
    return float(p.sites.set_index("site_id").loc[site, "new_mw"])


def test_cheapest_site_fills_first_and_the_dual_states_its_range() -> None:
    p = plan(BASE, inputs=tiny())
    assert p.status is Status.OPTIMAL
    assert load(p, "a") == pytest.approx(10.0) and load(p, "b") == pytest.approx(5.0)
    assert p.objective_eur == pytest.approx(10 * 50 + 5 * 60)
    assert dual(p, "demand|AA|w|h1") == pytest.approx(60.0)  # the marginal MW runs at b
    cap_a = row(p, "site_capacity|a|h1")
    assert cap_a["dual"] == pytest.approx(-10.0)  # a saves 10 against b ...
    # ... but only until b is empty: a's capacity can rise from 10 to 15 MW at that price.
    assert cap_a["rhs"] == 10.0 and cap_a["rhs_high"] == pytest.approx(15.0)
    assert dual(p, "site_capacity|b|h1") == pytest.approx(0.0)
    lever = p.levers.set_index("subject").loc["a"]
    assert lever["holds_for"] == pytest.approx(5.0)
    assert lever["sentence"] == (
        "1 MW more IT capacity at a, all year, would save 10 EUR/yr (this holds for the next "
        "5 MW); building 1 MW of new capacity costs 100 EUR/yr."
    )


def test_a_bid_with_no_existing_capacity_hosts_only_what_the_plan_builds_and_pays() -> None:
    inputs = tiny(demand_a=25.0, builds=(bid(limit=100.0),))
    p = plan(BASE, inputs=inputs)
    # a 10 @ 50, b 10 @ 60, then g at 50 energy + 100 capital = 150 < 1,000 unserved.
    assert new(p, "g") == pytest.approx(5.0) and load(p, "g") == pytest.approx(5.0)
    assert p.objective_eur == pytest.approx(500 + 600 + 5 * 50 + 5 * 100)
    assert p.summary.cost_eur == pytest.approx(p.objective_eur)
    assert p.summary.new_mw == pytest.approx(5.0)
    assert p.cost_breakdown_eur["capital"] == pytest.approx(500.0)
    assert dual(p, "demand|AA|w|h1") == pytest.approx(150.0)
    # Nothing exists at the bid: with less demand nothing is built and it hosts nothing.
    small = plan(BASE, inputs=tiny(demand_a=15.0, builds=(bid(limit=100.0),)))
    assert new(small, "g") == 0.0 and load(small, "g") == 0.0
    # A bid that cannot be running by the plan year is not built.
    late = plan(BASE, inputs=tiny(demand_a=25.0, builds=(bid(lead_time_years=5.0),)))
    assert "g" not in set(late.sites["site_id"])
    assert late.summary.unserved_mwh == pytest.approx(5.0)
    off = plan(BASE.with_overrides(allow_expansion=False), inputs=inputs)
    assert off.summary.new_mw == 0.0 and off.summary.unserved_mwh == pytest.approx(5.0)


def test_the_grid_allowance_limits_new_builds_and_its_dual_holds_over_its_range() -> None:
    inputs = tiny(demand_a=25.0, builds=(bid(),), caps={"AA": 3.0})
    p = plan(BASE, inputs=inputs)
    assert new(p, "g") == pytest.approx(3.0)
    assert p.summary.unserved_mwh == pytest.approx(2.0)
    assert p.summary.cost_eur == pytest.approx(1100 + 3 * 150)  # money only
    assert p.summary.penalty_eur == pytest.approx(2 * 1000)  # apart, named as a penalty
    cap = row(p, "energy_cap|AA")
    assert cap["dual"] == pytest.approx(-(1000 - 150))
    assert cap["rhs_high"] == pytest.approx(5.0)  # past 5 MW nothing is unserved
    lever = p.levers.set_index("family").loc["energy_cap"]
    assert lever["sentence"].startswith(
        "1 MW more grid allowance for new data centres in AA would save 850 EUR/yr (this holds "
        "for the next 2 MW)"
    )


def test_the_default_grid_rule_is_a_share_of_national_demand_and_no_data_is_no_allowance() -> None:
    import dataclasses

    inputs = tiny()
    states = dict(inputs.states)
    states["AA"] = dataclasses.replace(states["AA"], elec_demand_twh=8.76)
    ruled = dataclasses.replace(inputs, states=states, energy_cap_mw={})
    mw, basis = energy_cap(ruled, BASE.with_overrides(grid_cap_default_share=0.01), "AA")
    assert mw == pytest.approx(8.76e6 / 8760 * 0.01) and basis.startswith("default rule")
    assert energy_cap(ruled, BASE, "BB") == (0.0, "default rule, no demand data: none")
    assert energy_cap(inputs, BASE.with_overrides(energy_cap_scale=0.5), "AA")[0] == 500.0
    assert energy_cap(inputs, BASE.with_overrides(energy_cap_overrides={"AA": 7}), "AA")[0] == 7


def test_national_build_out_builds_at_home_what_pooling_finds_spare_elsewhere() -> None:
    inputs = tiny(demand_a=5.0, demand_b=15.0, builds=(bid("gb", "BB"),))
    result = compare(BASE, inputs=inputs)
    # Pooled: AA 5 at a, BB 10 at b and 5 at a's spare capacity; nothing built.
    assert result.pooled.summary.cost_eur == pytest.approx(250 + 600 + 250)
    # National: BB builds 5 MW at home at 40 energy + 100 capital.
    assert result.national.summary.cost_eur == pytest.approx(250 + 600 + 5 * 140)
    totals = result.totals.set_index("metric")
    assert totals.loc["cost_eur", "dividend"] == pytest.approx(450.0)
    assert totals.loc["new_mw", "dividend"] == pytest.approx(5.0)
    assert totals.loc["unserved_mwh", "national"] == 0.0
    assert totals.loc["unserved_mwh", "pooled"] == 0.0
    by_state = result.by_state.set_index("state")
    assert by_state.loc["BB", "dividend_new_mw"] == pytest.approx(5.0)


def test_a_lumpy_build_pays_its_fixed_cost_and_is_built_whole() -> None:
    inputs = tiny(demand_a=25.0, builds=(bid(),))
    lumpy = BASE.with_overrides(lumpy_builds=True, min_build_mw=8.0, site_fixed_cost_eur_per_yr=200)
    p = plan(lumpy, inputs=inputs)
    # At least 8 MW or nothing: build 8 and fill them (g at 50 is cheaper than b at 60).
    assert new(p, "g") == pytest.approx(8.0)
    assert load(p, "g") == pytest.approx(8.0) and load(p, "b") == pytest.approx(7.0)
    assert p.objective_eur == pytest.approx(500 + 8 * 50 + 7 * 60 + 8 * 100 + 200)
    assert p.summary.formulation.startswith("MILP")
    assert dual(p, "demand|AA|w|h1") == pytest.approx(60.0)  # from the LP with builds fixed
    dear = plan(lumpy.with_overrides(site_fixed_cost_eur_per_yr=10_000.0), inputs=inputs)
    assert new(dear, "g") == 0.0 and dear.summary.unserved_mwh == pytest.approx(5.0)


def test_price_factors_per_country_and_period_move_the_load_between_months() -> None:
    periods = {"h1": Period("h1", 1.0), "h2": Period("h2", 1.0)}
    factors: dict[tuple[str, str], tuple[float | None, float | None, float | None]] = {
        ("AA", "h1"): (2.0, None, None),
        ("AA", "h2"): (0.5, None, None),
    }
    p = plan(BASE, inputs=tiny(periods=periods, factors=factors))
    by = p.allocation.groupby(["site_id", "period"])["it_mw"].sum()
    # h1: a costs 100 > b 60, so b is full; h2: a costs 25, so a is full.
    assert by[("b", "h1")] == pytest.approx(10.0) and by[("a", "h1")] == pytest.approx(5.0)
    assert by[("a", "h2")] == pytest.approx(10.0) and by[("b", "h2")] == pytest.approx(5.0)
    assert p.objective_eur == pytest.approx(5 * 100 + 10 * 60 + 10 * 25 + 5 * 60)


def test_home_rule_prices_sovereignty() -> None:
    p = plan(BASE, inputs=tiny(rule="home"))
    assert load(p, "b") == 0.0
    assert p.unserved["it_mw"].sum() == pytest.approx(5.0)
    assert dual(p, "sovereignty|AA|w|h1") == pytest.approx(-(1000 - 60))
    off = plan(BASE.with_overrides(disabled_constraints=["sovereignty"]), inputs=tiny(rule="home"))
    assert off.objective_eur == pytest.approx(800.0)


def test_trusted_rule_follows_the_group() -> None:
    inputs = tiny(rule="trusted")
    assert load(plan(BASE, inputs=inputs), "b") == 0.0  # BB is not in the club
    trusted = plan(BASE.with_overrides(trusted_states=["BB"]), inputs=inputs)
    assert load(trusted, "b") == pytest.approx(5.0)
    eu = plan(BASE.with_overrides(trusted_group="eu_members"), inputs=inputs)
    assert load(eu, "b") == pytest.approx(5.0)  # both are EU members


def test_carbon_price_is_a_cost_on_top_of_prices_reported_apart() -> None:
    # 100 g/kWh = 0.1 t/MWh of facility energy; 1.5 MWh facility per MWh IT at b.
    p = plan(BASE.with_overrides(carbon_price_eur_per_t=100.0), inputs=tiny(ci_b=100.0))
    assert p.cost_breakdown_eur["carbon"] == pytest.approx(5 * 1.5 * 0.1 * 100)
    assert p.summary.carbon_cost_eur == pytest.approx(75.0)
    assert p.summary.cost_eur == pytest.approx(800.0)
    assert p.summary.emissions_t == pytest.approx(5 * 1.5 * 0.1)
    assert dual(p, "demand|AA|w|h1") == pytest.approx(60 + 15)


def test_emissions_budget_binds() -> None:
    p = plan(BASE.with_overrides(emissions_budget_t=0.3), inputs=tiny(ci_b=100.0))
    assert load(p, "b") == pytest.approx(2.0)  # 0.3 t / 0.15 t per MW
    assert dual(p, "emissions_budget") == pytest.approx(-(1000 - 60) / 0.15)


def test_heat_reuse_earns_the_heat_price_and_an_idle_site_is_no_lever() -> None:
    heat = (
        HeatOption("a", "district_heating", 0.5, 3.0, None),
        HeatOption("b", "district_heating", 0.5, None, 10.0),
    )
    p = plan(BASE.with_overrides(heat_price_eur_per_mwh_th=20.0), inputs=tiny(10.0, heat=heat))
    assert p.sites.set_index("site_id").loc["a", "heat_mwh_th"] == pytest.approx(3.0)
    assert p.objective_eur == pytest.approx(500 - 3 * 20)
    assert dual(p, "heat_sink|a|district_heating|h1") == pytest.approx(-20.0)
    # b hosts nothing: its heat-recovery row has a dual but raising its fraction changes
    # nothing, so it is not binding.
    idle = row(p, "heat_recovery|b|district_heating|h1")
    assert idle["dual"] == pytest.approx(-10.0) and not idle["binding"]
    assert "b" not in set(p.levers["subject"])
    assert "heat-sink capacity at a would earn 20 EUR/yr" in " ".join(p.levers["sentence"])


def test_heat_use_follows_the_period_factor() -> None:
    periods = {"winter": Period("winter", 1.0), "summer": Period("summer", 1.0, 1, 1, 0.5)}
    heat = (HeatOption("a", "district_heating", 0.4, None, None),)
    p = plan(BASE, inputs=tiny(10.0, heat=heat, periods=periods))
    # 10 MW x 0.4 in winter, x 0.4 x 0.5 in summer.
    assert p.summary.heat_reused_mwh_th == pytest.approx(4.0 + 2.0)


def test_juste_retour_moves_load_to_the_other_contributor() -> None:
    # Unconstrained, BB (half the contributions) hosts 5 of the 15 MW: 1/3 / 1/2 = 2/3 of its
    # juste retour; AA hosts more than its share, so counts as 1.
    free = plan(BASE, inputs=tiny())
    assert list(free.states["hosting_ratio"]) == [pytest.approx(4 / 3), pytest.approx(2 / 3)]
    assert free.summary.juste_retour_met == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    p = plan(BASE.with_overrides(juste_retour_factor=1.0), inputs=tiny())
    # Each of two equal contributors hosts at least half of the pooled 15 MW.
    assert load(p, "b") == pytest.approx(7.5) and load(p, "a") == pytest.approx(7.5)
    assert p.objective_eur == pytest.approx(7.5 * 50 + 7.5 * 60)
    assert dual(p, "juste_retour|BB|h1") == pytest.approx(10.0)
    assert p.summary.juste_retour_met == pytest.approx(1.0)


def test_home_share_keeps_load_at_home() -> None:
    p = plan(BASE.with_overrides(min_home_share=0.8), inputs=tiny(demand_a=0.0, demand_b=10.0))
    assert load(p, "b") == pytest.approx(8.0) and load(p, "a") == pytest.approx(2.0)
    assert dual(p, "home_share|BB|h1") == pytest.approx(10.0)


def test_a_rule_that_cannot_be_met_shows_its_shortfall_in_mwh_not_in_the_cost() -> None:
    p = plan(BASE.with_overrides(min_home_share=1.0), inputs=tiny(demand_a=0.0, demand_b=12.0))
    assert p.summary.shortfall_mwh == pytest.approx(2.0)  # b has 10 MW for 12 at home
    assert p.summary.cost_eur == pytest.approx(10 * 60 + 2 * 50)
    assert p.summary.penalty_eur == pytest.approx(2 * 1000)
    assert "fall short by 2 MWh" in " ".join(p.warnings)


def test_fair_access_serves_each_state_its_share() -> None:
    # 12 MW for 20 MW of demand. With a transfer cost each state prefers its own site, so
    # without fairness AA gets 10 MW and BB only the 2 MW of its own site.
    inputs = tiny(demand_a=10.0, demand_b=10.0, capacity_b=2.0)
    sc = BASE.with_overrides(transfer_cost_eur_per_mwh_per_1000km=1.0)
    unfair = plan(sc, inputs=inputs)
    served = unfair.states.set_index("state")["served_mwh"]
    assert (served["AA"], served["BB"]) == (pytest.approx(10.0), pytest.approx(2.0))
    assert unfair.summary.min_access_ratio == pytest.approx(0.2)
    fair = plan(sc.with_overrides(fair_access_factor=0.6), inputs=inputs)
    served = fair.states.set_index("state")["served_mwh"]
    # Each state gets at least 0.6 x its 50% contribution x 20 MW = 6 MW.
    assert (served["AA"], served["BB"]) == (pytest.approx(6.0), pytest.approx(6.0))
    assert fair.summary.min_access_ratio == pytest.approx(0.6)
    km = 1111.95  # 10 degrees of longitude on the equator
    assert fair.cost_breakdown_eur["transfer"] == pytest.approx(4 * km / 1000, rel=1e-3)


def test_concentration_limits_spread_the_pool() -> None:
    p = plan(BASE.with_overrides(max_site_share=0.6), inputs=tiny(demand_a=10.0))
    assert load(p, "a") == pytest.approx(6.0) and load(p, "b") == pytest.approx(4.0)
    assert dual(p, "site_share|a|h1") == pytest.approx(-10.0)
    q = plan(BASE.with_overrides(max_country_share=0.7), inputs=tiny(demand_a=10.0))
    assert load(q, "a") == pytest.approx(7.0)


def test_national_build_out_keeps_every_state_at_home() -> None:
    p = plan(BASE.with_overrides(autarky=True), inputs=tiny())
    assert load(p, "b") == 0.0 and p.unserved["it_mw"].sum() == pytest.approx(5.0)


def test_demand_with_no_site_is_unserved_not_a_crash() -> None:
    p = plan(BASE, inputs=tiny(demand_a=0.0, demand_b=5.0, rule="home", capacity_b=0.0))
    assert p.status is Status.OPTIMAL
    assert p.unserved["it_mw"].sum() == pytest.approx(5.0)
    assert "unserved" in p.warnings[0]


def test_gpu_cap_limits_untrusted_hosts() -> None:
    # kw_per_gpu 1000 => 1 GPU-equivalent per MW; BB is not trusted.
    p = plan(BASE.with_overrides(gpu_cap_per_country=2.0, kw_per_gpu=1000.0), inputs=tiny())
    assert load(p, "b") == pytest.approx(2.0)


def test_a_reuse_floor_makes_a_new_site_reuse_its_heat_or_shows_the_shortfall() -> None:
    heat = (HeatOption("g", "district_heating", 0.5, None, 0.0),)
    inputs = tiny(demand_a=25.0, builds=(bid(),), heat=heat)
    # g hosts 5 MW for 1 h at PUE 1: a 30% floor asks 1.5 MWh of the 2.5 it can recover.
    met = plan(BASE.with_overrides(reuse_floors={"AA": 0.3}), inputs=inputs)
    assert (met.summary.heat_reused_mwh_th or 0.0) >= 1.5 - 1e-9
    assert met.summary.shortfall_mwh == 0.0
    # A 60% floor asks 3 MWh: 0.5 MWh short, reported in MWh, its penalty apart from the cost.
    short = plan(BASE.with_overrides(reuse_floors={"AA": 0.6}), inputs=inputs)
    assert short.summary.shortfall_mwh == pytest.approx(0.5)
    assert short.summary.penalty_eur == pytest.approx(500.0)
    assert short.summary.cost_eur == pytest.approx(1100 + 5 * 150)
    assert dual(short, "reuse_floor|g") == pytest.approx(1000.0)
    # Existing sites are not new: no floor applies to them.
    assert "reuse_floor|a" not in set(short.duals["constraint"])


def test_a_concentration_lever_names_its_site_or_its_country() -> None:
    # Site and country shares are one family: each lever names what its own row limits.
    duals = pd.DataFrame(
        {
            "family": ["concentration"] * 3,
            "site_id": ["a", "a", None],
            "country": [None, None, "BB"],
            "lever_value_eur": [-1.0, -2.0, -5.0],
            "rhs": [6.0, 6.0, 7.0],
            "rhs_high": [8.0, 7.0, 9.0],
            "binding": [True, True, True],
        }
    )
    out = levers(duals, {"a": "Site A"})
    assert list(out["subject"]) == ["BB", "Site A"]
    assert list(out["value_eur_per_yr"]) == [-5.0, -3.0]
    assert list(out["holds_for"]) == [2.0, 1.0]  # the smallest headroom over the periods
    assert out["sentence"][0].startswith("Letting BB host 1 MW more")
    assert out["sentence"][1].startswith("Letting Site A host 1 MW more")
