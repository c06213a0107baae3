"""The registry's tables described once: columns, types, units, ranges and keys.

The SQL migrations in data/migrations create the tables; this module says what a valid value
is, so that validation, documentation and the data page read the same rules. A test checks that
the columns here and the migrated tables agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from optimizer.domain import RULES

ColType = Literal["str", "int", "float", "bool"]

SITE_CATEGORIES = (
    "eurohpc_supercomputer",
    "eurohpc_ai_factory",
    "ai_factory_antenna",
    "ai_gigafactory_candidate",
    "national_system",
    "greenfield",
    "user_site",
)
#: existing: operational, sunk; committed: available from its online_year; buildable: new MW is
#: a decision priced at the full-cost annuity (candidates, bids, greenfield options).
CAPACITY_STATUSES = ("existing", "committed", "buildable")
HEAT_SINKS = ("district_heating", "industry", "greenhouse")
#: Ember's data (the monthly price and carbon factors) are CC BY 4.0: this line goes wherever
#: they are used (the Data page, every run's summary and workbook, the docs).
EMBER_ATTRIBUTION = (
    "Monthly wholesale prices and grid CO2 intensity: Ember (CC BY 4.0), https://ember-energy.org/"
)
PROVENANCE_KINDS = ("fact", "derivation", "assumption", "user_edit")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a registry table and the rule a value must follow."""

    name: str
    type: ColType
    unit: str = ""
    required: bool = False
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    iso: bool = False  # an ISO 3166-1 alpha-2 code
    identifier: bool = False  # letters, digits, '_', '.' only (used in LP names)
    max_length: int | None = None  # longest text accepted [characters]
    ref: tuple[str, str] | None = None  # (table, column) the value must exist in
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A registry table: its key and its columns."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    doc: str = ""

    def column(self, name: str) -> Column:
        """Return the column called `name`."""
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


#: Plausible upper bounds by unit, so that a typo or a corrupt file (a PUE of 40, 1e308 MW) is
#: refused with the rule named instead of breaking every solve; a column may declare its own
#: `max` (PUE <= 4). A test checks that every number column has a bound.
PLAUSIBLE_MAX: dict[str, float] = {
    "MW IT": 10_000.0,
    "MW facility": 10_000.0,
    "MW thermal": 10_000.0,
    "EUR/MWh": 5_000.0,
    "EUR/MWh thermal": 5_000.0,
    "gCO2/kWh": 2_000.0,
    "L/kWh IT": 10.0,
    "-": 10.0,
    "h": 8_784.0,
    "persons": 2e9,
    "USD (current)": 1e14,
    "PFLOP/s": 1e5,
    "count": 1e8,
    "EUR/MW/yr": 1e8,
    "EUR/MW IT": 1e9,
    "TWh/yr": 10_000.0,
    "years": 50.0,
}
#: Identifiers name LP variables and constraints: short, and no sign PuLP rewrites ('-' -> '_').
IDENTIFIER_MAX = 64
TEXT_MAX = 1_000


def _c(name: str, type: ColType, unit: str = "", **kw: object) -> Column:
    if type in ("int", "float") and unit in PLAUSIBLE_MAX:
        kw.setdefault("max", PLAUSIBLE_MAX[unit])
    if type == "str":
        kw.setdefault("max_length", IDENTIFIER_MAX if kw.get("identifier") else TEXT_MAX)
    return Column(name, type, unit, **kw)  # type: ignore[arg-type]


