"""Build the pooled-allocation linear program: variables, then the constraint families that
optimizer.families declares, in its order, each switch by the `add_*` function registered
with `@builds`.

Expressions are built once from collected (variable, coefficient) lists, never by repeated
addition, so that building stays small next to solving. Constraint names are API: they are
listed in docs/model.md with the meaning of their duals.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pulp

from optimizer import families as F
from optimizer.domain import DemandScenario, Inputs, Site, distance_km
from optimizer.families import FAMILY, SWITCHES, Switch
from optimizer.scenario import EU_MEMBERS, Scenario, ScenarioError

Term = tuple[Any, float]  # (pulp variable, coefficient)
XKey = tuple[str, str, str]  # (demand group, site, period)
Member = tuple[str, str]  # (state, workload)


@dataclass
class Problem:
    """The LP (or MILP) and the handles needed to read a plan back from it."""

    lp: pulp.LpProblem
    inputs: Inputs
    scenario: Scenario
    plan_year: int = 0
    x: dict[XKey, Any] = field(default_factory=dict)
    unserved: dict[tuple[str, str], Any] = field(default_factory=dict)  # (group, period)
    #: new IT capacity built per site [MW IT]; `build` the yes/no of lumpy builds
    new: dict[str, Any] = field(default_factory=dict)
    build: dict[str, Any] = field(default_factory=dict)
    heat: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    shortfall: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    pooled_load: dict[str, Any] = field(default_factory=dict)
    #: constraint name -> (family, key fields)
    constraints: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    #: constraint name -> right-hand side
    rhs: dict[str, float] = field(default_factory=dict)
    #: per x: energy cost, carbon cost, transfer cost [EUR/yr per MW], emissions [t/yr per MW]
    coef: dict[XKey, tuple[float, float, float, float]] = field(default_factory=dict)
    #: demand per state, workload and period [MW IT]
    demand: dict[tuple[str, str, str], float] = field(default_factory=dict)
    #: demand groups: the (state, workload) pairs that share one flow variable per site and
    #: period (one pair per group in the full formulation) and their demand [MW IT]
    members: dict[str, tuple[Member, ...]] = field(default_factory=dict)
    group_demand: dict[tuple[str, str], float] = field(default_factory=dict)
    formulation: str = "full"
    trusted: frozenset[str] = frozenset()
    #: the sites that can host load in this scenario (see usable_sites)
    sites: list[Site] = field(default_factory=list)
    #: capacity that exists in the plan year at no new cost [MW IT]
    available: dict[str, float] = field(default_factory=dict)
    #: annual cost of 1 MW of new capacity per buildable site [EUR/MW/yr]
    annuity: dict[str, float] = field(default_factory=dict)
    heat_price: dict[tuple[str, str], float] = field(default_factory=dict)
    cost_terms: dict[str, list[Term]] = field(default_factory=lambda: defaultdict(list))

    def add(
        self,
        family: str,
        name: str,
        keys: dict[str, str],
        terms: Iterable[Term],
        sense: str,
        rhs: float,
    ) -> None:
        """Add one named constraint  sum(terms) <sense> rhs, of a family declared in
        optimizer.families."""
        if family not in FAMILY:
            raise KeyError(f"constraint family {family!r} is not declared in optimizer.families")
        expr = pulp.lpSum_vars_coefs(list(terms))
        if sense == "<=":
            con = expr <= rhs
        elif sense == ">=":
            con = expr >= rhs
        else:
            con = expr == rhs
        self.lp.addConstraint(con, name)
        self.constraints[name] = (family, keys)
        self.rhs[name] = rhs


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


def can_build(site: Site, scenario: Scenario, year: int) -> bool:
    """Return whether the plan may build new capacity at a site."""
    return (
        scenario.allow_expansion
        and scenario.on("site_capacity")
        and site.build_limit_mw() != 0
        and lead_time_fits(site, scenario, year)
    )


def usable_sites(inputs: Inputs, scenario: Scenario) -> list[Site]:
    """Return the sites that can host load: capacity in the plan year, or a build option."""
    year = plan_year(inputs, scenario)
    out = []
    for site in inputs.sites.values():
        if site.category in scenario.exclude_categories:
            continue
        if (
            site.available_mw(year) > 0
            or can_build(site, scenario, year)
            or not scenario.on("site_capacity")
        ):
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
    p.lp.setObjective(pulp.lpSum_vars_coefs([t for terms in p.cost_terms.values() for t in terms]))
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

    def signature(s: str, w: str) -> frozenset[str]:
        rule = sc.rules.get(w, inputs.workloads[w].rule)
        if not sc.on("sovereignty"):
            rule = "anywhere"
        return frozenset(
            site.id
            for site in sites
            if (site.country == s if sc.autarky else allowed(rule, s, site, inputs, p.trusted))
        )

    by_signature: dict[Any, list[Member]] = defaultdict(list)
    for s, w in pairs:
        by_signature[(s, w) if full else signature(s, w)].append((s, w))
    for k, group in enumerate(sorted(by_signature.values())):
        g = _name(*group[0]) if len(group) == 1 else f"group{k + 1}"
        p.members[g] = tuple(group)
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


def add_variables(p: Problem, sites: list[Site]) -> None:
    """Create x (IT load per state, workload, site, period), unserved, and the new capacity
    of every site that can be built (with a yes/no per new site for lumpy builds) [MW]."""
    inputs, sc = p.inputs, p.scenario
    voll = sc.value_of_lost_compute_eur_per_mwh
    for g, t in sorted(p.group_demand):
        s = state_of(p, g)
        period = inputs.periods[t]
        u = p.lp.add_variable(_name("unserved", g, t), lowBound=0)
        p.unserved[(g, t)] = u
        p.cost_terms["unserved"].append((u, voll * period.hours))
        home = inputs.states[s]
        for site in sites:
            if sc.autarky and site.country != s:
                continue
            host = inputs.states[site.country]
            price_f, carbon_f, _ = inputs.factors(site.country, t)
            facility_mwh = site.pue * period.hours  # per MW of IT load
            energy = facility_mwh * host.elec_price_eur_per_mwh * price_f
            emissions = facility_mwh * host.grid_ci_g_per_kwh * carbon_f / 1000.0
            carbon = emissions * sc.carbon_price_eur_per_t
            transfer = 0.0
            if sc.transfer_cost_eur_per_mwh_per_1000km and site.country != s:
                km = distance_km((home.latitude, home.longitude), (site.latitude, site.longitude))
                transfer = period.hours * km / 1000.0 * sc.transfer_cost_eur_per_mwh_per_1000km
            var = p.lp.add_variable(_name("x", g, site.id, t), lowBound=0)
            key = (g, site.id, t)
            p.x[key] = var
            p.coef[key] = (energy, carbon, transfer, emissions)
            p.cost_terms["energy"].append((var, energy))
            p.cost_terms["carbon"].append((var, carbon))
            if transfer:
                p.cost_terms["transfer"].append((var, transfer))
    total_demand = max(
        (sum(v for (_, t), v in p.group_demand.items() if t == t0) for t0 in inputs.periods),
        default=0.0,
    )
    for site in sites:
        if not can_build(site, sc, p.plan_year):
            continue
        limit = site.build_limit_mw()
        lumpy = sc.lumpy_builds and site.capacity_status == "buildable"
        if lumpy and sc.max_build_mw is not None:
            limit = sc.max_build_mw if limit is None else min(limit, sc.max_build_mw)
        new = p.lp.add_variable(_name("new", site.id), lowBound=0, upBound=limit)
        p.new[site.id] = new
        p.annuity[site.id] = sc.annuity_eur_per_mw_yr(site.facility_capex_eur_per_mw)
        p.cost_terms["capital"].append((new, p.annuity[site.id]))
        if lumpy:
            # A site too big for the demand is never built bigger than the demand.
            big = total_demand if limit is None else min(limit, max(total_demand, sc.min_build_mw))
            y = p.lp.add_variable(_name("build", site.id), lowBound=0, upBound=1, cat="Binary")
            p.build[site.id] = y
            p.cost_terms["fixed"].append((y, sc.site_fixed_cost_eur_per_yr))
            keys = {"site": site.id}
            p.add("build_size", _name("build_max", site.id), keys, [(new, 1), (y, -big)], "<=", 0)
            if sc.min_build_mw > 0:
                p.add(
                    "build_size",
                    _name("build_min", site.id),
                    keys,
                    [(new, 1.0), (y, -sc.min_build_mw)],
                    ">=",
                    0.0,
                )


def _group(p: Problem, by: Any) -> dict[Any, list[XKey]]:
    groups: dict[Any, list[XKey]] = defaultdict(list)
    for key in p.x:
        groups[by(key)].append(key)
    return groups


def add_demand_balance(p: Problem) -> None:
    """Served + unserved = demand for every demand group and period [MW IT]."""
    groups = _group(p, lambda k: (k[0], k[2]))
    for (g, t), d in sorted(p.group_demand.items()):
        terms = [(p.x[k], 1.0) for k in groups.get((g, t), [])]
        terms.append((p.unserved[(g, t)], 1.0))
        p.add("demand", _name("demand", g, t), {"group": g, "period": t}, terms, "==", d)


@builds(F.SITE_CAPACITY)
def add_site_capacity(p: Problem) -> None:
    """IT load at a site <= the capacity it has in the plan year + what the plan builds there,
    in every period [MW IT]."""
    sites = p.sites
    groups = _group(p, lambda k: (k[1], k[2]))
    for site in sites:
        for t in p.inputs.periods:
            terms = [(p.x[k], 1.0) for k in groups.get((site.id, t), [])]
            if not terms:
                continue
            if site.id in p.new:
                terms.append((p.new[site.id], -1.0))
            p.add(
                "site_capacity",
                _name("site_capacity", site.id, t),
                {"site": site.id, "period": t},
                terms,
                "<=",
                p.available[site.id],
            )


@builds(F.ENERGY_CAP)
def add_energy_caps(p: Problem) -> None:
    """Facility power of the new capacity built in a country (new IT MW x PUE) <= its grid
    allowance for new data centres [MW facility]."""
    sites = p.sites
    by_country: dict[str, list[Term]] = defaultdict(list)
    for site in sites:
        if site.id in p.new:
            by_country[site.country].append((p.new[site.id], site.pue))
    for c, terms in sorted(by_country.items()):
        cap, _ = energy_cap(p.inputs, p.scenario, c)
        p.add("energy_cap", _name("energy_cap", c), {"country": c}, terms, "<=", cap)


@builds(F.CONCENTRATION)
def add_concentration(p: Problem) -> None:
    """Pooled load at one site, and in one country, <= the scenario's largest share of the
    total demand, per period [MW IT]."""
    sites = p.sites
    sc = p.scenario
    totals: dict[str, float] = defaultdict(float)
    for (_, _, t), d in p.demand.items():
        totals[t] += d
    country = {s.id: s.country for s in sites}
    limits = (
        ("site_share", "site", sc.max_site_share, lambda i: i),
        ("country_share", "country", sc.max_country_share, lambda i: country[i]),
    )
    for name, field_, share, where in limits:
        if share >= 1:
            continue
        groups = _group(p, lambda k, where=where: (where(k[1]), k[2]))
        for (w, t), keys in sorted(groups.items()):
            p.add(
                "concentration",
                _name(name, w, t),
                {field_: w, "period": t},
                [(p.x[k], 1.0) for k in keys],
                "<=",
                share * totals[t],
            )


@builds(F.SOVEREIGNTY)
def add_sovereignty(p: Problem) -> None:
    """Load of a workload class at sites its rule forbids = 0 [MW IT]; the dual prices the rule."""
    inputs, sc = p.inputs, p.scenario
    forbidden: dict[tuple[str, str], list[Term]] = defaultdict(list)
    for (g, i, t), var in p.x.items():
        s, w = p.members[g][0]  # every member may use the same sites
        rule = sc.rules.get(w, inputs.workloads[w].rule)
        if not allowed(rule, s, inputs.sites[i], inputs, p.trusted):
            forbidden[(g, t)].append((var, 1.0))
    for (g, t), terms in sorted(forbidden.items()):
        p.add(
            "sovereignty",
            _name("sovereignty", g, t),
            {"group": g, "period": t},
            terms,
            "<=",
            0.0,
        )


def _shortfall(p: Problem, family: str, key: str, period: str) -> Term:
    """A priced slack that keeps a rule from making the plan infeasible [MW IT, or MWh/yr for
    a rule over the whole year (period "year")]."""
    var = p.lp.add_variable(_name("shortfall", family, key, period), lowBound=0)
    p.shortfall[(family, key, period)] = var
    hours = p.inputs.periods[period].hours if period in p.inputs.periods else 1.0
    p.cost_terms["rule_shortfall"].append(
        (var, p.scenario.value_of_lost_compute_eur_per_mwh * hours)
    )
    return (var, 1.0)


def _demand_by_state(p: Problem) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    for (s, _, t), d in p.demand.items():
        out[(s, t)] += d
    return out


@builds(F.HOME_SHARE)
def add_home_share(p: Problem) -> None:
    """Load served at home >= min_home_share x the state's demand, per period [MW IT]."""
    groups = _group(p, lambda k: (state_of(p, k[0]), k[2]))
    for (s, t), d in sorted(_demand_by_state(p).items()):
        terms = [(p.x[k], 1.0) for k in groups.get((s, t), []) if p.inputs.sites[k[1]].country == s]
        terms.append(_shortfall(p, "home_share", s, t))
        p.add(
            "home_share",
            _name("home_share", s, t),
            {"state": s, "period": t},
            terms,
            ">=",
            p.scenario.min_home_share * d,
        )


