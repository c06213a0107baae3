"""A scenario: the planner's choices, typed, frozen, read from and written to TOML or JSON.

Unknown keys and out-of-range values fail with a message that names them. Defaults are
documented on each field and in the README.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from optimizer.domain import RULES

# Constraint families that a scenario may switch off (see docs/model.md).
FAMILIES = (
    "site_capacity",
    "energy_cap",
    "concentration",
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
    #: Demand level (registry table demand_scenarios): its total is split between states by
    #: contribution share and between workload classes by their demand share.
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
    #: solvable; shortfalls are reported in MWh, never inside a EUR headline.
    value_of_lost_compute_eur_per_mwh: float = 1000.0
    #: Heat price for heat options without their own [EUR/MWh thermal] (assumption heat_price).
    heat_price_eur_per_mwh_th: float = 20.0
    #: Multiplies every state's demand [-].
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
    #: and minimum and maximum sizes. Shadow prices then come from the LP with the build
    #: decisions fixed.
    lumpy_builds: bool = False
    #: Fixed annual cost of opening a new site [EUR/yr] (lumpy builds only).
    site_fixed_cost_eur_per_yr: float = 0.0
    #: Smallest new site [MW IT] (lumpy builds only).
    min_build_mw: float = 0.0
    #: Largest new site [MW IT] (lumpy builds only); empty = the site's own bound.
    max_build_mw: float | None = None
    #: Placement rule per workload class, overriding the registry (home/eu/trusted/anywhere).
    rules: dict[str, str] = field(default_factory=dict)
    #: Trusted group: "eu_members" (every EU member state) or a tag of
    #: member_states.trusted_groups (e.g. us_ai_tier1, the 2025 US AI-diffusion Tier 1).
    trusted_group: str = "eu_members"
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
    #: Allow new capacity at buildable sites (and at sites with an expansion limit), priced at
    #: the full-cost annuity of facility and IT hardware. Off = only what exists.
    allow_expansion: bool = True
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
    #: National build-out: every state serves its own demand on its own soil, building what it
    #: lacks (the counterfactual that pooling is measured against).
    autarky: bool = False
    #: Site categories left out of the pool.
    exclude_categories: tuple[str, ...] = ()
    #: Constraint families switched off (see FAMILIES).
    disabled_constraints: tuple[str, ...] = ()
    #: Solver time limit [s].
    time_limit_s: float = 60.0

    def __post_init__(self) -> None:
        problems = []

        def need(ok: bool, what: str) -> None:
            if not ok:
                problems.append(what)

        for f in (
            "carbon_price_eur_per_t",
            "value_of_lost_compute_eur_per_mwh",
            "heat_price_eur_per_mwh_th",
            "demand_growth",
            "energy_cap_scale",
            "transfer_cost_eur_per_mwh_per_1000km",
            "facility_capex_eur_per_mw",
            "it_capex_eur_per_mw",
            "site_fixed_cost_eur_per_yr",
            "min_build_mw",
            "lead_time_years",
        ):
            v = getattr(self, f)
            need(
                isinstance(v, int | float) and not isinstance(v, bool) and v >= 0,
                f"{f}={v!r} must be a number >= 0",
            )
        for f in ("facility_life_years", "it_life_years"):
            v = getattr(self, f)
            need(isinstance(v, int | float) and v > 0, f"{f}={v!r} must be a number > 0")
        for f in (
            "min_home_share",
            "fair_access_factor",
            "juste_retour_factor",
            "discount_rate",
            "grid_cap_default_share",
            "max_site_share",
            "max_country_share",
        ):
            v = getattr(self, f)
            need(isinstance(v, int | float) and 0 <= v <= 1, f"{f}={v!r} must be in [0, 1]")
        for f in (
            "emissions_budget_t",
            "water_cap_m3_per_country",
            "gpu_cap_per_country",
            "max_build_mw",
        ):
            v = getattr(self, f)
            need(
                v is None or (isinstance(v, int | float) and v >= 0),
                f"{f}={v!r} must be empty or a number >= 0",
            )
        need(self.kw_per_gpu > 0, f"kw_per_gpu={self.kw_per_gpu!r} must be > 0")
        need(self.time_limit_s > 0, f"time_limit_s={self.time_limit_s!r} must be > 0")
        for w, r in self.rules.items():
            need(r in RULES, f"rules.{w}={r!r} must be one of {', '.join(RULES)}")
        for c, v in self.energy_cap_overrides.items():
            need(
                isinstance(v, int | float) and v >= 0,
                f"energy_cap_overrides.{c}={v!r} must be a number >= 0",
            )
        for fam in self.disabled_constraints:
            need(fam in FAMILIES, f"disabled_constraints: {fam!r} is not one of {FAMILIES}")
        need(
            self.gpu_cap_applies_to in ("untrusted", "all"),
            f"gpu_cap_applies_to={self.gpu_cap_applies_to!r} must be 'untrusted' or 'all'",
        )
        for key, value in _numbers(self):
            need(math.isfinite(value), f"{key}={value!r} must be a finite number")
        if problems:
            raise ScenarioError(f"scenario '{self.name}': " + "; ".join(problems))

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
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in asdict(self).items()
            if v is not None
        }

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


def _numbers(scenario: Scenario) -> list[tuple[str, float]]:
    """Return every float of a scenario, table entries as `table.key`, to check they are finite."""
    found = []
    for f in fields(scenario):
        value = getattr(scenario, f.name)
        entries = value.items() if isinstance(value, dict) else [(None, value)]
        for sub, v in entries:
            if isinstance(v, float):
                found.append((f.name if sub is None else f"{f.name}.{sub}", v))
    return found


FIELDS = {f.name: f for f in fields(Scenario)}
TUPLE_FIELDS = {n for n, f in FIELDS.items() if str(f.type).startswith("tuple")}


def from_dict(data: dict[str, Any]) -> Scenario:
    """Build a scenario from plain data; unknown keys fail."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ScenarioError(
            f"unknown scenario key(s): {', '.join(unknown)} (known: {', '.join(FIELDS)})"
        )
    clean: dict[str, Any] = {
        k: tuple(v) if k in TUPLE_FIELDS and isinstance(v, list | tuple) else v
        for k, v in data.items()
    }
    try:
        return Scenario(**clean)
    except TypeError as e:
        raise ScenarioError(str(e)) from None


def read_scenario(path: Path) -> Scenario:
    """Read a scenario from a .toml or .json file."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        raise ScenarioError(f"{path}: {e}") from None
    try:
        return from_dict(data)
    except ScenarioError as e:
        raise ScenarioError(f"{path}: {e}") from None


def parse_override(text: str) -> tuple[str, Any]:
    """Parse one `--set key=value`; the value is read as TOML, else taken as text."""
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected KEY=VALUE")
    key, raw = (s.strip() for s in text.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    if key in FIELDS and FIELDS[key].type == "float" and isinstance(value, int):
        value = float(value)
    return key, value


def apply_overrides(scenario: Scenario, overrides: list[str]) -> Scenario:
    """Apply `key=value` overrides; a dotted key sets one table entry (rules.sensitive=home)."""
    data = scenario.to_dict()
    for item in overrides:
        key, value = parse_override(item)
        if "." in key:
            top, sub = key.split(".", 1)
            if top not in ("rules", "energy_cap_overrides"):
                raise ScenarioError(
                    f"--set {item!r}: only rules.X and energy_cap_overrides.X take a dotted key"
                )
            data[top] = {**data.get(top, {}), sub: value}
        else:
            data[key] = value
    return from_dict(data)


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
