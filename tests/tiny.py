"""Tiny hand-built problems: two countries, two sites, one hour, small enough to solve by hand."""

from __future__ import annotations

from optimizer.domain import HeatOption, Inputs, Period, Site, State, Workload


def tiny(
    demand_a: float = 15.0,
    demand_b: float = 0.0,
    rule: str = "anywhere",
    caps: dict[tuple[str, str], float] | None = None,
    heat: tuple[HeatOption, ...] = (),
    ci_b: float = 0.0,
    expansion_limit_a: float | None = 0.0,
    expansion_cost_a: float = 0.0,
) -> Inputs:
    """Site a (country AA): 10 MW, PUE 1, 50 EUR/MWh. Site b (BB): 10 MW, PUE 1.5, 40 EUR/MWh.

    The effective energy cost is 50 EUR/MWh IT at a and 60 at b. One period of one hour. Each
    site stands at its state's capital, 10 degrees of longitude apart on the equator.
    """
    states = {
        "AA": State("AA", True, 50.0, 0.0, 0.5, frozenset({"club"}), 0.0, 0.0),
        "BB": State("BB", True, 40.0, ci_b, 0.5, frozenset(), 0.0, 10.0),
    }
    sites = {
        "a": Site(
            "a",
            "AA",
            10.0,
            1.0,
            0.0,
            0.0,
            expansion_limit_mw=expansion_limit_a,
            expansion_cost_eur_per_mw_yr=expansion_cost_a,
        ),
        "b": Site("b", "BB", 10.0, 1.5, 0.0, 10.0, expansion_limit_mw=0.0),
    }
    demand = {("AA", "w", "h1"): demand_a}
    if demand_b:
        demand[("BB", "w", "h1")] = demand_b
    return Inputs(
        states,
        sites,
        {"h1": Period("h1", 1.0)},
        {"w": Workload("w", rule)},
        heat,
        demand,
        caps or {},
    )