@builds(F.FAIR_ACCESS)
def add_fair_access(p: Problem) -> None:
    """A state's served load >= factor x contribution share x total demand (capped at its own
    demand), per period [MW IT]."""
    groups = _group(p, lambda k: (state_of(p, k[0]), k[2]))
    totals: dict[str, float] = defaultdict(float)
    for (_, _, t), d in p.demand.items():
        totals[t] += d
    for (s, t), d in sorted(_demand_by_state(p).items()):
        share = p.inputs.states[s].contribution_share
        rhs = min(d, p.scenario.fair_access_factor * share * totals[t])
        if rhs <= 0:
            continue
        terms = [(p.x[k], 1.0) for k in groups.get((s, t), [])]
        terms.append(_shortfall(p, "fair_access", s, t))
        p.add(
            "fair_access", _name("fair_access", s, t), {"state": s, "period": t}, terms, ">=", rhs
        )


@builds(F.JUSTE_RETOUR)
def add_juste_retour(p: Problem) -> None:
    """Load hosted in a contributing state >= factor x its contribution share x pooled load."""
    sites = p.sites
    by_period = _group(p, lambda k: k[2])
    for t, keys in sorted(by_period.items()):
        total = p.lp.add_variable(_name("pooled_load", t), lowBound=0)
        p.pooled_load[t] = total
        p.add(
            "pooled_load",
            _name("pooled_load", t),
            {"period": t},
            [(p.x[k], 1.0) for k in keys] + [(total, -1.0)],
            "==",
            0.0,
        )
    host_country = {s.id: s.country for s in sites}
    hosted = _group(p, lambda k: (host_country[k[1]], k[2]))
    f = p.scenario.juste_retour_factor
    for c in sorted({s.country for s in sites}):
        share = p.inputs.states[c].contribution_share
        if share <= 0:
            continue
        for t, total in sorted(p.pooled_load.items()):
            terms = [(p.x[k], 1.0) for k in hosted.get((c, t), [])]
            terms += [(total, -f * share), _shortfall(p, "juste_retour", c, t)]
            p.add(
                "juste_retour",
                _name("juste_retour", c, t),
                {"country": c, "period": t},
                terms,
                ">=",
                0.0,
            )


