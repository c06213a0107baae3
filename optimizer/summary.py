"""A plan's headline: how the solve ran and its totals, typed, each total declared once with its
label and unit.

Pages, the CLI, the pooling comparison and sweeps read these fields by name and take their
words from `label()`; `to_dict()` is what a run folder's summary.json and the runs table hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any


def _metric(label: str, unit: str, note: str = "") -> Any:
    """Declare a total: None where the plan has no solution."""
    return field(default=None, metadata={"label": label, "unit": unit, "note": note})


@dataclass(frozen=True)
class Summary:
    """How the solve ran and what the plan adds up to (totals over the year)."""

    scenario: str
    status: str
    message: str
    #: LP or MILP, aggregated or full; where the shadow prices come from
    formulation: str
    plan_year: int
    demand_scenario: str
    variables: int
    constraints: int
    build_seconds: float
    solve_seconds: float
    solver_options: Mapping[str, Any]
    versions: Mapping[str, str]
    data_attribution: str
    solver: str = "HiGHS"
    #: each cost term of the objective [EUR/yr]
    cost_breakdown_eur: Mapping[str, float] = field(default_factory=dict)
    objective_eur: float | None = _metric(
        "Objective", "EUR/yr", "money, the carbon cost and the penalties the solver minimised"
    )
    cost_eur: float | None = _metric(
        "Annual cost", "EUR/yr", "energy, capital annuities, transfer, less heat revenue"
    )
    carbon_cost_eur: float | None = _metric(
        "Carbon cost on top of prices", "EUR/yr", "a shadow cost: power prices carry the EU ETS"
    )
    penalty_eur: float | None = _metric(
        "Penalties", "EUR/yr", "on unserved demand and unmet rules; not money"
    )
    demand_mwh: float | None = _metric("Demand", "MWh IT/yr")
    served_mwh: float | None = _metric("Served demand", "MWh IT/yr")
    unserved_mwh: float | None = _metric("Unserved demand", "MWh/yr")
    unserved_peak_mw: float | None = _metric("Unserved demand at the peak", "MW IT")
    shortfall_mwh: float | None = _metric("Rule shortfall", "MWh/yr")
    emissions_t: float | None = _metric("Emissions", "tCO2/yr")
    heat_reused_mwh_th: float | None = _metric("Reused heat", "MWh th/yr")
    water_m3: float | None = _metric("Water", "m3/yr")
    new_mw: float | None = _metric("New capacity built", "MW IT")
    existing_used_mw: float | None = _metric("Existing capacity used", "MW IT")
    home_share: float | None = _metric("Served at home", "share")
    min_access_ratio: float | None = _metric(
        "Fair access met", "share", "the worst-served state's share of its entitlement"
    )
    juste_retour_met: float | None = _metric(
        "Juste retour met", "share", "contribution-weighted, in the contributing countries owed it"
    )

    def to_dict(self) -> dict[str, Any]:
        """Return plain values (mappings as dicts), as summary.json holds them."""
        return {k: dict(v) if isinstance(v, Mapping) else v for k, v in asdict(self).items()}


#: The totals a plan is read by, in the order the Plan page, the CLI and the comparison show them.
HEADLINE = (
    "cost_eur",
    "new_mw",
    "existing_used_mw",
    "emissions_t",
    "carbon_cost_eur",
    "heat_reused_mwh_th",
    "unserved_mwh",
    "home_share",
    "shortfall_mwh",
)
#: The totals, in declaration order.
METRICS = tuple(f.name for f in fields(Summary) if "label" in f.metadata)
_META = {f.name: f.metadata for f in fields(Summary) if "label" in f.metadata}


def label(name: str, note: bool = False) -> str:
    """Return a total's words with its unit ("Annual cost [EUR/yr]"), optionally its note."""
    meta = _META[name]
    unit = f" [{meta['unit']}]" if meta["unit"] != "share" else ""
    text = f"{meta['label']}{unit}"
    return f"{text}: {meta['note']}" if note and meta["note"] else text


def eur(x: float) -> str:
    """Format an amount of euros with a magnitude suffix (k, M, bn)."""
    for div, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(x) >= div:
            return f"{x / div:,.2f}{suffix}"
    return f"{x:,.0f}"


def formatted(name: str, value: float | None) -> str:
    """Return a total rounded for reading: EUR with a magnitude, shares in percent."""
    if value is None:
        return "-"
    unit = _META[name]["unit"]
    if unit == "share":
        return f"{value:.1%}"
    if unit.startswith("EUR"):
        return eur(value)
    return f"{value:,.1f}" if unit == "MW IT" else f"{value:,.0f}"


def headline(summary: Summary) -> list[str]:
    """Return one line per headline total ("Annual cost [EUR/yr]: 5.47 bn")."""
    return [f"{label(k)}: {formatted(k, getattr(summary, k))}" for k in HEADLINE]
