"""Build the pooled-allocation linear program: variables, then one add_<family>() per family.

Expressions are built once from collected (variable, coefficient) lists, never by repeated
addition, so that building stays small next to solving. Constraint names are API: they are
listed in docs/model.md with the meaning of their duals.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pulp

from optimizer.domain import Inputs, Site, distance_km
from optimizer.scenario import Scenario

Term = tuple[Any, float]  # (pulp variable, coefficient)
XKey = tuple[str, str, str, str]  # (state, workload, site, period)


@dataclass
class Problem:
    """The LP and the handles needed to read a plan back from it."""

    lp: pulp.LpProblem
    inputs: Inputs
    scenario: Scenario
    x: dict[XKey, Any] = field(default_factory=dict)
    unserved: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    expansion: dict[str, Any] = field(default_factory=dict)
    heat: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    shortfall: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    pooled_load: dict[str, Any] = field(default_factory=dict)
    #: constraint name -> (family, key fields)
    constraints: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    #: per x: energy cost, carbon cost, transfer cost [EUR/yr per MW], emissions [t/yr per MW]
    coef: dict[XKey, tuple[float, float, float, float]] = field(default_factory=dict)
    demand: dict[tuple[str, str, str], float] = field(default_factory=dict)
    trusted: frozenset[str] = frozenset()
    #: the sites that can host load in this scenario (see usable_sites)
    sites: list[Site] = field(default_factory=list)
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
        """Add one named constraint  sum(terms) <sense> rhs."""
        expr = pulp.lpSum_vars_coefs(list(terms))
        if sense == "<=":
            con = expr <= rhs
        elif sense == ">=":
            con = expr >= rhs
        else:
            con = expr == rhs
        self.lp.addConstraint(con, name)
        self.constraints[name] = (family, keys)


def _name(*parts: str) -> str:
    """Join name parts; registry ids are identifiers (validated), so no escaping is needed."""
    return "_".join(parts)


def trusted_states(inputs: Inputs, scenario: Scenario) -> frozenset[str]:
    """Return the states the planner trusts: the tagged group plus the listed states."""
    tagged = {s.iso2 for s in inputs.states.values() if scenario.trusted_group in s.trusted_groups}
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


def usable_sites(inputs: Inputs, scenario: Scenario) -> list[Site]:
    """Return the sites that can host load: some capacity, or expansion or no capacity limit."""
    out = []
    for site in inputs.sites.values():
        if site.category in scenario.exclude_categories:
            continue
        can_grow = scenario.allow_expansion and site.expansion_limit_mw != 0
        if site.it_capacity_mw > 0 or can_grow or not scenario.on("site_capacity"):
            out.append(site)
    return sorted(out, key=lambda s: s.id)


def build_problem(inputs: Inputs, scenario: Scenario) -> Problem:
    """Build the LP of a scenario: least annual cost of serving every state's demand."""
    title = re.sub(r"[^A-Za-z0-9_]+", "_", f"sovcompute_{scenario.name}")
    p = Problem(pulp.LpProblem(title, pulp.LpMinimize), inputs, scenario)
    p.trusted = trusted_states(inputs, scenario)
    p.demand = {k: v * scenario.demand_growth for k, v in inputs.demand_it_mw.items() if v > 0}
    p.sites = sites = usable_sites(inputs, scenario)
    add_variables(p, sites)
    add_demand_balance(p)
    if scenario.on("site_capacity"):
        add_site_capacity(p, sites)
    if scenario.on("energy_cap"):
        add_energy_caps(p, sites)
    if scenario.on("sovereignty") and not scenario.autarky:
        add_sovereignty(p)
    if scenario.on("home_share") and scenario.min_home_share > 0:
        add_home_share(p)
    if scenario.on("fair_access") and scenario.fair_access_factor > 0:
        add_fair_access(p)
    if scenario.on("juste_retour") and scenario.juste_retour_factor > 0:
        add_juste_retour(p, sites)
    if scenario.on("heat"):
        add_heat(p)
    if scenario.on("emissions_budget") and scenario.emissions_budget_t is not None:
        add_emissions_budget(p)
    if scenario.on("water") and scenario.water_cap_m3_per_country is not None:
        add_water_caps(p, sites)
    if scenario.on("gpu_cap") and scenario.gpu_cap_per_country is not None:
        add_gpu_caps(p, sites)
    p.lp.setObjective(pulp.lpSum_vars_coefs([t for terms in p.cost_terms.values() for t in terms]))
    return p


