"""The command-line interface: a thin shell over the public API.

Exit codes: 0 success; 1 invalid input (nothing written); 2 bad usage; 3 the solver found no plan.
Every failure is a reason on stderr, never a traceback (SOVCOMPUTE_DEBUG=1 shows it). Heavy
libraries (pandas, PuLP, DuckDB, Dask) are imported inside the commands, so that `--help`
answers at once.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from optimizer.registry import TABLES
from optimizer.scenario import (
    FIELDS,
    Scenario,
    ScenarioError,
    apply_overrides,
    check_against,
    describe,
    name_after,
    read_scenario,
)

if TYPE_CHECKING:
    from optimizer.domain import Inputs

EXIT_INVALID = 1
EXIT_NO_PLAN = 3
#: The run folder formats of optimizer.runs.FORMATS, repeated here so that --help needs no
#: pandas; tests/test_cli.py checks that the two agree.
FORMATS = ("csv", "xlsx", "parquet", "json")


def explain(error: Exception) -> tuple[int, str]:
    """Return the exit code and the reason to print for a failure."""
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    if "Could not set lock" in text:
        found = re.search(r'file "([^"]+)"', text)
        pid = re.search(r"PID (\d+)", text)
        where = found[1] if found else "the database"
        return EXIT_INVALID, f"database {where} is in use by another process" + (
            f" (pid {pid[1]})" if pid else ""
        )
    problems = getattr(error, "problems", None)
    if problems is not None and len(problems) > 1:
        return EXIT_INVALID, text  # one line per problem, under a count
    if problems:
        text = f"{problems[0]}; nothing was written"
    elif isinstance(error, OSError) and error.filename is not None:
        text = f"{error.filename}: {error.strerror or error}"
    elif not isinstance(error, ValueError | KeyError | OSError):
        text = f"{type(error).__name__}: {text}"
    return EXIT_INVALID, " ".join(text.split())


#: Options every command takes, also before the command (`sovcompute --db X data tables`).
GLOBAL_OPTIONS = {
    "--db": "DuckDB file (default $SOVCOMPUTE_DB, else data/sovcompute.duckdb, made from the seed)."
}


class _Group(TyperGroup):
    """A group whose --help needs no pydantic."""

    def get_help_option(self, ctx: Any) -> Any:
        # Typer converts a flag whose value is not yet a bool through pydantic (0.4 s to
        # import): a bool default keeps `sovcompute solve --help` from paying for it.
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option


class _Commands(_Group):
    """The root command: reads the global options given before the command, and turns every
    failure into a reason and its exit code."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # Read here rather than as a typer option of the root: typer converts the root's options
        # through pydantic (0.4 s to import), which `solve --help` would then pay.
        args = list(args)
        while args and args[0].partition("=")[0] in GLOBAL_OPTIONS:
            flag, eq, value = args.pop(0).partition("=")
            if not eq:
                if not args:
                    raise typer.BadParameter(f"{flag} needs a value")
                value = args.pop(0)
            ctx.meta[flag] = value
        return list(super().parse_args(ctx, args))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Global options (before or after the command)"):
            formatter.write_dl([(f"{k} PATH", v) for k, v in GLOBAL_OPTIONS.items()])
        super().format_options(ctx, formatter)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort, BrokenPipeError):
            raise  # usage errors (exit 2), deliberate exits, output closed early (`| head`)
        except Exception as e:
            if os.environ.get("SOVCOMPUTE_DEBUG"):
                raise
            code, reason = explain(e)
            typer.echo(f"error: {reason}", err=True)
            raise typer.Exit(code) from None


def _scenario_keys() -> str:
    lines = "\n".join(f"  {describe(n)}" for n in FIELDS)
    return f"\b\nScenario keys for --set and scenario files (KEY [unit] = default):\n{lines}"


app = typer.Typer(
    cls=_Commands,
    help="European sovereign compute planner.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
data_app = typer.Typer(
    cls=_Group, help="Import, export and inspect the registry.", no_args_is_help=True
)
app.add_typer(data_app, name="data")
runs_app = typer.Typer(
    cls=_Group, help="Stored runs: list, export, reproduce.", no_args_is_help=True
)
app.add_typer(runs_app, name="runs")


def _inherit_db(ctx: typer.Context, value: Path | None) -> Path | None:
    """Take `--db` after the command, else the one given before it."""
    before = ctx.find_root().meta.get("--db")
    return value if value is not None or before is None else Path(before)


DbOption = Annotated[
    Path | None, typer.Option("--db", help=GLOBAL_OPTIONS["--db"], callback=_inherit_db)
]


def _table(name: str) -> str:
    if name not in TABLES:
        raise typer.BadParameter(f"unknown table '{name}'; tables: {', '.join(TABLES)}")
    return name


TableArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(TABLES)}.", callback=_table)]


@data_app.command("tables")
def data_tables(db: DbOption = None) -> None:
    """List the registry tables and their row counts."""
    from optimizer import store

    with store.connect(db) as con:
        for table, n in store.registry_counts(con).items():
            typer.echo(f"{table:18} {n:6d}  {TABLES[table].doc}")


@data_app.command("export")
def data_export(table: TableArg, file: Path, db: DbOption = None) -> None:
    """Write TABLE with a provenance column per value to FILE (.csv, .parquet or .xlsx)."""
    from optimizer import api

    n = api.export_file(db, table, file)
    typer.echo(f"wrote {n} rows of {table} to {file}")


