"""Solve a built problem with HiGHS and copy every number out into a Plan (no PuLP objects)."""

from __future__ import annotations

import enum
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib.metadata import version
from typing import Any

import pandas as pd
import pulp

from optimizer.families import FAMILY
from optimizer.levers import levers
from optimizer.model import Problem
from optimizer.registry import EMBER_ATTRIBUTION
from optimizer.summary import Summary


class Status(enum.StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    INFEASIBLE = "infeasible"
    ERROR = "error"


STATUS_TEXT = {
    Status.OPTIMAL: "The plan is optimal.",
    Status.TIME_LIMIT: "The solver hit its time limit; the plan shown is the best found, not "
    "proven optimal. Raise time_limit_s or simplify the scenario.",
    Status.INFEASIBLE: "No plan satisfies every rule. Unserved demand is always allowed, so a "
    "hard budget or cap set below what the data allow is the usual cause: "
    "relax the emissions budget, water or GPU caps.",
    Status.ERROR: "The solver failed; see the message.",
}


@dataclass(frozen=True)
class Plan:
    """The result of one scenario: plain data, safe to keep after the LP is gone."""

    status: Status
    summary: Summary
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    unserved: pd.DataFrame = field(default_factory=pd.DataFrame)
    sites: pd.DataFrame = field(default_factory=pd.DataFrame)
    states: pd.DataFrame = field(default_factory=pd.DataFrame)
    duals: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    #: binding constraints as levers, strongest first (see optimizer.levers)
    levers: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def scenario_name(self) -> str:
        """Return the name of the scenario solved."""
        return self.summary.scenario

    @property
    def message(self) -> str:
        """Return how the solve ended, in words."""
        return self.summary.message

    @property
    def objective_eur(self) -> float | None:
        """Return the objective the solver minimised (None without a solution)."""
        return self.summary.objective_eur

    @property
    def cost_breakdown_eur(self) -> Mapping[str, float]:
        """Return each cost term of the objective [EUR/yr]."""
        return self.summary.cost_breakdown_eur

    @property
    def has_solution(self) -> bool:
        """Return whether the plan carries an allocation."""
        return self.status in (Status.OPTIMAL, Status.TIME_LIMIT)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the plan's tables by name, as written to a run folder."""
        return {
            "allocation": self.allocation,
            "unserved": self.unserved,
            "sites": self.sites,
            "states": self.states,
            "duals": self.duals,
            "levers": self.levers,
        }


def _status(stats: Any) -> Status:
    code = stats.status
    if code == pulp.LpSolveStatus.Optimal:
        return Status.OPTIMAL
    if code == pulp.LpSolveStatus.Infeasible:
        return Status.INFEASIBLE
    if code == pulp.LpSolveStatus.TimeLimit or (stats.has_solution and code != -1):
        return Status.TIME_LIMIT if stats.has_solution else Status.ERROR
    return Status.ERROR


def _solve_lp(problem: Problem) -> tuple[Status, str, bool]:
    sc = problem.scenario
    try:
        stats = problem.lp.solve(pulp.HiGHS(msg=False, timeLimit=sc.time_limit_s))
        status = _status(stats)
        return status, STATUS_TEXT[status], bool(stats.has_solution) and status != Status.INFEASIBLE
    except Exception as e:  # the solver never crashes the caller
        return Status.ERROR, f"solver error: {e}", False


def solve(problem: Problem, build_seconds: float = 0.0) -> Plan:
    """Solve the problem with HiGHS and return its plan; an infeasible solve is a status.

    With lumpy builds the MILP is solved first; then the build decisions are fixed and the LP
    solved again, so that the shadow prices are those of the LP with the builds fixed.
    """
    sc = problem.scenario
    started = time.perf_counter()
    status, message, has_solution = _solve_lp(problem)
    formulation = f"LP, {problem.formulation}"
    if problem.build and has_solution:
        formulation = (
            f"MILP (lumpy builds), {problem.formulation}; shadow prices from the LP with the "
            "builds fixed"
        )
        for y in problem.build.values():
            y.fixValue()
            y.cat = "Continuous"
        fixed_status, _, fixed_ok = _solve_lp(problem)
        has_solution = fixed_ok
        status = status if fixed_status == Status.OPTIMAL else fixed_status
    solve_seconds = time.perf_counter() - started
    summary = Summary(
        scenario=sc.name,
        status=status.value,
        message=message,
        formulation=formulation,
        plan_year=problem.plan_year,
        demand_scenario=sc.demand_scenario,
        variables=problem.lp.numVariables(),
        constraints=problem.lp.numConstraints(),
        build_seconds=round(build_seconds, 4),
        solve_seconds=round(solve_seconds, 4),
        solver_options={"time_limit_s": sc.time_limit_s, **HIGHS_TOLERANCES},
        versions={p: version(p) for p in ("pulp", "highspy")},
        data_attribution=EMBER_ATTRIBUTION,
    )
    if not has_solution:
        return Plan(status, summary)
    return _read_plan(problem, status, summary)


#: HiGHS' default tolerances, which every solve uses (recorded in each run's summary).
HIGHS_TOLERANCES = {
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
    "mip_rel_gap": 1e-4,
}
#: Values below this are solver noise (HiGHS' default feasibility tolerance is 1e-7) [MW].
ZERO = 1e-7
#: The cost terms that are money paid or earned (the rest are a shadow cost or penalties).
MONEY = ("energy", "transfer", "capital", "fixed", "heat_revenue")
PENALTIES = ("unserved", "rule_shortfall")


def _value(var: Any) -> float:
    v = var.value()
    return 0.0 if v is None or abs(v) < ZERO else float(v)


def _read_plan(problem: Problem, status: Status, summary: Summary) -> Plan:
    inputs, sc = problem.inputs, problem.scenario
    hours = {t: p.hours for t, p in inputs.periods.items()}
    # Allocation.
    # A group's flows go to its members in proportion to their demand (see model.add_groups).
    rows = []
    for key, var in problem.x.items():
        flow = _value(var)
        if flow <= 0:
            continue
        g, i, t = key
        energy, carbon, transfer, emissions = problem.coef[key]
        for s, w in problem.members[g]:
            mw = flow * problem.demand[(s, w, t)] / problem.group_demand[(g, t)]
            rows.append(
                (
                    s,
                    w,
                    i,
                    inputs.sites[i].country,
                    t,
                    mw,
                    mw * hours[t],
                    mw * 1000.0 / sc.kw_per_gpu,
                    mw * energy,
                    mw * carbon,
                    mw * transfer,
                    mw * emissions,
                    mw * hours[t] * inputs.sites[i].wue_l_per_kwh,  # [m3]: MWh x L/kWh
                )
            )
    allocation = pd.DataFrame(
        rows,
        columns=[
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
        ],
    )
    # Unserved demand.
    lost = [
        (s, w, t, _value(u) * problem.demand[(s, w, t)] / problem.group_demand[(g, t)])
        for (g, t), u in problem.unserved.items()
        for s, w in problem.members[g]
    ]
    unserved = pd.DataFrame(
        [(s, w, t, mw, mw * hours[t]) for s, w, t, mw in lost],
        columns=["state", "workload", "period", "it_mw", "it_mwh"],
    )
    unserved = unserved[unserved["it_mw"] > 0].reset_index(drop=True)
    sites = _site_table(problem, allocation)
    states = _state_table(problem, allocation, unserved, sites)
    hosts = states[states["state"].isin({site.country for site in problem.sites})].dropna(
        subset=["hosting_ratio"]
    )
    costs = {
        name: float(sum(_value(v) * c for v, c in terms))
        for name, terms in problem.cost_terms.items()
    }
    duals = _dual_table(problem)
    shortfall_mwh = float(
        sum(_value(v) * hours.get(t, 1.0) for (_, _, t), v in problem.shortfall.items())
    )
    # Fair access: the worst-served state's share of its entitlement. Juste retour: the
    # contribution-weighted share of it met in the countries with a usable site.
    # Either is None where it has no meaning (no entitlement, or nothing pooled).
    weight = hosts["contribution_share"].sum()
    summary = replace(
        summary,
        objective_eur=float(sum(costs.values())),
        cost_breakdown_eur=costs,
        cost_eur=sum(costs.get(k, 0.0) for k in MONEY),
        carbon_cost_eur=costs.get("carbon", 0.0),
        penalty_eur=sum(costs.get(k, 0.0) for k in PENALTIES),
        demand_mwh=float(sum(d * hours[t] for (_, _, t), d in problem.demand.items())),
        served_mwh=float(allocation["it_mwh"].sum()),
        unserved_mwh=float(unserved["it_mwh"].sum()),
        unserved_peak_mw=float(unserved.groupby("period")["it_mw"].sum().max())
        if len(unserved)
        else 0.0,
        shortfall_mwh=shortfall_mwh,
        emissions_t=float(allocation["emissions_t"].sum()),
        heat_reused_mwh_th=float(sites["heat_mwh_th"].sum()),
        water_m3=float(allocation["water_m3"].sum()),
        new_mw=float(sites["new_mw"].sum()),
        existing_used_mw=float(
            sites.loc[sites["capacity_status"] != "buildable", "peak_it_mw"].sum()
        ),
        home_share=float(
            states["served_at_home_mwh"].sum() / max(states["served_mwh"].sum(), 1e-12)
        ),
        min_access_ratio=_defined(states["access_ratio"].min()),
        juste_retour_met=_defined(
            (hosts["hosting_ratio"].clip(upper=1.0) * hosts["contribution_share"]).sum() / weight
            if weight > 0
            else None
        ),
    )
    warnings = []
    if summary.unserved_mwh and summary.unserved_mwh > 1e-6:
        worst = unserved.groupby("state")["it_mwh"].sum().sort_values(ascending=False)
        share = summary.unserved_mwh / (summary.demand_mwh or 1.0)
        warnings.append(
            f"{summary.unserved_mwh:,.0f} MWh of demand ({share:.1%}) "
            f"is unserved, most in {', '.join(worst.index[:5])}."
        )
    shortfalls = {k for k, v in problem.shortfall.items() if _value(v) > 0}
    if shortfalls:
        fams = sorted({k[0] for k in shortfalls})
        warnings.append(
            f"Rules not fully met: {', '.join(fams)} fall short by {shortfall_mwh:,.0f} MWh."
        )
    return Plan(
        status,
        summary,
        allocation,
        unserved,
        sites,
        states,
        duals,
        warnings,
        levers(
            duals,
            dict(zip(sites["site_id"], sites["site_name"], strict=True)),
            sc.annuity_eur_per_mw_yr(),
        ),
    )


def _defined(x: float | None) -> float | None:
    """Return x as a float, or None where it is missing or not a number."""
    return None if x is None or pd.isna(x) else float(x)


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


def _site_table(problem: Problem, allocation: pd.DataFrame) -> pd.DataFrame:
    """Every usable site: capacity in the plan year, what is built, load, heat and capital."""
    inputs = problem.inputs
    load = allocation.groupby(["site_id", "period"])["it_mw"].sum()
    mwh = allocation.groupby("site_id")["it_mwh"].sum()
    heat_mwh: dict[str, float] = defaultdict(float)
    heat_rev: dict[str, float] = defaultdict(float)
    for (i, sink, t), var in problem.heat.items():
        v = _value(var) * inputs.periods[t].hours
        heat_mwh[i] += v
        heat_rev[i] += v * problem.heat_price[(i, sink)]
    rows = []
    for site in problem.sites:
        new = _value(problem.new[site.id]) if site.id in problem.new else 0.0
        peak = max((load.get((site.id, t), 0.0) for t in inputs.periods), default=0.0)
        cap = problem.available[site.id] + new
        rows.append(
            {
                "site_id": site.id,
                "site_name": site.name or site.id,
                "country": site.country,
                "category": site.category,
                "capacity_status": site.capacity_status,
                "latitude": site.latitude,
                "longitude": site.longitude,
                "available_mw": problem.available[site.id],
                "new_mw": new,
                "capacity_mw": cap,
                "pue": site.pue,
                "peak_it_mw": peak,
                "utilisation": float(peak) / cap if cap > ZERO else 0.0,
                "it_mwh": float(mwh.get(site.id, 0.0)),
                "facility_mwh": float(mwh.get(site.id, 0.0)) * site.pue,
                "heat_mwh_th": heat_mwh[site.id],
                "heat_revenue_eur": heat_rev[site.id],
                "capital_cost_eur": new * problem.annuity.get(site.id, 0.0)
                + (
                    _value(problem.build[site.id]) * problem.scenario.site_fixed_cost_eur_per_yr
                    if site.id in problem.build
                    else 0.0
                ),
            }
        )
    return pd.DataFrame(rows, columns=SITE_COLUMNS)


def _state_table(
    problem: Problem, allocation: pd.DataFrame, unserved: pd.DataFrame, sites: pd.DataFrame
) -> pd.DataFrame:
    """Per state: demand, served, unserved, home share, cost and emissions attributed to it.

    A site's capital cost and heat revenue are shared among the states it serves in proportion
    to their IT energy there. Cost is money (energy, transfer, capital, less heat revenue); the
    carbon cost on top of prices is apart; unserved demand is in MWh, never priced here.
    """
    inputs = problem.inputs
    hours = {t: p.hours for t, p in inputs.periods.items()}
    by_site = sites.set_index("site_id")
    rate = (
        (by_site["capital_cost_eur"] - by_site["heat_revenue_eur"])
        / by_site["it_mwh"].where(by_site["it_mwh"] > 0)
    ).fillna(0.0)
    alloc = allocation.assign(
        site_cost_eur=allocation["it_mwh"] * allocation["site_id"].map(rate).fillna(0.0),
        home_mwh=allocation["it_mwh"].where(allocation["state"] == allocation["host_country"], 0.0),
    )
    alloc["cost_eur"] = alloc[["energy_cost_eur", "transfer_cost_eur", "site_cost_eur"]].sum(axis=1)
    demand = (
        pd.Series(
            [d * hours[t] for (_, _, t), d in problem.demand.items()],
            index=[s for (s, _, _) in problem.demand],
            dtype=float,
        )
        .groupby(level=0)
        .sum()
    )
    mine = alloc.groupby("state")[
        ["it_mwh", "home_mwh", "cost_eur", "carbon_cost_eur", "emissions_t", "water_m3"]
    ].sum()
    hosted = alloc.groupby("host_country")["it_mwh"].sum()
    lost = unserved.groupby("state")["it_mwh"].sum()
    at_home = sites.groupby("country")[["heat_mwh_th", "new_mw"]].sum()
    names = sorted(set(inputs.states) | set(demand.index) | set(hosted.index))
    out = pd.DataFrame(index=pd.Index(names, name="state"))
    out["demand_mwh"] = demand.reindex(names).fillna(0.0)
    out["served_mwh"] = mine["it_mwh"].reindex(names).fillna(0.0)
    out["unserved_mwh"] = lost.reindex(names).fillna(0.0)
    out["served_at_home_mwh"] = mine["home_mwh"].reindex(names).fillna(0.0)
    out["home_share"] = (
        out["served_at_home_mwh"] / out["served_mwh"].where(out["served_mwh"] > 0)
    ).fillna(0.0)
    out["hosted_mwh"] = hosted.reindex(names).fillna(0.0)
    out["net_export_mwh"] = out["hosted_mwh"] - out["served_mwh"]
    for col in ("cost_eur", "carbon_cost_eur", "emissions_t", "water_m3"):
        out[col] = mine[col].reindex(names).fillna(0.0)
    out["heat_mwh_th"] = at_home["heat_mwh_th"].reindex(names).fillna(0.0)
    out["new_mw"] = at_home["new_mw"].reindex(names).fillna(0.0)
    # Fairness outcomes, against each state's contribution share (empty where it has none).
    share = pd.Series(
        {n: inputs.states[n].contribution_share if n in inputs.states else 0.0 for n in names}
    )
    out["contribution_share"] = share
    contributor = share.where(share > 0)
    fair = pd.concat([out["demand_mwh"], contributor * out["demand_mwh"].sum()], axis=1)
    entitled = fair.min(axis=1, skipna=False)
    out["access_ratio"] = (out["served_mwh"] / entitled.where(entitled > 0)).clip(upper=1.0)
    pooled = out["served_mwh"].sum()
    out["hosting_ratio"] = out["hosted_mwh"] / pooled / contributor if pooled > 0 else None
    return out.reset_index()[STATE_COLUMNS]


#: Families that only carry bookkeeping: their duals are not a planner's lever.
def _ranging(problem: Problem, n: int) -> tuple[list[float], list[float]]:
    """Return, per row, the right-hand sides between which its dual holds (HiGHS ranging)."""
    try:
        status, ranging = problem.lp.solverModel.getRanging()  # type: ignore[union-attr]
        lo, hi = list(ranging.row_bound_dn.value_), list(ranging.row_bound_up.value_)
        if len(lo) == n:
            return lo, hi
    except Exception:  # no basis (e.g. a time-limited solve): ranges stay unknown
        pass
    nan = [float("nan")] * n
    return nan, nan


def _dual_table(problem: Problem) -> pd.DataFrame:
    """One row per constraint: its dual [EUR/yr per unit of right-hand side], the range of the
    right-hand side over which that dual holds, and the value of the planner's lever.

    The lever is the right-hand side (1 MW, 1 t, 1 m3) except for heat recovery, whose
    right-hand side is always 0: there the lever is the recoverable fraction, worth
    dual x heat-use factor x IT load per unit, reported per percentage point; it is 0 at a
    site with no load, which is then not binding in any sense a planner can use.
    """
    cons = problem.lp.constraints()
    lo, hi = _ranging(problem, len(cons))
    load: dict[tuple[str, str], float] = defaultdict(float)
    for (_, i, t), var in problem.x.items():
        load[(i, t)] += _value(var)
    rows = []
    for con, low, high in zip(cons, lo, hi, strict=True):
        family, keys = problem.constraints[con.name]
        dual = float(con.pi or 0.0)
        lever = dual
        if family == "heat_recovery":
            site = problem.inputs.sites[keys["site"]]
            use = problem.inputs.factors(site.country, keys["period"])[2]
            fraction = next(
                h.recoverable_fraction
                for h in problem.inputs.heat_options
                if h.site_id == site.id and h.sink == keys["sink"]
            )
            lever = dual * 0.01 * use * load[(site.id, keys["period"])] if fraction > 0 else 0.0
        # A demand group's row speaks for each of its members (they are interchangeable).
        members = problem.members.get(keys.get("group", ""), ((keys.get("state"), None),))
        for state, workload in members:
            rows.append(
                {
                    "constraint": con.name,
                    "family": family,
                    "state": state,
                    "workload": workload or keys.get("workload"),
                    "country": keys.get("country"),
                    "site_id": keys.get("site"),
                    "sink": keys.get("sink"),
                    "period": keys.get("period"),
                    "dual": dual,
                    "rhs": problem.rhs[con.name],
                    "rhs_low": low,
                    "rhs_high": high,
                    "lever_value_eur": lever,
                    "binding": abs(lever) > 1e-6 and FAMILY[family].lever,
                }
            )
    return pd.DataFrame(rows)
