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
from optimizer.spec import Invalid, Spec, convert, fail

if TYPE_CHECKING:
    from optimizer.domain import Inputs

# Constraint families that a scenario may switch off (see docs/model.md).
FAMILIES = (
    "site_capacity",
    "energy_cap",
    "sovereignty",
    "home_share",
    "fair_access",
    "juste_retour",
    "heat",
    "emissions_budget",
    "water",
    "gpu_cap",
)


class ScenarioError(ValueError):
    """A scenario key or value is not valid."""


@dataclass(frozen=True)
class Scenario:
    """The planner's choices for one plan. Every field has a documented default."""

    name: str = "baseline"
    #: Carbon price [EUR/tCO2]; default: 2024 average EU ETS price (assumption carbon_price).
    carbon_price_eur_per_t: float = 67.0
    #: Value of lost compute [EUR/MWh IT]: the penalty on unserved demand, above any energy cost
    #: so that demand is served whenever the rules allow.
    value_of_lost_compute_eur_per_mwh: float = 1000.0
    #: Heat price for heat options without their own [EUR/MWh thermal] (assumption heat_price).
    heat_price_eur_per_mwh_th: float = 20.0
    #: Multiplies every state's demand [-].
    demand_growth: float = 1.0
    #: Placement rule per workload class, overriding the registry (home/eu/trusted/anywhere).
    rules: dict[str, str] = field(default_factory=dict)
    #: Trusted group tag (member_states.trusted_groups) whose states are trusted.
    trusted_group: str = "us_ai_tier1"
    #: Extra trusted states (ISO alpha-2), added to the group.
    trusted_states: tuple[str, ...] = ()
    #: Minimum share of each state's demand served at home [-].
    min_home_share: float = 0.0
    #: Fair access: each state's served load >= factor x contribution share x total demand [-].
    fair_access_factor: float = 0.0
    #: Juste retour: each contributing state hosts >= factor x contribution share x pooled load.
    juste_retour_factor: float = 0.0
    #: Multiplies every national energy cap [-].
    energy_cap_scale: float = 1.0
    #: Energy cap per country in every period [MW facility], replacing the registry's.
    energy_cap_overrides: dict[str, float] = field(default_factory=dict)
    #: Allow new IT capacity at sites, at their annualised expansion cost.
    allow_expansion: bool = False
    #: Cap on total emissions [tCO2/yr]; None = no budget.
    emissions_budget_t: float | None = None
    #: Cap on water use per country [m3/yr] (WUE x IT energy); None = no cap.
    water_cap_m3_per_country: float | None = None
    #: Cap on GPU-equivalents hosted per country for the capped states; None = no cap.
    gpu_cap_per_country: float | None = None
    #: Which countries the GPU cap applies to: "untrusted" (outside the trusted group) or "all".
    gpu_cap_applies_to: str = "untrusted"
    #: Power per GPU-equivalent, server share included [kW] (assumption kw_per_accelerator).
    kw_per_gpu: float = 1.275
    #: Transfer cost between a state's capital and the host site [EUR/MWh IT per 1000 km].
    transfer_cost_eur_per_mwh_per_1000km: float = 0.0
    #: Every state on its own sites only.
    autarky: bool = False
    #: Site categories left out of the pool.
    exclude_categories: tuple[str, ...] = ()
    #: Constraint families switched off (see FAMILIES).
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


FIELDS = {f.name: f for f in fields(Scenario)}
#: Each field's type, read from its annotation: what a value is converted to.
HINTS: dict[str, Any] = get_type_hints(Scenario)
#: Fields that hold a table; `KEY.NAME=VALUE` sets one entry.
TABLE_FIELDS = tuple(n for n, h in HINTS.items() if get_origin(h) is dict)

