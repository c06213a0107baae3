"""Run folders: the plan's tables, its summary and the exact inputs it used, in one folder.

Anyone can check a plan from its folder alone: inputs/ holds the effective inputs (demand after
growth, caps after scale and overrides, rules after overrides), not the registry's raw values.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.domain import Inputs, inputs_from_records
from optimizer.labels import UNITS_COLUMNS, excel_format, title, units_rows
from optimizer.model import (
    demand_of,
    energy_cap,
    may_build,
    plan_year,
    trusted_states,
    usable_sites,
)
from optimizer.scenario import Scenario, crf, read_scenario
from optimizer.solve import Plan
from optimizer.store import spreadsheet_safe, write_frame

FORMATS = ("csv", "xlsx", "parquet", "json")


#: Scenario keys whose effect is already in a run folder's inputs/ tables; the scenario that
#: re-solves the folder switches them off (see inputs_from_run).
APPLIED_IN_INPUTS = {
    "demand_scenario": "inputs/demand (MW per state and workload, every period)",
    "demand_growth": "inputs/demand",
    "plan_year": "inputs/sites.it_capacity_mw (in the plan year), expansion_limit_mw (0: no build)",
    "energy_cap_scale": "inputs/energy_caps (every country, MW facility)",
    "energy_cap_overrides": "inputs/energy_caps",
    "grid_cap_default_share": "inputs/energy_caps",
    "rules": "inputs/workloads.rule",
    "trusted_group": "inputs/states.trusted",
    "trusted_states": "inputs/states.trusted",
    "heat_price_eur_per_mwh_th": "inputs/heat_options.heat_price_eur_per_mwh_th",
}


def grid_allowances(inputs: Inputs, scenario: Scenario) -> pd.DataFrame:
    """Return every country's grid allowance for new data-centre builds [MW facility] and its
    basis (published figure, the scenario's default rule, or an override)."""
    rows = [(c, *energy_cap(inputs, scenario, c)) for c in sorted(inputs.states)]
    return pd.DataFrame(rows, columns=["country", "energy_cap_mw", "basis"])


def effective_inputs(inputs: Inputs, scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Return the inputs a scenario's LP reads, as tables named inputs/<table>."""
    year = plan_year(inputs, scenario)
    usable = {s.id for s in usable_sites(inputs, scenario)}
    trusted = trusted_states(inputs, scenario)
    sites = pd.DataFrame(
        [
            {
                "site_id": s.id,
                "site_name": s.name,
                "country": s.country,
                "category": s.category,
                "capacity_status": "existing" if s.available_mw(year) > 0 else "buildable",
                "it_capacity_mw": s.available_mw(year),
                "expansion_limit_mw": s.build_limit_mw() if may_build(s, scenario, year) else 0.0,
                "lead_time_years": 0.0,
                "annuity_eur_per_mw_yr": scenario.annuity_eur_per_mw_yr(
                    s.facility_capex_eur_per_mw
                ),
                "pue": s.pue,
                "wue_l_per_kwh": s.wue_l_per_kwh,
                "latitude": s.latitude,
                "longitude": s.longitude,
                "usable": s.id in usable,
            }
            for s in sorted(inputs.sites.values(), key=lambda s: s.id)
        ]
    )
    states = pd.DataFrame(
        [
            {
                "state": s.iso2,
                "eu_member": s.eu_member,
                "trusted": s.iso2 in trusted,
                "elec_price_eur_per_mwh": s.elec_price_eur_per_mwh,
                "grid_ci_g_per_kwh": s.grid_ci_g_per_kwh,
                "contribution_share": s.contribution_share,
                "latitude": s.latitude,
                "longitude": s.longitude,
            }
            for s in sorted(inputs.states.values(), key=lambda s: s.iso2)
        ]
    )
    demand = pd.DataFrame(
        [(s, w, v) for (s, w), v in sorted(demand_of(inputs, scenario).items())],
        columns=["state", "workload", "demand_it_mw"],
    )
    caps = grid_allowances(inputs, scenario)
    periods = pd.DataFrame([asdict(p) for p in inputs.periods.values()]).rename(
        columns={"id": "period"}
    )
    factors = pd.DataFrame(
        [(c, t, *inputs.factors(c, t)) for c in sorted(inputs.states) for t in inputs.periods],
        columns=["country", "period", "price_factor", "carbon_factor", "heat_demand_factor"],
    )
    workloads = pd.DataFrame(
        [
            {
                "workload": w.id,
                "rule": scenario.rules.get(w.id, w.rule),
                "demand_share": w.demand_share,
                "allowed_hosts": "home always; eu: EU members; trusted: inputs/states.trusted",
            }
            for w in inputs.workloads.values()
        ]
    )
    heat = pd.DataFrame(
        [
            {
                "site_id": h.site_id,
                "sink": h.sink,
                "recoverable_fraction": h.recoverable_fraction,
                "sink_capacity_mw_th": h.sink_capacity_mw_th,
                "heat_price_eur_per_mwh_th": (
                    h.heat_price_eur_per_mwh_th
                    if h.heat_price_eur_per_mwh_th is not None
                    else scenario.heat_price_eur_per_mwh_th
                ),
            }
            for h in inputs.heat_options
        ],
        columns=[
            "site_id",
            "sink",
            "recoverable_fraction",
            "sink_capacity_mw_th",
            "heat_price_eur_per_mwh_th",
        ],
    )
    return {
        "inputs/sites": sites,
        "inputs/states": states,
        "inputs/demand": demand,
        "inputs/energy_caps": caps,
        "inputs/periods": periods,
        "inputs/period_factors": factors,
        "inputs/workloads": workloads,
        "inputs/heat_options": heat,
    }


RUN_TRUSTED = "trusted_in_run"


def inputs_from_run(
    tables: Mapping[str, pd.DataFrame], scenario: Scenario
) -> tuple[Inputs, Scenario]:
    """Rebuild, from a run's inputs/ tables, the Inputs and scenario that reproduce its LP.

    The tables already carry what APPLIED_IN_INPUTS lists (demand after growth, capacity in
    the plan year, caps for every country, rules, trusted states, heat prices, the annuity per
    site), so the returned scenario switches those off.
    """
    t = {k.removeprefix("inputs/"): v for k, v in tables.items() if k.startswith("inputs/")}
    states = t["states"].rename(columns={"state": "iso2"})
    states["trusted_groups"] = [RUN_TRUSTED if bool(v) else "" for v in states["trusted"]]
    capitals = {
        str(r.iso2): (float(r.latitude), float(r.longitude))
        for r in states.itertuples()
        if pd.notna(r.latitude) and pd.notna(r.longitude)
    }
    sites = t["sites"].copy()
    # The annuity per site is carried as a facility capex that, with IT capex 0 and the run's
    # discount rate and facility life, gives the same annual cost.
    factor = crf(scenario.discount_rate, scenario.facility_life_years)
    sites["facility_capex_eur_per_mw"] = sites["annuity_eur_per_mw_yr"] / factor
    records = {
        "member_states": states.to_dict("records"),
        "sites": sites.to_dict("records"),
        "periods": t["periods"].to_dict("records"),
        "period_factors": t["period_factors"].to_dict("records"),
        "workload_classes": t["workloads"].to_dict("records"),
        "heat_options": t["heat_options"].to_dict("records"),
        "demand": t["demand"].to_dict("records"),
        "energy_caps": t["energy_caps"].to_dict("records"),
    }
    baked = scenario.with_overrides(
        demand_growth=1.0,
        plan_year=scenario.base_year,
        energy_cap_scale=1.0,
        energy_cap_overrides={},
        rules={},
        trusted_group=RUN_TRUSTED,
        trusted_states=[],
        it_capex_eur_per_mw=0.0,
    )
    return inputs_from_records(records, capitals), baked


def read_run_folder(folder: Path) -> tuple[dict[str, pd.DataFrame], Scenario]:
    """Read a run folder's inputs/ tables (any format written here) and its scenario.toml."""
    readers = {
        ".csv": pd.read_csv,
        ".parquet": pd.read_parquet,
        ".xlsx": pd.read_excel,
        ".json": lambda p: pd.read_json(p, orient="records"),
    }
    tables = {}
    for path in sorted((folder / "inputs").iterdir()):
        if path.suffix in readers:
            tables[f"inputs/{path.stem}"] = readers[path.suffix](path)
    return tables, read_scenario(folder / "scenario.toml")


def write_table(frame: pd.DataFrame, path_stem: Path, fmt: str) -> Path:
    """Write one table as <path_stem>.<fmt>."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}' (use one of {', '.join(FORMATS)})")
    path = path_stem.with_suffix(f".{fmt}")
    write_frame(frame, path, sheet=path_stem.name)
    return path


def export_run(
    plan: Plan,
    scenario: Scenario,
    inputs_tables: dict[str, pd.DataFrame],
    out: Path,
    fmt: str = "csv",
) -> list[Path]:
    """Write a self-contained run folder and return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [
        write_table(frame, out / name, fmt)
        for name, frame in {**plan.tables(), **inputs_tables}.items()
    ]
    summary = out / "summary.json"
    summary.write_text(
        json.dumps(plan.summary.to_dict() | {"warnings": plan.warnings}, indent=2, default=str),
        encoding="utf-8",
    )
    scen = out / "scenario.toml"
    applied = "\n".join(f"#   {k}: {where}" for k, where in APPLIED_IN_INPUTS.items())
    scen.write_text(
        "# The scenario of this run. Keys already applied in inputs/ (re-solve the folder with\n"
        "# inputs/ as they are and these keys switched off; optimizer.inputs_from_run does):\n"
        f"{applied}\n{scenario.to_toml()}",
        encoding="utf-8",
    )
    return [*written, summary, scen]


def excel_bytes(
    sheets: Mapping[str, pd.DataFrame], formats: Mapping[str, Mapping[str, str]] | None = None
) -> bytes:
    """Return an Excel workbook with one sheet per table (formula-like text made inert);
    `formats` gives, per sheet, an Excel number format per column (the cells keep full
    precision, the reader sees them rounded)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            spreadsheet_safe(frame).to_excel(xl, sheet_name=name[:31], index=False)
            sheet, rounding_of = xl.sheets[name[:31]], (formats or {}).get(name, {})
            for index, column in enumerate(frame.columns, start=1):
                if rounding := rounding_of.get(str(column)):
                    for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                        cell.number_format = rounding
    return buffer.getvalue()


def _key_values(items: Mapping[str, Any], prefix: str = "") -> pd.DataFrame:
    """Return settings as rows of key and value, a table's entries as dotted keys and a list as
    text, so that no cell holds JSON."""
    rows: list[tuple[str, Any]] = []
    for k, v in items.items():
        if isinstance(v, Mapping):
            rows.extend(_key_values(v, f"{prefix}{k}.").itertuples(index=False, name=None))
        else:
            rows.append((f"{prefix}{k}", "; ".join(map(str, v)) if isinstance(v, list) else v))
    return pd.DataFrame(rows, columns=["key", "value"])


def workbook_bytes(plan: Plan, scenario: Scenario) -> bytes:
    """Return an Excel workbook for a reader: one sheet per plan table, the scenario and run
    metadata, each header in words with its unit and each number shown rounded (the cells keep
    full precision), and a sheet giving each column's name, heading, unit, meaning and source."""
    sheets = {
        **plan.tables(),
        "scenario": _key_values(scenario.to_dict()),
        "run": _key_values(plan.summary.to_dict() | {"warnings": plan.warnings}),
    }
    units = units_rows({name: [str(c) for c in frame.columns] for name, frame in sheets.items()})
    shown = {name: frame.rename(columns=lambda c: title(str(c))) for name, frame in sheets.items()}
    formats = {
        name: {title(str(c)): excel_format(str(c)) for c in frame.columns if excel_format(str(c))}
        for name, frame in sheets.items()
    }
    units_sheet = pd.DataFrame(units, columns=UNITS_COLUMNS)
    return excel_bytes({**shown, "units and sources": units_sheet}, formats)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Return one table as Parquet bytes."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
