"""Build the pooled-allocation linear program: variables, then the constraint families that
optimizer.families declares, in its order, each switch by the `add_*` function registered
with `@builds`.

Columns are created in batches and rows from arrays of column ids and coefficients (see
optimizer.lparrays), never by repeated addition or one Python object per term, so that
building stays small next to solving. Constraint names are API: they are
listed in docs/model.md with the meaning of their duals.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pulp

from optimizer import families as F
from optimizer.domain import DemandScenario, Inputs, Site, distance_km
from optimizer.families import FAMILY, SWITCHES, Switch
from optimizer.lparrays import ArrayLp, Floats, Ids, Sense, paused_gc
from optimizer.scenario import EU_MEMBERS, Scenario, ScenarioError

#: the fields that name a constraint's subject
KEY_FIELDS = ("group", "state", "country", "site", "sink", "period")
Member = tuple[str, str]  # (state, workload)


@dataclass
class Flows:
    """The x columns (IT load of a demand group at a site in a period) as parallel arrays."""

    col: Ids  # column of each flow
    group: Ids  # index into Problem.groups
    site: Ids  # index into Problem.sites
    period: Ids  # index into Problem.periods
    #: per MW: energy cost, carbon cost, transfer cost [EUR/yr], emissions [t/yr]
    energy: Floats
    carbon: Floats
    transfer: Floats
    emissions: Floats


@dataclass
class Problem:
    """The LP (or MILP), the same LP as arrays, and the handles needed to read a plan back."""

    lp: pulp.LpProblem
    inputs: Inputs
    scenario: Scenario
    plan_year: int = 0
    arrays: ArrayLp = field(init=False)
    #: the flows; their groups, sites and periods are indices into these lists
    x: Flows = field(init=False)
    groups: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    #: column of unserved demand per (group, period)
    unserved: dict[tuple[str, str], int] = field(default_factory=dict)
    #: column of new IT capacity built per site [MW IT]; `build` the yes/no of lumpy builds
    new: dict[str, int] = field(default_factory=dict)
    build: dict[str, int] = field(default_factory=dict)
    heat: dict[tuple[str, str, str], int] = field(default_factory=dict)
    shortfall: dict[tuple[str, str, str], int] = field(default_factory=dict)
    pooled_load: dict[str, int] = field(default_factory=dict)
    #: per row, in row order: its name, family, right-hand side and each key field (None if
    #: none)
    row_names: list[str] = field(default_factory=list)
    row_family: list[str] = field(default_factory=list)
    rhs: list[float] = field(default_factory=list)
    row_keys: dict[str, list[str | None]] = field(
        default_factory=lambda: {k: [] for k in KEY_FIELDS}
    )
    #: heat_recovery rows: (row, heat-use factor if the option recovers any heat else 0,
    #: site index, period index), to value their lever (see solve._dual_table)
    heat_rows: list[tuple[int, float, int, int]] = field(default_factory=list)
    #: demand per state, workload and period [MW IT]
    demand: dict[tuple[str, str, str], float] = field(default_factory=dict)
    #: demand groups: the (state, workload) pairs that share one flow variable per site and
    #: period (one pair per group in the full formulation) and their demand [MW IT]
    members: dict[str, tuple[Member, ...]] = field(default_factory=dict)
    group_demand: dict[tuple[str, str], float] = field(default_factory=dict)
    #: whether group g may use site i (its rule; home sites only under autarky)
    eligible: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros((0, 0), bool))
    formulation: str = "full"
    trusted: frozenset[str] = frozenset()
    #: the sites that can host load in this scenario (see usable_sites)
    sites: list[Site] = field(default_factory=list)
    #: capacity that exists in the plan year at no new cost [MW IT]
    available: dict[str, float] = field(default_factory=dict)
    #: annual cost of 1 MW of new capacity per buildable site [EUR/MW/yr]
    annuity: dict[str, float] = field(default_factory=dict)
    heat_price: dict[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.arrays = ArrayLp(self.lp)

    @property
    def constraints(self) -> dict[str, tuple[str, dict[str, str]]]:
        """Return constraint name -> (family, its key fields), in row order."""
        keys = [
            {k: v for k, v in zip(KEY_FIELDS, values, strict=True) if v is not None}
            for values in zip(*(self.row_keys[k] for k in KEY_FIELDS), strict=True)
        ]
        return {
            name: (family, k)
            for name, family, k in zip(self.row_names, self.row_family, keys, strict=True)
        }

    def add_rows(
        self,
        family: str,
        names: list[str],
        keys: Mapping[str, list[str]],
        terms: tuple[Ids, Ids, Floats],
        sense: Sense,
        rhs: Floats,
    ) -> Ids:
        """Add a block of named constraints  sum(coefs x cols) <sense> rhs  of a family
        declared in optimizer.families, with their key fields (one value per row each); the
        terms are (row within the block, column, coefficient). Return their rows."""
        if family not in FAMILY:
            raise KeyError(f"constraint family {family!r} is not declared in optimizer.families")
        row, cols, coefs = terms
        order = np.argsort(row, kind="stable")
        length = np.bincount(row, minlength=len(names))
        rows = self.arrays.add_rows(names, length, cols[order], coefs[order], sense, rhs)
        self.row_names.extend(names)
        self.row_family.extend([family] * len(names))
        self.rhs.extend(np.asarray(rhs, dtype=np.float64).tolist())
        for k, column in self.row_keys.items():
            column.extend(keys.get(k, [None] * len(names)))
        return rows

    def add(
        self,
        family: str,
        name: str,
        keys: dict[str, str],
        cols: Ids,
        coefs: Floats | float,
        sense: Sense,
        rhs: float,
    ) -> int:
        """Add one named constraint  sum(coefs x cols) <sense> rhs (see add_rows); return its
        row."""
        cols = np.asarray(cols, dtype=np.int64)
        terms = (np.zeros(len(cols), dtype=np.int64), cols, np.broadcast_to(coefs, cols.shape))
        row = self.add_rows(
            family, [name], {k: [v] for k, v in keys.items()}, terms, sense, _f(rhs)
        )
        return int(row[0])

    def add_column(
        self, name: str, cost_term: str | None = None, cost: float = 0.0, upper: float | None = None
    ) -> int:
        """Create one column >= 0 (<= upper), with its cost in a term of the objective; return
        its id."""
        col = self.arrays.add_columns([name], upper=upper)
        if cost_term is not None:
            self.arrays.add_cost(cost_term, col, cost)
        return int(col[0])


def _ids(*cols: int) -> Ids:
    return np.array(cols, dtype=np.int64)


def _name(*parts: str) -> str:
    """Join name parts with `|`: registry ids are identifiers (letters, digits, `_`, `.`), so a
    name reads back into its parts unambiguously."""
    return "|".join(parts)


#: The function that adds each switch's constraints (see optimizer.families.SWITCHES).
BUILDERS: dict[str, Callable[[Problem], None]] = {}


def builds(switch: Switch) -> Callable[[Callable[[Problem], None]], Callable[[Problem], None]]:
    """Register the function that adds a switch's constraint families."""

    def register(add: Callable[[Problem], None]) -> Callable[[Problem], None]:
        BUILDERS[switch.name] = add
        return add

    return register


