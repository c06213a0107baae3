"""European sovereign compute planner: the importable package.

The public API is what `__all__` lists; the modules behind it are private.
"""

from optimizer.api import (
    Comparison,
    assumptions,
    compare,
    europe_outlines,
    export_file,
    import_file,
    import_upload,
    inputs_from_tables,
    load_inputs,
    load_run,
    plan,
    presets,
    registry,
    registry_table,
    reproduce,
    run_and_store,
    runs,
    save_scenario,
    save_table,
    scenario_from_json,
    scenarios,
    write_lp,
)
from optimizer.domain import RULES, Inputs
from optimizer.registry import TABLES
from optimizer.runs import (
    effective_inputs,
    excel_bytes,
    export_run,
    inputs_from_run,
    parquet_bytes,
    read_run_folder,
    workbook_bytes,
)
from optimizer.scenario import (
    FAMILIES,
    Scenario,
    ScenarioError,
    apply_overrides,
    read_scenario,
    to_overrides,
)
from optimizer.scenario import from_dict as scenario_from_dict
from optimizer.solve import Plan, Status
from optimizer.store import csv_text, default_db_path, spreadsheet_safe
from optimizer.sweep import FRONTS, grid_scenarios, pareto, sweep, sweep_here
from optimizer.validate import ValidationError

__all__ = [
    "FAMILIES",
    "FRONTS",
    "RULES",
    "TABLES",
    "Comparison",
    "Inputs",
    "Plan",
    "Scenario",
    "ScenarioError",
    "Status",
    "ValidationError",
    "apply_overrides",
    "assumptions",
    "compare",
    "csv_text",
    "default_db_path",
    "effective_inputs",
    "excel_bytes",
    "europe_outlines",
    "export_file",
    "export_run",
    "grid_scenarios",
    "import_file",
    "import_upload",
    "load_inputs",
    "load_run",
    "pareto",
    "parquet_bytes",
    "plan",
    "presets",
    "read_scenario",
    "reproduce",
    "inputs_from_run",
    "inputs_from_tables",
    "read_run_folder",
    "registry",
    "registry_table",
    "run_and_store",
    "runs",
    "save_scenario",
    "save_table",
    "scenario_from_dict",
    "scenario_from_json",
    "scenarios",
    "spreadsheet_safe",
    "sweep",
    "sweep_here",
    "to_overrides",
    "workbook_bytes",
    "write_lp",
]
