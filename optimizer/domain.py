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
    elec_demand_twh: float | None = None  # [TWh/yr]; None = unknown

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


CAPACITY_STATUSES = ("existing", "committed", "buildable")


@dataclass(frozen=True, slots=True)
class Site:
    """A data centre that can host pooled compute: existing, committed or buildable."""

    id: str
    country: str  # ISO 3166-1 alpha-2
    it_capacity_mw: float  # [MW IT] of an existing or committed site; 0 for buildable ones
    pue: float  # [-], >= 1
    latitude: float | None = None
    longitude: float | None = None
    wue_l_per_kwh: float = 0.0  # [L/kWh IT]; unknown is not counted
    expansion_limit_mw: float | None = None  # [MW IT] most new capacity; see can_build
    category: str = ""
    capacity_status: str = "existing"
    online_year: int | None = None  # first year a committed site is available
    retire_year: int | None = None  # first year the capacity is gone
    lead_time_years: float | None = None  # [years]; None = the scenario's default
    facility_capex_eur_per_mw: float | None = None  # [EUR/MW IT]; None = the scenario's
    name: str = ""

    def __post_init__(self) -> None:
        _check(
            self.it_capacity_mw >= 0 and self.pue >= 1,
            f"site {self.id}: it_capacity_mw={self.it_capacity_mw}, pue={self.pue}",
        )
        _check(
            self.expansion_limit_mw is None or self.expansion_limit_mw >= 0,
            f"site {self.id}: expansion_limit_mw={self.expansion_limit_mw}",
        )
        _check(
            self.capacity_status in CAPACITY_STATUSES,
            f"site {self.id}: capacity_status {self.capacity_status!r} not in {CAPACITY_STATUSES}",
        )

    def available_mw(self, plan_year: int) -> float:
        """Return the capacity that exists in the plan year at no new cost [MW IT]."""
        if self.capacity_status == "buildable":
            return 0.0
        if self.retire_year is not None and self.retire_year <= plan_year:
            return 0.0
        if self.capacity_status == "committed" and (self.online_year or 0) > plan_year:
            return 0.0
        return self.it_capacity_mw

    def build_limit_mw(self) -> float | None:
        """Return the most new capacity the site can take [MW IT]: 0 = none, None = only the
        country's grid allowance limits it (buildable sites without a published bound)."""
        if self.capacity_status == "buildable":
            return self.expansion_limit_mw
        return self.expansion_limit_mw or 0.0


@dataclass(frozen=True, slots=True)
class Period:
    """A representative time slice with its weight in hours and its default profile factors."""

    id: str
    hours: float  # [h]
    price_factor: float = 1.0  # [-]
    carbon_factor: float = 1.0  # [-]
    heat_demand_factor: float = 1.0  # [-] share of recoverable heat that finds a use

    def __post_init__(self) -> None:
        _check(self.hours > 0, f"period {self.id}: hours={self.hours} must be > 0")


#: (price_factor, carbon_factor, heat_demand_factor) of one country in one period; None = the
#: period's default.
Factors = tuple[float | None, float | None, float | None]


@dataclass(frozen=True, slots=True)
class Workload:
    """A workload class, where its rule lets it run, and its share of every state's demand."""

    id: str
    rule: str
    demand_share: float = 1.0  # [-]

    def __post_init__(self) -> None:
        _check(self.rule in RULES, f"workload {self.id}: rule {self.rule!r} not in {RULES}")
        _check(
            0 <= self.demand_share <= 1,
            f"workload {self.id}: demand_share {self.demand_share} not in [0, 1]",
        )


@dataclass(frozen=True, slots=True)
class DemandScenario:
    """A named level of pooled demand and the year the plan serves."""

    id: str
    total_it_mw: float  # [MW IT]
    plan_year: int
    name: str = ""

    def __post_init__(self) -> None:
        _check(self.total_it_mw >= 0, f"demand scenario {self.id}: total {self.total_it_mw}")


