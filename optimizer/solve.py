"""Solve a built problem with HiGHS and copy every number out into a Plan (no PuLP objects)."""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.metadata import version

import highspy
import numpy as np
import pandas as pd

from optimizer import highs, readback
from optimizer.levers import levers
from optimizer.lparrays import compile_matrix, paused_gc
from optimizer.model import Problem, juste_retour_countries
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


def _status(solution: highs.Solution) -> Status:
    code = solution.status
    if code == highspy.HighsModelStatus.kOptimal:
        return Status.OPTIMAL
    if code == highspy.HighsModelStatus.kInfeasible:
        return Status.INFEASIBLE
    if code in highs.STOPPED_EARLY:
        return Status.TIME_LIMIT if solution.has_solution else Status.ERROR
    return Status.ERROR


def _solve_lp(
    problem: Problem, fixed: highs.Solution | None = None
) -> tuple[Status, str, highs.Solution | None]:
    """Solve the problem's arrays with HiGHS; with `fixed`, the MILP's solution, solve the LP
    with every build decision fixed at its value instead."""
    sc = problem.scenario
    try:
        lp = compile_matrix(problem.arrays.matrix)
        if fixed is not None:
            builds = np.array(list(problem.build.values()), dtype=np.int64)
            lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
            lower[builds] = upper[builds] = fixed.col_value[builds]
            lp = replace(lp, col_lower=lower, col_upper=upper, integer=np.zeros_like(lp.integer))
        with paused_gc():
            solution = highs.solve(
                lp, sc.time_limit_s, ranging=not problem.build or fixed is not None
            )
        status = _status(solution)
        return status, STATUS_TEXT[status], solution
    except Exception as e:  # the solver never crashes the caller
        return Status.ERROR, f"solver error: {e}", None


def solve(problem: Problem, build_seconds: float = 0.0) -> Plan:
    """Solve the problem with HiGHS and return its plan; an infeasible solve is a status.

    With lumpy builds the MILP is solved first; then the build decisions are fixed and the LP
    solved again, so that the shadow prices are those of the LP with the builds fixed.
    """
    sc = problem.scenario
    started = time.perf_counter()
    status, message, solution = _solve_lp(problem)
    has_solution = _usable(status, solution)
    formulation = f"LP, {problem.formulation}"
    if problem.build and solution is not None and has_solution:
        formulation = (
            f"MILP (lumpy builds), {problem.formulation}; shadow prices from the LP with the "
            "builds fixed"
        )
        fixed_status, _, solution = _solve_lp(problem, fixed=solution)
        has_solution = _usable(fixed_status, solution)
        status = status if fixed_status == Status.OPTIMAL else fixed_status
    solve_seconds = time.perf_counter() - started
    summary = Summary(
        scenario=sc.name,
        status=status.value,
        message=message,
        formulation=formulation,
        plan_year=problem.plan_year,
        demand_scenario=sc.demand_scenario,
        variables=problem.arrays.matrix.num_cols,
        constraints=problem.arrays.matrix.num_rows,
        build_seconds=round(build_seconds, 4),
        solve_seconds=round(solve_seconds, 4),
        solver_options={"time_limit_s": sc.time_limit_s, **HIGHS_TOLERANCES},
        versions=_versions(),
        data_attribution=EMBER_ATTRIBUTION,
    )
    if solution is None or not has_solution:
        return Plan(status, summary)
    return _read_plan(problem, solution, status, summary)


@cache
def _versions() -> dict[str, str]:
    """Return the versions of the modelling layer and the solver (read once per process)."""
    return {p: version(p) for p in ("pulp", "highspy")}


def _usable(status: Status, solution: highs.Solution | None) -> bool:
    """Return whether a solve handed back a plan to read."""
    return solution is not None and solution.has_solution and status != Status.INFEASIBLE


#: HiGHS' default tolerances, which every solve uses (recorded in each run's summary).
HIGHS_TOLERANCES = {
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
    "mip_rel_gap": 1e-4,
}
#: The cost terms that are money paid or earned (the rest are a shadow cost or penalties).
MONEY = ("energy", "transfer", "capital", "fixed", "heat_revenue")
PENALTIES = ("unserved", "rule_shortfall")


def _read_plan(
    problem: Problem, solution: highs.Solution, status: Status, summary: Summary
) -> Plan:
    inputs, sc = problem.inputs, problem.scenario
    hours = {t: p.hours for t, p in inputs.periods.items()}
    value = readback.values(solution)
    members = readback.Members(problem)
    load = readback.load(problem, members, value)
    allocation = readback.allocation(problem, members, load)
    unserved = readback.unserved(problem, members, value)
    sites = readback.sites(problem, load, value)
    states = readback.states(problem, members, load, unserved, sites)
    costs = readback.cost_terms(problem, value)
    duals = readback.dual_table(problem, members, solution, value)
    shortfall_mwh = float(
        sum(value[v] * hours.get(t, 1.0) for (_, _, t), v in problem.shortfall.items())
    )
    # Fair access: the worst-served state's share of its entitlement. Juste retour: the
    # contribution-weighted share of it met in the countries owed it.
    # Either is None where it has no meaning (no entitlement, or nothing pooled).
    owed = juste_retour_countries(problem)
    hosting = states["hosting_ratio"].to_numpy()
    host = np.array([s in owed for s in states["state"]]) & ~np.isnan(hosting)
    share = states["contribution_share"].to_numpy()[host]
    weight = share.sum()
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
            sites["peak_it_mw"].to_numpy()[sites["capacity_status"].to_numpy() != "buildable"].sum()
        ),
        home_share=float(
            states["served_at_home_mwh"].sum() / max(states["served_mwh"].sum(), 1e-12)
        ),
        min_access_ratio=_defined(states["access_ratio"].min()),
        juste_retour_met=_defined(
            float((np.minimum(hosting[host], 1.0) * share).sum()) / weight if weight > 0 else None
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
    shortfalls = {k for k, v in problem.shortfall.items() if value[v] > 0}
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
