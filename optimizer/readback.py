"""Read a solved problem's arrays into the plan's tables, without a Python loop per row.

A demand group's flows, unserved demand and duals speak for each of its members: flows and
unserved demand are shared in proportion to the members' demand, and a group's dual is each
member's dual (they are interchangeable; see model.add_groups).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from optimizer.families import FAMILY
from optimizer.highs import Solution
from optimizer.lparrays import Floats, Ids
from optimizer.model import Problem

#: Values below this are solver noise (HiGHS' default feasibility tolerance is 1e-7) [MW].
ZERO = 1e-7
ALLOCATION_COLUMNS = [
    "state",
    "workload",
    "site_id",
    "host_country",
    "period",
    "it_mw",
    "it_mwh",
    "gpu_equivalents",
    "energy_cost_eur",
    "carbon_cost_eur",
    "transfer_cost_eur",
    "emissions_t",
    "water_m3",
]


def take(labels: list[str], index: Ids) -> Any:
    """Return labels[index] as a pandas string array (one string object per label, not per
    row: much faster than an object array for large tables)."""
    return pd.array(labels, dtype="str").take(index)


def values(solution: Solution) -> Floats:
    """Return every column's value, solver noise set to 0."""
    v = solution.col_value
    return np.where(np.abs(v) < ZERO, 0.0, v)


class Members:
    """The (state, workload) members of every demand group as arrays, grouped by group."""

    def __init__(self, problem: Problem) -> None:
        pairs = [(j, s, w) for j, g in enumerate(problem.groups) for s, w in problem.members[g]]
        self.group = np.array([j for j, _, _ in pairs], dtype=np.int64)
        self.state = [s for _, s, _ in pairs]
        self.workload = [w for _, _, w in pairs]
        count = np.bincount(self.group, minlength=len(problem.groups))
        self.count = count
        self.first = np.cumsum(count) - count
        #: demand per member and period, and of its group [MW IT]
        self.demand = np.array(
            [[problem.demand[(s, w, t)] for t in problem.periods] for _, s, w in pairs]
        ).reshape(len(pairs), len(problem.periods))
        self.group_demand = np.array(
            [[problem.group_demand[(g, t)] for t in problem.periods] for g in problem.groups]
        ).reshape(len(problem.groups), len(problem.periods))

    def expand(self, group: Ids) -> tuple[Ids, Ids]:
        """For items of the given groups, return (item position, member) once per member."""
        reps = self.count[group]
        item = np.repeat(np.arange(len(group)), reps)
        offset = np.arange(len(item)) - np.repeat(np.cumsum(reps) - reps, reps)
        return item, self.first[group][item] + offset

    def share(self, amount: Floats, member: Ids, group: Ids, period: Ids) -> Floats:
        """Return each member's part of its group's amount in a period (by demand)."""
        return amount * self.demand[member, period] / self.group_demand[group, period]


def allocation(problem: Problem, members: Members, value: Floats) -> pd.DataFrame:
    """One row per member, site and period with load: MW, MWh, GPUs, costs, emissions, water."""
    x, sc = problem.x, problem.scenario
    on = np.nonzero(value[x.col] > 0)[0]
    item, member = members.expand(x.group[on])
    flow = on[item]
    g, i, t = x.group[flow], x.site[flow], x.period[flow]
    mw = members.share(value[x.col[flow]], member, g, t)
    hours = np.array([problem.inputs.periods[p].hours for p in problem.periods])[t]
    wue = np.array([s.wue_l_per_kwh for s in problem.sites])
    columns = (
        take(members.state, member),
        take(members.workload, member),
        take([s.id for s in problem.sites], i),
        take([s.country for s in problem.sites], i),
        take(problem.periods, t),
        mw,
        mw * hours,
        mw * 1000.0 / sc.kw_per_gpu,
        mw * x.energy[flow],
        mw * x.carbon[flow],
        mw * x.transfer[flow],
        mw * x.emissions[flow],
        mw * hours * wue[i],  # [m3]: MWh x L/kWh
    )
    return pd.DataFrame(dict(zip(ALLOCATION_COLUMNS, columns, strict=True)))