def add_variables(p: Problem, sites: list[Site]) -> None:
    """Create x (IT load per state, workload, site, period), unserved and expansion [MW]."""
    inputs, sc = p.inputs, p.scenario
    voll = sc.value_of_lost_compute_eur_per_mwh
    for s, w, t in sorted(p.demand):
        period = inputs.periods[t]
        u = p.lp.add_variable(_name("unserved", s, w, t), lowBound=0)
        p.unserved[(s, w, t)] = u
        p.cost_terms["unserved"].append((u, voll * period.hours))
        home = inputs.states[s]
        for site in sites:
            if sc.autarky and site.country != s:
                continue
            host = inputs.states[site.country]
            facility_mwh = site.pue * period.hours  # per MW of IT load
            energy = facility_mwh * host.elec_price_eur_per_mwh * period.price_factor
            emissions = facility_mwh * host.grid_ci_g_per_kwh * period.carbon_factor / 1000.0
            carbon = emissions * sc.carbon_price_eur_per_t
            transfer = 0.0
            if sc.transfer_cost_eur_per_mwh_per_1000km and site.country != s:
                km = distance_km((home.latitude, home.longitude), (site.latitude, site.longitude))
                transfer = period.hours * km / 1000.0 * sc.transfer_cost_eur_per_mwh_per_1000km
            var = p.lp.add_variable(_name("x", s, w, site.id, t), lowBound=0)
            key = (s, w, site.id, t)
            p.x[key] = var
            p.coef[key] = (energy, carbon, transfer, emissions)
            p.cost_terms["energy"].append((var, energy))
            p.cost_terms["carbon"].append((var, carbon))
            if transfer:
                p.cost_terms["transfer"].append((var, transfer))
    if sc.allow_expansion and sc.on("site_capacity"):
        for site in sites:
            if site.expansion_limit_mw == 0:
                continue
            e = p.lp.add_variable(
                _name("expansion", site.id), lowBound=0, upBound=site.expansion_limit_mw
            )
            p.expansion[site.id] = e
            p.cost_terms["expansion"].append((e, site.expansion_cost_eur_per_mw_yr))


def _group(p: Problem, by: Any) -> dict[Any, list[XKey]]:
    groups: dict[Any, list[XKey]] = defaultdict(list)
    for key in p.x:
        groups[by(key)].append(key)
    return groups


def add_demand_balance(p: Problem) -> None:
    """Served + unserved = demand for every state, workload and period [MW IT]."""
    groups = _group(p, lambda k: (k[0], k[1], k[3]))
    for (s, w, t), d in sorted(p.demand.items()):
        terms = [(p.x[k], 1.0) for k in groups.get((s, w, t), [])]
        terms.append((p.unserved[(s, w, t)], 1.0))
        p.add(
            "demand",
            _name("demand", s, w, t),
            {"state": s, "workload": w, "period": t},
            terms,
            "==",
            d,
        )


def add_site_capacity(p: Problem, sites: list[Site]) -> None:
    """IT load at a site <= its IT capacity + expansion, in every period [MW IT]."""
    groups = _group(p, lambda k: (k[2], k[3]))
    for site in sites:
        for t in p.inputs.periods:
            terms = [(p.x[k], 1.0) for k in groups.get((site.id, t), [])]
            if not terms:
                continue
            if site.id in p.expansion:
                terms.append((p.expansion[site.id], -1.0))
            p.add(
                "site_capacity",
                _name("site_capacity", site.id, t),
                {"site": site.id, "period": t},
                terms,
                "<=",
                site.it_capacity_mw,
            )


def energy_cap(inputs: Inputs, sc: Scenario, country: str, period: str) -> float | None:
    """Return the energy cap of a country in a period after the scenario's scale and overrides
    [MW facility]; None = uncapped."""
    if country in sc.energy_cap_overrides:
        return float(sc.energy_cap_overrides[country])
    cap = inputs.energy_cap_mw.get((country, period))
    return None if cap is None else cap * sc.energy_cap_scale


def add_energy_caps(p: Problem, sites: list[Site]) -> None:
    """Facility power (IT load x PUE) of a country's sites <= its energy cap [MW facility]."""
    pue = {s.id: s.pue for s in sites}
    country = {s.id: s.country for s in sites}
    groups = _group(p, lambda k: (country[k[2]], k[3]))
    for (c, t), keys in sorted(groups.items()):
        cap = energy_cap(p.inputs, p.scenario, c, t)
        if cap is None:
            continue
        terms = [(p.x[k], pue[k[2]]) for k in keys]
        p.add(
            "energy_cap", _name("energy_cap", c, t), {"country": c, "period": t}, terms, "<=", cap
        )