def trusted_states(inputs: Inputs, scenario: Scenario) -> frozenset[str]:
    """Return the states the planner trusts: the group (every EU member for "eu_members", else
    the states tagged with it) plus the listed states."""
    group = scenario.trusted_group
    tagged = {
        s.iso2
        for s in inputs.states.values()
        if (s.eu_member if group == EU_MEMBERS else group in s.trusted_groups)
    }
    return frozenset(tagged | set(scenario.trusted_states))


def allowed(rule: str, state: str, site: Site, inputs: Inputs, trusted: frozenset[str]) -> bool:
    """Return whether a workload of `state` under `rule` may run at `site`."""
    if site.country == state or rule == "anywhere":
        return True
    if rule == "eu":
        return inputs.states[site.country].eu_member
    if rule == "trusted":
        return site.country in trusted
    return False


def plan_year(inputs: Inputs, scenario: Scenario) -> int:
    """Return the year the plan serves: the scenario's, else its demand scenario's."""
    if scenario.plan_year is not None:
        return scenario.plan_year
    return demand_scenario(inputs, scenario).plan_year


def demand_scenario(inputs: Inputs, scenario: Scenario) -> DemandScenario:
    """Return the scenario's demand level, or fail naming the known ones."""
    try:
        return inputs.demand_scenarios[scenario.demand_scenario]
    except KeyError:
        known = ", ".join(sorted(inputs.demand_scenarios)) or "none"
        raise ScenarioError(
            f"demand_scenario={scenario.demand_scenario!r}: not in the registry (known: {known})"
        ) from None


def demand_of(inputs: Inputs, scenario: Scenario) -> dict[tuple[str, str], float]:
    """Return each state's demand per workload class after growth [MW IT, every period].

    A demand scenario's total is split between states by contribution share and between
    workload classes by their demand share (both normalised to sum to 1); a run folder's
    inputs fix the split instead.
    """
    if inputs.fixed_demand is not None:
        base = dict(inputs.fixed_demand)
    else:
        total = demand_scenario(inputs, scenario).total_it_mw
        states = {s: st.contribution_share for s, st in inputs.states.items()}
        workloads = {w: wl.demand_share for w, wl in inputs.workloads.items()}
        ts, tw = sum(states.values()), sum(workloads.values())
        base = {
            (s, w): total * share / ts * ws / tw
            for s, share in states.items()
            for w, ws in workloads.items()
            if share > 0 and ws > 0
        }
    return {
        k: v * scenario.demand_growth for k, v in base.items() if v * scenario.demand_growth > 0
    }


def lead_time_fits(site: Site, scenario: Scenario, year: int) -> bool:
    """Return whether a site decided in the base year can be running in the plan year."""
    lead = scenario.lead_time_years if site.lead_time_years is None else site.lead_time_years
    return scenario.base_year + lead <= year


