"""European sovereign compute planner: the importable package.

The public API is what `__all__` lists; the modules behind it are private. Names are imported
on first use (module `__getattr__`), so that `import optimizer` and the CLI's `--help` do not
pay for pandas, PuLP and DuckDB up front.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

#: Public name -> (module, attribute). The imports under TYPE_CHECKING repeat them for type
#: checkers; tests/test_architecture.py checks that the two agree.
_PUBLIC: dict[str, tuple[str, str]] = {
    "Comparison": ("optimizer.api", "Comparison"),
    "SWITCHABLE": ("optimizer.scenario", "SWITCHABLE"),
    "FRONTS": ("optimizer.sweep", "FRONTS"),
    "Inputs": ("optimizer.domain", "Inputs"),
    "Plan": ("optimizer.solve", "Plan"),
    "RULES": ("optimizer.domain", "RULES"),
    "SECTIONS": ("optimizer.scenario", "SECTIONS"),
    "SPECS": ("optimizer.scenario", "SPECS"),
    "Scenario": ("optimizer.scenario", "Scenario"),
    "ScenarioError": ("optimizer.scenario", "ScenarioError"),
    "Status": ("optimizer.solve", "Status"),
    "Summary": ("optimizer.summary", "Summary"),
    "HEADLINE": ("optimizer.summary", "HEADLINE"),
    "eur": ("optimizer.summary", "eur"),
    "formatted": ("optimizer.summary", "formatted"),
    "label": ("optimizer.summary", "label"),
    "TABLES": ("optimizer.registry", "TABLES"),
    "ValidationError": ("optimizer.validate", "ValidationError"),
    "apply_overrides": ("optimizer.scenario", "apply_overrides"),
    "assumptions": ("optimizer.api", "assumptions"),
    "column_label": ("optimizer.labels", "label"),
    "compare": ("optimizer.api", "compare"),
    "default_db_path": ("optimizer.store", "default_db_path"),
    "diff_runs": ("optimizer.diff", "diff_runs"),
    "effective_inputs": ("optimizer.runs", "effective_inputs"),
    "europe_outlines": ("optimizer.api", "europe_outlines"),
    "excel_bytes": ("optimizer.runs", "excel_bytes"),
    "export_file": ("optimizer.api", "export_file"),
    "export_run": ("optimizer.runs", "export_run"),
    "field_docs": ("optimizer.scenario", "field_docs"),
    "grid_scenarios": ("optimizer.sweep", "grid_scenarios"),
    "import_file": ("optimizer.api", "import_file"),
    "import_upload": ("optimizer.api", "import_upload"),
    "inputs_from_run": ("optimizer.runs", "inputs_from_run"),
    "inputs_from_tables": ("optimizer.api", "inputs_from_tables"),
    "is_whole": ("optimizer.scenario", "is_whole"),
    "load_inputs": ("optimizer.api", "load_inputs"),
    "load_run": ("optimizer.api", "load_run"),
    "pareto": ("optimizer.sweep", "pareto"),
    "parquet_bytes": ("optimizer.runs", "parquet_bytes"),
    "plan": ("optimizer.api", "plan"),
    "presets": ("optimizer.api", "presets"),
    "read_run_folder": ("optimizer.runs", "read_run_folder"),
    "read_scenario": ("optimizer.scenario", "read_scenario"),
    "registry": ("optimizer.api", "registry"),
    "registry_table": ("optimizer.api", "registry_table"),
    "reproduce": ("optimizer.api", "reproduce"),
    "run_and_store": ("optimizer.api", "run_and_store"),
    "runs": ("optimizer.api", "runs"),
    "save_scenario": ("optimizer.api", "save_scenario"),
    "save_table": ("optimizer.api", "save_table"),
    "scenario_from_dict": ("optimizer.scenario", "from_dict"),
    "scenario_from_json": ("optimizer.api", "scenario_from_json"),
    "scenarios": ("optimizer.api", "scenarios"),
    "sweep": ("optimizer.sweep", "sweep"),
    "sweep_here": ("optimizer.sweep", "sweep_here"),
    "to_overrides": ("optimizer.scenario", "to_overrides"),
    "with_entry": ("optimizer.scenario", "with_entry"),
    "workbook_bytes": ("optimizer.runs", "workbook_bytes"),
    "write_lp": ("optimizer.api", "write_lp"),
    "EMBER_ATTRIBUTION": ("optimizer.registry", "EMBER_ATTRIBUTION"),
    "DIVIDEND": ("optimizer.api", "DIVIDEND"),
    "MONEY": ("optimizer.solve", "MONEY"),
    "grid_allowances": ("optimizer.runs", "grid_allowances"),
    "marginal_costs": ("optimizer.levers", "marginal_costs"),
    "provenance_counts": ("optimizer.api", "provenance_counts"),
    "rule_cost": ("optimizer.api", "rule_cost"),
    "csv_text": ("optimizer.store", "csv_text"),
    "Access": ("optimizer.roles", "Access"),
    "RolesError": ("optimizer.roles", "RolesError"),
    "access": ("optimizer.roles", "access"),
    "EditConflict": ("optimizer.edits", "EditConflict"),
    "EditSet": ("optimizer.edits", "EditSet"),
    "diff_edits": ("optimizer.edits", "diff"),
    "reapply_edits": ("optimizer.edits", "reapply"),
    "save_edits": ("optimizer.edits", "save_edits"),
    "spreadsheet_safe": ("optimizer.store", "spreadsheet_safe"),
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    value = getattr(import_module(module), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package module: a public name beats a submodule of the same name.

    `optimizer.registry`, `optimizer.runs` and `optimizer.sweep` are functions of the API and
    also modules; importing the module sets the package attribute, which would hide the
    function once the names are no longer bound eagerly here.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _PUBLIC and isinstance(value, types.ModuleType):
            return  # the module stays reachable as sys.modules["optimizer.<name>"]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # the same names, for type checkers
    from optimizer.api import (
        DIVIDEND,
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
        provenance_counts,
        registry,
        registry_table,
        reproduce,
        rule_cost,
        run_and_store,
        runs,
        save_scenario,
        save_table,
        scenario_from_json,
        scenarios,
        write_lp,
    )
    from optimizer.diff import diff_runs
    from optimizer.domain import RULES, Inputs
    from optimizer.edits import EditConflict, EditSet, save_edits
    from optimizer.edits import diff as diff_edits
    from optimizer.edits import reapply as reapply_edits
    from optimizer.labels import label as column_label
    from optimizer.levers import marginal_costs
    from optimizer.registry import EMBER_ATTRIBUTION, TABLES
    from optimizer.roles import Access, RolesError, access
    from optimizer.runs import (
        effective_inputs,
        excel_bytes,
        export_run,
        grid_allowances,
        inputs_from_run,
        parquet_bytes,
        read_run_folder,
        workbook_bytes,
    )
    from optimizer.scenario import (
        SECTIONS,
        SPECS,
        SWITCHABLE,
        Scenario,
        ScenarioError,
        apply_overrides,
        field_docs,
        is_whole,
        read_scenario,
        to_overrides,
        with_entry,
    )
    from optimizer.scenario import from_dict as scenario_from_dict
    from optimizer.solve import MONEY, Plan, Status
    from optimizer.store import csv_text, default_db_path, spreadsheet_safe
    from optimizer.summary import HEADLINE, Summary, eur, formatted, label
    from optimizer.sweep import (
        FRONTS,
        grid_scenarios,
        pareto,
        sweep,
        sweep_here,
    )
    from optimizer.validate import ValidationError
