"""Tiny hand-built problems: two countries, two existing sites, buildable options, small enough
to solve by hand."""

from __future__ import annotations

from optimizer.domain import Factors, HeatOption, Inputs, Period, Site, State, Workload
from optimizer.scenario import Scenario

#: Costs are per period of one hour, so a "year" is that hour: capital is charged per MW as
#: facility capex x 1/life with a zero discount rate and no IT capex.
BASE = Scenario(
    carbon_price_eur_per_t=0.0,
    value_of_lost_compute_eur_per_mwh=1000.0,
    plan_year=2030,
    base_year=2026,
    lead_time_years=2.0,
    facility_capex_eur_per_mw=100.0,
    facility_life_years=1.0,
    it_capex_eur_per_mw=0.0,
    discount_rate=0.0,
    trusted_group="club",
)


def tiny(
    demand_a: float = 15.0,
    demand_b: float = 0.0,
    rule: str = "anywhere",
    caps: dict[str, float] | None = None,
    heat: tuple[HeatOption, ...] = (),
    ci_b: float = 0.0,
    builds: tuple[Site, ...] = (),
    periods: dict[str, Period] | None = None,
    factors: dict[tuple[str, str], Factors] | None = None,
    capacity_b: float = 10.0,
) -> Inputs:
    """Site a (country AA): 10 MW existing, PUE 1, 50 EUR/MWh. Site b (BB): 10 MW existing,
    PUE 1.5, 40 EUR/MWh.

    The effective energy cost is 50 EUR/MWh IT at a and 60 at b. One period of one hour unless
    given. Each site stands at its state's capital, 10 degrees of longitude apart on the
    equator. `builds` adds buildable sites; each country's grid allowance for new builds is
    1,000 MW facility unless `caps` says otherwise.
    """
    states = {
        "AA": State("AA", True, 50.0, 0.0, 0.5, frozenset({"club"}), 0.0, 0.0),
        "BB": State("BB", True, 40.0, ci_b, 0.5, frozenset(), 0.0, 10.0),
    }
    sites = {
        "a": Site("a", "AA", 10.0, 1.0, 0.0, 0.0),
        "b": Site("b", "BB", capacity_b, 1.5, 0.0, 10.0),
        **{s.id: s for s in builds},
    }
    demand = {("AA", "w"): demand_a}
    if demand_b:
        demand[("BB", "w")] = demand_b
    return Inputs(
        states,
        sites,
        periods or {"h1": Period("h1", 1.0)},
        {"w": Workload("w", rule)},
        heat,
        {},
        {"AA": 1000.0, "BB": 1000.0, **(caps or {})},
        factors or {},
        demand,
    )


def bid(
    site_id: str = "g",
    country: str = "AA",
    limit: float | None = 100.0,
    lead_time_years: float | None = None,
) -> Site:
    """A buildable site with no existing capacity: PUE 1, built at the scenario's cost."""
    return Site(
        site_id,
        country,
        0.0,
        1.0,
        0.0,
        0.0 if country == "AA" else 10.0,
        expansion_limit_mw=limit,
        capacity_status="buildable",
        lead_time_years=lead_time_years,
    )