def may_build(site: Site, scenario: Scenario, year: int) -> bool:
    """Return whether new capacity at a site may be running in the plan year (whether or not
    the capacity rule is on)."""
    return (
        scenario.allow_expansion
        and site.build_limit_mw() != 0
        and lead_time_fits(site, scenario, year)
    )


def can_build(site: Site, scenario: Scenario, year: int) -> bool:
    """Return whether the plan may build new capacity at a site."""
    return scenario.on("site_capacity") and may_build(site, scenario, year)


def can_host(site: Site, scenario: Scenario, year: int) -> bool:
    """Return whether a site has capacity in the plan year or a build option (whether or not
    the capacity rule is on)."""
    return site.available_mw(year) > 0 or may_build(site, scenario, year)


def usable_sites(inputs: Inputs, scenario: Scenario) -> list[Site]:
    """Return the sites that can host load: capacity in the plan year, or a build option."""
    year = plan_year(inputs, scenario)
    out = []
    for site in inputs.sites.values():
        if site.category in scenario.exclude_categories:
            continue
        # With the capacity rule off, every site hosts without limit.
        if can_host(site, scenario, year) or not scenario.on("site_capacity"):
            out.append(site)
    return sorted(out, key=lambda s: s.id)


def energy_cap(inputs: Inputs, sc: Scenario, country: str) -> tuple[float, str]:
    """Return a country's grid allowance for new data-centre builds [MW facility] and its
    basis: the scenario's override, the published figure x scale, or the default rule (a share
    of the country's electricity demand) x scale; 0 where the rule has no data."""
    if country in sc.energy_cap_overrides:
        return float(sc.energy_cap_overrides[country]), "scenario override"
    if country in inputs.energy_cap_mw:
        return inputs.energy_cap_mw[country] * sc.energy_cap_scale, "published"
    twh = inputs.states[country].elec_demand_twh
    if twh is None:
        return 0.0, "default rule, no demand data: none"
    mw = twh * 1e6 / HOURS_PER_YEAR * sc.grid_cap_default_share * sc.energy_cap_scale
    return mw, f"default rule: {sc.grid_cap_default_share:.2%} of {twh:,.1f} TWh/yr"


HOURS_PER_YEAR = 8760.0


@paused_gc()
def build_problem(inputs: Inputs, scenario: Scenario) -> Problem:
    """Build the LP of a scenario: least annual cost of serving every state's demand."""
    title = re.sub(r"[^A-Za-z0-9_]+", "_", f"sovcompute_{scenario.name}")
    p = Problem(pulp.LpProblem(title, pulp.LpMinimize), inputs, scenario)
    p.plan_year = year = plan_year(inputs, scenario)
    p.trusted = trusted_states(inputs, scenario)
    p.demand = {
        (s, w, t): v for (s, w), v in demand_of(inputs, scenario).items() for t in inputs.periods
    }
    p.sites = sites = usable_sites(inputs, scenario)
    p.available = {site.id: site.available_mw(year) for site in sites}
    add_groups(p, sites)
    add_variables(p, sites)
    add_demand_balance(p)
    for switch in SWITCHES:
        if F.active(switch, scenario):
            BUILDERS[switch.name](p)
    p.arrays.set_objective()
    return p


def needs_full_formulation(scenario: Scenario) -> bool:
    """Return whether a rule treats states differently even when they may use the same sites
    (transfer cost from each capital, home share, fair access): then every (state, workload)
    keeps its own flow variables."""
    return bool(scenario.transfer_cost_eur_per_mwh_per_1000km) or any(
        F.active(switch, scenario) for switch in (F.HOME_SHARE, F.FAIR_ACCESS)
    )


def add_groups(p: Problem, sites: list[Site]) -> None:
    """Group the (state, workload) pairs that may use exactly the same sites.

    Such pairs are interchangeable in the LP unless a per-state rule applies, so they share one
    flow variable per site and period (the aggregated formulation); the plan gives each member
    its demand's share of the group's flows, which meets every constraint. Otherwise (the full
    formulation) every pair is its own group, named <state>_<workload>.
    """
    inputs, sc = p.inputs, p.scenario
    pairs = sorted({(s, w) for (s, w, _) in p.demand})
    full = needs_full_formulation(sc)
    countries = sorted({site.country for site in sites})
    site_country = np.array([countries.index(site.country) for site in sites], dtype=np.int64)
    # A rule allows a site by its country: one look-up per (rule, state, host country).
    host = {c: next(site for site in sites if site.country == c) for c in countries}

    def signature(s: str, w: str) -> tuple[bool, ...]:
        rule = sc.rules.get(w, inputs.workloads[w].rule)
        if not sc.on("sovereignty"):
            rule = "anywhere"
        return tuple(
            c == s if sc.autarky else allowed(rule, s, host[c], inputs, p.trusted)
            for c in countries
        )

    by_signature: dict[Any, list[Member]] = defaultdict(list)
    allowed_in: dict[Any, tuple[bool, ...]] = {}
    for s, w in pairs:
        allows = signature(s, w)
        key = (s, w) if full else allows
        by_signature[key].append((s, w))
        allowed_in[key] = allows
    ordered = sorted(by_signature.items(), key=lambda kv: kv[1])
    rows = []
    for k, (key, group) in enumerate(ordered):
        g = _name(*group[0]) if len(group) == 1 else f"group{k + 1}"
        p.members[g] = tuple(group)
        rows.append(np.array(allowed_in[key], dtype=bool)[site_country])
    p.groups = list(p.members)
    p.eligible = np.array(rows, dtype=bool).reshape(len(rows), len(sites))
    p.periods = list(inputs.periods)
    for g, members in p.members.items():
        for t in inputs.periods:
            p.group_demand[(g, t)] = sum(p.demand[(s, w, t)] for s, w in members)
    p.formulation = (
        "full"
        if all(len(m) == 1 for m in p.members.values())
        else f"aggregated ({len(p.members)} groups of states with the same eligible sites)"
    )


