"""Benchmark: the tool end to end against HiGHS alone on the same LP without names.

Run: uv run python -m bench.run [--cases default,1000x4,1000x12] [--repeats 3]

Each case runs in a fresh process (so that its peak memory is its own). There the harness
builds the problem with `optimizer.model.build_problem`, solves it with `optimizer.solve.solve`
(hand-off to HiGHS, solve, and reading every number back into a Plan), then writes the same LP
as an MPS file, reads it into highspy, drops every column and row name and times HiGHS alone
on that nameless copy: the yardstick, in the same run. Wall and CPU time
(`time.process_time`, every thread of the process) are reported with the machine's load.

Cases: "default" is the shipped registry (12 monthly periods); "<N>x<T>" replicates the
default registry's existing sites to N sites (each may also build up to 5 MW) over T periods,
with every state and workload class of the registry: 1000x12 is the goal scale (1,000 sites x
37 states x 3 classes x 12 periods), aggregated; "1000x12full" the same with a transfer
cost, which keeps every (state, workload) apart (the full formulation); "defaultlumpy" the
shipped registry with lumpy builds (a MILP, then the LP with the builds fixed for the shadow
prices; the yardstick is bare HiGHS on the MILP). Synthetic cases measure speed only and carry
no meaning as data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import highspy

from bench.report import DOC, write_section
from optimizer import highs
from optimizer.api import load_inputs
from optimizer.domain import Inputs, Period
from optimizer.model import Problem, build_problem, demand_of
from optimizer.scenario import Scenario
from optimizer.solve import solve

CASES = "default,1000x4,1000x12"


def scaled(base: Inputs, n_sites: int, n_periods: int) -> Inputs:
    """Replicate the existing sites to n_sites (each may also build up to 5 MW) and the periods
    to n_periods; demand is the default scenario's, fixed."""
    seeds = [s for s in base.sites.values() if s.capacity_status == "existing"]
    sites = {}
    for k in range(n_sites):
        s = seeds[k % len(seeds)]
        sites[f"{s.id}_{k}"] = replace(
            s, id=f"{s.id}_{k}", it_capacity_mw=s.it_capacity_mw * 0.2, expansion_limit_mw=5.0
        )
    periods = {f"m{m:02d}": Period(f"m{m:02d}", 8760 / n_periods) for m in range(n_periods)}
    return Inputs(
        base.states,
        sites,
        periods,
        base.workloads,
        (),
        base.demand_scenarios,
        base.energy_cap_mw,
        {},
        demand_of(base, Scenario()),
    )


def case_inputs(case: str) -> Inputs:
    """Return the inputs of a case: "default" or "<sites>x<periods>" (a trailing "full" asks
    for the full formulation, see case_scenario)."""
    base = load_inputs()
    if case.startswith("default"):
        return base
    n_sites, n_periods = (int(v) for v in case.removesuffix("full").split("x"))
    return scaled(base, n_sites, n_periods)


def case_scenario(case: str) -> Scenario:
    """Return the scenario of a case: the default one; for "...full" with a transfer cost of
    1 EUR/MWh per 1000 km, so that every (state, workload) keeps its own flows; for
    "...lumpy" with lumpy builds."""
    if case.endswith("full"):
        return Scenario(transfer_cost_eur_per_mwh_per_1000km=1.0)
    return Scenario(lumpy_builds=case.endswith("lumpy"))


class Clock:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def nameless_highs(problem: Problem) -> tuple[float, float]:
    """Return the wall and CPU seconds of HiGHS alone on the problem's LP, without names."""
    with tempfile.TemporaryDirectory() as tmp:
        mps = Path(tmp) / "model.mps"
        problem.lp.writeMPS(str(mps))
        reader = highspy.Highs()
        reader.setOptionValue("output_flag", False)
        reader.readModel(str(mps))
    lp = reader.getLp()
    lp.col_names_, lp.row_names_ = [], []
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    with Clock() as clock:
        h.run()
    return clock.wall, clock.cpu


