"""Read a solved problem's arrays into the plan's tables, without a Python loop per row.

A demand group's flows, unserved demand and duals speak for each of its members: flows and
unserved demand are shared in proportion to the members' demand, and a group's dual is each
member's dual (they are interchangeable; see model.add_groups).
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Load:
    """The plan's load as arrays, one item per member, site and period with load (the rows of
    the allocation table): positions in members, problem.sites and problem.periods, and the
    amounts in the allocation's units."""

    member: Ids
    site: Ids
    period: Ids
    it_mw: Floats
    it_mwh: Floats
    energy_cost_eur: Floats
    carbon_cost_eur: Floats
    transfer_cost_eur: Floats
    emissions_t: Floats
    water_m3: Floats


def load(problem: Problem, members: Members, value: Floats) -> Load:
    """Return each member's load per site and period: its group's flows shared by demand."""
    x = problem.x
    on = np.nonzero(value[x.col] > 0)[0]
    item, member = members.expand(x.group[on])
    flow = on[item]
    g, i, t = x.group[flow], x.site[flow], x.period[flow]
    mw = members.share(value[x.col[flow]], member, g, t)
    hours = np.array([problem.inputs.periods[p].hours for p in problem.periods])[t]
    wue = np.array([s.wue_l_per_kwh for s in problem.sites])
    return Load(
        member,
        i,
        t,
        mw,
        mw * hours,
        mw * x.energy[flow],
        mw * x.carbon[flow],
        mw * x.transfer[flow],
        mw * x.emissions[flow],
        mw * hours * wue[i],  # [m3]: MWh x L/kWh
    )


def allocation(problem: Problem, members: Members, load: Load) -> pd.DataFrame:
    """One row per member, site and period with load: MW, MWh, GPUs, costs, emissions, water."""
    sites = problem.sites
    columns = (
        take(members.state, load.member),
        take(members.workload, load.member),
        take([s.id for s in sites], load.site),
        take([s.country for s in sites], load.site),
        take(problem.periods, load.period),
        load.it_mw,
        load.it_mwh,
        load.it_mw * 1000.0 / problem.scenario.kw_per_gpu,
        load.energy_cost_eur,
        load.carbon_cost_eur,
        load.transfer_cost_eur,
        load.emissions_t,
        load.water_m3,
    )
    return pd.DataFrame(dict(zip(ALLOCATION_COLUMNS, columns, strict=True)), copy=False)


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


SITE_COLUMNS = [
    "site_id",
    "site_name",
    "country",
    "category",
    "capacity_status",
    "latitude",
    "longitude",
    "available_mw",
    "new_mw",
    "capacity_mw",
    "pue",
    "peak_it_mw",
    "utilisation",
    "it_mwh",
    "facility_mwh",
    "heat_mwh_th",
    "heat_revenue_eur",
    "capital_cost_eur",
]
STATE_COLUMNS = [
    "state",
    "demand_mwh",
    "served_mwh",
    "unserved_mwh",
    "served_at_home_mwh",
    "home_share",
    "hosted_mwh",
    "net_export_mwh",
    "cost_eur",
    "carbon_cost_eur",
    "emissions_t",
    "water_m3",
    "heat_mwh_th",
    "new_mw",
    "contribution_share",
    "access_ratio",
    "hosting_ratio",
]


def _per_site(problem: Problem, columns: dict[str, int], value: Floats) -> Floats:
    """Return the value of each site's column in `columns`, 0 where it has none."""
    col = np.array([columns.get(s.id, -1) for s in problem.sites], dtype=np.int64)
    out = np.zeros(len(col))
    out[col >= 0] = value[col[col >= 0]]
    return out


def _ratio(a: Floats, b: Floats) -> Floats:
    """Return a / b where b > 0, else 0."""
    return np.divide(a, b, out=np.zeros(len(a)), where=b > ZERO)


