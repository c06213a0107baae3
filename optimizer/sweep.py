"""Sweeps: many scenarios solved in parallel on Dask, locally or on a cluster.

The inputs are read once, sent to every worker once, and each worker returns only the summary
of its plans, so a sweep of hundreds of scenarios moves little data. Small sweeps run in
process; large ones go to Dask in a few batches per worker, so that Dask's cost per task stays
small next to the solves and each worker re-solves from its last basis (optimizer.highs).
Do not start a sweep inside the Streamlit server (it would start worker processes there): run
it from the CLI, a notebook, or a script guarded by `if __name__ == "__main__":` (local
workers are started with "spawn", which re-runs the parent's main module).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from optimizer.domain import Inputs
from optimizer.model import build_problem
from optimizer.scenario import Scenario, apply_overrides, name_after
from optimizer.solve import solve

SUMMARY = (
    "status",
    "cost_eur",
    "carbon_cost_eur",
    "penalty_eur",
    "objective_eur",
    "emissions_t",
    "unserved_mwh",
    "shortfall_mwh",
    "served_mwh",
    "heat_reused_mwh_th",
    "water_m3",
    "new_mw",
    "home_share",
    "min_access_ratio",
    "juste_retour_met",
    "solve_seconds",
)
# Pareto fronts marked on every sweep: cost (money, without penalties) against emissions (both
# lower is better) and against each fairness outcome (higher is better). A plan that leaves
# demand unserved or a rule unmet is not on any front: it is not the same service.
FRONTS = {
    "pareto_cost_co2": ("emissions_t", False),
    "pareto_cost_access": ("min_access_ratio", True),
    "pareto_cost_juste_retour": ("juste_retour_met", True),
}


def grid_scenarios(base: Scenario, grid: Mapping[str, Iterable[str]]) -> list[Scenario]:
    """Return one scenario per combination of the grid's values (`key -> [TOML values]`)."""
    keys = list(grid)
    out = []
    for values in itertools.product(*(list(grid[k]) for k in keys)):
        overrides = [f"{k}={v}" for k, v in zip(keys, values, strict=True)]
        changed = apply_overrides(base, overrides)
        out.append(changed.with_overrides(name=name_after(overrides, base.name)))
    return out


def summarise(scenario: Scenario, inputs: Inputs) -> dict[str, Any]:
    """Solve one scenario and return its headline figures."""
    plan = solve(build_problem(inputs, scenario))
    row: dict[str, Any] = {"scenario": scenario.name}
    row.update({k: getattr(plan.summary, k) for k in SUMMARY})
    return row


def summarise_all(scenarios: list[Scenario], inputs: Inputs) -> list[dict[str, Any]]:
    """Solve a batch of scenarios one after another (one Dask task: consecutive scenarios
    that change only costs or bounds re-solve from the last basis)."""
    return [summarise(scenario, inputs) for scenario in scenarios]


#: Sweeps smaller than this run in this process when no scheduler is given: starting a local
#: cluster (worker processes, imports) costs more than solving them.
IN_PROCESS_BELOW = 20
#: Tasks per worker: enough to balance uneven solve times, few enough that the per-task cost
#: of Dask stays small next to the solves.
TASKS_PER_WORKER = 4


def batches(scenarios: list[Scenario], workers: int) -> list[list[Scenario]]:
    """Split the scenarios, in order, into about TASKS_PER_WORKER batches per worker."""
    size = max(1, math.ceil(len(scenarios) / (TASKS_PER_WORKER * max(1, workers))))
    return [scenarios[k : k + size] for k in range(0, len(scenarios), size)]


def sweep(
    scenarios: list[Scenario],
    inputs: Inputs,
    scheduler: str | None = None,
    workers: int = 2,
    in_process_below: int = IN_PROCESS_BELOW,
) -> pd.DataFrame:
    """Solve every scenario and return one row of headline figures per scenario.

    Without a scheduler, a sweep of fewer than `in_process_below` scenarios runs in this
    process; otherwise the scenarios go to Dask in batches (about TASKS_PER_WORKER per worker),
    the inputs sent once to every worker.

    Args:
        scenarios: the scenarios to solve.
        inputs: the registry's inputs, shared by all scenarios.
        scheduler: address of a Dask scheduler (tcp://host:8786); None starts a local cluster
            of `workers` processes for the duration of the sweep.
        workers: processes of the local cluster.
        in_process_below: the smallest sweep that starts a local cluster.
    """
    if scheduler is None and len(scenarios) < in_process_below:
        return sweep_here(scenarios, inputs)
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        running = len(client.scheduler_info().get("workers", {})) or workers
        shared = client.scatter(inputs, broadcast=True)
        futures = client.map(summarise_all, batches(scenarios, running), inputs=shared, pure=False)
        rows = [row for batch in client.gather(futures) for row in batch]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return with_fronts(pd.DataFrame(rows))


def sweep_here(scenarios: list[Scenario], inputs: Inputs, progress: Any = None) -> pd.DataFrame:
    """Solve scenarios one after another in this process (small sweeps, e.g. in the dashboard).

    Args:
        scenarios: the scenarios to solve.
        inputs: the registry's inputs.
        progress: optional callable(done, total) told after each solve.
    """
    rows = []
    for k, scenario in enumerate(scenarios, start=1):
        rows.append(summarise(scenario, inputs))
        if progress is not None:
            progress(k, len(scenarios))
    return with_fronts(pd.DataFrame(rows))


def with_fronts(frame: pd.DataFrame) -> pd.DataFrame:
    """Add a column per trade-off in FRONTS marking the rows on its Pareto front."""
    complete = (frame["unserved_mwh"].fillna(1) <= 1e-6) & (
        frame["shortfall_mwh"].fillna(1) <= 1e-6
    )
    for column, (other, higher_is_better) in FRONTS.items():
        front = pareto(frame[complete], "cost_eur", other, maximise_y=higher_is_better)
        frame[column] = front.reindex(frame.index, fill_value=False)
    return frame


def pareto(frame: pd.DataFrame, x: str, y: str, maximise_y: bool = False) -> pd.Series:
    """Mark the rows no other row beats on both `x` and `y` (lower is better; for `y`, higher
    is better when `maximise_y`). Values within a relative 1e-9 count as equal, so two
    solutions of the same plan that differ only by solver round-off are both kept."""
    values = frame[[x, y]].to_numpy(dtype=float) * [1.0, -1.0 if maximise_y else 1.0]
    keep = []
    for i, (a, b) in enumerate(values):
        if a != a or b != b:  # no plan: not on the front
            keep.append(False)
            continue
        ta, tb = 1e-9 * max(1.0, abs(a)), 1e-9 * max(1.0, abs(b))
        dominated = any(
            (c <= a + ta and d <= b + tb) and (c < a - ta or d < b - tb)
            for j, (c, d) in enumerate(values)
            if j != i
        )
        keep.append(not dominated)
    return pd.Series(keep, index=frame.index)
