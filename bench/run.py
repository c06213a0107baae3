"""Benchmark: our build + solve + read-back against the bare HiGHS solve of the same LP.

Run: uv run python -m bench.run [--sizes default,200,1000]

For each size the harness builds the problem with `optimizer.model.build_problem`, solves it
through `optimizer.solve.solve` (which copies every number into a Plan), writes the same LP as
an MPS file and solves that file with highspy directly: the bare solver, in the same process and
run. Synthetic sizes replicate the default registry's sites across states to reach N sites;
they measure speed only and carry no meaning as data.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import highspy

from bench.report import DOC, write_section
from optimizer.api import load_inputs
from optimizer.domain import Inputs, Period
from optimizer.model import build_problem, demand_of
from optimizer.scenario import Scenario
from optimizer.solve import solve


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


def bare_highs(mps: Path) -> float:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(mps))
    started = time.perf_counter()
    h.run()
    return time.perf_counter() - started


def measure(label: str, inputs: Inputs, scenario: Scenario, repeats: int) -> dict[str, object]:
    builds, solves, reads, bares = [], [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        problem = build_problem(inputs, scenario)
        t1 = time.perf_counter()
        plan = solve(problem)
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        solves.append(float(plan.summary.solve_seconds))
        reads.append(t2 - t1 - float(plan.summary.solve_seconds))
        with tempfile.TemporaryDirectory() as tmp:
            mps = Path(tmp) / "model.mps"
            problem.lp.writeMPS(str(mps))
            bares.append(bare_highs(mps))
    return {
        "case": label,
        "variables": plan.summary.variables,
        "constraints": plan.summary.constraints,
        "status": plan.status.value,
        "build_s": statistics.median(builds),
        "solve_s": statistics.median(solves),
        "read_s": statistics.median(reads),
        "bare_highs_s": statistics.median(bares),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="default,200,1000")
    ap.add_argument("--periods", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", type=Path, default=DOC)
    args = ap.parse_args()
    base = load_inputs()
    scenario = Scenario()
    rows = []
    for size in args.sizes.split(","):
        if size == "default":
            rows.append(
                measure(
                    f"default registry ({len(base.periods)} periods)", base, scenario, args.repeats
                )
            )
        else:
            n = int(size)
            inputs = scaled(base, n, args.periods)
            rows.append(
                measure(
                    f"{n} sites x {args.periods} periods",
                    inputs,
                    scenario,
                    max(1, args.repeats if n <= 200 else 1),
                )
            )
        print(rows[-1], flush=True)
    header = (
        "| case | variables | constraints | status | build [s] | solve via PuLP [s] | "
        "read plan [s] | bare HiGHS on same MPS [s] | total / bare |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = "".join(
        f"| {r['case']} | {r['variables']:,} | {r['constraints']:,} | {r['status']} | "
        f"{r['build_s']:.3f} | {r['solve_s']:.3f} | {r['read_s']:.3f} | {r['bare_highs_s']:.3f} | "
        f"{(r['build_s'] + r['solve_s'] + r['read_s']) / max(r['bare_highs_s'], 1e-9):.1f}x |\n"
        for r in rows
    )
    body = (
        "Command: `uv run python -m bench.run` (medians of repeated runs; cases above 200 sites "
        f"run once) on {platform.machine()} ({os.cpu_count()} cores), "
        f"{platform.python_implementation()} {platform.python_version()}, HiGHS "
        f"{highspy.Highs().version()}, {date.today()}. Build = `build_problem`; solve via PuLP "
        "= HiGHS called through PuLP; read plan = copying every value and dual into the Plan; "
        "bare HiGHS = highspy solving the same LP read from an MPS file, in the same run.\n\n"
        + header
        + lines
    )
    write_section("Solver", body, args.out)
    print(body)


if __name__ == "__main__":
    main()
