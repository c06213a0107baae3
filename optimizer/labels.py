"""The planner's words for every column the product shows: a label, a unit, a meaning and how
to round it, declared once for the pages, the charts and the Excel workbook's units sheet.

A plan's totals (cost_eur, new_mw...) take the words optimizer.summary.Summary declares. A
column of the by-state comparison (`pooled_cost_eur`, `dividend_new_mw`...) takes the words of
its measure with the side in front; a scenario field (a swept setting) takes its declaration in
optimizer.scenario.SPECS. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from optimizer.scenario import SPECS
from optimizer.summary import Summary

WHOLE = "%,.0f"  # money, energy, emissions: whole units with thousands separators
ONE = "%,.1f"  # power [MW]
RATIO = "%.2f"  # shares and factors
FINE = "%.3f"


@dataclass(frozen=True, slots=True)
class Label:
    """How one column is shown: its words, unit, meaning and rounding (printf style)."""

    text: str
    unit: str = ""
    meaning: str = ""
    format: str = ""

    def title(self) -> str:
        """Return the words with the unit, as a header or an axis shows them ("IT energy
        [MWh]"); a ratio ("-") shows no unit."""
        return f"{self.text} [{self.unit}]" if self.unit not in ("", "-") else self.text


def _total(unit: str) -> str:
    """Return how a total in `unit` is rounded, as optimizer.summary.formatted rounds it."""
    return RATIO if unit == "share" else ONE if unit == "MW IT" else WHOLE


#: The plan's totals, in the words of their declaration on optimizer.summary.Summary.
TOTALS = {
    f.name: Label(
        f.metadata["label"],
        "-" if f.metadata["unit"] == "share" else f.metadata["unit"],
        f.metadata["note"],
        _total(f.metadata["unit"]),
    )
    for f in fields(Summary)
    if "label" in f.metadata
}

LABELS: dict[str, Label] = {
    **TOTALS,
    # who, where, when
    "state": Label("State", meaning="Member state whose demand it is (ISO 3166-1 alpha-2)"),
    "iso2": Label("Country", meaning="ISO 3166-1 alpha-2 code"),
    "country": Label("Country", meaning="Country of the site (ISO 3166-1 alpha-2)"),
    "host_country": Label("Host country", meaning="Country of the site that runs the work"),
    "name": Label("Name"),
    "site_id": Label("Site code", meaning="The site's key in the registry"),
    "site_name": Label("Site"),
    "city": Label("Town"),
    "category": Label("Category", meaning="Kind of site (EuroHPC, AI Factory, candidate...)"),
    "capacity_status": Label("Capacity status", meaning="existing, committed or buildable"),
    "status": Label("Published status", meaning="the status as published"),
    "kind": Label("Capacity", meaning="existing, committed or built by the plan"),
    "workload": Label("Workload class"),
    "rule": Label("Placement rule", meaning="Where the class may run: home, eu, trusted, anywhere"),
    "period": Label("Period", meaning="Month of the plan year"),
    "hours": Label("Hours", "h", "Hours in the period", WHOLE),
    "latitude": Label("Latitude", "deg", format=FINE),
    "longitude": Label("Longitude", "deg", format=FINE),
    "sink": Label("Heat sink", meaning="district_heating, industry or greenhouse"),
    "basis": Label("Basis", meaning="Where the grid allowance comes from"),
    "binding": Label("Binds", meaning="Whether the constraint binds"),
    "usable": Label("In the pool", meaning="Whether the site may serve the pool"),
    "eu_member": Label("EU member"),
    "trusted": Label("Trusted", meaning="Inside the scenario's trusted group"),
    "allowed_hosts": Label("Allowed hosts"),
    # power and energy
    "it_mw": Label("IT load", "MW", "Average IT power in the period", ONE),
    "it_mwh": Label("IT energy", "MWh", "IT energy served", WHOLE),
    "demand_it_mw": Label("Demand", "MW IT", "Average IT demand", ONE),
    "it_capacity_mw": Label("IT capacity", "MW", "IT capacity of the site", ONE),
    "expansion_limit_mw": Label("Can be built", "MW IT", "Most new IT capacity at the site", ONE),
    "buildable_up_to_mw": Label("Can be built", "MW IT", "Most new IT capacity", ONE),
    "available_mw": Label("Existing capacity", "MW IT", "Existing or committed in plan year", ONE),
    "capacity_mw": Label("Capacity", "MW IT", "Existing and new IT capacity", ONE),
    "peak_it_mw": Label("Peak IT load", "MW", "Highest average IT load of a period", ONE),
    "facility_mwh": Label("Facility energy", "MWh", "IT energy times PUE", WHOLE),
    "served_at_home_mwh": Label("Served at home", "MWh IT/yr", "Served on the state's soil", WHOLE),
    "hosted_mwh": Label("Hosted", "MWh IT/yr", "Work of any state run on this soil", WHOLE),
    "net_export_mwh": Label("Net export of compute", "MWh IT/yr", "Hosted minus served", WHOLE),
    "energy_cap_mw": Label("Grid allowance", "MW facility", "For new data centres", ONE),
    "new_builds_mw": Label("Used by new builds", "MW facility", "New IT capacity x PUE", ONE),
    "holds_for": Label("Holds for", "MW", "Range over which the value holds", ONE),
    "gpu_equivalents": Label(
        "GPU-equivalents", meaning="Accelerators the IT load stands for", format=WHOLE
    ),
    "sites": Label("Sites", meaning="Number of sites", format=WHOLE),
    # heat, water, emissions
    "heat_mwh_th": Label("Heat reused", "MWh th/yr", "Waste heat sold to a sink", WHOLE),
    "sink_capacity_mw_th": Label("Heat-sink capacity", "MW th", format=ONE),
    "recoverable_fraction": Label("Recoverable share of IT power", "-", format=RATIO),
    "wue_l_per_kwh": Label("Water use (WUE)", "l/kWh", format=RATIO),
    "grid_ci_g_per_kwh": Label("Grid carbon intensity", "gCO2/kWh", format=WHOLE),
    # money
    "energy_cost_eur": Label("Energy cost", "EUR", "Electricity bought", WHOLE),
    "transfer_cost_eur": Label("Transfer cost", "EUR", format=WHOLE),
    "heat_revenue_eur": Label("Heat revenue", "EUR/yr", format=WHOLE),
    "capital_cost_eur": Label("Capital annuity", "EUR/yr", "Facility and IT hardware", WHOLE),
    "value_eur_per_yr": Label("Value of one more unit", "EUR/yr", format=WHOLE),
    "eur_per_yr": Label("Amount", "EUR/yr", format=WHOLE),
    "marginal_cost_eur_per_mw_yr": Label("Marginal cost", "EUR/yr per MW", format=WHOLE),
    "annuity_eur_per_mw_yr": Label("Annuity of new capacity", "EUR/yr per MW IT", format=WHOLE),
    "elec_price_eur_per_mwh": Label("Electricity price", "EUR/MWh", format=ONE),
    "heat_price_eur_per_mwh_th": Label("Heat price", "EUR/MWh th", format=ONE),
    "lead_time_years": Label("Lead time", "years", format=ONE),
    # shares and factors
    "pue": Label("PUE", "-", "Facility energy / IT energy", RATIO),
    "utilisation": Label("Utilisation", "-", "IT energy / (capacity x hours)", RATIO),
    "contribution_share": Label("Contribution share", "-", format=FINE),
    "demand_share": Label("Share of demand", "-", format=FINE),
    "access_ratio": Label("Fair access achieved", "-", "Served / entitlement", RATIO),
    "hosting_ratio": Label("Hosting achieved", "-", "Hosted share / contribution share", RATIO),
    "price_factor": Label("Price factor", "month / annual mean", format=FINE),
    "carbon_factor": Label("Carbon factor", "month / annual mean", format=FINE),
    "heat_demand_factor": Label("Heat demand factor", "month / annual mean", format=FINE),
    "value": Label("Factor", "month / annual mean", format=FINE),
    "factor": Label("Factor"),
    # the solve and its levers
    "scenario": Label("Scenario"),
    "solve_seconds": Label("Solve time", "s", format="%.2f"),
    "pareto_cost_co2": Label("On the cost-emissions front"),
    "pareto_cost_access": Label("On the cost-fair access front"),
    "pareto_cost_juste_retour": Label("On the cost-juste retour front"),
    "constraint": Label("Constraint", meaning="The LP row's name (docs/model.md)"),
    "dual": Label(
        "Shadow price", meaning="Per unit of the right-hand side, in the period", format=FINE
    ),
    "rhs": Label("Right-hand side", meaning="The constraint's limit, in its family's unit"),
    "rhs_low": Label("Lowest right-hand side", meaning="Where the shadow price starts to hold"),
    "rhs_high": Label("Highest right-hand side", meaning="Where the shadow price stops holding"),
    "lever_value_eur": Label("Value of one more unit", "EUR", "Shadow price x hours", WHOLE),
    "family": Label("Constraint family"),
    "subject": Label("Where"),
    "sentence": Label("In words"),
    "term": Label("Cost term"),
    "what": Label("Capacity"),
    "mw": Label("Capacity", "MW IT", format=ONE),
    "label": Label("Measure"),
    "pooled": Label("Pooled", format=WHOLE),
    "national": Label("National build-out", format=WHOLE),
    "dividend": Label("Dividend (national minus pooled)", format=WHOLE),
    "rules_off": Label("Rules off", format=WHOLE),
    "with_rules": Label("With the rules", format=WHOLE),
    "rule_cost": Label("Rule cost", format=WHOLE),
    "key": Label("Setting"),
    "total": Label("Total"),
    "A": Label("Run A", format="%,.2f"),
    "B": Label("Run B", format="%,.2f"),
    "side": Label("In run", meaning="Which run holds the row: A only or B only"),
    "provenance_it_capacity_mw": Label("Source of the capacity"),
    "provenance_pue": Label("Source of the PUE"),
}
#: The sides of the pooled-against-national comparison (optimizer.api.Comparison.by_state).
SIDES = {"pooled": "Pooled", "national": "National", "dividend": "Dividend"}


def label(column: str) -> Label:
    """Return the words of a column: declared here, a side of a declared measure
    (`dividend_cost_eur`), a scenario field, or the name in words as a last resort."""
    if column in LABELS:
        return LABELS[column]
    side, _, measure = column.partition("_")
    if side in SIDES and measure in LABELS:
        base = LABELS[measure]
        return Label(f"{SIDES[side]}: {base.text}", base.unit, base.meaning, base.format)
    if column in SPECS and SPECS[column].label:
        return Label(SPECS[column].label, SPECS[column].unit)
    return Label(column.replace("_", " ").capitalize())


def title(column: str) -> str:
    """Return a column's header or axis title, with its unit."""
    return label(column).title()


def excel_format(column: str) -> str:
    """Return a column's rounding as an Excel number format ("%,.1f" -> "#,##0.0"), "" when
    it has none."""
    rounding = label(column).format
    if not rounding:
        return ""
    decimals = int(rounding.rsplit(".", 1)[1].rstrip("f"))
    whole = "#,##0" if "," in rounding else "0"
    return whole + ("." + "0" * decimals if decimals else "")


#: Where each sheet of the plan's workbook comes from.
SOURCES = {
    "allocation": "The plan: each state's demand placed at sites, per period (solver output)",
    "unserved": "The plan: demand left unserved, per period (solver output)",
    "sites": "The plan per site; site facts from the registry (Data page, with provenance)",
    "states": "The plan per state; contribution shares from the registry (member_states)",
    "duals": "The solver's shadow prices (HiGHS), per constraint and period",
    "levers": "The binding shadow prices summed over the year, in words",
    "scenario": "The scenario of the plan; docs/scenario.md gives each key's unit and rule",
    "run": "How the solve ran and its totals (as the run folder's summary.json)",
}
UNITS_COLUMNS = ["sheet", "column", "heading", "unit", "meaning", "source"]


def units_rows(sheets: dict[str, list[str]]) -> list[tuple[str, str, str, str, str, str]]:
    """Return one row per column of each sheet (sheet name -> column names): its heading in
    words, unit, meaning and source, for the workbook's units and sources sheet."""
    rows = []
    for sheet, columns in sheets.items():
        for column in columns:
            words = label(column)
            unit = "" if words.unit == "-" else words.unit
            meaning = words.meaning or words.text
            rows.append((sheet, column, words.title(), unit, meaning, SOURCES.get(sheet, "")))
    return rows
