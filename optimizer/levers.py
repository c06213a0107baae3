"""Shadow prices as levers a planner can pull: one sentence per binding constraint, per year.

A constraint that holds in every period (site capacity, sovereignty, demand) is one lever: 1 MW
more all year is worth the sum of its duals over the periods [EUR/yr]. Each sentence says over
how many MW it holds (HiGHS right-hand-side ranging: the smallest headroom over the periods)
and, where it helps, the cost of the alternative (building 1 MW new).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

#: key columns that name the subject of each family's lever (the period is summed over)
SUBJECT = {
    "demand": ("state", "workload"),
    "site_capacity": ("site_id",),
    "energy_cap": ("country",),
    "concentration": ("site_id", "country"),
    "sovereignty": ("state", "workload"),
    "home_share": ("state",),
    "fair_access": ("state",),
    "juste_retour": ("country",),
    "heat_recovery": ("site_id", "sink"),
    "heat_sink": ("site_id", "sink"),
    "emissions_budget": (),
    "water": ("country",),
    "gpu_cap": ("country",),
    "reuse_floor": ("site_id",),
}
COLUMNS = ["family", "subject", "value_eur_per_yr", "holds_for", "sentence"]


def _amount(x: float, unit: str) -> str:
    return f"{x:,.0f} {unit}" if abs(x) >= 10 else f"{x:,.2g} {unit}"


def levers(
    duals: pd.DataFrame,
    site_names: Mapping[str, str] | None = None,
    build_cost_eur_per_mw_yr: float | None = None,
) -> pd.DataFrame:
    """Return the binding levers, strongest first: family, subject, annual value, range, and a
    sentence in a planner's words. Demand is left out: its dual is the marginal cost of serving
    more, not a rule that hurts (see marginal_costs)."""
    # Demand is a marginal cost, not a rule; a site with no capacity of its own is a build
    # decision, whose levers are the grid allowance and the annuity.
    chosen = (
        duals[
            duals["binding"]
            & (duals["family"] != "demand")
            & ~((duals["family"] == "site_capacity") & (duals["rhs"] <= 0))
        ]
        if len(duals)
        else duals
    )
    if chosen.empty:
        return pd.DataFrame(columns=COLUMNS)
    names = dict(site_names or {})
    # Headroom of the right-hand side in the period where it is smallest.
    chosen = chosen.assign(room=chosen["rhs_high"] - chosen["rhs"])
    rows = []
    for family, group in chosen.groupby("family", sort=False):
        keys = [k for k in SUBJECT.get(str(family), ()) if group[k].notna().any()]
        parts = group.groupby(keys, dropna=False) if keys else group.assign(_all=0).groupby("_all")
        values, rooms = parts["lever_value_eur"].sum(), parts["room"].min()
        for key, value, room in zip(values.index, values, rooms, strict=True):
            key = (key if isinstance(key, tuple) else (key,)) if keys else ()
            subject = dict(zip(keys, key, strict=True))
            rows.append(
                {
                    "family": family,
                    "subject": ", ".join(str(names.get(str(v), v)) for v in key),
                    "value_eur_per_yr": float(value),
                    "holds_for": float(room),
                    "sentence": sentence(
                        str(family),
                        subject,
                        float(value),
                        float(room),
                        names,
                        build_cost_eur_per_mw_yr,
                    ),
                }
            )
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.reindex(out["value_eur_per_yr"].abs().sort_values(ascending=False).index)


def sentence(
    family: str,
    subject: Mapping[str, str],
    value: float,
    room: float,
    names: Mapping[str, str],
    build_cost: float | None = None,
) -> str:
    """Say what one lever is worth, per year, and over what range it holds."""
    v = _amount(abs(value), "EUR/yr")
    site = names.get(subject.get("site_id", ""), subject.get("site_id", ""))
    state, workload = subject.get("state", ""), subject.get("workload", "")
    country = subject.get("country", "")
    limited = room == room and room < 1e12  # not NaN, not unbounded
    holds = f" (this holds for the next {_amount(room, 'MW')})" if limited else ""
    if limited and room < 1e-6:
        holds = " (only at the margin: the plan changes with the next MW)"
    build = (
        f"; building 1 MW of new capacity costs {_amount(build_cost, 'EUR/yr')}"
        if build_cost
        else ""
    )
    if family == "demand":
        return f"Serving 1 MW more of {state}'s {workload} demand all year costs {v} at the margin."
    if family == "site_capacity":
        return f"1 MW more IT capacity at {site}, all year, would save {v}{holds}{build}."
    if family == "energy_cap":
        return (
            f"1 MW more grid allowance for new data centres in {country} would save {v}"
            f"{holds}{build}."
        )
    if family == "concentration":
        where = site or country
        return f"Letting {where} host 1 MW more of the pool, all year, would save {v}{holds}."
    if family == "sovereignty":
        return (
            f"Letting 1 MW of {state}'s {workload} work run outside the places its rule allows, "
            f"all year, would save {v}{holds}."
        )
    if family in ("home_share", "fair_access"):
        what = "home share" if family == "home_share" else "fair-access floor"
        return f"Requiring 1 MW more for {state} under the {what}, all year, costs {v}{holds}."
    if family == "juste_retour":
        return f"Requiring 1 MW more of the pool to be hosted in {country}, all year, costs {v}."
    if family == "heat_recovery":
        return (
            f"Recovering 1 percentage point more of {site}'s IT power as usable heat would earn "
            f"{v}."
        )
    if family == "heat_sink":
        return f"1 MW thermal more heat-sink capacity at {site} would earn {v}{holds}."
    if family == "emissions_budget":
        return f"Allowing 1 tCO2 more a year would save {v}."
    if family == "water":
        return f"Allowing 1 m3 more water a year in {country} would save {v}."
    if family == "reuse_floor":
        return f"Lowering {site}'s energy reuse floor by 1 MWh of heat a year would save {v}."
    if family == "gpu_cap":
        return f"Allowing 1 GPU-equivalent more in {country}, all year, would save {v}."
    return f"Relaxing {family} by one unit changes the annual cost by {v}."


def marginal_costs(duals: pd.DataFrame) -> pd.DataFrame:
    """Return what 1 MW more demand all year costs, per state and workload [EUR/yr]."""
    demand = duals[duals["family"] == "demand"] if len(duals) else duals
    if demand.empty:
        return pd.DataFrame(columns=["state", "workload", "marginal_cost_eur_per_mw_yr"])
    out = demand.groupby(["state", "workload"], as_index=False)["dual"].sum()
    return out.rename(columns={"dual": "marginal_cost_eur_per_mw_yr"})
