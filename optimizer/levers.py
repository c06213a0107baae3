"""Shadow prices as levers a planner can pull: one sentence per binding constraint, per year.

A constraint that holds in every period (site capacity, sovereignty, demand) is one lever: 1 MW
more all year is worth the sum of its duals over the periods [EUR/yr]. Each sentence says over
how many MW it holds (HiGHS right-hand-side ranging: the smallest headroom over the periods)
and, where it helps, the cost of the alternative (building 1 MW new).
"""

from __future__ import annotations

import math
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
    if not len(duals):
        return pd.DataFrame(columns=COLUMNS)
    # Demand is a marginal cost, not a rule; a site with no capacity of its own is a build
    # decision, whose levers are the grid allowance and the annuity.
    family = duals["family"]
    chosen = duals[
        duals["binding"]
        & (family != "demand")
        & ~((family == "site_capacity") & (duals["rhs"] <= 0))
    ]
    families = chosen["family"].tolist()
    fields = {k for f in set(families) for k in FAMILY[f].subject}
    keyed = {k: [v if isinstance(v, str) else None for v in chosen[k].tolist()] for k in fields}
    # A lever's subject: the family's key fields that any of its rows fills.
    filled = {
        f: tuple(k for k in FAMILY[f].subject if any(keyed[k][j] for j in rows))
        for f, rows in _positions(families).items()
    }
    # Sum the value over the periods; headroom where it is smallest.
    totals: dict[tuple[str, tuple[str | None, ...]], list[float]] = {}
    rooms = (chosen["rhs_high"] - chosen["rhs"]).tolist()
    for j, (f, value, room) in enumerate(
        zip(families, chosen["lever_value_eur"].tolist(), rooms, strict=True)
    ):
        total = totals.setdefault((f, tuple(keyed[k][j] for k in filled[f])), [0.0, math.nan])
        total[0] += value
        total[1] = room if total[1] != total[1] else min(total[1], room)  # NaN: none yet
    names = dict(site_names or {})
    build = (
        f"; building 1 MW of new capacity costs {_amount(build_cost_eur_per_mw_yr, 'EUR/yr')}"
        if build_cost_eur_per_mw_yr
        else ""
    )
    rows = []
    for (f, key), (value, room) in sorted(totals.items(), key=_strongest):
        subject = {k: v for k, v in zip(filled[f], key, strict=True) if v is not None}
        rows.append(
            (
                f,
                ", ".join(names.get(v, v) for v in subject.values()),
                value,
                room,
                sentence(f, subject, value, room, names, build),
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _positions(items: list[str]) -> dict[str, list[int]]:
    """Return the positions of each distinct item, in order of first appearance."""
    out: dict[str, list[int]] = {}
    for j, item in enumerate(items):
        out.setdefault(item, []).append(j)
    return out


def _strongest(
    entry: tuple[tuple[str, tuple[str | None, ...]], list[float]],
) -> tuple[float, str, tuple[tuple[bool, str], ...]]:
    """Order levers by annual value, strongest first, then by family and subject."""
    (family, key), (value, _) = entry
    return -abs(value), family, tuple((v is None, v or "") for v in key)


def sentence(
    family: str,
    subject: Mapping[str, str],
    value: float,
    room: float,
    names: Mapping[str, str],
    build: str = "",
) -> str:
    """Say what one lever is worth, per year, and over what range it holds; `build` is what
    building 1 MW of new capacity costs, in words, where that helps."""
    v = _amount(abs(value), "EUR/yr")
    site = names.get(subject.get("site_id", ""), subject.get("site_id", ""))
    state, workload = subject.get("state", ""), subject.get("workload", "")
    country = subject.get("country", "")
    limited = room == room and room < 1e12  # not NaN, not unbounded
    holds = f" (this holds for the next {_amount(room, 'MW')})" if limited else ""
    if limited and room < 1e-6:
        holds = " (only at the margin: the plan changes with the next MW)"
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
