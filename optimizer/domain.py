"""The planning problem's inputs as frozen objects that guard themselves. Standard library only."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

RULES = ("home", "eu", "trusted", "anywhere")


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(what)


@dataclass(frozen=True, slots=True)
class State:
    """A member state: where demand comes from and where sites stand."""

    iso2: str
    eu_member: bool
    elec_price_eur_per_mwh: float  # [EUR/MWh]
    grid_ci_g_per_kwh: float  # [gCO2/kWh]
    contribution_share: float = 0.0  # [-]
    trusted_groups: frozenset[str] = frozenset()
    latitude: float | None = None  # [deg], the capital, for transfer distances
    longitude: float | None = None

    def __post_init__(self) -> None:
        _check(
            self.elec_price_eur_per_mwh >= 0 and self.grid_ci_g_per_kwh >= 0,
            f"state {self.iso2}: price {self.elec_price_eur_per_mwh}, "
            f"carbon intensity {self.grid_ci_g_per_kwh} must be >= 0",
        )
        _check(
            0 <= self.contribution_share <= 1,
            f"state {self.iso2}: contribution_share {self.contribution_share} not in [0, 1]",
        )


@dataclass(frozen=True, slots=True)
class Site:
    """A data centre that can host pooled compute."""

    id: str
    country: str  # ISO 3166-1 alpha-2
    it_capacity_mw: float  # [MW IT]; unknown capacity is 0
    pue: float  # [-], >= 1
    latitude: float | None = None
    longitude: float | None = None
    wue_l_per_kwh: float = 0.0  # [L/kWh IT]; unknown is not counted
    expansion_limit_mw: float | None = None  # [MW IT]; None = the energy cap limits it
    expansion_cost_eur_per_mw_yr: float = 0.0  # [EUR/MW/yr]
    category: str = ""

    def __post_init__(self) -> None:
        _check(
            self.it_capacity_mw >= 0 and self.pue >= 1,
            f"site {self.id}: it_capacity_mw={self.it_capacity_mw}, pue={self.pue}",
        )
        _check(
            self.expansion_limit_mw is None or self.expansion_limit_mw >= 0,
            f"site {self.id}: expansion_limit_mw={self.expansion_limit_mw}",
        )


@dataclass(frozen=True, slots=True)
class Period:
    """A representative time slice with its weight in hours and its profile factors."""

    id: str
    hours: float  # [h]
    price_factor: float = 1.0  # [-]
    carbon_factor: float = 1.0  # [-]
    heat_demand_factor: float = 1.0  # [-]

    def __post_init__(self) -> None:
        _check(self.hours > 0, f"period {self.id}: hours={self.hours} must be > 0")


@dataclass(frozen=True, slots=True)
class Workload:
    """A workload class and where its rule lets it run."""

    id: str
    rule: str

    def __post_init__(self) -> None:
        _check(self.rule in RULES, f"workload {self.id}: rule {self.rule!r} not in {RULES}")


@dataclass(frozen=True, slots=True)
class HeatOption:
    """A heat sink that takes a site's waste heat."""

    site_id: str
    sink: str
    recoverable_fraction: float  # [-] of IT power
    sink_capacity_mw_th: float  # [MW thermal] in a period with heat_demand_factor 1
    heat_price_eur_per_mwh_th: float | None = None  # [EUR/MWh thermal]; None = scenario's

    def __post_init__(self) -> None:
        _check(
            0 <= self.recoverable_fraction <= 1 and self.sink_capacity_mw_th >= 0,
            f"heat option {self.site_id}/{self.sink}: fraction {self.recoverable_fraction}, "
            f"capacity {self.sink_capacity_mw_th}",
        )


