"""Hand an LP kept as arrays to HiGHS and read values, duals and ranges back as arrays.

Warm starts: the process keeps its last HiGHS instance with a fingerprint of the LP's structure
(the matrix, its pattern and integrality). When the next LP has the same structure, so that
only costs or bounds changed (carbon price, heat price, capacities, caps), the instance takes
the new costs and bounds and re-solves from its last basis; otherwise, or if the warm solve
does not end optimal, HiGHS solves from scratch. One solve at a time uses the kept instance;
a solve that finds it busy (another thread) solves cold on an instance of its own.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import highspy
import numpy as np

from optimizer.lparrays import Compiled, Floats

Model = highspy.HighsModelStatus


@dataclass(frozen=True)
class Solution:
    """What HiGHS handed back: status, and every value, dual and range as arrays."""

    status: highspy.HighsModelStatus
    has_solution: bool
    col_value: Floats
    row_dual: Floats
    #: the right-hand sides between which each row's dual holds; NaN where unknown
    rhs_low: Floats
    rhs_high: Floats
    warm: bool


STOPPED_EARLY = (
    Model.kObjectiveBound,
    Model.kObjectiveTarget,
    Model.kInterrupt,
    Model.kTimeLimit,
    Model.kIterationLimit,
    Model.kSolutionLimit,
    Model.kMemoryLimit,
)

_lock = threading.Lock()
_kept: dict[str, tuple[bytes, highspy.Highs]] = {}


def fingerprint(lp: Compiled) -> bytes:
    """Return a digest of what a warm start cannot change: the matrix and integrality."""
    h = hashlib.blake2b(digest_size=16)
    h.update(np.array([lp.num_cols, lp.num_rows], dtype=np.int64).tobytes())
    for a in (lp.start, lp.index, lp.value, lp.integer):
        h.update(a.tobytes())
    return h.digest()


def _load(h: highspy.Highs, lp: Compiled) -> None:
    """Pass the whole LP to HiGHS as arrays (no names), without an element-wise copy."""
    status = h.passModel(
        lp.num_cols,
        lp.num_rows,
        len(lp.value),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize),
        0.0,  # objective offset
        lp.cost,
        lp.col_lower,
        lp.col_upper,
        lp.row_lower,
        lp.row_upper,
        lp.start,
        lp.index,
        lp.value,
        lp.integer.astype(np.int32),  # HighsVarType: 0 continuous, 1 integer
    )
    if status == highspy.HighsStatus.kError:  # a warning (tiny values dropped) is fine
        raise RuntimeError("HiGHS refused the LP")


def _update(h: highspy.Highs, lp: Compiled) -> None:
    """Give a loaded LP of the same structure new costs and bounds, keeping its basis."""
    cols = np.arange(lp.num_cols, dtype=np.int32)
    rows = np.arange(lp.num_rows, dtype=np.int32)
    h.changeColsCost(lp.num_cols, cols, lp.cost)
    h.changeColsBounds(lp.num_cols, cols, lp.col_lower, lp.col_upper)
    # changeRowsBounds is missing from highspy 1.15's type stubs, not from highspy.
    h.changeRowsBounds(lp.num_rows, rows, lp.row_lower, lp.row_upper)  # type: ignore[attr-defined]


def _fresh(time_limit: float | None) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    return h


def _read(h: highspy.Highs, lp: Compiled, warm: bool, ranging: bool) -> Solution:
    status = h.getModelStatus()
    if status == Model.kModelEmpty:  # nothing to decide: the empty plan is optimal
        status = Model.kOptimal
    has_solution = status == Model.kOptimal or (
        status in STOPPED_EARLY and bool(np.isfinite(h.getInfo().objective_function_value))
    )
    solution = h.getSolution()
    low = high = np.full(lp.num_rows, np.nan)
    if ranging and status == Model.kOptimal and not lp.integer.any():
        ok, ranges = h.getRanging()
        if ok == highspy.HighsStatus.kOk:
            low = np.asarray(ranges.row_bound_dn.value_, dtype=np.float64)
            high = np.asarray(ranges.row_bound_up.value_, dtype=np.float64)
    return Solution(
        status,
        has_solution,
        np.asarray(solution.col_value, dtype=np.float64),
        np.asarray(solution.row_dual, dtype=np.float64),
        low,
        high,
        warm,
    )


def solve(lp: Compiled, time_limit: float | None = None, ranging: bool = True) -> Solution:
    """Solve the LP (or MILP) with HiGHS, warm from the last basis where the structure allows.

    Args:
        lp: the LP as arrays.
        time_limit: seconds HiGHS may take; None for no limit.
        ranging: also compute right-hand-side ranging (LPs solved to optimality only).
    """
    if lp.integer.any() or not _lock.acquire(blocking=False):
        h = _fresh(time_limit)
        _load(h, lp)
        h.run()
        return _read(h, lp, False, ranging)
    try:
        key = fingerprint(lp)
        kept = _kept.get("last")
        if kept is not None and kept[0] == key:
            h = kept[1]
            h.setOptionValue("time_limit", float("inf") if time_limit is None else time_limit)
            _update(h, lp)
            h.run()
            if h.getModelStatus() == Model.kOptimal:
                return _read(h, lp, True, ranging)
        h = _fresh(time_limit)
        _load(h, lp)
        h.run()
        _kept["last"] = (key, h)
        return _read(h, lp, False, ranging)
    finally:
        _lock.release()


def forget() -> None:
    """Drop the kept instance, so that the next solve is cold."""
    with _lock:
        _kept.clear()