SHARE = {"min": 0.0, "max": 1.0}
NONNEG = {"min": 0.0}

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "member_states",
            ("iso2",),
            (
                _c("iso2", "str", required=True, iso=True, doc="ISO 3166-1 alpha-2 (GB, GR)"),
                _c("name", "str", required=True),
                _c("eu_member", "bool", required=True),
                _c("eurohpc_participant", "bool", required=True),
                _c("population", "int", "persons", **NONNEG),
                _c("gdp_usd", "float", "USD (current)", **NONNEG),
                _c(
                    "grid_ci_g_per_kwh",
                    "float",
                    "gCO2/kWh",
                    **NONNEG,
                    doc="carbon intensity of electricity generated",
                ),
                _c("grid_ci_year", "int", "year", min=1990, max=2100),
                _c(
                    "elec_price_eur_per_mwh",
                    "float",
                    "EUR/MWh",
                    **NONNEG,
                    doc="non-household electricity price, excluding VAT",
                ),
                _c("elec_price_band", "str", doc="Eurostat consumption band of the price"),
                _c("elec_price_period", "str", doc="Eurostat semester of the price"),
                _c(
                    "elec_demand_twh",
                    "float",
                    "TWh/yr",
                    **NONNEG,
                    doc="national electricity demand; the default grid-allowance rule scales it",
                ),
                _c("elec_demand_year", "int", "year", min=1990, max=2100),
                _c(
                    "dh_share_residential_heat",
                    "float",
                    "share",
                    **SHARE,
                    doc="district heating share of residential heat demand",
                ),
                _c("trusted_groups", "str", doc="comma-separated group tags, e.g. us_ai_tier1"),
                _c(
                    "contribution_share",
                    "float",
                    "share",
                    **SHARE,
                    doc="the state's share of contributions to the pool",
                ),
            ),
            "EU-27 and the other EuroHPC participating states.",
        ),
        Table(
            "sites",
            ("site_id",),
            (
                _c("site_id", "str", required=True, identifier=True),
                _c("site_name", "str", required=True),
                _c("category", "str", required=True, choices=SITE_CATEGORIES),
                _c("host_entity", "str"),
                _c("country", "str", required=True, iso=True, ref=("member_states", "iso2")),
                _c("city", "str"),
                _c("latitude", "float", "deg", min=-90.0, max=90.0),
                _c("longitude", "float", "deg", min=-180.0, max=180.0),
                _c("status", "str", doc="the status as published"),
                _c("status_year", "int", "year", min=1990, max=2100),
                _c(
                    "capacity_status",
                    "str",
                    required=True,
                    choices=CAPACITY_STATUSES,
                    doc="existing (sunk) / committed (from online_year) / buildable (a decision)",
                ),
                _c(
                    "online_year",
                    "int",
                    "year",
                    min=1990,
                    max=2100,
                    doc="first year a committed site's capacity is available",
                ),
                _c(
                    "retire_year",
                    "int",
                    "year",
                    min=1990,
                    max=2100,
                    doc="first year the capacity is gone; empty = not before the plan year",
                ),
                _c(
                    "it_capacity_mw",
                    "float",
                    "MW IT",
                    **NONNEG,
                    doc="IT load an existing or committed site can host; buildable sites have "
                    "none until the plan builds it",
                ),
                _c(
                    "pue",
                    "float",
                    "-",
                    required=True,
                    min=1.0,
                    max=4.0,
                    doc="power usage effectiveness, EN 50600-4-2",
                ),
                _c(
                    "wue_l_per_kwh",
                    "float",
                    "L/kWh IT",
                    **NONNEG,
                    doc="water usage effectiveness, EN 50600-4-9; empty = water not counted",
                ),
                _c("ref", "float", "share", **SHARE, doc="renewable energy factor, EN 50600-4-3"),
                _c("cooling", "str"),
                _c("rmax_pflops", "float", "PFLOP/s", **NONNEG, doc="HPL Rmax"),
                _c("accelerators", "int", "count", **NONNEG),
                _c(
                    "expansion_limit_mw",
                    "float",
                    "MW IT",
                    **NONNEG,
                    doc="most new IT capacity that can be built here (published connection or "
                    "size); empty = none at existing and committed sites, only the country's "
                    "grid allowance at buildable ones",
                ),
                _c(
                    "lead_time_years",
                    "float",
                    "years",
                    **NONNEG,
                    doc="years from decision to operation; empty = the scenario's default",
                ),
                _c(
                    "facility_capex_eur_per_mw",
                    "float",
                    "EUR/MW IT",
                    **NONNEG,
                    doc="building and M&E cost of new capacity; empty = the scenario's default",
                ),
            ),
            "Data centres that can host pooled compute.",
        ),
        Table(
            "heat_options",
            ("site_id", "sink"),
            (
                _c("site_id", "str", required=True, ref=("sites", "site_id")),
                _c("sink", "str", required=True, choices=HEAT_SINKS),
                _c("recoverable_fraction", "float", "share of IT power", required=True, **SHARE),
                _c(
                    "sink_capacity_mw_th",
                    "float",
                    "MW thermal",
                    **NONNEG,
                    doc="most heat the sink takes; empty = no limit beyond the recoverable heat",
                ),
                _c(
                    "heat_price_eur_per_mwh_th",
                    "float",
                    "EUR/MWh thermal",
                    **NONNEG,
                    doc="empty = the scenario's heat price",
                ),
            ),
            "Where a site's waste heat can go.",
        ),
        Table(
            "periods",
            ("period",),
            (
                _c("period", "str", required=True, identifier=True),
                _c("hours", "float", "h", required=True, min=0.0, min_exclusive=True),
                _c(
                    "price_factor",
                    "float",
                    "-",
                    required=True,
                    **NONNEG,
                    doc="multiplies each state's electricity price",
                ),
                _c(
                    "carbon_factor",
                    "float",
                    "-",
                    required=True,
                    **NONNEG,
                    doc="multiplies each state's grid carbon intensity",
                ),
                _c(
                    "heat_demand_factor",
                    "float",
                    "-",
                    required=True,
                    **NONNEG,
                    doc="share of the recoverable heat that finds a use in the period",
                ),
            ),
            "Representative time slices, their weights and default profile factors.",
        ),
        Table(
            "period_factors",
            ("country", "period"),
            (
                _c("country", "str", required=True, iso=True, ref=("member_states", "iso2")),
                _c("period", "str", required=True, ref=("periods", "period")),
                _c("price_factor", "float", "-", **NONNEG, doc="empty = the period's"),
                _c("carbon_factor", "float", "-", **NONNEG, doc="empty = the period's"),
                _c("heat_demand_factor", "float", "-", **NONNEG, doc="empty = the period's"),
            ),
            "Profile factors of one country in one period (price and carbon: the monthly "
            "Ember series over the annual mean); no row = the period's defaults.",
        ),
        Table(
            "workload_classes",
            ("workload",),
            (
                _c("workload", "str", required=True, identifier=True),
                _c("name", "str", required=True),
                _c(
                    "rule",
                    "str",
                    required=True,
                    choices=RULES,
                    doc="where it may run: home / eu / trusted / anywhere",
                ),
                _c(
                    "demand_share",
                    "float",
                    "share",
                    required=True,
                    **SHARE,
                    doc="share of every state's demand in this class",
                ),
                _c("description", "str"),
            ),
            "Kinds of compute and the placement rule of each.",
        ),
        Table(
            "demand_scenarios",
            ("demand_scenario",),
            (
                _c("demand_scenario", "str", required=True, identifier=True),
                _c("name", "str", required=True),
                _c(
                    "total_it_mw",
                    "float",
                    "MW IT",
                    required=True,
                    **NONNEG,
                    doc="pooled demand of all states, split by contribution share",
                ),
                _c(
                    "plan_year",
                    "int",
                    "year",
                    required=True,
                    min=2000,
                    max=2100,
                    doc="the year the plan serves: what exists and what can be built by then",
                ),
                _c("description", "str", doc="the anchor and its arithmetic"),
            ),
            "Named demand levels anchored on published figures.",
        ),
        Table(
            "energy_caps",
            ("country",),
            (
                _c("country", "str", required=True, iso=True, ref=("member_states", "iso2")),
                _c(
                    "energy_cap_mw",
                    "float",
                    "MW facility",
                    required=True,
                    **NONNEG,
                    doc="grid power for new data-centre builds, from a published figure",
                ),
            ),
            "Published grid allowances for new data centres; a country without a row gets the "
            "scenario's default rule (a share of its electricity demand).",
        ),
    )
}


def key_of(table: str, row: dict[str, object]) -> str:
    """Return the provenance row key of `row`: its key values joined by '|'."""
    return "|".join(str(row[k]) for k in TABLES[table].key)