@dataclass(frozen=True)
class Inputs:
    """Everything the model reads, checked for consistency."""

    states: Mapping[str, State]
    sites: Mapping[str, Site]
    periods: Mapping[str, Period]
    workloads: Mapping[str, Workload]
    heat_options: tuple[HeatOption, ...] = ()
    demand_it_mw: Mapping[tuple[str, str, str], float] = field(default_factory=dict)
    energy_cap_mw: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for s in self.sites.values():
            _check(s.country in self.states, f"site {s.id}: unknown country {s.country}")
        for (st, w, p), v in self.demand_it_mw.items():
            _check(
                st in self.states and w in self.workloads and p in self.periods,
                f"demand ({st}, {w}, {p}): unknown state, workload or period",
            )
            _check(v >= 0, f"demand ({st}, {w}, {p}) = {v} must be >= 0")
        for (c, p), v in self.energy_cap_mw.items():
            _check(c in self.states and p in self.periods, f"energy cap ({c}, {p}): unknown")
            _check(v >= 0, f"energy cap ({c}, {p}) = {v} must be >= 0")
        for h in self.heat_options:
            _check(h.site_id in self.sites, f"heat option: unknown site {h.site_id}")

    @property
    def demand_states(self) -> list[str]:
        """Return the states with any demand, sorted."""
        return sorted({s for (s, _, _), v in self.demand_it_mw.items() if v > 0})

    def total_demand(self, period: str) -> float:
        """Return the total demand in a period [MW IT]."""
        return sum(v for (_, _, p), v in self.demand_it_mw.items() if p == period)


def distance_km(
    a: tuple[float | None, float | None], b: tuple[float | None, float | None]
) -> float:
    """Return the great-circle distance between two (lat, lon) points [km]; 0 if unknown."""
    if None in a or None in b:
        return 0.0
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))  # type: ignore[arg-type]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def _num(v: Any, default: float | None = None) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return default
    return float(v)


def inputs_from_records(
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    capitals: Mapping[str, tuple[float, float]] | None = None,
) -> Inputs:
    """Build Inputs from registry rows (one iterable of dicts per table).

    Empty values get the documented defaults: unknown IT capacity is 0 MW, unknown WUE is not
    counted, unknown price or carbon intensity is 0 (and reported by the plan's warnings).
    """
    capitals = capitals or {}
    states = {}
    for r in tables["member_states"]:
        iso = str(r["iso2"])
        lat, lon = capitals.get(iso, (None, None))
        groups = str(r.get("trusted_groups") or "")
        states[iso] = State(
            iso,
            bool(r["eu_member"]),
            _num(r.get("elec_price_eur_per_mwh"), 0.0) or 0.0,
            _num(r.get("grid_ci_g_per_kwh"), 0.0) or 0.0,
            _num(r.get("contribution_share"), 0.0) or 0.0,
            frozenset(g.strip() for g in groups.split(",") if g.strip()),
            lat,
            lon,
        )
    sites = {
        str(r["site_id"]): Site(
            str(r["site_id"]),
            str(r["country"]),
            _num(r.get("it_capacity_mw"), 0.0) or 0.0,
            float(r["pue"]),
            _num(r.get("latitude")),
            _num(r.get("longitude")),
            _num(r.get("wue_l_per_kwh"), 0.0) or 0.0,
            _num(r.get("expansion_limit_mw")),
            _num(r.get("expansion_cost_eur_per_mw_yr"), 0.0) or 0.0,
            str(r.get("category") or ""),
        )
        for r in tables["sites"]
    }
    periods = {
        str(r["period"]): Period(
            str(r["period"]),
            float(r["hours"]),
            float(r["price_factor"]),
            float(r["carbon_factor"]),
            float(r["heat_demand_factor"]),
        )
        for r in tables["periods"]
    }
    workloads = {
        str(r["workload"]): Workload(str(r["workload"]), str(r["rule"]))
        for r in tables["workload_classes"]
    }
    heat = tuple(
        HeatOption(
            str(r["site_id"]),
            str(r["sink"]),
            float(r["recoverable_fraction"]),
            float(r["sink_capacity_mw_th"]),
            _num(r.get("heat_price_eur_per_mwh_th")),
        )
        for r in tables["heat_options"]
    )
    demand = {
        (str(r["state"]), str(r["workload"]), str(r["period"])): float(r["demand_it_mw"])
        for r in tables["demand"]
    }
    caps = {
        (str(r["country"]), str(r["period"])): float(r["energy_cap_mw"])
        for r in tables["energy_caps"]
    }
    return Inputs(states, sites, periods, workloads, heat, demand, caps)
