"""Shadow prices as levers a planner can pull: one sentence per binding constraint, per year.

A constraint that holds in every period (site capacity, sovereignty, demand) is one lever: 1 MW
more all year is worth the sum of its duals over the periods [EUR/yr]. Each sentence says over
how many MW it holds (HiGHS right-hand-side ranging: the smallest headroom over the periods)
and, where it helps, the cost of the alternative (building 1 MW new).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from optimizer.families import FAMILY
from optimizer.lparrays import Floats

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
    values = chosen["lever_value_eur"].to_numpy()
    rooms = (chosen["rhs_high"] - chosen["rhs"]).to_numpy()
    totals = []
    family_of, families = pd.factorize(chosen["family"])
    for j, f in enumerate(families):
        totals += _per_subject(chosen, f, np.nonzero(family_of == j)[0], values, rooms)
    names = dict(site_names or {})
    build = (
        f"; building 1 MW of new capacity costs {_amount(build_cost_eur_per_mw_yr, 'EUR/yr')}"
        if build_cost_eur_per_mw_yr
        else ""
    )
    rows = []
    for f, subject, value, room in sorted(totals, key=_strongest):
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


Total = tuple[str, dict[str, str], float, float]  # family, subject, EUR/yr, headroom


def _per_subject(
    duals: pd.DataFrame, family: str, rows: npt.NDArray[np.intp], values: Floats, rooms: Floats
) -> list[Total]:
    """Return a family's levers: its rows' values summed per subject (the period summed
    over), with the headroom of the right-hand side where it is smallest. A subject is made of
    the family's key fields that any of its rows fills."""
    code = np.zeros(len(rows), dtype=np.int64)
    fields = []
    for k in FAMILY[family].subject:
        at, labels = pd.factorize(duals[k].to_numpy()[rows])  # -1: empty
        if (at >= 0).any():
            code = code * (len(labels) + 1) + at + 1
            fields.append((k, labels))
    subjects, subject_of = np.unique(code, return_inverse=True)
    value = np.bincount(subject_of, values[rows], minlength=len(subjects))
    room = np.full(len(subjects), np.nan)
    np.fmin.at(room, subject_of, rooms[rows])  # fmin skips NaN
    keys: list[dict[str, str]] = [{} for _ in subjects]
    for k, labels in reversed(fields):
        subjects, at = np.divmod(subjects, len(labels) + 1)
        for key, a in zip(keys, at.tolist(), strict=True):
            if a:
                key[k] = str(labels[a - 1])
    return [
        (family, {k: key[k] for k, _ in fields if k in key}, float(v), float(r))
        for key, v, r in zip(keys, value, room, strict=True)
    ]


def _strongest(total: Total) -> tuple[float, str, tuple[str, ...]]:
    """Order levers by annual value, strongest first, then by family and subject."""
    family, subject, value, _ = total
    return -abs(value), family, tuple(subject.values())


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
