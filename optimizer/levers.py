"""Shadow prices as levers a planner can pull: one sentence per binding constraint, per year.

A constraint that holds in every period (site capacity, sovereignty, demand) is one lever: 1 MW
more all year is worth the sum of its duals over the periods [EUR/yr]. Each sentence says over
how many MW it holds (HiGHS right-hand-side ranging: the smallest headroom over the periods)
and, where it helps, the cost of the alternative (building 1 MW new).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from optimizer.families import FAMILY

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
        keys = [k for k in FAMILY[str(family)].subject if group[k].notna().any()]
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
    return FAMILY[family].sentence.format(
        v=v,
        holds=holds,
        build=build,
        site=site,
        state=state,
        workload=workload,
        country=country,
        where=site or country,
    )


def marginal_costs(duals: pd.DataFrame) -> pd.DataFrame:
    """Return what 1 MW more demand all year costs, per state and workload [EUR/yr]."""
    demand = duals[duals["family"] == "demand"] if len(duals) else duals
    if demand.empty:
        return pd.DataFrame(columns=["state", "workload", "marginal_cost_eur_per_mw_yr"])
    out = demand.groupby(["state", "workload"], as_index=False)["dual"].sum()
    return out.rename(columns={"dual": "marginal_cost_eur_per_mw_yr"})
