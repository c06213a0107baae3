"""A golden LP file for a tiny scenario: any change to the formulation shows up as a diff.

After an intended change, regenerate with: UPDATE_GOLDEN=1 uv run pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

from optimizer.api import write_lp
from optimizer.domain import HeatOption
from optimizer.scenario import Scenario
from tests.tiny import tiny

GOLDEN = Path(__file__).parent / "golden" / "tiny.lp"


def test_tiny_lp_matches_golden_file(tmp_path: Path) -> None:
    scenario = Scenario(name="tiny", carbon_price_eur_per_t=100.0, allow_expansion=True,
                        min_home_share=0.2, juste_retour_factor=0.5, fair_access_factor=0.5,
                        emissions_budget_t=10.0, transfer_cost_eur_per_mwh_per_1000km=1.0)
    inputs = tiny(demand_b=4.0, rule="eu", ci_b=100.0, caps={("BB", "h1"): 9.0},
                  heat=(HeatOption("a", "district_heating", 0.5, 3.0, None),),
                  expansion_limit_a=5.0, expansion_cost_a=100.0)
    out = tmp_path / "tiny.lp"
    write_lp(scenario, inputs, out)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(out.read_text())
    assert out.read_text() == GOLDEN.read_text()
