"""A scenario: the planner's choices, typed, frozen, read from and written to TOML or JSON.

Every value is checked and converted by its field's type and its declaration in `SPECS` (unit,
label, range, choices); the field's `#:` comment is its help. Unknown keys and invalid values
fail with a message that names the key, the value and the rule. Tables are read-only.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin, get_type_hints

import tomli_w

from optimizer.domain import RULES
from optimizer.families import SWITCHES
from optimizer.spec import Invalid, Spec, convert, fail

if TYPE_CHECKING:
    from optimizer.domain import Inputs

#: The constraint families a scenario may switch off (see optimizer.families).
SWITCHABLE = tuple(s.name for s in SWITCHES)


class ScenarioError(ValueError):
    """A scenario key or value is not valid."""


@dataclass(frozen=True)
class Scenario:
    """The planner's choices for one plan. Every field has a documented default."""

    #: Name of the scenario, shown with its stored runs.
    name: str = "baseline"
    #: Demand level (registry table demand_scenarios): its total is split between states by
    #: contribution share and between workload classes by their demand share. Each level is
    #: anchored on published figures (Data page: its arithmetic and sources).
    demand_scenario: str = "gigafactories"
    #: The year the plan serves [year]: what exists, what is committed and what can be built by
    #: then. Empty = the demand scenario's plan year.
    plan_year: int | None = None
    #: The year decisions are taken [year]: a site can be built if base year + lead time <=
    #: plan year (assumption base_year).
    base_year: int = 2026
    #: Carbon cost on top of power prices [EUR/tCO2]: a shadow (social) cost, since the
    #: electricity prices already carry the EU ETS cost that generators pass through
    #: (assumption carbon_in_prices); reported apart from the money paid.
    carbon_price_eur_per_t: float = 67.0
    #: Penalty on unserved demand and on unmet rule floors [EUR/MWh IT]: keeps the plan
    #: solvable when demand cannot be met; shortfalls are reported in MWh, never inside a EUR
    #: headline.
    value_of_lost_compute_eur_per_mwh: float = 1000.0
    #: Heat price for heat options without their own [EUR/MWh thermal] (assumption heat_price).
    heat_price_eur_per_mwh_th: float = 20.0
    #: Multiplies every state's demand [x].
    demand_growth: float = 1.0
    #: Facility (building, power and cooling) capex of new capacity [EUR/MW IT] for sites
    #: without their own (assumption facility_capex_eur_per_mw).
    facility_capex_eur_per_mw: float = 8_400_000.0
    #: Life of a new facility [years] (assumption facility_life_years).
    facility_life_years: float = 14.0
    #: IT hardware (accelerators, servers, network, storage) capex [EUR/MW IT]
    #: (assumption it_capex_eur_per_mw).
    it_capex_eur_per_mw: float = 17_428_000.0
    #: Life of IT hardware [years] (assumption it_life_years).
    it_life_years: float = 5.0
    #: Real discount rate of the annuities [-] (assumption discount_rate).
    discount_rate: float = 0.03
    #: Years from decision to operation for sites without their own [years]
    #: (assumption default_lead_time_years).
    lead_time_years: float = 1.5
    #: Grid allowance for new data-centre builds in a country without a published one, as a
    #: share of its electricity demand [-] (assumption grid_cap_default_share).
    grid_cap_default_share: float = 0.0176
    #: Largest share of the pooled load at one site [-]; 1 = no limit.
    max_site_share: float = 1.0
    #: Largest share of the pooled load in one country [-]; 1 = no limit.
    max_country_share: float = 1.0
    #: Lumpy builds (mixed-integer): a new site is built whole or not at all, with a fixed cost
    #: and minimum and maximum sizes, to compare a few giant sites with many smaller ones.
    #: Shadow prices then come from the LP with the build decisions fixed.
    lumpy_builds: bool = False
    #: Fixed annual cost of opening a new site [EUR/yr] (lumpy builds only).
    site_fixed_cost_eur_per_yr: float = 0.0
    #: Smallest new site [MW IT] (lumpy builds only).
    min_build_mw: float = 0.0
    #: Largest new site [MW IT] (lumpy builds only); empty = the site's own bound.
    max_build_mw: float | None = None
    #: Placement rule per workload class, overriding the registry (home/eu/trusted/anywhere).
    rules: dict[str, str] = field(default_factory=dict)
    #: Trusted group: whom sensitive work may go to besides home. "eu_members" (every EU
    #: member state) or a tag of member_states.trusted_groups (e.g. us_ai_tier1, the 2025 US
    #: AI-diffusion Tier 1 list, which governed chip exports, not whom EU states trust: a
    #: what-if).
    trusted_group: str = "eu_members"
    #: Extra trusted states (ISO alpha-2), added to the group.
    trusted_states: tuple[str, ...] = ()
    #: Minimum share of each state's demand served at home [-].
    min_home_share: float = 0.0
    #: Fair access: each state's served load >= factor x contribution share x total demand [-].
    fair_access_factor: float = 0.0
    #: Juste retour: each contributing state hosts >= factor x contribution share x pooled load.
    juste_retour_factor: float = 0.0
    #: Multiplies every country's grid allowance for new data centres [x].
    energy_cap_scale: float = 1.0
    #: Energy cap per country in every period [MW facility], replacing the registry's.
    energy_cap_overrides: dict[str, float] = field(default_factory=dict)
    #: Allow new capacity at buildable sites (candidates, bids, greenfield options, and sites
    #: with an expansion limit), priced at the full-cost annuity of facility and IT hardware.
    #: Off = only what exists in the plan year.
    allow_expansion: bool = True
    #: Cap on total emissions [tCO2/yr]; None = no budget.
    emissions_budget_t: float | None = None
    #: Cap on water use per country [m3/yr] (WUE x IT energy; sites without a WUE are not
    #: counted); None = no cap.
    water_cap_m3_per_country: float | None = None
    #: Energy reuse floor (ERF = reused heat / facility energy, EN 50600-4-6) that new sites
    #: must meet, per country [-]; e.g. DE 0.2, Germany's EnEfG s.11 floor for data centres
    #: commissioned from 1 July 2028 (preset "EnEfG reuse floor"). Unmet: a rule shortfall.
    reuse_floors: dict[str, float] = field(default_factory=dict)
    #: Cap on GPU-equivalents hosted per country for the capped states (e.g. 50,000, the Tier
    #: 2 cap of the rescinded 2025 US AI-diffusion rule); None = no cap.
    gpu_cap_per_country: float | None = None
    #: Which countries the GPU cap applies to: "untrusted" (outside the trusted group) or "all".
    gpu_cap_applies_to: str = "untrusted"
    #: Power per GPU-equivalent, server share included [kW] (assumption kw_per_accelerator).
    kw_per_gpu: float = 1.275
    #: Transfer cost between a state's capital and the host site [EUR/MWh IT per 1000 km].
    transfer_cost_eur_per_mwh_per_1000km: float = 0.0
    #: National build-out: every state serves its own demand on its own soil, building what it
    #: lacks (the counterfactual that pooling is measured against).
    autarky: bool = False
    #: Site categories left out of the pool.
    exclude_categories: tuple[str, ...] = ()
    #: Constraint families switched off (see SWITCHABLE).
    disabled_constraints: tuple[str, ...] = ()
    #: Solver time limit [s].
    time_limit_s: float = 60.0

    def __post_init__(self) -> None:
        _convert_fields(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # The read-only tables (MappingProxyType) cannot be pickled: rebuild from plain data
        # (Dask sends scenarios to its workers this way).
        return (_rebuild, (self._plain(),))

    def _plain(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def annuity_eur_per_mw_yr(self, facility_capex_eur_per_mw: float | None = None) -> float:
        """Return the annual cost of 1 MW of new IT capacity: facility and IT hardware, each
        annualised over its own life at the discount rate [EUR/MW/yr]."""
        facility = (
            self.facility_capex_eur_per_mw
            if facility_capex_eur_per_mw is None
            else facility_capex_eur_per_mw
        )
        return facility * crf(self.discount_rate, self.facility_life_years) + (
            self.it_capex_eur_per_mw * crf(self.discount_rate, self.it_life_years)
        )

    def on(self, family: str) -> bool:
        """Return whether a constraint family is switched on."""
        return family not in self.disabled_constraints

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as plain data (None values left out, as TOML has no null)."""
        return {k: v for k, v in self._plain().items() if v is not None}

    def to_toml(self) -> str:
        """Return the scenario as TOML."""
        return tomli_w.dumps(self.to_dict())

    def to_json(self) -> str:
        """Return the scenario as JSON."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    def with_overrides(self, **changes: Any) -> Scenario:
        """Return a copy with some fields changed (checked like any scenario)."""
        return from_dict({**self.to_dict(), **changes})


def crf(rate: float, years: float) -> float:
    """Return the capital recovery factor: the annuity of 1 EUR over `years` at `rate` [1/yr]."""
    if rate == 0:
        return 1.0 / years
    return rate / (1.0 - (1.0 + rate) ** -years)


FIELDS = {f.name: f for f in fields(Scenario)}
#: Each field's type, read from its annotation: what a value is converted to.
HINTS: dict[str, Any] = get_type_hints(Scenario)
#: Fields that hold a table; `KEY.NAME=VALUE` sets one entry.
TABLE_FIELDS = tuple(n for n, h in HINTS.items() if get_origin(h) is dict)

#: The dashboard's sidebar sections in order ("" is the top, always open), each with a note.
SECTIONS: dict[str, str] = {
    "": "",
    "Sovereignty": "",
    "Grid allowances for new data centres": (
        "Published allowances where they exist; elsewhere the default rule: a share of national "
        "electricity demand."
    ),
    "What-if limits": "",
    "New capacity: costs and build rules": "",
}
_SOVEREIGN, _GRID, _WHAT_IF, _BUILD = list(SECTIONS)[1:]


#: What each field's type cannot say: label, unit, range, choices, and how the dashboard shows
#: it (widget, section, slider range), in the sidebar's order. A field without an entry is still
#: checked by its type (numbers: finite, within +-MAX_MAGNITUDE). The help of every widget, CLI
#: line and docs row is the field's `#:` comment (field_docs).
def _share(label: str, unit: str = "-") -> Spec:
    """A share or factor from 0 to 1, on a slider in steps of 0.05."""
    return Spec(label, unit, 0, 1, widget="slider", lo=0, hi=1, step=0.05)


def _pool_share(label: str) -> Spec:
    """A largest share of the pool (above 0, 1 = no limit), on a slider from 0.05."""
    return Spec(
        label,
        "-",
        0,
        1,
        min_exclusive=True,
        widget="slider",
        section=_BUILD,
        lo=0.05,
        hi=1,
        step=0.05,
    )


def _what_if_cap(label: str, unit: str, top: float, empty: str = "no cap") -> Spec:
    """An optional what-if cap, typed in a number box (empty: no cap)."""
    return Spec(label, unit, 0, top, widget="number", section=_WHAT_IF, step=1000, empty=empty)


def _build(label: str, unit: str, top: float, step: float, **more: Any) -> Spec:
    """A cost or rule of new capacity (>= 0), typed in a number box."""
    return Spec(label, unit, 0, top, widget="number", section=_BUILD, step=step, **more)


def _life(label: str) -> Spec:
    """A life in years of new capacity (> 0), typed in a number box from 1."""
    return _build(label, "years", 100, 1, min_exclusive=True, lo=1)


SPECS: dict[str, Spec] = {
    "name": Spec("Scenario name"),
    "demand_scenario": Spec("Demand scenario", widget="select"),
    "plan_year": Spec(
        "Plan year",
        "year",
        2000,
        2100,
        widget="number",
        lo=2024,
        hi=2050,
        step=1,
        empty="the demand scenario's plan year",
    ),
    "base_year": Spec("Base year", "year", 2000, 2100),
    "carbon_price_eur_per_t": Spec(
        "Carbon cost on top of power prices",
        "EUR/tCO2",
        0,
        10_000,
        widget="slider",
        lo=0,
        hi=300,
        step=1,
    ),
    "energy_cap_scale": Spec(
        "Grid allowances for new data centres, scale",
        "x",
        0,
        1000,
        widget="slider",
        lo=0,
        hi=3,
        step=0.05,
    ),
    "demand_growth": Spec("Demand growth", "x", 0, 1000, widget="slider", lo=0.25, hi=4, step=0.25),
    "heat_price_eur_per_mwh_th": Spec(
        "Heat price", "EUR/MWh th", 0, 10_000, widget="slider", lo=0, hi=100, step=1
    ),
    "min_home_share": _share("Minimum share served at home"),
    "fair_access_factor": _share("Fair access", "x contribution share"),
    "juste_retour_factor": _share("Juste retour", "x contribution share"),
    "rules": Spec(
        "Placement rule per workload class", choices=RULES, widget="rules", section=_SOVEREIGN
    ),
    "trusted_group": Spec("Trusted group", widget="select", section=_SOVEREIGN),
    "trusted_states": Spec(
        "Extra trusted states", "ISO alpha-2", widget="multiselect", section=_SOVEREIGN
    ),
    "grid_cap_default_share": Spec(
        "Default grid allowance",
        "share of national electricity demand",
        0,
        1,
        widget="slider",
        section=_GRID,
        lo=0,
        hi=0.1,
        step=0.001,
        format="%.3f",
    ),
    "energy_cap_overrides": Spec(
        "Grid allowance overrides",
        "MW facility",
        0,
        1e6,
        widget="cap_overrides",
        section=_GRID,
        step=1,
    ),
    "emissions_budget_t": _what_if_cap("Emissions budget", "tCO2/yr", 1e10, "no budget"),
    "gpu_cap_per_country": _what_if_cap("GPU cap per country", "GPU-equivalents", 1e9),
    "gpu_cap_applies_to": Spec(
        "GPU cap applies to", choices=("untrusted", "all"), widget="select", section=_WHAT_IF
    ),
    "water_cap_m3_per_country": _what_if_cap("Water cap per country", "m3/yr", 1e12),
    "transfer_cost_eur_per_mwh_per_1000km": Spec(
        "Transfer cost",
        "EUR/MWh IT per 1000 km",
        0,
        1e5,
        widget="slider",
        section=_WHAT_IF,
        lo=0,
        hi=50,
        step=0.5,
    ),
    "allow_expansion": Spec("Allow new capacity", widget="checkbox", section=_BUILD),
    "facility_capex_eur_per_mw": _build("Facility capex", "EUR/MW IT", 1e9, 100_000),
    "facility_life_years": _life("Facility life"),
    "it_capex_eur_per_mw": _build("IT hardware capex", "EUR/MW IT", 1e9, 100_000),
    "it_life_years": _life("IT hardware life"),
    "discount_rate": _build("Discount rate", "1/yr", 1, 0.005, format="%.3f"),
    "lead_time_years": _build("Lead time of a new site", "years", 50, 0.5),
    "value_of_lost_compute_eur_per_mwh": _build(
        "Penalty on unserved demand", "EUR/MWh IT", 1e6, 50
    ),
    "max_site_share": _pool_share("Largest share of the pool at one site"),
    "max_country_share": _pool_share("Largest share of the pool in one country"),
    "lumpy_builds": Spec("Lumpy builds (mixed-integer)", widget="checkbox", section=_BUILD),
    "site_fixed_cost_eur_per_yr": _build("Fixed cost of a new site", "EUR/yr", 1e11, 100_000),
    "min_build_mw": _build("Smallest new site", "MW IT", 1e5, 5),
    "max_build_mw": _build("Largest new site", "MW IT", 1e5, 5, empty="the site's own bound"),
    "reuse_floors": Spec("Energy reuse floor of new sites per country", "-", 0, 1),
    "kw_per_gpu": Spec("Power per GPU-equivalent", "kW", 0, 10_000, min_exclusive=True),
    "autarky": Spec("National build-out (every state at home)"),
    "exclude_categories": Spec("Site categories left out"),
    "disabled_constraints": Spec("Constraint families switched off", choices=SWITCHABLE),
    "time_limit_s": Spec("Solver time limit", "s", 0, 7 * 86_400, min_exclusive=True),
}


def spec(name: str) -> Spec:
    """Return a field's declaration (an empty one for a field without an entry in SPECS)."""
    return SPECS.get(name, Spec())


def _convert_fields(scenario: Scenario) -> None:
    """Convert every field by its type and declaration in place; raise naming every problem."""
    problems = []
    for name, hint in HINTS.items():
        try:
            value = convert(name, hint, getattr(scenario, name), spec(name))
        except Invalid as e:
            problems.append(str(e))
        else:
            object.__setattr__(scenario, name, value)  # frozen: set once, while being built
    if problems:
        raise ScenarioError("; ".join(problems))


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _rebuild(data: dict[str, Any]) -> Scenario:
    return Scenario(**data)


def from_dict(data: Mapping[str, Any]) -> Scenario:
    """Build a scenario from plain data (a table); unknown keys and invalid values fail."""
    if not isinstance(data, Mapping):
        raise ScenarioError(
            f"a scenario must be a table of key = value, not {type(data).__name__} {data!r:.60}"
        )
    unknown = sorted(map(str, set(data) - set(FIELDS)))
    if unknown:
        raise ScenarioError(
            f"unknown scenario key(s): {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )
    return Scenario(**data)


def read_scenario(path: Path) -> Scenario:
    """Read a scenario from a .toml or .json file."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
        return from_dict(data)
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, ScenarioError) as e:
        raise ScenarioError(f"{path}: {e}") from None


def _hint(key: str) -> Any:
    """Return the type a `--set` key takes (a table entry's type for `table.NAME`)."""
    top, _, sub = key.partition(".")
    hint = HINTS.get(top)
    if sub and hint is not None and get_origin(hint) is dict:
        return get_args(hint)[1]
    return hint


def _takes_text(hint: Any) -> bool:
    if get_origin(hint) in (Union, UnionType):
        return all(_takes_text(a) for a in get_args(hint) if a is not NoneType)
    return hint is str


def parse_override(text: str) -> tuple[str, Any]:
    """Parse one `--set key=value`: the value is read as TOML, else taken as text.

    A text field takes the text as written (`name=2030` is the name "2030"); the field's type
    converts the rest (`allow_expansion=no`, `trusted_states=DK,SE`, `time_limit_s=abc` fails).
    """
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected KEY=VALUE")
    key, raw = (s.strip() for s in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return key, raw
    if _takes_text(_hint(key)) and not isinstance(value, str):
        return key, raw
    return key, value


def apply_overrides(scenario: Scenario, overrides: Iterable[str]) -> Scenario:
    """Apply `key=value` overrides; a dotted key sets one table entry (rules.sensitive=home)."""
    data = scenario.to_dict()
    for item in overrides:
        key, value = parse_override(item)
        try:
            data = with_entry(data, key, value)
        except ScenarioError as e:
            raise ScenarioError(f"--set {item!r}: {e}") from None
    return from_dict(data)


def with_entry(data: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Return plain scenario data with `key` set; a dotted key sets one table entry
    (`rules.sensitive`), as `--set`, the page address and the dashboard's controls do."""
    top, dot, sub = key.partition(".")
    if not dot:
        return {**data, key: value}
    if top not in TABLE_FIELDS:
        dotted = ", ".join(f"{t}.NAME" for t in TABLE_FIELDS)
        raise ScenarioError(f"only the tables ({dotted}) take a dotted key")
    table = data.get(top, {})
    if not isinstance(table, Mapping):
        raise ScenarioError(str(fail(top, table, "must be a table")))
    return {**data, top: {**table, sub: value}}


def name_after(overrides: Sequence[str], base_name: str | None = None) -> str:
    """Return a name that says what the overrides change ("carbon_price_eur_per_t=120, ...")."""
    label = ", ".join("=".join(p.strip() for p in o.split("=", 1)) for o in overrides)
    if base_name is None:
        return label or Scenario().name
    return f"{base_name}: {label}" if label else base_name


#: The trusted group of every EU member state (the default), beside the registry's tags.
EU_MEMBERS = "eu_members"


def check_against(scenario: Scenario, inputs: Inputs) -> None:
    """Raise if the scenario names a workload class, country, trusted group or site category
    that the inputs do not hold (the consistency check before a model is built)."""
    categories = {s.category for s in inputs.sites.values()}
    groups = {EU_MEMBERS} | {g for s in inputs.states.values() for g in s.trusted_groups}
    levels = [] if inputs.fixed_demand is not None else [scenario.demand_scenario]
    named = (
        ("demand_scenario", levels, inputs.demand_scenarios, "demand scenario"),
        ("rules", scenario.rules, inputs.workloads, "workload class"),
        ("energy_cap_overrides", scenario.energy_cap_overrides, inputs.states, "country"),
        ("reuse_floors", scenario.reuse_floors, inputs.states, "country"),
        ("trusted_states", scenario.trusted_states, inputs.states, "state"),
        ("exclude_categories", scenario.exclude_categories, categories, "site category"),
        ("trusted_group", [scenario.trusted_group] if scenario.trusted_group else [], groups, ""),
    )
    problems = []
    for key, used, known, what in named:
        unknown = sorted(set(used) - set(known))
        if unknown:
            kind = what or "trusted group (tag in member_states.trusted_groups)"
            problems.append(
                f"{key}: unknown {kind} {', '.join(map(repr, unknown))} "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
    if problems:
        raise ScenarioError("; ".join(problems))


@cache
def _defaults() -> dict[str, Any]:
    return Scenario().to_dict()


def to_overrides(scenario: Scenario) -> dict[str, str]:
    """Return the fields that differ from the defaults as `key: TOML value` (the inverse of
    `apply_overrides` on the default scenario); tables become dotted keys."""
    default = _defaults()
    out: dict[str, str] = {}
    for key, value in scenario.to_dict().items():
        if isinstance(value, dict):
            for sub, v in sorted(value.items()):
                out[f"{key}.{sub}"] = _literal(v)
        elif default.get(key) != value:
            out[key] = _literal(value)
    return out


def _literal(value: Any) -> str:
    if isinstance(value, list):
        return json.dumps(value)  # a one-line TOML array of strings
    return tomli_w.dumps({"v": value}).strip()[4:]


# --------------------------------------------------------------------------- help
@cache
def field_docs() -> dict[str, str]:
    """Return each field's help: its `#:` comment in the class body (as Sphinx reads it)."""
    try:
        source = Path(__file__).read_text(encoding="utf-8")
    except OSError:
        return {}
    docs: dict[str, str] = {}
    pending: list[str] = []
    for line in source[source.index("class Scenario") :].splitlines()[1:]:
        text = line.strip()
        if text.startswith("#:"):
            pending.append(text[2:].strip())
        elif m := re.match(r"(\w+)\s*:", text):
            if m[1] in FIELDS:
                docs[m[1]] = " ".join(pending)
            pending = []
        elif text.startswith("def "):
            break
    return docs


def is_whole(name: str) -> bool:
    """Return whether a field holds whole numbers (its type is int, or int | None)."""
    hint = HINTS[name]
    return hint is int or int in get_args(hint)


def _default_text(name: str) -> str:
    default = Scenario().to_dict().get(name)
    return "empty" if default in (None, [], {}) else _literal(default)


def rule_text(name: str) -> str:
    """Return the rule a field's values follow, in words ("one of home, eu, ...", ">= 0 and
    <= 1"); "" when only its type applies."""
    s = spec(name)
    if s.choices:
        return f"one of {', '.join(s.choices)}"
    if s.min is not None or s.max is not None:
        return s.number_rule().removeprefix("a number ")
    return ""


def describe(name: str) -> str:
    """Return one line on a field: label, unit, default and rule, for the CLI's help."""
    s, rule = spec(name), rule_text(name)
    unit = f" [{s.unit}]" if s.unit else ""
    rule = f"; {rule}" if rule else ""
    return f"{name}{unit} = {_default_text(name)}{rule}: {s.label or field_docs().get(name, '')}"


DOCS_HEADER = """# Scenario keys

Every key of a scenario file, of `sovcompute solve --set KEY=VALUE` and of the dashboard's page
address, with its label in the dashboard, unit, default, rule and help. Generated from
`optimizer.scenario.SPECS` and the fields' comments by `python scripts/scenario_docs.py`; do not
edit by hand (tests/test_scenario.py checks it is current).

"""


def docs_table() -> str:
    """Return docs/scenario.md: one table row per scenario field, from the same declarations as
    the dashboard's sidebar and the CLI's help."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = [
        "| Key | Label | Unit | Default | Rule | Help |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in FIELDS:
        s = spec(name)
        default = _default_text(name)
        shown = default if default == "empty" else f"`{default}`"
        values = (f"`{name}`", s.label, s.unit, shown, rule_text(name))
        rows.append("| " + " | ".join(map(cell, (*values, field_docs().get(name, "")))) + " |")
    return DOCS_HEADER + "\n".join(rows) + "\n"
