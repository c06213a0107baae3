"""The LP against problems solved by hand: values, objective and shadow prices."""

from __future__ import annotations

import pytest

from optimizer.api import plan
from optimizer.domain import HeatOption
from optimizer.scenario import Scenario
from optimizer.solve import Status
from tests.tiny import tiny

BASE = Scenario(carbon_price_eur_per_t=0.0, value_of_lost_compute_eur_per_mwh=1000.0)


def dual(p, name: str) -> float:  # type: ignore[no-untyped-def]
    return float(p.duals.set_index("constraint").loc[name, "dual"])


def load(p, site: str) -> float:  # type: ignore[no-untyped-def]
    return float(p.allocation.loc[p.allocation["site_id"] == site, "it_mw"].sum())


def test_cheapest_site_fills_first() -> None:
    p = plan(BASE, inputs=tiny())
    assert p.status is Status.OPTIMAL
    assert load(p, "a") == pytest.approx(10.0) and load(p, "b") == pytest.approx(5.0)
    assert p.objective_eur == pytest.approx(10 * 50 + 5 * 60)
    assert dual(p, "demand_AA_w_h1") == pytest.approx(60.0)  # the marginal MW runs at b
    assert dual(p, "site_capacity_a_h1") == pytest.approx(-10.0)  # a saves 10 against b
    assert dual(p, "site_capacity_b_h1") == pytest.approx(0.0)


def test_energy_cap_binds_and_leaves_demand_unserved() -> None:
    p = plan(BASE, inputs=tiny(caps={("BB", "h1"): 6.0}))
    assert load(p, "b") == pytest.approx(4.0)  # 6 MW facility / PUE 1.5
    assert p.unserved["it_mw"].sum() == pytest.approx(1.0)
    assert p.objective_eur == pytest.approx(500 + 4 * 60 + 1000)
    assert dual(p, "demand_AA_w_h1") == pytest.approx(1000.0)
    # One more MW of grid in BB serves 1/1.5 MW more at b instead of losing it.
    assert dual(p, "energy_cap_BB_h1") == pytest.approx(-(1000 - 60) / 1.5)
    binding = p.duals[p.duals["binding"]].set_index("constraint")
    assert (
        "1 MW more grid capacity for data centres in BB in h1 lowers the annual cost by "
        "627 EUR" in binding.loc["energy_cap_BB_h1", "explanation"]
    )
    assert "demand" in " ".join(p.warnings)


def test_scenario_cap_scale_and_override() -> None:
    inputs = tiny(caps={("BB", "h1"): 6.0})
    assert load(
        plan(BASE.with_overrides(energy_cap_scale=0.5), inputs=inputs), "b"
    ) == pytest.approx(2.0)
    assert load(
        plan(BASE.with_overrides(energy_cap_overrides={"BB": 15.0}), inputs=inputs), "b"
    ) == pytest.approx(5.0)


def test_home_rule_prices_sovereignty() -> None:
    p = plan(BASE, inputs=tiny(rule="home"))
    assert load(p, "b") == 0.0
    assert p.unserved["it_mw"].sum() == pytest.approx(5.0)
    assert dual(p, "sovereignty_AA_w_h1") == pytest.approx(-(1000 - 60))
    off = plan(BASE.with_overrides(disabled_constraints=["sovereignty"]), inputs=tiny(rule="home"))
    assert off.objective_eur == pytest.approx(800.0)


def test_trusted_rule_follows_the_group() -> None:
    inputs = tiny(rule="trusted")
    assert load(plan(BASE, inputs=inputs), "b") == 0.0  # BB is not in the default group
    trusted = plan(BASE.with_overrides(trusted_states=["BB"]), inputs=inputs)
    assert load(trusted, "b") == pytest.approx(5.0)


def test_carbon_price_enters_the_cost() -> None:
    # 100 g/kWh = 0.1 t/MWh of facility energy; 1.5 MWh facility per MWh IT at b.
    p = plan(BASE.with_overrides(carbon_price_eur_per_t=100.0), inputs=tiny(ci_b=100.0))
    assert p.cost_breakdown_eur["carbon"] == pytest.approx(5 * 1.5 * 0.1 * 100)
    assert p.summary["emissions_t"] == pytest.approx(5 * 1.5 * 0.1)
    assert dual(p, "demand_AA_w_h1") == pytest.approx(60 + 15)


def test_emissions_budget_binds() -> None:
    p = plan(BASE.with_overrides(emissions_budget_t=0.3), inputs=tiny(ci_b=100.0))
    assert load(p, "b") == pytest.approx(2.0)  # 0.3 t / 0.15 t per MW
    assert dual(p, "emissions_budget") == pytest.approx(-(1000 - 60) / 0.15)