def measure(case: str, repeats: int) -> dict[str, Any]:
    """Time one case `repeats` times in this process and return the medians."""
    inputs = case_inputs(case)
    scenario = case_scenario(case)
    runs: list[dict[str, float]] = []
    for _ in range(repeats):
        highs.forget()  # a cold solve: no basis from the run before
        with Clock() as build:
            problem = build_problem(inputs, scenario)
        with Clock() as rest:
            plan = solve(problem)
        solve_wall = float(plan.summary.solve_seconds)
        runs.append(
            {
                "build_s": build.wall,
                "solve_s": solve_wall,
                "read_s": rest.wall - solve_wall,
                "total_s": build.wall + rest.wall,
                "total_cpu_s": build.cpu + rest.cpu,
            }
        )
    # A slider move: the carbon price up 1 EUR/t, solved from the last basis.
    warm = []
    for k in range(1, repeats + 1):
        moved = scenario.with_overrides(carbon_price_eur_per_t=scenario.carbon_price_eur_per_t + k)
        with Clock() as clock:
            solve(build_problem(inputs, moved))
        warm.append(clock.wall)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB -> GiB
    bare = [nameless_highs(problem) for _ in range(repeats)]
    out: dict[str, Any] = {
        "case": case,
        "variables": plan.summary.variables,
        "constraints": plan.summary.constraints,
        "status": plan.status.value,
        "formulation": plan.summary.formulation,
        "objective_eur": plan.objective_eur,
        "peak_gib": peak,
        "warm_s": statistics.median(warm),
        "bare_s": statistics.median(b[0] for b in bare),
        "bare_cpu_s": statistics.median(b[1] for b in bare),
    }
    for key in runs[0]:
        out[key] = statistics.median(r[key] for r in runs)
    return out


def run_case(case: str, repeats: int) -> dict[str, Any]:
    """Measure a case in a fresh process and return its figures."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--one", case, "--repeats", str(repeats)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def label(case: str) -> str:
    """Say what a case is, for the table."""
    if case.startswith("default"):
        lumpy = (
            ", lumpy builds (MILP, then the LP with builds fixed)" if case.endswith("lumpy") else ""
        )
        return f"default registry (12 periods){lumpy}"
    n_sites, n_periods = case.removesuffix("full").split("x")
    full = ", full formulation (transfer cost)" if case.endswith("full") else ""
    return f"{int(n_sites):,} sites x {n_periods} periods{full}"


def table(rows: list[dict[str, Any]]) -> str:
    """Return the markdown table of the measured cases."""
    header = (
        "| case | variables | constraints | load avg (1 min) | build [s] | hand-off + solve [s] | "
        "read plan [s] | total wall [s] | total CPU [s] | bare HiGHS, no names, wall [s] | "
        "bare CPU [s] | total / bare (CPU) | total / bare (wall) | peak memory [GiB] | "
        "warm re-solve, end to end [s] |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    return header + "".join(
        f"| {label(r['case'])} | {r['variables']:,} | {r['constraints']:,} | {r['load']:.2f} | "
        f"{r['build_s']:.3f} | {r['solve_s']:.3f} | {r['read_s']:.3f} | {r['total_s']:.3f} | "
        f"{r['total_cpu_s']:.3f} | {r['bare_s']:.3f} | {r['bare_cpu_s']:.3f} | "
        f"{r['total_cpu_s'] / max(r['bare_cpu_s'], 1e-9):.2f}x | "
        f"{r['total_s'] / max(r['bare_s'], 1e-9):.2f}x | {r['peak_gib']:.2f} | "
        f"{r['warm_s']:.3f} |\n"
        for r in rows
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default=CASES)
    ap.add_argument("--repeats", type=int, default=3, help="per case below 100k variables")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # measure one case in this process
    ap.add_argument("--out", type=Path, default=DOC)
    ap.add_argument("--section", default="Solver")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.repeats)))
        return
    rows = []
    for case in args.cases.split(","):
        load = os.getloadavg()[0]
        repeats = 1 if case.endswith(("x12", "full")) else args.repeats
        rows.append(run_case(case, repeats) | {"load": load})
        print(rows[-1], flush=True)
    body = (
        f"Command: `uv run python -m bench.run --cases {args.cases}` (medians of "
        f"{args.repeats} runs, the goal scale once; each case in a fresh process) on "
        f"{platform.machine()} ({os.cpu_count()} cores, shared), "
        f"{platform.python_implementation()} {platform.python_version()}, HiGHS "
        f"{highspy.Highs().version()}, {date.today()}. Build = `build_problem`; hand-off + "
        "solve = passing the LP to HiGHS and solving it; read plan = every value, dual and "
        "range copied into the Plan; bare HiGHS = `Highs.run()` alone on the same LP (written "
        "as MPS, read back, every name dropped), in the same process and run; load avg = "
        "`os.getloadavg()` when the case started; peak memory = the case process's maximum "
        "resident set (`ru_maxrss`) after the tool's runs, before the bare solve. Every timed "
        "run above is a cold solve; warm re-solve = build, solve and read a plan again after "
        "raising the carbon price by 1 EUR/t (a slider move), from the last HiGHS basis "
        "(median).\n\n" + table(rows)
    )
    write_section(args.section, body, args.out)
    print(body)


if __name__ == "__main__":
    main()
