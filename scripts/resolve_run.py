"""Re-solve a run folder from its own files with HiGHS alone and print the objective.

    python scripts/resolve_run.py runs/base [--write-lp model.lp]

A run folder written by `sovcompute solve --out DIR` holds the inputs its LP read (`inputs/`),
the scenario (`scenario.toml`) and the result (`summary.json`). This script rebuilds the LP of
docs/model.md from those files and solves it with highspy. It imports nothing from this
project (only the standard library, pandas to read the tables and highspy), so it is an
independent check: its objective should equal `summary.json`'s `objective_eur`.

It builds the FULL formulation of docs/model.md (one flow x per state s, workload class w,
usable site i and period t; the product may group interchangeable pairs, with the same
objective). Every name below follows docs/model.md: one `add_<family>()` per constraint family.

What comes from where:

* inputs/demand      D_sw [MW IT, every period], after growth.
* inputs/sites       K_i = it_capacity_mw (in the plan year); X_i = expansion_limit_mw
                     (0 = the plan may not build there, empty = only the grid allowance limits
                     it); k_i = annuity_eur_per_mw_yr; PUE, WUE, lat/lon; `usable` false =
                     left out of the LP.
* inputs/states      eu_member, trusted (after the trusted group), price p_c, carbon
                     intensity g_c, contribution share sigma_s, capital lat/lon.
* inputs/energy_caps E_c [MW facility] for every country, after scale and overrides.
* inputs/periods     h_t [h] (and default factors); inputs/period_factors pi_ct, gamma_ct,
                     eta_ct for every country and period.
* inputs/workloads   the rule of each class after the scenario's overrides.
* inputs/heat_options f_ik, Q_ik (empty = no limit), q_ik (resolved).
* scenario.toml      the keys that are not already applied in inputs/ (its header comment
                     lists those that are): carbon price, penalty V, autarky, the rule floors
                     and shares, the budgets and caps, transfer cost, exclude_categories,
                     disabled_constraints, lumpy builds.
* summary.json       the solver options (time limit, tolerances, MIP gap) of the run.

Transfer distance d_si: haversine great-circle distance from the capital of state s to site i
on a sphere of radius 6,371 km (0 if a coordinate is missing), as in docs/model.md.

Lumpy builds (MILP) are solved as the product does: the MILP with the run's mip_rel_gap, then
the LP with the build decisions fixed. A site gets a yes/no build beta_i where the folder says
`capacity_status = buildable` (no capacity in the plan year); the product uses the registry's
status, which differs only for a committed or retired site that has an expansion limit and no
capacity in the plan year (none in the seed). Two MILP solves may stop at different solutions
within the gap, so there the objectives agree to mip_rel_gap, not to the LP's tolerances.

Exit codes: 0 solved (prints `status=...` and `objective_eur=...`); 1 the folder is unreadable
(one line on stderr saying why); 2 the LP has no optimal solution (status printed).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import pandas as pd

INF = math.inf
EARTH_RADIUS_KM = 6371.0
RULES = ("home", "eu", "trusted", "anywhere")

#: The scenario's defaults (optimizer/scenario.py). scenario.toml writes every key that has a
#: value, so these only fill the optional caps it leaves out (None = no cap) in a run folder.
DEFAULTS: dict[str, Any] = {
    "carbon_price_eur_per_t": 67.0,
    "value_of_lost_compute_eur_per_mwh": 1000.0,
    "max_site_share": 1.0,
    "max_country_share": 1.0,
    "lumpy_builds": False,
    "site_fixed_cost_eur_per_yr": 0.0,
    "min_build_mw": 0.0,
    "max_build_mw": None,
    "min_home_share": 0.0,
    "fair_access_factor": 0.0,
    "juste_retour_factor": 0.0,
    "allow_expansion": True,
    "emissions_budget_t": None,
    "water_cap_m3_per_country": None,
    "gpu_cap_per_country": None,
    "gpu_cap_applies_to": "untrusted",
    "kw_per_gpu": 1.275,
    "transfer_cost_eur_per_mwh_per_1000km": 0.0,
    "autarky": False,
    "exclude_categories": [],
    "disabled_constraints": [],
    "time_limit_s": 60.0,
}


class Unreadable(Exception):
    """The run folder lacks a file or a column, or holds a value that cannot be read."""


# --------------------------------------------------------------------------- reading


def _num(value: Any) -> float | None:
    """Return a number, or None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def read_table(folder: Path, name: str) -> list[dict[str, Any]]:
    """Read inputs/<name> in whichever format the run was written (csv, xlsx, parquet, json)."""
    readers: dict[str, Callable[[Path], pd.DataFrame]] = {
        ".csv": lambda p: pd.read_csv(p, keep_default_na=True),
        ".parquet": pd.read_parquet,
        ".xlsx": pd.read_excel,
        ".json": lambda p: pd.read_json(p, orient="records"),
    }
    for suffix, reader in readers.items():
        path = folder / "inputs" / f"{name}{suffix}"
        if path.exists():
            frame = reader(path)
            return [dict(r) for r in frame.to_dict("records")]
    raise Unreadable(f"inputs/{name}: no such table (csv, xlsx, parquet or json)")