def sites(problem: Problem, load: Load, value: Floats) -> pd.DataFrame:
    """Every usable site: capacity in the plan year, what is built, load, heat and capital."""
    usable, sc = problem.sites, problem.scenario
    ns, nt = len(usable), len(problem.periods)
    ids = [site.id for site in usable]
    by_period = np.bincount(load.site * nt + load.period, load.it_mw, minlength=ns * nt)
    peak = by_period.reshape(ns, nt).max(axis=1) if nt else np.zeros(ns)
    mwh = np.bincount(load.site, load.it_mwh, minlength=ns)
    site_of = {i: k for k, i in enumerate(ids)}
    heat = list(problem.heat)
    at = np.array([site_of[i] for i, _, _ in heat], dtype=np.int64)
    heat_mwh = value[np.array(list(problem.heat.values()), dtype=np.int64)] * np.array(
        [problem.inputs.periods[t].hours for _, _, t in heat]
    )
    price = np.array([problem.heat_price[(i, sink)] for i, sink, _ in heat])
    new = _per_site(problem, problem.new, value)
    available = np.array([problem.available[i] for i in ids])
    cap = available + new
    pue = np.array([site.pue for site in usable])
    annuity = np.array([problem.annuity.get(i, 0.0) for i in ids])
    fixed = _per_site(problem, problem.build, value) * sc.site_fixed_cost_eur_per_yr
    return pd.DataFrame(
        {
            "site_id": ids,
            "site_name": [site.name or site.id for site in usable],
            "country": [site.country for site in usable],
            "category": [site.category for site in usable],
            "capacity_status": [site.capacity_status for site in usable],
            "latitude": [site.latitude for site in usable],
            "longitude": [site.longitude for site in usable],
            "available_mw": available,
            "new_mw": new,
            "capacity_mw": cap,
            "pue": pue,
            "peak_it_mw": peak,
            "utilisation": _ratio(peak, cap),
            "it_mwh": mwh,
            "facility_mwh": mwh * pue,
            "heat_mwh_th": np.bincount(at, heat_mwh, minlength=ns),
            "heat_revenue_eur": np.bincount(at, heat_mwh * price, minlength=ns),
            "capital_cost_eur": new * annuity + fixed,
        },
        columns=SITE_COLUMNS,
    )


def states(
    problem: Problem,
    members: Members,
    load: Load,
    unserved: pd.DataFrame,
    sites: pd.DataFrame,
) -> pd.DataFrame:
    """Per state: demand, served, unserved, home share, cost and emissions attributed to it.

    A site's capital cost and heat revenue are shared among the states it serves in proportion
    to their IT energy there. Cost is money (energy, transfer, capital, less heat revenue); the
    carbon cost on top of prices is apart; unserved demand is in MWh, never priced here.
    """
    inputs = problem.inputs
    hours = {t: p.hours for t, p in inputs.periods.items()}
    demand: dict[str, float] = {}
    for (s, _, t), d in problem.demand.items():
        demand[s] = demand.get(s, 0.0) + d * hours[t]
    countries = [site.country for site in problem.sites]
    hosts = {countries[i] for i in np.nonzero(np.bincount(load.site, minlength=len(countries)))[0]}
    names = sorted(set(inputs.states) | set(demand) | hosts)
    code = {n: k for k, n in enumerate(names)}
    n = len(names)
    state = np.array([code[s] for s in members.state], dtype=np.int64)[load.member]
    host = np.array([code[c] for c in countries], dtype=np.int64)
    # Capital cost less heat revenue per MWh served at each site, shared by IT energy.
    rate = _ratio(
        (sites["capital_cost_eur"] - sites["heat_revenue_eur"]).to_numpy(),
        sites["it_mwh"].to_numpy(),
    )
    mwh = load.it_mwh

    def per_state(amount: Floats, where: Ids = state) -> Floats:
        return np.bincount(where, amount, minlength=n)

    served = per_state(mwh)
    at_home = per_state(np.where(state == host[load.site], mwh, 0.0))
    hosted = per_state(mwh, host[load.site])
    lost_at = pd.Index(names).get_indexer(unserved["state"])
    share = np.array(
        [inputs.states[s].contribution_share if s in inputs.states else 0.0 for s in names]
    )
    demand_mwh = np.array([demand.get(s, 0.0) for s in names])
    # Fairness outcomes, against each state's contribution share (empty where it has none).
    contributor = np.where(share > 0, share, np.nan)
    entitled = np.minimum(demand_mwh, contributor * demand_mwh.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        access = np.minimum(served / np.where(entitled > 0, entitled, np.nan), 1.0)
    pooled = served.sum()
    out = {
        "state": names,
        "demand_mwh": demand_mwh,
        "served_mwh": served,
        "unserved_mwh": per_state(unserved["it_mwh"].to_numpy(), lost_at),
        "served_at_home_mwh": at_home,
        "home_share": _ratio(at_home, served),
        "hosted_mwh": hosted,
        "net_export_mwh": hosted - served,
        "cost_eur": per_state(
            load.energy_cost_eur + load.transfer_cost_eur + mwh * rate[load.site]
        ),
        "carbon_cost_eur": per_state(load.carbon_cost_eur),
        "emissions_t": per_state(load.emissions_t),
        "water_m3": per_state(load.water_m3),
        "heat_mwh_th": per_state(sites["heat_mwh_th"].to_numpy(), host),
        "new_mw": per_state(sites["new_mw"].to_numpy(), host),
        "contribution_share": share,
        "access_ratio": access,
        "hosting_ratio": hosted / pooled / contributor if pooled > 0 else np.full(n, np.nan),
    }
    return pd.DataFrame(out, columns=STATE_COLUMNS)


def cost_terms(problem: Problem, value: Floats) -> dict[str, float]:
    """Return each term of the objective at the solution [EUR/yr]."""
    out = {}
    for name in problem.arrays.matrix.costs:
        cols, coefs = problem.arrays.matrix.cost_term(name)
        out[name] = float((value[cols] * coefs).sum())  # not `@`: no BLAS threads woken
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