@dataclass(frozen=True, slots=True)
class HeatOption:
    """A heat sink that takes a site's waste heat."""

    site_id: str
    sink: str
    recoverable_fraction: float  # [-] of IT power
    sink_capacity_mw_th: float | None = None  # [MW thermal]; None = no limit
    heat_price_eur_per_mwh_th: float | None = None  # [EUR/MWh thermal]; None = scenario's

    def __post_init__(self) -> None:
        _check(
            0 <= self.recoverable_fraction <= 1
            and (self.sink_capacity_mw_th is None or self.sink_capacity_mw_th >= 0),
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
    demand_scenarios: Mapping[str, DemandScenario] = field(default_factory=dict)
    #: published grid allowance for new data-centre builds per country [MW facility]
    energy_cap_mw: Mapping[str, float] = field(default_factory=dict)
    period_factors: Mapping[tuple[str, str], Factors] = field(default_factory=dict)
    #: demand per (state, workload) [MW IT] fixed by a run folder; None = from the scenario
    fixed_demand: Mapping[tuple[str, str], float] | None = None

    def __post_init__(self) -> None:
        for s in self.sites.values():
            _check(s.country in self.states, f"site {s.id}: unknown country {s.country}")
        for (st, w), v in (self.fixed_demand or {}).items():
            _check(
                st in self.states and w in self.workloads,
                f"demand ({st}, {w}): unknown state or workload",
            )
            _check(v >= 0, f"demand ({st}, {w}) = {v} must be >= 0")
        for c, v in self.energy_cap_mw.items():
            _check(c in self.states, f"energy cap {c}: unknown country")
            _check(v >= 0, f"energy cap {c} = {v} must be >= 0")
        for c, p in self.period_factors:
            _check(c in self.states and p in self.periods, f"period factors ({c}, {p}): unknown")
        for h in self.heat_options:
            _check(h.site_id in self.sites, f"heat option: unknown site {h.site_id}")

    def factors(self, country: str, period: str) -> tuple[float, float, float]:
        """Return (price, carbon, heat demand) factors of a country in a period [-]."""
        default = self.periods[period]
        own = self.period_factors.get((country, period), (None, None, None))
        return (
            default.price_factor if own[0] is None else own[0],
            default.carbon_factor if own[1] is None else own[1],
            default.heat_demand_factor if own[2] is None else own[2],
        )


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


def _year(v: Any) -> int | None:
    n = _num(v)
    return None if n is None else int(n)


def inputs_from_records(
    tables: Mapping[str, Iterable[Mapping[str, Any]]],
    capitals: Mapping[str, tuple[float, float]] | None = None,
) -> Inputs:
    """Build Inputs from registry rows (one iterable of dicts per table).

    Empty values get the documented defaults: unknown WUE is not counted, unknown price or
    carbon intensity is 0 (and reported by the plan's warnings). A `demand` table (as a run
    folder holds it) fixes the demand per state and workload.
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
            _num(r.get("elec_demand_twh")),
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
            str(r.get("category") or ""),
            str(r.get("capacity_status") or "existing"),
            _year(r.get("online_year")),
            _year(r.get("retire_year")),
            _num(r.get("lead_time_years")),
            _num(r.get("facility_capex_eur_per_mw")),
            str(r.get("site_name") or r["site_id"]),
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
    factors = {
        (str(r["country"]), str(r["period"])): (
            _num(r.get("price_factor")),
            _num(r.get("carbon_factor")),
            _num(r.get("heat_demand_factor")),
        )
        for r in tables.get("period_factors", ())
    }
    workloads = {
        str(r["workload"]): Workload(
            str(r["workload"]), str(r["rule"]), _num(r.get("demand_share"), 1.0) or 0.0
        )
        for r in tables["workload_classes"]
    }
    heat = tuple(
        HeatOption(
            str(r["site_id"]),
            str(r["sink"]),
            float(r["recoverable_fraction"]),
            _num(r.get("sink_capacity_mw_th")),
            _num(r.get("heat_price_eur_per_mwh_th")),
        )
        for r in tables["heat_options"]
    )
    scenarios = {
        str(r["demand_scenario"]): DemandScenario(
            str(r["demand_scenario"]),
            float(r["total_it_mw"]),
            int(r["plan_year"]),
            str(r.get("name") or ""),
        )
        for r in tables.get("demand_scenarios", ())
    }
    fixed = (
        {(str(r["state"]), str(r["workload"])): float(r["demand_it_mw"]) for r in tables["demand"]}
        if "demand" in tables
        else None
    )
    caps = {str(r["country"]): float(r["energy_cap_mw"]) for r in tables["energy_caps"]}
    return Inputs(states, sites, periods, workloads, heat, scenarios, caps, factors, fixed)
