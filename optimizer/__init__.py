"""European sovereign compute planner: the importable package.

The public API is what `__all__` lists; the modules behind it are private.
"""

from optimizer.api import (
    Comparison,
    assumptions,
    compare,
    load_inputs,
    load_run,
    plan,
    presets,
    run_and_store,
    runs,
    save_scenario,
    scenarios,
    write_lp,
    europe_outlines,
    export_file,
    import_file,
    registry,
    registry_table,
    save_table,
)
from optimizer.domain import RULES, Inputs
from optimizer.registry import TABLES
from optimizer.runs import effective_inputs, export_run, parquet_bytes, workbook_bytes
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
from optimizer.store import default_db_path
from optimizer.validate import ValidationError

__all__ = [
    "FAMILIES",
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
    "effective_inputs",
    "export_run",
    "load_inputs",
    "load_run",
    "plan",
    "presets",
    "read_scenario",
    "run_and_store",
    "runs",
    "save_scenario",
    "scenario_from_dict",
    "scenarios",
    "write_lp",
    "default_db_path",
    "europe_outlines",
    "export_file",
    "import_file",
    "registry",
    "registry_table",
    "save_table",
]