#: What each field's type cannot say: label, unit, range, choices. A field without an entry is
#: still checked by its type (numbers: finite, within +-MAX_MAGNITUDE).
SPECS: dict[str, Spec] = {
    "name": Spec("Scenario name"),
    "carbon_price_eur_per_t": Spec("Carbon price", "EUR/tCO2", 0, 10_000),
    "value_of_lost_compute_eur_per_mwh": Spec("Value of lost compute", "EUR/MWh IT", 0, 1e6),
    "heat_price_eur_per_mwh_th": Spec("Heat price", "EUR/MWh th", 0, 10_000),
    "demand_growth": Spec("Demand growth", "-", 0, 1000),
    "rules": Spec("Placement rule per workload class", choices=RULES),
    "trusted_group": Spec("Trusted group"),
    "trusted_states": Spec("Extra trusted states", "ISO alpha-2"),
    "min_home_share": Spec("Minimum share served at home", "-", 0, 1),
    "fair_access_factor": Spec("Fair access factor", "-", 0, 1),
    "juste_retour_factor": Spec("Juste retour factor", "-", 0, 1),
    "energy_cap_scale": Spec("Energy cap scale", "-", 0, 1000),
    "energy_cap_overrides": Spec("Energy cap per country", "MW facility", 0, 1e6),
    "allow_expansion": Spec("Allow new capacity"),
    "emissions_budget_t": Spec("Emissions budget", "tCO2/yr", 0, 1e10),
    "water_cap_m3_per_country": Spec("Water cap per country", "m3/yr", 0, 1e12),
    "gpu_cap_per_country": Spec("GPU cap per country", "GPU-equivalents", 0, 1e9),
    "gpu_cap_applies_to": Spec("GPU cap applies to", choices=("untrusted", "all")),
    "kw_per_gpu": Spec("Power per GPU-equivalent", "kW", 0, 10_000, min_exclusive=True),
    "transfer_cost_eur_per_mwh_per_1000km": Spec("Transfer cost", "EUR/MWh IT per 1000 km", 0, 1e5),
    "autarky": Spec("Every state alone"),
    "exclude_categories": Spec("Site categories left out"),
    "disabled_constraints": Spec("Constraint families switched off", choices=FAMILIES),
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
        top, dot, sub = key.partition(".")
        if not dot:
            data[key] = value
            continue
        if top not in TABLE_FIELDS:
            dotted = " and ".join(f"{t}.NAME" for t in TABLE_FIELDS)
            raise ScenarioError(f"--set {item!r}: only {dotted} take a dotted key")
        table = data.get(top, {})
        if not isinstance(table, Mapping):
            raise ScenarioError(str(fail(top, table, "must be a table")))
        data[top] = {**table, sub: value}
    return from_dict(data)


def name_after(overrides: Sequence[str], base_name: str | None = None) -> str:
    """Return a name that says what the overrides change ("carbon_price_eur_per_t=120, ...")."""
    label = ", ".join("=".join(p.strip() for p in o.split("=", 1)) for o in overrides)
    if base_name is None:
        return label or Scenario().name
    return f"{base_name}: {label}" if label else base_name


def check_against(scenario: Scenario, inputs: Inputs) -> None:
    """Raise if the scenario names a workload class, country, trusted group or site category
    that the inputs do not hold (the consistency check before a model is built)."""
    categories = {s.category for s in inputs.sites.values()}
    groups = {g for s in inputs.states.values() for g in s.trusted_groups}
    named = (
        ("rules", scenario.rules, inputs.workloads, "workload class"),
        ("energy_cap_overrides", scenario.energy_cap_overrides, inputs.states, "country"),
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


def to_overrides(scenario: Scenario) -> dict[str, str]:
    """Return the fields that differ from the defaults as `key: TOML value` (the inverse of
    `apply_overrides` on the default scenario); tables become dotted keys."""
    default = Scenario().to_dict()
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


def describe(name: str) -> str:
    """Return one line on a field: label, unit, default and rule, for the CLI's help."""
    s, default = spec(name), Scenario().to_dict().get(name)
    unit = f" [{s.unit}]" if s.unit else ""
    shown = "empty" if default in (None, [], {}) else _literal(default)
    rule = ""
    if s.min is not None or s.max is not None:
        rule = f"; {s.number_rule().removeprefix('a number ')}"
    if s.choices:
        rule = f"; one of {', '.join(s.choices)}"
    return f"{name}{unit} = {shown}{rule}: {s.label or field_docs().get(name, '')}"