def state_of(p: Problem, g: str) -> str:
    """Return the one state of a group (groups of the full formulation hold one pair)."""
    return p.members[g][0][0]


def _period_costs(p: Problem, sites: list[Site]) -> tuple[Floats, Floats]:
    """Return energy cost and emissions per MW of IT load [EUR, tCO2], site x period."""
    inputs = p.inputs
    energy = np.zeros((len(sites), len(p.periods)))
    emissions = np.zeros_like(energy)
    for k, t in enumerate(p.periods):
        hours = inputs.periods[t].hours
        factors = {c: inputs.factors(c, t) for c in {site.country for site in sites}}
        for i, site in enumerate(sites):
            host = inputs.states[site.country]
            price_f, carbon_f, _ = factors[site.country]
            facility_mwh = site.pue * hours  # per MW of IT load
            energy[i, k] = facility_mwh * host.elec_price_eur_per_mwh * price_f
            emissions[i, k] = facility_mwh * host.grid_ci_g_per_kwh * carbon_f / 1000.0
    return energy, emissions


def _transfer_costs(p: Problem, sites: list[Site]) -> Floats:
    """Return the transfer cost per MW from each group's capital to each site [EUR per hour
    of the period], group x site; 0 at home."""
    rate = p.scenario.transfer_cost_eur_per_mwh_per_1000km
    out = np.zeros((len(p.groups), len(sites)))
    if not rate:
        return out
    for j, g in enumerate(p.groups):
        home = p.inputs.states[state_of(p, g)]
        for i, site in enumerate(sites):
            if site.country != home.iso2:
                km = distance_km((home.latitude, home.longitude), (site.latitude, site.longitude))
                out[j, i] = km / 1000.0 * rate
    return out


def add_variables(p: Problem, sites: list[Site]) -> None:
    """Create x (IT load per demand group, site, period), unserved, and the new capacity
    of every site that can be built (with a yes/no per new site for lumpy builds) [MW]."""
    inputs, sc = p.inputs, p.scenario
    lp = p.arrays
    keys = sorted(p.group_demand)
    group_of = {g: j for j, g in enumerate(p.groups)}
    period_of = {t: k for k, t in enumerate(p.periods)}
    gt_group = np.array([group_of[g] for g, _ in keys], dtype=np.int64)
    gt_period = np.array([period_of[t] for _, t in keys], dtype=np.int64)
    hours = np.array([inputs.periods[t].hours for t in p.periods])
    unserved = lp.add_columns([_name("unserved", g, t) for g, t in keys])
    p.unserved = dict(zip(keys, unserved.tolist(), strict=True))
    lp.add_cost("unserved", unserved, sc.value_of_lost_compute_eur_per_mwh * hours[gt_period])
    # x exists for every site a group may reach (all of them, but home only under autarky).
    reach = np.ones_like(p.eligible) if not sc.autarky else p.eligible
    pair, site = np.nonzero(reach[gt_group])
    group, period = gt_group[pair], gt_period[pair]
    names = [
        _name("x", p.groups[g], sites[i].id, p.periods[t])
        for g, i, t in zip(group.tolist(), site.tolist(), period.tolist(), strict=True)
    ]
    energy, emissions = _period_costs(p, sites)
    x_energy, x_emissions = energy[site, period], emissions[site, period]
    x_transfer = hours[period] * _transfer_costs(p, sites)[group, site]
    p.x = Flows(
        lp.add_columns(names),
        group,
        site,
        period,
        x_energy,
        x_emissions * sc.carbon_price_eur_per_t,
        x_transfer,
        x_emissions,
    )
    lp.add_cost("energy", p.x.col, p.x.energy)
    lp.add_cost("carbon", p.x.col, p.x.carbon)
    if x_transfer.any():
        moved = x_transfer != 0
        lp.add_cost("transfer", p.x.col[moved], x_transfer[moved])
    total_demand = max(
        (sum(v for (_, t), v in p.group_demand.items() if t == t0) for t0 in inputs.periods),
        default=0.0,
    )
    buildable = [b for b in sites if can_build(b, sc, p.plan_year)]
    limits = []
    for b in buildable:
        limit = b.build_limit_mw()
        if sc.lumpy_builds and b.capacity_status == "buildable" and sc.max_build_mw is not None:
            limit = sc.max_build_mw if limit is None else min(limit, sc.max_build_mw)
        limits.append(limit)
        p.annuity[b.id] = sc.annuity_eur_per_mw_yr(b.facility_capex_eur_per_mw)
    new = lp.add_columns(
        [_name("new", b.id) for b in buildable],
        upper=np.array([math.nan if v is None else v for v in limits], dtype=float),
    )
    lp.add_cost("capital", new, np.array([p.annuity[b.id] for b in buildable]))
    p.new = {b.id: col for b, col in zip(buildable, new.tolist(), strict=True)}
    lumpy = [
        (b, limit)
        for b, limit in zip(buildable, limits, strict=True)
        if sc.lumpy_builds and b.capacity_status == "buildable"
    ]
    ys = lp.add_columns([_name("build", b.id) for b, _ in lumpy], binary=True)
    lp.add_cost("fixed", ys, sc.site_fixed_cost_eur_per_yr)
    for (b, limit), y in zip(lumpy, ys.tolist(), strict=True):
        # A site too big for the demand is never built bigger than the demand.
        big = total_demand if limit is None else min(limit, max(total_demand, sc.min_build_mw))
        p.build[b.id] = y
        keys_ = {"site": b.id}
        cols = _ids(p.new[b.id], y)
        p.add("build_size", _name("build_max", b.id), keys_, cols, _f(1, -big), "<=", 0)
        if sc.min_build_mw > 0:
            p.add(
                "build_size",
                _name("build_min", b.id),
                keys_,
                cols,
                _f(1.0, -sc.min_build_mw),
                ">=",
                0.0,
            )