@builds(F.HEAT)
def add_heat(p: Problem) -> None:
    """Reused heat <= recoverable fraction x the period's heat-use factor x IT load, and <= the
    sink's capacity where it has one [MW thermal]."""
    at_site = _group(p, lambda k: (k[1], k[2]))
    for h in p.inputs.heat_options:
        price = (
            h.heat_price_eur_per_mwh_th
            if h.heat_price_eur_per_mwh_th is not None
            else p.scenario.heat_price_eur_per_mwh_th
        )
        p.heat_price[(h.site_id, h.sink)] = price
        country = p.inputs.sites[h.site_id].country
        for t, period in p.inputs.periods.items():
            keys = at_site.get((h.site_id, t), [])
            if not keys:
                continue
            use = h.recoverable_fraction * p.inputs.factors(country, t)[2]
            var = p.lp.add_variable(_name("heat", h.site_id, h.sink, t), lowBound=0)
            p.heat[(h.site_id, h.sink, t)] = var
            p.cost_terms["heat_revenue"].append((var, -price * period.hours))
            keys_ = {"site": h.site_id, "sink": h.sink, "period": t}
            p.add(
                "heat_recovery",
                _name("heat_recovery", h.site_id, h.sink, t),
                keys_,
                [(var, 1.0)] + [(p.x[k], -use) for k in keys],
                "<=",
                0.0,
            )
            if h.sink_capacity_mw_th is not None:
                p.add(
                    "heat_sink",
                    _name("heat_sink", h.site_id, h.sink, t),
                    keys_,
                    [(var, 1.0)],
                    "<=",
                    h.sink_capacity_mw_th,
                )


