"""The LP built through PuLP's batch and array paths, and kept beside it as arrays for HiGHS.

Columns are created in batches (`Model.add_variables_batch`, the path of PuLP's
`add_variable_dict`), rows from arrays of column ids and coefficients
(`AffineExpr.add_term_ids_coeffs`, the path `pulp.lpSum_vars_coefs` takes), so that no Python
object is made per term. The same numbers are kept as arrays, which
`optimizer.highs` hands to HiGHS without going through PuLP's per-variable objects. The PuLP
model stays the modelling layer: it names every column and row and writes the LP file.
"""

from __future__ import annotations

import gc
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pulp
from pulp import _rustcore

Ids = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Sense = Literal["<=", ">=", "=="]

_RUST_SENSE = {
    "<=": _rustcore.Sense.LessEqual,
    ">=": _rustcore.Sense.GreaterEqual,
    "==": _rustcore.Sense.Equal,
}
_NAME = pulp.LpAffineExpression.trans  # how PuLP cleans a constraint name
_UNCLEAN = re.compile(r"[-+\[\] ]")  # the characters it replaces


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the garbage collector (building and solving make many objects, none cyclic)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@dataclass
class Matrix:
    """The LP as arrays: columns (bounds, integrality), rows (CSR) and the cost terms."""

    col_lower: list[Floats] = field(default_factory=list)
    col_upper: list[Floats] = field(default_factory=list)
    col_integer: list[npt.NDArray[np.int8]] = field(default_factory=list)
    #: rows in blocks: each block's row lengths, and its terms' columns and coefficients
    row_length: list[Ids] = field(default_factory=list)
    row_cols: list[Ids] = field(default_factory=list)
    row_coefs: list[Floats] = field(default_factory=list)
    row_lower: list[Floats] = field(default_factory=list)
    row_upper: list[Floats] = field(default_factory=list)
    #: cost term -> (columns, coefficients) pieces; the objective is their sum
    costs: dict[str, list[tuple[Ids, Floats]]] = field(default_factory=lambda: defaultdict(list))

    num_cols: int = 0
    num_rows: int = 0

    def cost_term(self, name: str) -> tuple[Ids, Floats]:
        """Return the columns and coefficients of one cost term."""
        pieces = self.costs.get(name, [])
        if not pieces:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate([c for c, _ in pieces]), np.concatenate([v for _, v in pieces])

    def objective(self) -> Floats:
        """Return the cost of every column (the sum of the cost terms)."""
        cost = np.zeros(self.num_cols)
        for name in self.costs:
            cols, coefs = self.cost_term(name)
            np.add.at(cost, cols, coefs)
        return cost