def _f(*values: float) -> Floats:
    return np.array(values, dtype=np.float64)


def add_demand_balance(p: Problem) -> None:
    """Served + unserved = demand for every demand group and period [MW IT]."""
    keys = list(p.unserved)
    group_of = {g: j for j, g in enumerate(p.groups)}
    period_of = {t: k for k, t in enumerate(p.periods)}
    group = np.array([group_of[g] for g, _ in keys], dtype=np.int64)
    period = np.array([period_of[t] for _, t in keys], dtype=np.int64)
    row, pairs = _rows_of(
        p, np.concatenate([p.x.group, group]), np.concatenate([p.x.period, period])
    )
    cols = np.concatenate([p.x.col, np.array(list(p.unserved.values()), dtype=np.int64)])
    p.add_rows(
        "demand",
        [_name("demand", g, t) for g, t in pairs],
        {"group": [g for g, _ in pairs], "period": [t for _, t in pairs]},
        (row, cols, np.ones(len(cols))),
        "==",
        np.array([p.group_demand[k] for k in pairs]),
    )


def _rows_of(p: Problem, group: Ids, period: Ids) -> tuple[Ids, list[tuple[str, str]]]:
    """Number the distinct (group, period) pairs of some items in the order of their names;
    return each item's row and the pairs in row order."""
    nt = len(p.periods)
    used, item_pair = np.unique(group * nt + period, return_inverse=True)
    g, t = np.divmod(used, nt)
    pairs = [(p.groups[j], p.periods[k]) for j, k in zip(g.tolist(), t.tolist(), strict=True)]
    order = sorted(range(len(pairs)), key=pairs.__getitem__)
    rank = np.empty(len(pairs), dtype=np.int64)
    rank[order] = np.arange(len(pairs))
    return rank[item_pair], [pairs[k] for k in order]


@builds(F.SITE_CAPACITY)
def add_site_capacity(p: Problem) -> None:
    """IT load at a site <= the capacity it has in the plan year + what the plan builds there,
    in every period [MW IT]."""
    sites, nt = p.sites, len(p.periods)
    code = p.x.site * nt + p.x.period
    used, flow_row = np.unique(code, return_inverse=True)  # (site, period) pairs with load
    site, period = np.divmod(used, nt)
    new = np.array([p.new.get(s.id, -1) for s in sites], dtype=np.int64)[site]
    grows = np.nonzero(new >= 0)[0]
    ids = [s.id for s in sites]
    row_site = [ids[i] for i in site.tolist()]
    row_period = [p.periods[t] for t in period.tolist()]
    p.add_rows(
        "site_capacity",
        [_name("site_capacity", i, t) for i, t in zip(row_site, row_period, strict=True)],
        {"site": row_site, "period": row_period},
        (
            np.concatenate([flow_row, grows]),
            np.concatenate([p.x.col, new[grows]]),
            np.concatenate([np.ones(len(code)), np.full(len(grows), -1.0)]),
        ),
        "<=",
        np.array([p.available[i] for i in ids])[site],
    )


