"""Benchmark: a sweep of default scenarios on 1 and 2 local Dask workers, and in process.

Run: uv run python -m bench.sweep [--scenarios 200] [--workers 1,2]

The scenarios are a grid of carbon price x demand growth on the default registry. Each
configuration runs in a fresh process (so that no solver state carries over) and is timed from
the call of `optimizer.sweep.sweep` to its result, local cluster start and stop included, then
again on a running cluster whose workers have imported everything.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date
from typing import Any

from bench.report import write_section

AXES = 20  # carbon prices; demand growths = scenarios / AXES


def scenarios(n: int) -> list[Any]:
    """Return n default scenarios: carbon price x demand growth."""
    from optimizer.scenario import Scenario
    from optimizer.sweep import grid_scenarios

    prices = [str(10.0 * k) for k in range(min(n, AXES))]
    growths = [str(1.0 + 0.05 * k) for k in range(max(1, n // AXES))]
    grid = {"carbon_price_eur_per_t": prices, "demand_growth": growths}
    return grid_scenarios(Scenario(), grid)[:n]


def measure(n: int, workers: int) -> dict[str, Any]:
    """Time one sweep from this process: `workers` Dask workers, or 0 for in process; with
    workers, also the same sweep on a running cluster whose workers have solved once."""
    from dask.distributed import LocalCluster

    from optimizer.api import load_inputs
    from optimizer.sweep import sweep, sweep_here

    inputs, swept = load_inputs(), scenarios(n)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    if workers:
        frame = sweep(swept, inputs, workers=workers, in_process_below=0)
    else:
        frame = sweep_here(swept, inputs)
    seconds, running = time.perf_counter() - started, float("nan")
    if workers:
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            at = cluster.scheduler_address
            sweep(swept[: 4 * workers], inputs, scheduler=at)  # imports on every worker
            started = time.perf_counter()
            sweep(swept, inputs, scheduler=at)
            running = time.perf_counter() - started
    return {
        "workers": workers,
        "scenarios": len(frame),
        "optimal": int((frame["status"] == "optimal").sum()),
        "seconds": seconds,
        "running_s": running,
        "load": load,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenarios", type=int, default=200)
    ap.add_argument("--workers", default="0,1,2", help="0 = in process, without Dask")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.scenarios, args.one)))
        return
    rows = []
    for w in (int(v) for v in args.workers.split(",")):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.sweep",
                "--scenarios",
                str(args.scenarios),
                "--one",
                str(w),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    one = next((r for r in rows if r["workers"] == 1), None)

    def speedup(r: dict[str, Any], key: str) -> str:
        return f"{one[key] / r[key]:.2f}x" if one and r["workers"] else "-"

    lines = "".join(
        f"| {'in process (no Dask)' if r['workers'] == 0 else r['workers']} | {r['scenarios']} | "
        f"{r['optimal']} | {r['load']:.2f} | {r['seconds']:.1f} | "
        f"{r['seconds'] / r['scenarios']:.3f} | {speedup(r, 'seconds')} | "
        f"{r['running_s']:.1f} | {speedup(r, 'running_s')} |\n"
        for r in rows
    )
    body = (
        f"Command: `uv run python -m bench.sweep --scenarios {args.scenarios} --workers "
        f"{args.workers}`, {date.today()}, on this machine ({os.cpu_count()} cores, shared with "
        "other work: see the load). Default registry; a grid of carbon price x demand growth; "
        "each configuration in a fresh process, timed from the call of `sweep` to its result, "
        "local cluster start and stop included; then the same sweep again on a running local "
        "cluster (`--scheduler`) whose workers have already solved a few scenarios (imports "
        "done). Speed-up = time on 1 worker / time.\n\n"
        "| Dask workers | scenarios | optimal | load avg (1 min) | seconds, cluster start "
        "included | per scenario [s] | speed-up over 1 worker | seconds on a running cluster | "
        "speed-up over 1 worker (running) |\n|---|---|---|---|---|---|---|---|---|\n" + lines
    )
    write_section("Sweeps", body)
    print(body)


if __name__ == "__main__":
    main()