class ArrayLp:
    """Build a PuLP problem column batch by column batch and row by row from arrays."""

    def __init__(self, lp: pulp.LpProblem) -> None:
        self.lp = lp
        self.matrix = Matrix()

    def add_columns(
        self,
        names: list[str],
        lower: float = 0.0,
        upper: float | Floats | None = None,
        binary: bool = False,
    ) -> Ids:
        """Create one column per name, >= lower and <= upper (one bound for all, or one per
        column; NaN or None for none); return their ids (= positions)."""
        if not names:
            return np.zeros(0, dtype=np.int64)
        n = len(names)
        if binary:  # PuLP keeps a binary as an integer in [0, 1]
            lo, hi = np.zeros(n), np.ones(n)
        else:
            lo = np.full(n, lower)
            hi = np.full(n, math.inf) if upper is None else np.broadcast_to(upper, n).astype(float)
            hi[np.isnan(hi)] = math.inf
        uniform = bool((hi == hi[0]).all())
        created = self.lp._model.add_variables_batch(
            names,
            float(lo[0]),
            float(hi[0]) if uniform else math.inf,
            _rustcore.Category.Integer if binary else _rustcore.Category.Continuous,
        )
        first = created[0].id()
        if first != self.matrix.num_cols or created[-1].id() != first + n - 1:
            raise RuntimeError("PuLP did not number a column batch contiguously")
        if not uniform:
            for var, bound in zip(created, hi.tolist(), strict=True):
                if bound != math.inf:
                    var.set_ub(bound)
        self.matrix.num_cols += n
        self.matrix.col_lower.append(lo)
        self.matrix.col_upper.append(hi)
        self.matrix.col_integer.append(np.full(n, int(binary), dtype=np.int8))
        return np.arange(first, first + n, dtype=np.int64)

    def add_cost(self, term: str, cols: Ids, coefs: Floats | float) -> None:
        """Add coefficient x column to the named term of the objective."""
        self.matrix.costs[term].append((cols, np.broadcast_to(coefs, cols.shape).astype(float)))

    def add_rows(
        self,
        names: list[str],
        length: Ids,
        cols: Ids,
        coefs: Floats,
        sense: Sense,
        rhs: Floats,
    ) -> Ids:
        """Add a block of rows  sum(coefs x cols) <sense> rhs, one per name, their terms
        given row after row (`length` terms each); return their positions."""
        cols = np.ascontiguousarray(cols, dtype=np.int64)
        values = np.ascontiguousarray(coefs, dtype=np.float64)
        rhs = np.ascontiguousarray(rhs, dtype=np.float64)
        ends = np.cumsum(length).tolist()
        ids = cols.view(np.uint64)
        model, rust_sense = self.lp._model, _RUST_SENSE[sense]
        start = 0
        for name, end, bound in zip(names, ends, rhs.tolist(), strict=True):
            expr = _rustcore.AffineExpr()
            expr.add_term_ids_coeffs(model, ids[start:end], values[start:end])
            expr.set_constant(0.0 - bound)
            expr.set_sense(rust_sense)
            expr.set_name(name.translate(_NAME) if _UNCLEAN.search(name) else name)
            model.add_constraint(expr)
            start = end
        m = self.matrix
        m.row_length.append(np.asarray(length, dtype=np.int64))
        m.row_cols.append(cols)
        m.row_coefs.append(values)
        m.row_lower.append(np.full(len(rhs), -math.inf) if sense == "<=" else rhs)
        m.row_upper.append(np.full(len(rhs), math.inf) if sense == ">=" else rhs)
        first = m.num_rows
        m.num_rows += len(names)
        return np.arange(first, m.num_rows, dtype=np.int64)

    def set_objective(self) -> None:
        """Set the PuLP objective to the sum of the cost terms."""
        expr = _rustcore.AffineExpr()
        for name in self.matrix.costs:
            cols, coefs = self.matrix.cost_term(name)
            expr.add_term_ids_coeffs(self.lp._model, cols.astype(np.uint64), coefs)
        self.lp.objective = pulp.LpAffineExpression(expr)


@dataclass(frozen=True)
class Compiled:
    """The LP in the form HiGHS takes: column costs and bounds, row bounds, a CSR matrix."""

    cost: Floats
    col_lower: Floats
    col_upper: Floats
    integer: npt.NDArray[np.int8]
    row_lower: Floats
    row_upper: Floats
    start: npt.NDArray[np.int32]
    index: npt.NDArray[np.int32]
    value: Floats

    @property
    def num_cols(self) -> int:
        """Return the number of columns."""
        return len(self.cost)

    @property
    def num_rows(self) -> int:
        """Return the number of rows."""
        return len(self.row_lower)


def compile_matrix(m: Matrix) -> Compiled:
    """Return the matrix's LP as contiguous arrays; zero coefficients are left out."""

    def joined(parts: list[Any], dtype: Any) -> Any:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    lengths = joined(m.row_length, np.int64)
    index = joined(m.row_cols, np.int64)
    value = joined(m.row_coefs, np.float64)
    row = np.repeat(np.arange(len(lengths)), lengths)
    kept = value != 0
    counts = np.bincount(row[kept], minlength=len(lengths))
    start = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(counts, out=start[1:])

    return Compiled(
        m.objective(),
        joined(m.col_lower, np.float64),
        joined(m.col_upper, np.float64),
        joined(m.col_integer, np.int8),
        joined(m.row_lower, np.float64),
        joined(m.row_upper, np.float64),
        start,
        index[kept].astype(np.int32),
        value[kept],
    )