@builds(F.EMISSIONS_BUDGET)
def add_emissions_budget(p: Problem) -> None:
    """Total emissions of the pooled load <= the budget [tCO2/yr]."""
    terms = [(var, p.coef[k][3]) for k, var in p.x.items() if p.coef[k][3] > 0]
    p.add(
        "emissions_budget",
        "emissions_budget",
        {},
        terms,
        "<=",
        float(p.scenario.emissions_budget_t or 0.0),
    )


@builds(F.WATER)
def add_water_caps(p: Problem) -> None:
    """Water used by a country's sites (WUE x IT energy) <= the cap [m3/yr]."""
    sites = p.sites
    site = {s.id: s for s in sites}
    groups = _group(p, lambda k: site[k[1]].country)
    for c, keys in sorted(groups.items()):
        terms = [
            (p.x[k], site[k[1]].wue_l_per_kwh * p.inputs.periods[k[2]].hours)
            for k in keys
            if site[k[1]].wue_l_per_kwh > 0
        ]
        if terms:
            p.add(
                "water",
                _name("water", c),
                {"country": c},
                terms,
                "<=",
                float(p.scenario.water_cap_m3_per_country or 0.0),
            )


@builds(F.GPU_CAP)
def add_gpu_caps(p: Problem) -> None:
    """GPU-equivalents hosted in a capped country <= the cap, per period [GPU-equivalents]."""
    sites = p.sites
    per_mw = 1000.0 / p.scenario.kw_per_gpu
    country = {s.id: s.country for s in sites}
    groups = _group(p, lambda k: (country[k[1]], k[2]))
    for (c, t), keys in sorted(groups.items()):
        if p.scenario.gpu_cap_applies_to == "untrusted" and c in p.trusted:
            continue
        p.add(
            "gpu_cap",
            _name("gpu_cap", c, t),
            {"country": c, "period": t},
            [(p.x[k], per_mw) for k in keys],
            "<=",
            float(p.scenario.gpu_cap_per_country or 0),
        )


@builds(F.REUSE_FLOOR)
def add_reuse_floors(p: Problem) -> None:
    """Heat reused at a new site over the year >= the country's energy reuse floor x the site's
    facility energy [MWh/yr] (EnEfG-style ERF for new data centres)."""
    sites = p.sites
    hours = {t: period.hours for t, period in p.inputs.periods.items()}
    at_site = _group(p, lambda k: k[1])
    for site in sites:
        floor = p.scenario.reuse_floors.get(site.country, 0.0)
        if floor <= 0 or site.capacity_status != "buildable" or site.id not in at_site:
            continue
        terms: list[Term] = [(var, hours[t]) for (i, _, t), var in p.heat.items() if i == site.id]
        terms += [(p.x[k], -floor * site.pue * hours[k[2]]) for k in at_site[site.id]]
        terms.append(_shortfall(p, "reuse_floor", site.id, "year"))
        p.add("reuse_floor", _name("reuse_floor", site.id), {"site": site.id}, terms, ">=", 0.0)
