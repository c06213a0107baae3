"""What differs between two stored runs: their totals, their scenarios and their inputs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from optimizer.summary import METRICS, label


@dataclass(frozen=True)
class RunDiff:
    """Two runs side by side; every table has the columns A and B (or a `side` column)."""

    #: per total both runs report: its words with unit, A's and B's value
    totals: pd.DataFrame
    #: per scenario key whose value differs: the key, A's and B's value (as text)
    scenario: pd.DataFrame
    #: per input table that differs: the rows found in one run only, `side` saying which
    inputs: dict[str, pd.DataFrame]


def diff_runs(a: Mapping[str, Any], b: Mapping[str, Any]) -> RunDiff:
    """Compare two runs as `optimizer.load_run` returns them."""
    keys = [k for k in METRICS if k in a["summary"] or k in b["summary"]]
    totals = pd.DataFrame(
        {
            "total": [label(k) for k in keys],
            "A": [a["summary"].get(k) for k in keys],
            "B": [b["summary"].get(k) for k in keys],
        }
    )
    sa, sb = _settings(a["scenario"]), _settings(b["scenario"])
    scenario = pd.DataFrame(
        [
            (k, sa.get(k, "not set"), sb.get(k, "not set"))
            for k in sorted(set(sa) | set(sb))
            if sa.get(k) != sb.get(k)
        ],
        columns=["key", "A", "B"],
    )
    inputs = {}
    for name in sorted(k for k in set(a["tables"]) | set(b["tables"]) if k.startswith("inputs/")):
        left = _readable(a["tables"].get(name, pd.DataFrame()))
        right = _readable(b["tables"].get(name, pd.DataFrame()))
        merged = left.merge(right, how="outer", indicator="side")
        changed = merged[merged["side"] != "both"]
        if not changed.empty:
            side = changed["side"].astype(str).map({"left_only": "A only", "right_only": "B only"})
            inputs[name] = changed.assign(side=side).reset_index(drop=True)
    return RunDiff(totals, scenario, inputs)


def _settings(scenario_json: str) -> dict[str, str]:
    """Return a stored scenario's settings as text, one entry of a table per dotted key
    (`energy_cap_overrides.DE`), so that a diff names the entry that changed."""
    out: dict[str, str] = {}
    for key, value in json.loads(scenario_json).items():
        if isinstance(value, Mapping):
            out.update({f"{key}.{k}": str(v) for k, v in value.items()})
        else:
            out[key] = str(value)
    return out


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a table as text with numbers rounded for reading (4 decimals), as compared."""
    return frame.round(4).astype(str)
