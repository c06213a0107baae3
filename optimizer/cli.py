"""The command-line interface: a thin shell over the public API.

Exit codes: 0 success; 1 invalid input (nothing written); 2 bad usage; 3 the solver found no plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from optimizer import api, store
from optimizer.registry import TABLES
from optimizer.runs import FORMATS, effective_inputs, export_run, write_table
from optimizer.scenario import Scenario, ScenarioError, apply_overrides, read_scenario
from optimizer.validate import ValidationError

EXIT_INVALID = 1
EXIT_NO_PLAN = 3

app = typer.Typer(
    help="European sovereign compute planner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Import, export and inspect the registry.", no_args_is_help=True)
app.add_typer(data_app, name="data")
runs_app = typer.Typer(help="Stored runs: list, export, reproduce.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar=store.DB_ENV,
        help="DuckDB file (default data/sovcompute.duckdb, created from the seed).",
    ),
]


def _table(name: str) -> str:
    if name not in TABLES:
        raise typer.BadParameter(f"unknown table '{name}'; tables: {', '.join(TABLES)}")
    return name


TableArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(TABLES)}.", callback=_table)]


@data_app.command("tables")
def data_tables(db: DbOption = None) -> None:
    """List the registry tables and their row counts."""
    with store.connect(db) as con:
        for table, n in store.registry_counts(con).items():
            typer.echo(f"{table:18} {n:6d}  {TABLES[table].doc}")


@data_app.command("export")
def data_export(table: TableArg, file: Path, db: DbOption = None) -> None:
    """Write TABLE with a provenance column per value to FILE (.csv, .parquet or .xlsx)."""
    n = api.export_file(db, table, file)
    typer.echo(f"wrote {n} rows of {table} to {file}")


@data_app.command("import")
def data_import(
    table: TableArg,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    replace: Annotated[bool, typer.Option(help="Delete rows whose key is not in FILE.")] = False,
    db: DbOption = None,
) -> None:
    """Validate FILE and write its rows into TABLE: all rows or none."""
    try:
        counts = api.import_file(db, table, file, replace=replace)
    except ValidationError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    typer.echo(f"{table}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


ScenarioOption = Annotated[
    Path | None,
    typer.Option(
        "--scenario",
        exists=True,
        dir_okay=False,
        help="Scenario file (.toml or .json); default: the baseline.",
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a scenario key: KEY=VALUE "
        "(e.g. carbon_price_eur_per_t=120, rules.sensitive=home).",
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="Run folder to write.")]
FormatOption = Annotated[str, typer.Option("--format", help=f"One of {', '.join(FORMATS)}.")]


def _scenario(path: Path | None, overrides: list[str] | None) -> Scenario:
    try:
        base = read_scenario(path) if path else Scenario()
        return apply_overrides(base, overrides or [])
    except ScenarioError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(EXIT_INVALID) from None


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        typer.echo(f"error: --format {fmt!r}: use one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(EXIT_INVALID)


@app.command("solve")
def solve_cmd(
    out: OutOption,
    scenario: ScenarioOption = None,
    set_: SetOption = None,
    fmt: FormatOption = "csv",
    write_lp: Annotated[bool, typer.Option("--write-lp", help="Also write model.lp.")] = False,
    db: DbOption = None,
) -> None:
    """Solve one scenario and write a self-contained run folder; the run is stored in the DB."""
    _check_format(fmt)
    sc = _scenario(scenario, set_)
    inputs = api.load_inputs(db)
    run_id, result, inputs_tables = api.run_and_store(sc, db, inputs)
    export_run(result, sc, inputs_tables, out, fmt)
    if write_lp:
        api.write_lp(sc, inputs, out / "model.lp")
    typer.echo(f"run {run_id}: {result.status.value}: {result.message}")
    if result.has_solution:
        s = result.summary
        typer.echo(
            f"  plan year {s['plan_year']}, demand {s['demand_scenario']}; "
            f"cost {s['cost_eur']:,.0f} EUR/yr (energy, capital, less heat revenue); "
            f"carbon cost on top of prices {s['carbon_cost_eur']:,.0f} EUR/yr; "
            f"new capacity {s['new_mw']:,.1f} MW; emissions {s['emissions_t']:,.0f} tCO2; "
            f"reused heat {s['heat_reused_mwh_th']:,.0f} MWh th; "
            f"unserved {s['unserved_mwh']:,.0f} MWh; rule shortfall {s['shortfall_mwh']:,.0f} MWh"
        )
        for r in result.levers.head(5).itertuples():
            typer.echo(f"  binding: {r.sentence}")
        for w in result.warnings:
            typer.echo(f"  warning: {w}")
    typer.echo(f"  wrote {out}")
    if not result.has_solution:
        raise typer.Exit(EXIT_NO_PLAN)


@app.command("compare")
def compare_cmd(
    out: OutOption,
    scenario: ScenarioOption = None,
    set_: SetOption = None,
    fmt: FormatOption = "csv",
    db: DbOption = None,
) -> None:
    """Solve a scenario pooled and with every state alone; write the pooling dividend."""
    _check_format(fmt)
    sc = _scenario(scenario, set_)
    inputs = api.load_inputs(db)
    result = api.compare(sc, inputs=inputs)
    for label, p, side in (
        ("pooled", result.pooled, sc),
        ("national", result.national, api.autarky_of(sc)),
    ):
        export_run(p, side, effective_inputs(inputs, side), out / label, fmt)
    if result.by_state.empty:
        typer.echo("no comparison: one of the two solves has no plan", err=True)
        raise typer.Exit(EXIT_NO_PLAN)
    write_table(result.by_state, out / "pooling_dividend", fmt)
    write_table(result.totals, out / "pooling_totals", fmt)
    typer.echo("pooled against national build-out (dividend = national - pooled):")
    for r in result.totals.itertuples():
        typer.echo(
            f"  {r.label}: pooled {r.pooled:,.0f}, national {r.national:,.0f}, "
            f"dividend {r.dividend:,.0f}"
        )
    top = result.by_state.sort_values("dividend_cost_eur", ascending=False).head(5)
    typer.echo("  largest money dividends per state [EUR/yr]:")
    for r in top.itertuples():
        typer.echo(f"    {r.state}: {r.dividend_cost_eur:,.0f}")
    typer.echo(f"  wrote {out}")


@app.command("sweep")
def sweep_cmd(
    out: Annotated[Path, typer.Option("--out", help="Table of results (.csv, .parquet, .xlsx).")],
    grid: Annotated[
        list[str],
        typer.Option("--grid", help="KEY=V1,V2,... values to sweep (repeat for a product)."),
    ],
    scenario: ScenarioOption = None,
    set_: SetOption = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            envvar="DASK_SCHEDULER_ADDRESS",
            help="Dask scheduler address; default: a local cluster.",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes of the local cluster.")] = 2,
    db: DbOption = None,
) -> None:
    """Solve every combination of the grid on Dask; write headline figures and the Pareto front."""
    from optimizer.sweep import grid_scenarios, sweep

    base = _scenario(scenario, set_)
    try:
        axes = {k: v.split(",") for k, v in (g.split("=", 1) for g in grid)}
        scenarios = grid_scenarios(base, axes)
    except (ValueError, ScenarioError) as e:
        typer.echo(f"error: --grid: {e}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    frame = sweep(scenarios, api.load_inputs(db), scheduler=scheduler, workers=workers)
    store.write_frame(frame, out, sheet="sweep")
    solved = int((frame["status"] == "optimal").sum())
    typer.echo(
        f"{len(frame)} scenarios, {solved} optimal, "
        f"Pareto fronts: {int(frame['pareto_cost_co2'].sum())} cost/CO2, "
        f"{int(frame['pareto_cost_access'].sum())} cost/fair access, "
        f"{int(frame['pareto_cost_juste_retour'].sum())} cost/juste retour; wrote {out}"
    )
    if solved == 0:
        raise typer.Exit(EXIT_NO_PLAN)


@runs_app.command("list")
def runs_list(db: DbOption = None) -> None:
    """List the stored runs, newest first."""
    table = api.runs(db)
    if table.empty:
        typer.echo("no stored runs")
    for r in table.itertuples():
        cost = "" if r.objective_eur != r.objective_eur else f"{r.objective_eur:,.0f} EUR/yr"
        typer.echo(f"{r.run_id}  {r.status:10}  {cost:>22}  {r.scenario_name}")


@runs_app.command("export")
def runs_export(
    run_id: str, out: OutOption, fmt: FormatOption = "csv", db: DbOption = None
) -> None:
    """Write a stored run's tables, inputs/ and scenario as a run folder."""
    _check_format(fmt)
    try:
        stored = api.load_run(run_id, db)
    except KeyError as e:
        typer.echo(f"error: {e.args[0]}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    for name, frame in stored["tables"].items():
        write_table(frame, out / name, fmt)
    (out / "summary.json").write_text(json.dumps(stored["summary"], indent=2, default=str))
    (out / "scenario.toml").write_text(
        api.scenario_from_json(stored["scenario"]).to_toml(), encoding="utf-8"
    )
    typer.echo(f"wrote run {run_id} to {out}")


@runs_app.command("reproduce")
def runs_reproduce(run_id: str, db: DbOption = None) -> None:
    """Solve a stored run again from the inputs it stored; compare the objective."""
    try:
        stored = api.load_run(run_id, db)
    except KeyError as e:
        typer.echo(f"error: {e.args[0]}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    again = api.reproduce(run_id, db)
    before = stored["summary"].get("objective_eur")
    typer.echo(f"stored: {before:,.2f} EUR/yr; re-solved: {again.objective_eur or 0:,.2f} EUR/yr")
    if not again.has_solution or abs((again.objective_eur or 0) - before) > 1e-6 * abs(before):
        raise typer.Exit(EXIT_NO_PLAN)


def main() -> None:
    """Entry point of the `sovcompute` console script."""
    app()