def test_heat_reuse_earns_the_heat_price() -> None:
    heat = (HeatOption("a", "district_heating", 0.5, 3.0, None),)
    p = plan(BASE.with_overrides(heat_price_eur_per_mwh_th=20.0), inputs=tiny(heat=heat))
    assert p.sites.set_index("site_id").loc["a", "heat_mwh_th"] == pytest.approx(3.0)
    assert p.objective_eur == pytest.approx(800 - 3 * 20)
    assert dual(p, "heat_sink_a_district_heating_h1") == pytest.approx(-20.0)


def test_expansion_is_built_when_cheaper_than_lost_compute() -> None:
    inputs = tiny(demand_a=25.0, expansion_limit_a=3.0, expansion_cost_a=100.0)
    p = plan(BASE.with_overrides(allow_expansion=True), inputs=inputs)
    assert p.sites.set_index("site_id").loc["a", "expansion_mw"] == pytest.approx(3.0)
    assert p.objective_eur == pytest.approx(13 * 50 + 10 * 60 + 3 * 100 + 2 * 1000)
    without = plan(BASE, inputs=inputs)
    assert without.objective_eur == pytest.approx(10 * 50 + 10 * 60 + 5 * 1000)


def test_juste_retour_moves_load_to_the_other_contributor() -> None:
    # Unconstrained, BB (half the contributions) hosts 5 of the 15 MW: 1/3 / 1/2 = 2/3 of its
    # juste retour; AA hosts more than its share, so counts as 1.
    free = plan(BASE, inputs=tiny())
    assert list(free.states["hosting_ratio"]) == [pytest.approx(4 / 3), pytest.approx(2 / 3)]
    assert free.summary["juste_retour_met"] == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    p = plan(BASE.with_overrides(juste_retour_factor=1.0), inputs=tiny())
    # Each of two equal contributors hosts at least half of the pooled 15 MW.
    assert load(p, "b") == pytest.approx(7.5) and load(p, "a") == pytest.approx(7.5)
    assert p.objective_eur == pytest.approx(7.5 * 50 + 7.5 * 60)
    assert dual(p, "juste_retour_BB_h1") == pytest.approx(10.0)
    assert p.summary["juste_retour_met"] == pytest.approx(1.0)
    assert list(p.states["hosting_ratio"]) == [pytest.approx(1.0), pytest.approx(1.0)]


def test_home_share_keeps_load_at_home() -> None:
    p = plan(BASE.with_overrides(min_home_share=0.8), inputs=tiny(demand_a=0.0, demand_b=10.0))
    assert load(p, "b") == pytest.approx(8.0) and load(p, "a") == pytest.approx(2.0)
    assert dual(p, "home_share_BB_h1") == pytest.approx(10.0)


def test_fair_access_serves_each_state_its_share() -> None:
    # 12 MW for 20 MW of demand. With a transfer cost each state prefers its own site, so
    # without fairness AA gets 10 MW and BB only the 2 MW that BB's grid cap allows.
    inputs = tiny(demand_a=10.0, demand_b=10.0, caps={("BB", "h1"): 3.0})
    sc = BASE.with_overrides(transfer_cost_eur_per_mwh_per_1000km=1.0)
    unfair = plan(sc, inputs=inputs)
    served = unfair.states.set_index("state")["served_mwh"]
    assert (served["AA"], served["BB"]) == (pytest.approx(10.0), pytest.approx(2.0))
    # BB is entitled to min(its 10 MW, 50% x 20 MW) and gets 2 of them.
    assert unfair.summary["min_access_ratio"] == pytest.approx(0.2)
    fair = plan(sc.with_overrides(fair_access_factor=0.6), inputs=inputs)
    served = fair.states.set_index("state")["served_mwh"]
    # Each state gets at least 0.6 x its 50% contribution x 20 MW = 6 MW.
    assert (served["AA"], served["BB"]) == (pytest.approx(6.0), pytest.approx(6.0))
    assert fair.summary["min_access_ratio"] == pytest.approx(0.6)
    km = 1111.95  # 10 degrees of longitude on the equator
    assert fair.cost_breakdown_eur["transfer"] == pytest.approx(4 * km / 1000, rel=1e-3)


def test_autarky_keeps_every_state_at_home() -> None:
    p = plan(BASE.with_overrides(autarky=True), inputs=tiny())
    assert load(p, "b") == 0.0 and p.unserved["it_mw"].sum() == pytest.approx(5.0)


def test_demand_with_no_site_is_unserved_not_a_crash() -> None:
    inputs = tiny(caps={("AA", "h1"): 0.0, ("BB", "h1"): 0.0})
    p = plan(BASE, inputs=inputs)
    assert p.status is Status.OPTIMAL
    assert p.unserved["it_mw"].sum() == pytest.approx(15.0)
    assert "unserved" in p.warnings[0]


def test_gpu_cap_limits_untrusted_hosts() -> None:
    # kw_per_gpu 1000 => 1 GPU-equivalent per MW; BB is not trusted.
    p = plan(BASE.with_overrides(gpu_cap_per_country=2.0, kw_per_gpu=1000.0), inputs=tiny())
    assert load(p, "b") == pytest.approx(2.0)