@data_app.command("import")
def data_import(
    table: TableArg,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    replace: Annotated[bool, typer.Option(help="Delete rows whose key is not in FILE.")] = False,
    allow_empty: Annotated[
        bool,
        typer.Option(help="With --replace, let a FILE without data rows empty TABLE."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Validate FILE in memory, then write its rows into TABLE in one short transaction: all
    rows or none."""
    from optimizer import api

    counts = api.import_file(db, table, file, replace=replace, allow_empty=allow_empty)
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
        help="Override a scenario key: KEY=VALUE, repeatable "
        "(carbon_price_eur_per_t=120, rules.sensitive=home, trusted_states=DK,SE; keys below).",
    ),
]
NameOption = Annotated[
    str | None,
    typer.Option("--name", help="Name of the run; default: the scenario's, after the --set."),
]
OutOption = Annotated[Path, typer.Option("--out", help="Run folder to write.")]
FormatOption = Annotated[str, typer.Option("--format", help=f"One of {', '.join(FORMATS)}.")]


def _scenario(path: Path | None, overrides: list[str] | None, name: str | None) -> Scenario:
    """Read the scenario; with --set and no name, name it after what the overrides change."""
    base = read_scenario(path) if path else Scenario()
    scenario = apply_overrides(base, overrides or [])
    if name is None and overrides and not any(o.split("=")[0].strip() == "name" for o in overrides):
        name = name_after(overrides, base.name if path else None)
    return scenario.with_overrides(name=name) if name is not None else scenario


def _inputs(db: Path | None, *scenarios: Scenario) -> Inputs:
    """Load the registry and check that the scenarios name only what it holds."""
    from optimizer import api

    inputs = api.load_inputs(db)
    for scenario in scenarios:
        check_against(scenario, inputs)
    return inputs


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")


@app.command("solve", epilog=_scenario_keys())
def solve_cmd(
    out: OutOption,
    scenario: ScenarioOption = None,
    set_: SetOption = None,
    name: NameOption = None,
    fmt: FormatOption = "csv",
    write_lp: Annotated[bool, typer.Option("--write-lp", help="Also write model.lp.")] = False,
    db: DbOption = None,
) -> None:
    """Solve one scenario and write a self-contained run folder; the run is stored in the DB."""
    _check_format(fmt)
    sc = _scenario(scenario, set_, name)
    inputs = _inputs(db, sc)
    out.mkdir(parents=True, exist_ok=True)  # fails before the run is stored if it cannot be
    from optimizer import api
    from optimizer.runs import export_run

    run_id, result, inputs_tables = api.run_and_store(sc, db, inputs)
    export_run(result, sc, inputs_tables, out, fmt)
    if write_lp:
        api.write_lp(sc, inputs, out / "model.lp")
    typer.echo(f"run {run_id} ({sc.name}): {result.status.value}: {result.message}")
    if result.has_solution:
        from optimizer.summary import headline

        s = result.summary
        typer.echo(f"  plan year {s.plan_year}, demand {s.demand_scenario}")
        for line in headline(s):
            typer.echo(f"  {line}")
        for r in result.levers.head(5).itertuples():
            typer.echo(f"  binding: {r.sentence}")
        for w in result.warnings:
            typer.echo(f"  warning: {w}")
    typer.echo(f"  wrote {out}")
    if not result.has_solution:
        raise typer.Exit(EXIT_NO_PLAN)


@app.command("compare", epilog=_scenario_keys())
def compare_cmd(
    out: OutOption,
    scenario: ScenarioOption = None,
    set_: SetOption = None,
    name: NameOption = None,
    fmt: FormatOption = "csv",
    db: DbOption = None,
) -> None:
    """Solve a scenario pooled and with every state alone; write the pooling dividend."""
    _check_format(fmt)
    sc = _scenario(scenario, set_, name)
    inputs = _inputs(db, sc)
    out.mkdir(parents=True, exist_ok=True)
    from optimizer import api
    from optimizer.runs import effective_inputs, export_run, write_table

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


@app.command("sweep", epilog=_scenario_keys())
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
    """Solve every combination of the grid (on Dask from 20 scenarios, or with --scheduler);
    write headline figures and the Pareto front."""
    from optimizer.sweep import grid_scenarios, sweep

    base = _scenario(scenario, set_, None)
    malformed = [g for g in grid if "=" not in g]
    if malformed:
        raise ValueError(f"--grid {malformed[0]!r}: expected KEY=V1,V2,...")
    try:
        scenarios = grid_scenarios(
            base, {k: v.split(",") for k, v in (g.split("=", 1) for g in grid)}
        )
    except ScenarioError as e:
        raise ScenarioError(f"--grid: {e}") from None
    inputs = _inputs(db, *scenarios)
    frame = sweep(scenarios, inputs, scheduler=scheduler, workers=workers)
    from optimizer import store

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
    from optimizer import api

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
    from optimizer import api
    from optimizer.runs import write_table

    stored = api.load_run(run_id, db)
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
    from optimizer import api

    stored = api.load_run(run_id, db)
    again = api.reproduce(run_id, db)
    before = stored["summary"].get("objective_eur")
    typer.echo(f"stored: {before:,.2f} EUR/yr; re-solved: {again.objective_eur or 0:,.2f} EUR/yr")
    if not again.has_solution or abs((again.objective_eur or 0) - before) > 1e-6 * abs(before):
        raise typer.Exit(EXIT_NO_PLAN)


def main() -> None:
    """Entry point of the `sovcompute` console script."""
    app()