@dataclass
class Site:
    id: str
    country: str
    category: str
    status: str  # capacity_status in the plan year: existing (K_i > 0) or buildable
    available_mw: float  # K_i
    build_limit_mw: float | None  # X_i: 0 = no build, None = only the grid allowance
    annuity: float  # k_i [EUR/MW/yr]
    pue: float
    wue: float  # [L/kWh IT]
    lat: float | None
    lon: float | None


@dataclass
class State:
    iso2: str
    eu_member: bool
    trusted: bool
    price: float  # p_c [EUR/MWh]
    ci: float  # g_c [kgCO2/MWh]
    share: float  # sigma_s [-]
    lat: float | None
    lon: float | None


@dataclass
class HeatOption:
    site_id: str
    sink: str
    fraction: float  # f_ik [-]
    capacity: float | None  # Q_ik [MW th], None = no limit
    price: float  # q_ik [EUR/MWh th]


@dataclass
class Run:
    """Everything a run folder says that the LP reads."""

    sites: list[Site]  # the usable sites I, sorted by id
    states: dict[str, State]
    demand: dict[tuple[str, str], float]  # D_sw [MW IT]
    energy_cap: dict[str, float]  # E_c [MW facility]
    hours: dict[str, float]  # h_t [h]
    factors: dict[tuple[str, str], tuple[float, float, float]]  # (c, t) -> pi, gamma, eta
    rule: dict[str, str]  # workload class -> rule
    heat: list[HeatOption]
    scenario: dict[str, Any]
    solver_options: dict[str, Any]