@builds(F.ENERGY_CAP)
def add_energy_caps(p: Problem) -> None:
    """Facility power of the new capacity built in a country (new IT MW x PUE) <= its grid
    allowance for new data centres [MW facility]."""
    sites = p.sites
    by_country: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for site in sites:
        if site.id in p.new:
            by_country[site.country].append((p.new[site.id], site.pue))
    for c, terms in sorted(by_country.items()):
        cap, _ = energy_cap(p.inputs, p.scenario, c)
        cols, coefs = _ids(*(t[0] for t in terms)), _f(*(t[1] for t in terms))
        p.add("energy_cap", _name("energy_cap", c), {"country": c}, cols, coefs, "<=", cap)


def _site_countries(p: Problem, sites: list[Site]) -> tuple[list[str], Ids]:
    """Return the host countries (sorted) and each flow's index into them."""
    countries = sorted({s.country for s in sites})
    of_site = np.array([countries.index(s.country) for s in sites], dtype=np.int64)
    return countries, of_site[p.x.site]


def _period_totals(p: Problem) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for (_, _, t), d in p.demand.items():
        totals[t] += d
    return totals


@builds(F.CONCENTRATION)
def add_concentration(p: Problem) -> None:
    """Pooled load at one site, and in one country, <= the scenario's largest share of the
    total demand, per period [MW IT]."""
    sites = p.sites
    sc = p.scenario
    totals = _period_totals(p)
    countries, flow_country = _site_countries(p, sites)
    limits = (
        ("site_share", "site", sc.max_site_share, [s.id for s in sites], p.x.site),
        ("country_share", "country", sc.max_country_share, countries, flow_country),
    )
    nt = len(p.periods)
    for name, field_, share, labels, where in limits:
        if share >= 1:
            continue
        groups = group_positions((where, len(labels)), (p.x.period, nt))
        named = sorted(((labels[w], p.periods[t]), at) for (w, t), at in groups.items())
        for (w, t), at in named:
            p.add(
                "concentration",
                _name(name, w, t),
                {field_: w, "period": t},
                p.x.col[at],
                1.0,
                "<=",
                share * totals[t],
            )


@builds(F.SOVEREIGNTY)
def add_sovereignty(p: Problem) -> None:
    """Load of a workload class at sites its rule forbids = 0 [MW IT]; the dual prices the rule."""
    flows = np.nonzero(~p.eligible[p.x.group, p.x.site])[0]
    row, pairs = _rows_of(p, p.x.group[flows], p.x.period[flows])
    p.add_rows(
        "sovereignty",
        [_name("sovereignty", g, t) for g, t in pairs],
        {"group": [g for g, _ in pairs], "period": [t for _, t in pairs]},
        (row, p.x.col[flows], np.ones(len(flows))),
        "<=",
        np.zeros(len(pairs)),
    )


def _shortfall(p: Problem, family: str, key: str, period: str) -> int:
    """A priced slack that keeps a rule from making the plan infeasible [MW IT, or MWh/yr for
    a rule over the whole year (period "year")]; return its column."""
    hours = p.inputs.periods[period].hours if period in p.inputs.periods else 1.0
    col = p.add_column(
        _name("shortfall", family, key, period),
        "rule_shortfall",
        p.scenario.value_of_lost_compute_eur_per_mwh * hours,
    )
    p.shortfall[(family, key, period)] = col
    return col


def _demand_by_state(p: Problem) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    for (s, _, t), d in p.demand.items():
        out[(s, t)] += d
    return out


def _by_state(p: Problem, where: npt.NDArray[np.bool_] | None = None) -> dict[tuple[str, str], Ids]:
    """Return the flows (where `where`) per (state of their group, period)."""
    states = sorted({state_of(p, g) for g in p.groups})
    state_of_group = np.array([states.index(state_of(p, g)) for g in p.groups], dtype=np.int64)
    flows = np.arange(len(p.x.col)) if where is None else np.nonzero(where)[0]
    return {
        (states[s], p.periods[t]): flows[at]
        for (s, t), at in group_positions(
            (state_of_group[p.x.group[flows]], len(states)), (p.x.period[flows], len(p.periods))
        ).items()
    }


@builds(F.HOME_SHARE)
def add_home_share(p: Problem) -> None:
    """Load served at home >= min_home_share x the state's demand, per period [MW IT]."""
    site_country = np.array([s.country for s in p.sites], dtype=object)
    group_state = np.array([state_of(p, g) for g in p.groups], dtype=object)
    home = site_country[p.x.site] == group_state[p.x.group]
    groups = _by_state(p, home)
    for (s, t), d in sorted(_demand_by_state(p).items()):
        _state_floor(p, "home_share", s, t, groups.get((s, t)), p.scenario.min_home_share * d)


def _state_floor(p: Problem, family: str, s: str, t: str, flows: Ids | None, rhs: float) -> None:
    """Add the floor  flows of state s in period t + a priced shortfall >= rhs."""
    at = np.zeros(0, dtype=np.int64) if flows is None else flows
    cols = np.append(p.x.col[at], _shortfall(p, family, s, t))
    p.add(family, _name(family, s, t), {"state": s, "period": t}, cols, 1.0, ">=", rhs)


