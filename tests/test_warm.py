"""Warm starts: a re-solve from the last HiGHS basis gives the plan a cold solve gives."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import highs
from optimizer.api import plan
from optimizer.domain import HeatOption
from optimizer.lparrays import compile_matrix
from optimizer.model import build_problem
from optimizer.solve import Plan
from tests.tiny import BASE, bid, tiny

#: One period; a fills first, then b, then the bid g, which the plan builds in part: no ties
#: between the sites at these carbon prices, so the duals are unique and a warm and a cold
#: solve must agree on them.
INPUTS = tiny(
    demand_a=21.0,
    demand_b=4.0,
    ci_b=300.0,
    builds=(bid("g", "AA", 50.0),),
    heat=(HeatOption("a", "district_heating", 0.5, 3.0, None),),
)
PRICES = (0.0, 40.0, 10.0, 120.0, 75.0, 0.0)


def _cold(price: float) -> Plan:
    highs.forget()
    return plan(BASE.with_overrides(carbon_price_eur_per_t=price), inputs=INPUTS)


def test_warm_results_equal_cold_results_over_carbon_price_changes() -> None:
    cold = [_cold(price) for price in PRICES]
    highs.forget()
    warm = [plan(BASE.with_overrides(carbon_price_eur_per_t=p), inputs=INPUTS) for p in PRICES]
    for c, w in zip(cold, warm, strict=True):
        assert w.objective_eur == pytest.approx(c.objective_eur, rel=1e-9)
        assert w.duals["constraint"].tolist() == c.duals["constraint"].tolist()
        assert np.allclose(w.duals["dual"], c.duals["dual"], rtol=1e-7, atol=1e-7)
        assert w.summary.new_mw == pytest.approx(c.summary.new_mw, abs=1e-7)


def test_only_a_same_structure_problem_re_solves_warm() -> None:
    highs.forget()
    first = compile_matrix(build_problem(INPUTS, BASE).arrays.matrix)
    assert not highs.solve(first).warm
    cheaper = BASE.with_overrides(carbon_price_eur_per_t=50.0, heat_price_eur_per_mwh_th=9.0)
    assert highs.solve(compile_matrix(build_problem(INPUTS, cheaper).arrays.matrix)).warm
    other = tiny(demand_a=21.0)  # no build option, no heat: other columns
    assert not highs.solve(compile_matrix(build_problem(other, BASE).arrays.matrix)).warm