def read_run(folder: Path) -> Run:
    """Read a run folder; raise Unreadable with the reason if a file or a column is missing."""
    if not folder.is_dir():
        raise Unreadable("not a folder")
    try:
        text = (folder / "scenario.toml").read_text(encoding="utf-8")
        scenario = DEFAULTS | tomllib.loads(text)
        summary_path = folder / "summary.json"
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        excluded = set(scenario["exclude_categories"])
        sites = [
            Site(
                id=str(r["site_id"]),
                country=str(r["country"]),
                category=str(r["category"]),
                status=str(r["capacity_status"]),
                available_mw=_num(r["it_capacity_mw"]) or 0.0,
                build_limit_mw=_num(r["expansion_limit_mw"]),
                annuity=float(r["annuity_eur_per_mw_yr"]),
                pue=float(r["pue"]),
                wue=_num(r["wue_l_per_kwh"]) or 0.0,
                lat=_num(r["latitude"]),
                lon=_num(r["longitude"]),
            )
            for r in read_table(folder, "sites")
            if _bool(r["usable"]) and str(r["category"]) not in excluded
        ]
        states = {
            str(r["state"]): State(
                iso2=str(r["state"]),
                eu_member=_bool(r["eu_member"]),
                trusted=_bool(r["trusted"]),
                price=float(r["elec_price_eur_per_mwh"]),
                ci=float(r["grid_ci_g_per_kwh"]),
                share=_num(r["contribution_share"]) or 0.0,
                lat=_num(r["latitude"]),
                lon=_num(r["longitude"]),
            )
            for r in read_table(folder, "states")
        }
        demand = {
            (str(r["state"]), str(r["workload"])): float(r["demand_it_mw"])
            for r in read_table(folder, "demand")
            if float(r["demand_it_mw"]) > 0
        }
        caps = {
            str(r["country"]): float(r["energy_cap_mw"]) for r in read_table(folder, "energy_caps")
        }
        periods = read_table(folder, "periods")
        hours = {str(r["period"]): float(r["hours"]) for r in periods}
        default = {
            str(r["period"]): (
                float(r["price_factor"]),
                float(r["carbon_factor"]),
                float(r["heat_demand_factor"]),
            )
            for r in periods
        }
        factors: dict[tuple[str, str], tuple[float, float, float]] = {
            (c, t): default[t] for c in states for t in hours
        }
        for r in read_table(folder, "period_factors"):
            t = str(r["period"])
            own = (_num(r["price_factor"]), _num(r["carbon_factor"]), _num(r["heat_demand_factor"]))
            factors[(str(r["country"]), t)] = tuple(  # type: ignore[assignment]
                d if v is None else v for v, d in zip(own, default[t], strict=True)
            )
        rule = {str(r["workload"]): str(r["rule"]) for r in read_table(folder, "workloads")}
        heat = [
            HeatOption(
                site_id=str(r["site_id"]),
                sink=str(r["sink"]),
                fraction=float(r["recoverable_fraction"]),
                capacity=_num(r["sink_capacity_mw_th"]),
                price=float(r["heat_price_eur_per_mwh_th"]),
            )
            for r in read_table(folder, "heat_options")
        ]
    except Unreadable:
        raise
    except FileNotFoundError as e:
        raise Unreadable(f"{Path(e.filename).name}: missing") from None
    except KeyError as e:
        raise Unreadable(f"missing column or key {e}") from None
    except (OSError, ValueError, TypeError, tomllib.TOMLDecodeError) as e:
        raise Unreadable(f"{type(e).__name__}: {e}".splitlines()[0]) from None
    bad = sorted(set(rule.values()) - set(RULES))
    if bad:
        raise Unreadable(f"inputs/workloads: unknown rule(s) {', '.join(bad)}")
    for s, w in demand:
        if s not in states or w not in rule:
            raise Unreadable(f"inputs/demand: unknown state or workload ({s}, {w})")
    for site in sites:
        if site.country not in states:
            raise Unreadable(f"inputs/sites: {site.id} in unknown country {site.country}")
    return Run(
        sites=sorted(sites, key=lambda s: s.id),
        states=states,
        demand=demand,
        energy_cap=caps,
        hours=hours,
        factors=factors,
        rule=rule,
        heat=heat,
        scenario=scenario,
        solver_options=summary.get("solver_options", {}),
    )


# --------------------------------------------------------------------------- the LP

Term = tuple[int, float]  # (column index, coefficient)
XKey = tuple[str, str, str, str]  # (state, workload, site, period)