@builds(F.FAIR_ACCESS)
def add_fair_access(p: Problem) -> None:
    """A state's served load >= factor x contribution share x total demand (capped at its own
    demand), per period [MW IT]."""
    groups = _by_state(p)
    totals = _period_totals(p)
    for (s, t), d in sorted(_demand_by_state(p).items()):
        share = p.inputs.states[s].contribution_share
        rhs = min(d, p.scenario.fair_access_factor * share * totals[t])
        if rhs > 0:
            _state_floor(p, "fair_access", s, t, groups.get((s, t)), rhs)


def juste_retour_countries(p: Problem) -> set[str]:
    """Return the countries owed juste retour (if they contribute): those with a site that has
    capacity in the plan year or a build option, whether or not the capacity rule is on, so that
    switching that rule off (to price it) lifts limits and adds no obligation."""
    return {s.country for s in p.sites if can_host(s, p.scenario, p.plan_year)}


@builds(F.JUSTE_RETOUR)
def add_juste_retour(p: Problem) -> None:
    """Load hosted in a contributing state >= factor x its contribution share x pooled load."""
    sites = p.sites
    by_period = group_positions((p.x.period, len(p.periods)))
    for (k,), at in sorted(by_period.items(), key=lambda kv: p.periods[kv[0][0]]):
        t = p.periods[k]
        total = p.add_column(_name("pooled_load", t))
        p.pooled_load[t] = total
        p.add(
            "pooled_load",
            _name("pooled_load", t),
            {"period": t},
            np.append(p.x.col[at], total),
            np.append(np.ones(len(at)), -1.0),
            "==",
            0.0,
        )
    countries, flow_country = _site_countries(p, sites)
    hosted = group_positions((flow_country, len(countries)), (p.x.period, len(p.periods)))
    period_of = {t: k for k, t in enumerate(p.periods)}
    f = p.scenario.juste_retour_factor
    none = np.zeros(0, dtype=np.int64)
    owed = juste_retour_countries(p)
    for c_index, c in enumerate(countries):
        share = p.inputs.states[c].contribution_share
        if share <= 0 or c not in owed:
            continue
        for t, total in sorted(p.pooled_load.items()):
            at = hosted.get((c_index, period_of[t]), none)
            shortfall = _shortfall(p, "juste_retour", c, t)
            p.add(
                "juste_retour",
                _name("juste_retour", c, t),
                {"country": c, "period": t},
                np.concatenate([p.x.col[at], _ids(total, shortfall)]),
                np.concatenate([np.ones(len(at)), _f(-f * share, 1.0)]),
                ">=",
                0.0,
            )


@builds(F.HEAT)
def add_heat(p: Problem) -> None:
    """Reused heat <= recoverable fraction x the period's heat-use factor x IT load, and <= the
    sink's capacity where it has one [MW thermal]."""
    site_of = {s.id: i for i, s in enumerate(p.sites)}
    at_site = group_positions((p.x.site, len(p.sites)), (p.x.period, len(p.periods)))
    options = []  # (option, period, its index, heat-use factor, the flows at the site then)
    for h in p.inputs.heat_options:
        price = (
            h.heat_price_eur_per_mwh_th
            if h.heat_price_eur_per_mwh_th is not None
            else p.scenario.heat_price_eur_per_mwh_th
        )
        p.heat_price[(h.site_id, h.sink)] = price
        country = p.inputs.sites[h.site_id].country
        for k, t in enumerate(p.periods):
            at = at_site.get((site_of[h.site_id], k)) if h.site_id in site_of else None
            if at is not None:
                options.append((h, t, k, p.inputs.factors(country, t)[2], at))
    cols = p.arrays.add_columns([_name("heat", h.site_id, h.sink, t) for h, t, *_ in options])
    revenue = [
        -p.heat_price[(h.site_id, h.sink)] * p.inputs.periods[t].hours for h, t, *_ in options
    ]
    p.arrays.add_cost("heat_revenue", cols, np.array(revenue, dtype=float))
    for (h, t, *_), var in zip(options, cols.tolist(), strict=True):
        p.heat[(h.site_id, h.sink, t)] = var
    names = [_name(h.site_id, h.sink, t) for h, t, *_ in options]
    keys = {
        "site": [h.site_id for h, *_ in options],
        "sink": [h.sink for h, *_ in options],
        "period": [t for _, t, *_ in options],
    }
    # The flows at the site, each times the recoverable fraction x heat-use factor.
    flows = [at for *_, at in options]
    count = np.array([len(at) for at in flows], dtype=np.int64)
    yield_ = np.array([h.recoverable_fraction * factor for h, _, _, factor, _ in options])
    n = len(options)
    rows = p.add_rows(
        "heat_recovery",
        [_name("heat_recovery", name) for name in names],
        keys,
        (
            np.concatenate([np.arange(n), np.repeat(np.arange(n), count)]),
            np.concatenate([cols, p.x.col[np.concatenate(flows)] if n else cols]),
            np.concatenate([np.ones(n), -np.repeat(yield_, count)]),
        ),
        "<=",
        np.zeros(n),
    )
    for row, (h, _, k, factor, _) in zip(rows.tolist(), options, strict=True):
        lever = 0.01 * factor if h.recoverable_fraction > 0 else 0.0
        p.heat_rows.append((row, lever, site_of[h.site_id], k))
    sinks = [j for j, (h, *_) in enumerate(options) if h.sink_capacity_mw_th is not None]
    p.add_rows(
        "heat_sink",
        [_name("heat_sink", names[j]) for j in sinks],
        {key: [values[j] for j in sinks] for key, values in keys.items()},
        (np.arange(len(sinks)), cols[sinks], np.ones(len(sinks))),
        "<=",
        np.array([options[j][0].sink_capacity_mw_th for j in sinks], dtype=float),
    )