def unserved(problem: Problem, members: Members, value: Floats) -> pd.DataFrame:
    """One row per member and period with unserved demand [MW IT, MWh]."""
    keys = list(problem.unserved)
    group_of = {g: j for j, g in enumerate(problem.groups)}
    period_of = {t: k for k, t in enumerate(problem.periods)}
    group = np.array([group_of[g] for g, _ in keys], dtype=np.int64)
    period = np.array([period_of[t] for _, t in keys], dtype=np.int64)
    cols = np.array(list(problem.unserved.values()), dtype=np.int64)
    item, member = members.expand(group)
    t = period[item]
    mw = members.share(value[cols[item]], member, group[item], t)
    hours = np.array([problem.inputs.periods[p].hours for p in problem.periods])[t]
    out = pd.DataFrame(
        {
            "state": take(members.state, member),
            "workload": take(members.workload, member),
            "period": take(problem.periods, t),
            "it_mw": mw,
            "it_mwh": mw * hours,
        }
    )
    return out[out["it_mw"] > 0].reset_index(drop=True)


def cost_terms(problem: Problem, value: Floats) -> dict[str, float]:
    """Return each term of the objective at the solution [EUR/yr]."""
    out = {}
    for name in problem.arrays.matrix.costs:
        cols, coefs = problem.arrays.matrix.cost_term(name)
        out[name] = float(value[cols] @ coefs)
    return out


def dual_table(
    problem: Problem, members: Members, solution: Solution, value: Floats
) -> pd.DataFrame:
    """One row per constraint (per member for a group's): its dual [EUR/yr per unit of
    right-hand side], the range of the right-hand side over which that dual holds, and the
    value of the planner's lever.

    The lever is the right-hand side (1 MW, 1 t, 1 m3) except for heat recovery, whose
    right-hand side is always 0: there the lever is the recoverable fraction, worth
    dual x heat-use factor x IT load per unit, reported per percentage point; it is 0 at a
    site with no load, which is then not binding in any sense a planner can use.
    """
    n = len(problem.rhs)
    if n == 0:
        return pd.DataFrame()
    dual = solution.row_dual
    lever = dual.copy()
    if problem.heat_rows:
        row, factor, site, period = (np.array(c) for c in zip(*problem.heat_rows, strict=True))
        x = problem.x
        load = np.zeros((len(problem.sites), len(problem.periods)))
        np.add.at(load, (x.site, x.period), value[x.col])
        lever[row] = dual[row] * factor * load[site.astype(np.int64), period.astype(np.int64)]
    keys = problem.row_keys
    group_of = {g: j for j, g in enumerate(problem.groups)}
    grouped = np.array([g is not None for g in keys["group"]], dtype=bool)
    group = np.array([group_of[g] for g in keys["group"] if g is not None], dtype=np.int64)
    # A demand group's row speaks for each of its members (they are interchangeable).
    reps = np.ones(n, dtype=np.int64)
    reps[grouped] = members.count[group]
    item = np.repeat(np.arange(n), reps)
    in_group = grouped[item]
    _, member = members.expand(group)
    state = np.array(keys["state"], dtype=object)[item]
    state[in_group] = np.array(members.state, dtype=object)[member]
    workload = np.full(len(item), None, dtype=object)
    workload[in_group] = np.array(members.workload, dtype=object)[member]
    family = np.array(problem.row_family, dtype=object)[item]
    levers = [f for f in set(problem.row_family) if FAMILY[f].lever]
    lever_value = lever[item]
    return pd.DataFrame(
        {
            "constraint": np.array(problem.row_names, dtype=object)[item],
            "family": family,
            "state": state,
            "workload": workload,
            "country": np.array(keys["country"], dtype=object)[item],
            "site_id": np.array(keys["site"], dtype=object)[item],
            "sink": np.array(keys["sink"], dtype=object)[item],
            "period": np.array(keys["period"], dtype=object)[item],
            "dual": dual[item],
            "rhs": np.array(problem.rhs, dtype=np.float64)[item],
            "rhs_low": solution.rhs_low[item],
            "rhs_high": solution.rhs_high[item],
            "lever_value_eur": lever_value,
            "binding": (np.abs(lever_value) > 1e-6) & np.isin(family, levers),
        }
    )