@dataclass
class LP:
    """Columns and rows of the LP, collected in Python and handed to HiGHS at once."""

    cost: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    col_names: list[str] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    row_names: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def var(self, name: str, cost: float = 0.0, upper: float = INF, integer: bool = False) -> int:
        """Add a variable >= 0 with its cost in the objective; return its column."""
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(integer)
        self.col_names.append(name)
        return len(self.cost) - 1

    def row(self, name: str, terms: Iterable[Term], sense: str, rhs: float) -> None:
        """Add the constraint  sum(coefficient x column) <sense> rhs."""
        lower, upper = {"<=": (-INF, rhs), ">=": (rhs, INF), "==": (rhs, rhs)}[sense]
        self.starts.append(len(self.index))
        for col, coef in terms:
            self.index.append(col)
            self.value.append(coef)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        self.row_names.append(name)

    def to_highs(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = self.cost
        lp.col_lower_ = [0.0] * len(self.cost)
        lp.col_upper_ = self.upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.col_names_ = self.col_names
        lp.row_names_ = self.row_names
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = [*self.starts, len(self.index)]
        lp.a_matrix_.index_ = self.index
        lp.a_matrix_.value_ = self.value
        if any(self.integer):
            kinds = highspy.HighsVarType
            lp.integrality_ = [kinds.kInteger if i else kinds.kContinuous for i in self.integer]
        return lp


@dataclass
class Model:
    """The run's data and the LP's handles, as in docs/model.md."""

    run: Run
    lp: LP = field(default_factory=LP)
    x: dict[XKey, int] = field(default_factory=dict)
    emissions: dict[XKey, float] = field(default_factory=dict)  # e_it [tCO2 per MW]
    unserved: dict[tuple[str, str, str], int] = field(default_factory=dict)
    new: dict[str, int] = field(default_factory=dict)  # y_i
    build: dict[str, int] = field(default_factory=dict)  # beta_i (lumpy builds)

    @property
    def sc(self) -> dict[str, Any]:
        return self.run.scenario

    def on(self, family: str) -> bool:
        return family not in self.sc["disabled_constraints"]

    def shortfall(self, family: str, key: str, t: str) -> Term:
        """A rule's slack z, priced at V x h_t [MW IT]."""
        v = float(self.sc["value_of_lost_compute_eur_per_mwh"])
        col = self.lp.var(f"shortfall_{family}_{key}_{t}", cost=v * self.run.hours[t])
        return (col, 1.0)

    def by(self, key: Callable[[XKey], Any]) -> dict[Any, list[int]]:
        """The x columns grouped by a function of their (s, w, i, t)."""
        out: dict[Any, list[int]] = defaultdict(list)
        for k, col in self.x.items():
            out[key(k)].append(col)
        return out

    def total_demand(self) -> float:
        """sum_sw D_sw [MW IT], the same in every period."""
        return sum(self.run.demand.values())

    def demand_of_state(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for (s, _), d in self.run.demand.items():
            out[s] += d
        return out


def distance_km(
    a: tuple[float | None, float | None], b: tuple[float | None, float | None]
) -> float:
    """Haversine great-circle distance [km] on a sphere of radius 6,371 km; 0 if unknown."""
    if None in a or None in b:
        return 0.0
    lat1, lon1, lat2, lon2 = (math.radians(v) for v in (*a, *b))  # type: ignore[arg-type]
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def allowed(m: Model, rule: str, s: str, site: Site) -> bool:
    """A(s, w): home always; eu = EU members; trusted = inputs/states.trusted; anywhere."""
    if site.country == s or rule == "anywhere":
        return True
    if rule == "eu":
        return m.run.states[site.country].eu_member
    if rule == "trusted":
        return m.run.states[site.country].trusted
    return False


def can_build(m: Model, site: Site) -> bool:
    """i in N: the plan may build there (the folder writes X_i = 0 where it may not)."""
    return bool(m.sc["allow_expansion"]) and m.on("site_capacity") and site.build_limit_mw != 0


def add_variables(m: Model) -> None:
    """x_swit with cost a_it + tau e_it + b_sit, u_swt at V h_t, and y_i <= X_i at k_i."""
    run, sc = m.run, m.sc
    tau = float(sc["carbon_price_eur_per_t"])
    kappa = float(sc["transfer_cost_eur_per_mwh_per_1000km"])
    voll = float(sc["value_of_lost_compute_eur_per_mwh"])
    for (s, w), _ in sorted(run.demand.items()):
        home = run.states[s]
        for t, h in run.hours.items():
            m.unserved[(s, w, t)] = m.lp.var(f"unserved_{s}_{w}_{t}", cost=voll * h)
            for site in run.sites:
                if sc["autarky"] and site.country != s:
                    continue
                host = run.states[site.country]
                price_f, carbon_f, _ = run.factors[(site.country, t)]
                a = site.pue * h * host.price * price_f  # energy [EUR per MW]
                e = site.pue * h * host.ci * carbon_f / 1000.0  # emissions [tCO2 per MW]
                b = 0.0  # transfer [EUR per MW]
                if kappa and site.country != s:
                    km = distance_km((home.lat, home.lon), (site.lat, site.lon))
                    b = h * km / 1000.0 * kappa
                key = (s, w, site.id, t)
                m.x[key] = m.lp.var(f"x_{s}_{w}_{site.id}_{t}", cost=a + tau * e + b)
                m.emissions[key] = e
    for site in run.sites:
        if not can_build(m, site):
            continue
        limit = site.build_limit_mw
        lumpy = bool(sc["lumpy_builds"]) and site.status == "buildable"
        if lumpy and sc["max_build_mw"] is not None:
            limit = sc["max_build_mw"] if limit is None else min(limit, sc["max_build_mw"])
        upper = INF if limit is None else float(limit)
        m.new[site.id] = m.lp.var(f"new_{site.id}", cost=site.annuity, upper=upper)
        if lumpy:
            m.build[site.id] = m.lp.var(
                f"build_{site.id}",
                cost=float(sc["site_fixed_cost_eur_per_yr"]),
                upper=1.0,
                integer=True,
            )


def add_demand(m: Model) -> None:
    """demand_<s>_<w>_<t>:  sum_i x_swit + u_swt = D_sw  [MW IT]."""
    served = m.by(lambda k: (k[0], k[1], k[3]))
    for (s, w), d in sorted(m.run.demand.items()):
        for t in m.run.hours:
            terms = [(c, 1.0) for c in served.get((s, w, t), [])]
            terms.append((m.unserved[(s, w, t)], 1.0))
            m.lp.row(f"demand_{s}_{w}_{t}", terms, "==", d)


def add_site_capacity(m: Model) -> None:
    """site_capacity_<i>_<t>:  sum_sw x_swit - y_i <= K_i  [MW IT]."""
    at_site = m.by(lambda k: (k[2], k[3]))
    for site in m.run.sites:
        for t in m.run.hours:
            terms = [(c, 1.0) for c in at_site.get((site.id, t), [])]
            if not terms:
                continue
            if site.id in m.new:
                terms.append((m.new[site.id], -1.0))
            m.lp.row(f"site_capacity_{site.id}_{t}", terms, "<=", site.available_mw)


def add_energy_cap(m: Model) -> None:
    """energy_cap_<c>:  sum_{i in I_c and N} PUE_i y_i <= E_c  [MW facility]."""
    by_country: dict[str, list[Term]] = defaultdict(list)
    for site in m.run.sites:
        if site.id in m.new:
            by_country[site.country].append((m.new[site.id], site.pue))
    for c, terms in sorted(by_country.items()):
        m.lp.row(f"energy_cap_{c}", terms, "<=", m.run.energy_cap.get(c, 0.0))


def add_concentration(m: Model) -> None:
    """site_share_<i>_<t>, country_share_<c>_<t>: load <= share x total demand [MW IT]."""
    total = m.total_demand()
    site_share, country_share = float(m.sc["max_site_share"]), float(m.sc["max_country_share"])
    if site_share < 1:
        for (i, t), cols in sorted(m.by(lambda k: (k[2], k[3])).items()):
            m.lp.row(f"site_share_{i}_{t}", [(c, 1.0) for c in cols], "<=", site_share * total)
    if country_share < 1:
        country = {s.id: s.country for s in m.run.sites}
        for (c, t), cols in sorted(m.by(lambda k: (country[k[2]], k[3])).items()):
            m.lp.row(
                f"country_share_{c}_{t}", [(x, 1.0) for x in cols], "<=", country_share * total
            )


def add_sovereignty(m: Model) -> None:
    """sovereignty_<s>_<w>_<t>:  sum_{i not in A(s,w)} x_swit <= 0  [MW IT]."""
    site = {s.id: s for s in m.run.sites}
    forbidden: dict[tuple[str, str, str], list[Term]] = defaultdict(list)
    for (s, w, i, t), col in m.x.items():
        if not allowed(m, m.run.rule[w], s, site[i]):
            forbidden[(s, w, t)].append((col, 1.0))
    for (s, w, t), terms in sorted(forbidden.items()):
        m.lp.row(f"sovereignty_{s}_{w}_{t}", terms, "<=", 0.0)


def add_home_share(m: Model) -> None:
    """home_share_<s>_<t>:  sum_{w, i in I_s} x_swit + z >= m sum_w D_sw  [MW IT]."""
    country = {s.id: s.country for s in m.run.sites}
    at_home = m.by(lambda k: (k[0], k[3]) if country[k[2]] == k[0] else None)
    share = float(m.sc["min_home_share"])
    for s, d in sorted(m.demand_of_state().items()):
        for t in m.run.hours:
            terms = [(c, 1.0) for c in at_home.get((s, t), [])]
            terms.append(m.shortfall("home_share", s, t))
            m.lp.row(f"home_share_{s}_{t}", terms, ">=", share * d)


def add_fair_access(m: Model) -> None:
    """fair_access_<s>_<t>:  sum_wi x_swit + z >= min(sum_w D_sw, phi sigma_s sum D)."""
    served = m.by(lambda k: (k[0], k[3]))
    phi, total = float(m.sc["fair_access_factor"]), m.total_demand()
    for s, d in sorted(m.demand_of_state().items()):
        rhs = min(d, phi * m.run.states[s].share * total)
        if rhs <= 0:
            continue
        for t in m.run.hours:
            terms = [(c, 1.0) for c in served.get((s, t), [])]
            terms.append(m.shortfall("fair_access", s, t))
            m.lp.row(f"fair_access_{s}_{t}", terms, ">=", rhs)


def add_juste_retour(m: Model) -> None:
    """pooled_load_<t>: sum x - L_t = 0;  juste_retour_<c>_<t>: sum_{i in I_c} x - rho
    sigma_c L_t + z >= 0, for every contributing country with capacity or a build option [MW IT]."""
    rho = float(m.sc["juste_retour_factor"])
    pooled = {}
    for t, cols in sorted(m.by(lambda k: k[3]).items()):
        pooled[t] = m.lp.var(f"pooled_load_{t}")
        m.lp.row(f"pooled_load_{t}", [(c, 1.0) for c in cols] + [(pooled[t], -1.0)], "==", 0.0)
    country = {s.id: s.country for s in m.run.sites}
    hosted = m.by(lambda k: (country[k[2]], k[3]))
    # Owed: a country with capacity or a build option, whether or not the capacity rule is on.
    may_build = bool(m.sc["allow_expansion"])
    owed = {
        s.country
        for s in m.run.sites
        if s.available_mw > 0 or (may_build and s.build_limit_mw != 0)
    }
    for c in sorted(set(country.values())):
        share = m.run.states[c].share
        if share <= 0 or c not in owed:
            continue
        for t, load in sorted(pooled.items()):
            terms = [(x, 1.0) for x in hosted.get((c, t), [])]
            terms += [(load, -rho * share), m.shortfall("juste_retour", c, t)]
            m.lp.row(f"juste_retour_{c}_{t}", terms, ">=", 0.0)


def add_heat(m: Model) -> None:
    """heat_recovery_<i>_<k>_<t>: r - f_ik eta_ct sum x <= 0; heat_sink: r <= Q_ik [MW th];
    the reused heat r earns q_ik h_t per MW th."""
    at_site = m.by(lambda k: (k[2], k[3]))
    country = {s.id: s.country for s in m.run.sites}
    for opt in m.run.heat:
        for t, h in m.run.hours.items():
            cols = at_site.get((opt.site_id, t), [])
            if not cols:  # not a usable site, or no flow can reach it
                continue
            use = opt.fraction * m.run.factors[(country[opt.site_id], t)][2]
            r = m.lp.var(f"heat_{opt.site_id}_{opt.sink}_{t}", cost=-opt.price * h)
            name = f"{opt.site_id}_{opt.sink}_{t}"
            m.lp.row(f"heat_recovery_{name}", [(r, 1.0)] + [(c, -use) for c in cols], "<=", 0.0)
            if opt.capacity is not None:
                m.lp.row(f"heat_sink_{name}", [(r, 1.0)], "<=", opt.capacity)


def add_emissions_budget(m: Model) -> None:
    """emissions_budget:  sum e_it x_swit <= B  [tCO2/yr]."""
    terms = [(col, m.emissions[k]) for k, col in m.x.items() if m.emissions[k] > 0]
    m.lp.row("emissions_budget", terms, "<=", float(m.sc["emissions_budget_t"]))


def add_water(m: Model) -> None:
    """water_<c>:  sum_{i in I_c, t} WUE_i h_t x_swit <= U  [m3/yr]."""
    site = {s.id: s for s in m.run.sites}
    for c, keys in sorted(_keys_by(m, lambda k: site[k[2]].country).items()):
        terms = [(m.x[k], site[k[2]].wue * m.run.hours[k[3]]) for k in keys if site[k[2]].wue > 0]
        if terms:
            m.lp.row(f"water_{c}", terms, "<=", float(m.sc["water_cap_m3_per_country"]))


def _keys_by(m: Model, key: Callable[[XKey], Any]) -> dict[Any, list[XKey]]:
    out: dict[Any, list[XKey]] = defaultdict(list)
    for k in m.x:
        out[key(k)].append(k)
    return out


def add_gpu_cap(m: Model) -> None:
    """gpu_cap_<c>_<t>:  sum_{i in I_c} (1000/omega) x_swit <= Gamma, for the capped
    countries (outside the trusted group, or all) [GPU-equivalents]."""
    per_mw = 1000.0 / float(m.sc["kw_per_gpu"])
    country = {s.id: s.country for s in m.run.sites}
    for (c, t), cols in sorted(m.by(lambda k: (country[k[2]], k[3])).items()):
        if m.sc["gpu_cap_applies_to"] == "untrusted" and m.run.states[c].trusted:
            continue
        terms = [(x, per_mw) for x in cols]
        m.lp.row(f"gpu_cap_{c}_{t}", terms, "<=", float(m.sc["gpu_cap_per_country"]))


def add_build_size(m: Model) -> None:
    """build_max_<i>: y_i <= M_i beta_i; build_min_<i>: y_i >= B_min beta_i (lumpy builds);
    M_i = min(X_i, B_max), else the peak total demand (never bigger than the demand)."""
    total, smallest = m.total_demand(), float(m.sc["min_build_mw"])
    for i, beta in m.build.items():
        limit = m.lp.upper[m.new[i]]
        big = total if limit == INF else min(limit, max(total, smallest))
        m.lp.row(f"build_max_{i}", [(m.new[i], 1.0), (beta, -big)], "<=", 0.0)
        if smallest > 0:
            m.lp.row(f"build_min_{i}", [(m.new[i], 1.0), (beta, -smallest)], ">=", 0.0)


def build_model(run: Run) -> Model:
    """The LP of docs/model.md, every family that the scenario leaves switched on."""
    m = Model(run)
    sc = run.scenario
    add_variables(m)
    add_build_size(m)
    add_demand(m)
    if m.on("site_capacity"):
        add_site_capacity(m)
    if m.on("energy_cap"):
        add_energy_cap(m)
    if m.on("concentration"):
        add_concentration(m)
    if m.on("sovereignty") and not sc["autarky"]:
        add_sovereignty(m)
    if m.on("home_share") and sc["min_home_share"] > 0:
        add_home_share(m)
    if m.on("fair_access") and sc["fair_access_factor"] > 0:
        add_fair_access(m)
    if m.on("juste_retour") and sc["juste_retour_factor"] > 0:
        add_juste_retour(m)
    if m.on("heat"):
        add_heat(m)
    if m.on("emissions_budget") and sc["emissions_budget_t"] is not None:
        add_emissions_budget(m)
    if m.on("water") and sc["water_cap_m3_per_country"] is not None:
        add_water(m)
    if m.on("gpu_cap") and sc["gpu_cap_per_country"] is not None:
        add_gpu_cap(m)
    return m


# --------------------------------------------------------------------------- solving


def solve(m: Model, write_lp: Path | None = None) -> tuple[str, float | None]:
    """Solve with the run's solver options; return (HiGHS model status, objective [EUR/yr]).

    With lumpy builds, as in the product: solve the MILP, fix the build decisions, solve the LP.
    """
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    options = m.run.solver_options
    h.setOptionValue("time_limit", float(options.get("time_limit_s", m.sc["time_limit_s"])))
    for key in ("primal_feasibility_tolerance", "dual_feasibility_tolerance", "mip_rel_gap"):
        if key in options:
            h.setOptionValue(key, float(options[key]))
    h.passModel(m.lp.to_highs())
    if write_lp is not None:
        h.writeModel(str(write_lp))
    h.run()
    status = h.getModelStatus()
    if m.build and status == highspy.HighsModelStatus.kOptimal:
        values = h.getSolution().col_value
        cols = list(m.build.values())
        fixed = [float(round(values[c])) for c in cols]
        for c, v in zip(cols, fixed, strict=True):
            h.changeColIntegrality(c, highspy.HighsVarType.kContinuous)
            h.changeColBounds(c, v, v)
        h.run()
        status = h.getModelStatus()
    text = h.modelStatusToString(status)
    if status != highspy.HighsModelStatus.kOptimal:
        return text, None
    return text, float(h.getInfo().objective_function_value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path, help="run folder (sovcompute solve --out DIR)")
    parser.add_argument("--write-lp", type=Path, help="also write the LP (HiGHS .lp/.mps)")
    args = parser.parse_args(argv)
    try:
        run = read_run(args.folder)
    except Unreadable as e:
        print(f"error: {args.folder}: {e}", file=sys.stderr)
        return 1
    m = build_model(run)
    status, objective = solve(m, args.write_lp)
    print(f"status={status}")
    print(f"variables={len(m.lp.cost)} constraints={len(m.lp.row_lower)} formulation=full")
    if objective is None:
        return 2
    print(f"objective_eur={objective!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