def add_sovereignty(p: Problem) -> None:
    """Load of a workload class at sites its rule forbids = 0 [MW IT]; the dual prices the rule."""
    inputs, sc = p.inputs, p.scenario
    forbidden: dict[tuple[str, str, str], list[Term]] = defaultdict(list)
    for (s, w, i, t), var in p.x.items():
        rule = sc.rules.get(w, inputs.workloads[w].rule)
        if not allowed(rule, s, inputs.sites[i], inputs, p.trusted):
            forbidden[(s, w, t)].append((var, 1.0))
    for (s, w, t), terms in sorted(forbidden.items()):
        p.add(
            "sovereignty",
            _name("sovereignty", s, w, t),
            {"state": s, "workload": w, "period": t},
            terms,
            "<=",
            0.0,
        )


def _shortfall(p: Problem, family: str, key: str, period: str) -> Term:
    """A priced slack that keeps a rule from making the plan infeasible [MW IT]."""
    var = p.lp.add_variable(_name("shortfall", family, key, period), lowBound=0)
    p.shortfall[(family, key, period)] = var
    hours = p.inputs.periods[period].hours
    p.cost_terms["rule_shortfall"].append(
        (var, p.scenario.value_of_lost_compute_eur_per_mwh * hours)
    )
    return (var, 1.0)


def _demand_by_state(p: Problem) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    for (s, _, t), d in p.demand.items():
        out[(s, t)] += d
    return out


def add_home_share(p: Problem) -> None:
    """Load served at home >= min_home_share x the state's demand, per period [MW IT]."""
    groups = _group(p, lambda k: (k[0], k[3]))
    for (s, t), d in sorted(_demand_by_state(p).items()):
        terms = [(p.x[k], 1.0) for k in groups.get((s, t), []) if p.inputs.sites[k[2]].country == s]
        terms.append(_shortfall(p, "home_share", s, t))
        p.add(
            "home_share",
            _name("home_share", s, t),
            {"state": s, "period": t},
            terms,
            ">=",
            p.scenario.min_home_share * d,
        )


def add_fair_access(p: Problem) -> None:
    """A state's served load >= factor x contribution share x total demand (capped at its own
    demand), per period [MW IT]."""
    groups = _group(p, lambda k: (k[0], k[3]))
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


def add_juste_retour(p: Problem, sites: list[Site]) -> None:
    """Load hosted in a contributing state >= factor x its contribution share x pooled load."""
    by_period = _group(p, lambda k: k[3])
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
    hosted = _group(p, lambda k: (host_country[k[2]], k[3]))
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


def add_heat(p: Problem) -> None:
    """Reused heat <= recoverable fraction x IT load, and <= the sink's capacity [MW thermal]."""
    at_site = _group(p, lambda k: (k[2], k[3]))
    for h in p.inputs.heat_options:
        price = (
            h.heat_price_eur_per_mwh_th
            if h.heat_price_eur_per_mwh_th is not None
            else p.scenario.heat_price_eur_per_mwh_th
        )
        p.heat_price[(h.site_id, h.sink)] = price
        for t, period in p.inputs.periods.items():
            keys = at_site.get((h.site_id, t), [])
            if not keys:
                continue
            var = p.lp.add_variable(_name("heat", h.site_id, h.sink, t), lowBound=0)
            p.heat[(h.site_id, h.sink, t)] = var
            p.cost_terms["heat_revenue"].append((var, -price * period.hours))
            keys_ = {"site": h.site_id, "sink": h.sink, "period": t}
            p.add(
                "heat_recovery",
                _name("heat_recovery", h.site_id, h.sink, t),
                keys_,
                [(var, 1.0)] + [(p.x[k], -h.recoverable_fraction) for k in keys],
                "<=",
                0.0,
            )
            p.add(
                "heat_sink",
                _name("heat_sink", h.site_id, h.sink, t),
                keys_,
                [(var, 1.0)],
                "<=",
                h.sink_capacity_mw_th * period.heat_demand_factor,
            )


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


def add_water_caps(p: Problem, sites: list[Site]) -> None:
    """Water used by a country's sites (WUE x IT energy) <= the cap [m3/yr]."""
    site = {s.id: s for s in sites}
    groups = _group(p, lambda k: site[k[2]].country)
    for c, keys in sorted(groups.items()):
        terms = [
            (p.x[k], site[k[2]].wue_l_per_kwh * p.inputs.periods[k[3]].hours)
            for k in keys
            if site[k[2]].wue_l_per_kwh > 0
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


def add_gpu_caps(p: Problem, sites: list[Site]) -> None:
    """GPU-equivalents hosted in a capped country <= the cap, per period [GPU-equivalents]."""
    per_mw = 1000.0 / p.scenario.kw_per_gpu
    country = {s.id: s.country for s in sites}
    groups = _group(p, lambda k: (country[k[2]], k[3]))
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