@builds(F.EMISSIONS_BUDGET)
def add_emissions_budget(p: Problem) -> None:
    """Total emissions of the pooled load <= the budget [tCO2/yr]."""
    emitting = p.x.emissions > 0
    p.add(
        "emissions_budget",
        "emissions_budget",
        {},
        p.x.col[emitting],
        p.x.emissions[emitting],
        "<=",
        float(p.scenario.emissions_budget_t or 0.0),
    )


@builds(F.WATER)
def add_water_caps(p: Problem) -> None:
    """Water used by a country's sites (WUE x IT energy) <= the cap [m3/yr]."""
    sites = p.sites
    countries, flow_country = _site_countries(p, sites)
    wue = np.array([s.wue_l_per_kwh for s in sites])[p.x.site]
    hours = np.array([p.inputs.periods[t].hours for t in p.periods])[p.x.period]
    for (c,), at in sorted(group_positions((flow_country, len(countries))).items()):
        wet = at[wue[at] > 0]
        if len(wet):
            p.add(
                "water",
                _name("water", countries[c]),
                {"country": countries[c]},
                p.x.col[wet],
                wue[wet] * hours[wet],
                "<=",
                float(p.scenario.water_cap_m3_per_country or 0.0),
            )


@builds(F.GPU_CAP)
def add_gpu_caps(p: Problem) -> None:
    """GPU-equivalents hosted in a capped country <= the cap, per period [GPU-equivalents]."""
    sites = p.sites
    per_mw = 1000.0 / p.scenario.kw_per_gpu
    countries, flow_country = _site_countries(p, sites)
    groups = group_positions((flow_country, len(countries)), (p.x.period, len(p.periods)))
    named = sorted(((countries[c], p.periods[t]), at) for (c, t), at in groups.items())
    for (c, t), at in named:
        if p.scenario.gpu_cap_applies_to == "untrusted" and c in p.trusted:
            continue
        p.add(
            "gpu_cap",
            _name("gpu_cap", c, t),
            {"country": c, "period": t},
            p.x.col[at],
            per_mw,
            "<=",
            float(p.scenario.gpu_cap_per_country or 0),
        )


@builds(F.REUSE_FLOOR)
def add_reuse_floors(p: Problem) -> None:
    """Heat reused at a new site over the year >= the country's energy reuse floor x the site's
    facility energy [MWh/yr] (EnEfG-style ERF for new data centres)."""
    sites = p.sites
    hours = {t: period.hours for t, period in p.inputs.periods.items()}
    period_hours = np.array([hours[t] for t in p.periods])
    at_site = group_positions((p.x.site, len(sites)))
    for i, site in enumerate(sites):
        floor = p.scenario.reuse_floors.get(site.country, 0.0)
        if floor <= 0 or site.capacity_status != "buildable" or (i,) not in at_site:
            continue
        heat = [(var, hours[t]) for (j, _, t), var in p.heat.items() if j == site.id]
        at = at_site[(i,)]
        shortfall = _shortfall(p, "reuse_floor", site.id, "year")
        cols = np.concatenate([_ids(*(v for v, _ in heat)), p.x.col[at], _ids(shortfall)])
        coefs = np.concatenate(
            [
                _f(*(c for _, c in heat)),
                -floor * site.pue * period_hours[p.x.period[at]],
                _f(1.0),
            ]
        )
        p.add(
            "reuse_floor", _name("reuse_floor", site.id), {"site": site.id}, cols, coefs, ">=", 0.0
        )


def group_positions(*codes: tuple[Ids, int]) -> dict[tuple[int, ...], Ids]:
    """Return the positions of the items per key, the key made of (index array, size) pairs:
    group_positions((site, n_sites), (period, n_periods)) -> {(i, t): positions}."""
    if not codes or len(codes[0][0]) == 0:
        return {}
    code = np.zeros(len(codes[0][0]), dtype=np.int64)
    for values, size in codes:
        code = code * size + values
    order = np.argsort(code, kind="stable")
    used, starts = np.unique(code[order], return_index=True)
    ends = np.append(starts[1:], len(code))
    fields = np.unravel_index(used, tuple(size for _, size in codes))
    keys = zip(*(f.tolist() for f in fields), strict=True)
    return {key: order[a:b] for key, a, b in zip(keys, starts.tolist(), ends.tolist(), strict=True)}
