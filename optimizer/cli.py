"""The command-line interface: a thin shell over the public API.

Exit codes: 0 success; 1 invalid input (nothing written); 2 bad usage; 3 the solver found no plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer import store
from optimizer.registry import TABLES
from optimizer.validate import ValidationError

EXIT_INVALID = 1
EXIT_NO_PLAN = 3

app = typer.Typer(help="European sovereign compute planner.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
data_app = typer.Typer(help="Import, export and inspect the registry.", no_args_is_help=True)
app.add_typer(data_app, name="data")

DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar=store.DB_ENV,
                 help="DuckDB file (default data/sovcompute.duckdb, created from the seed)."),
]


def _table(name: str) -> str:
    if name not in TABLES:
        raise typer.BadParameter(f"unknown table '{name}'; tables: {', '.join(TABLES)}")
    return name


TableArg = Annotated[str, typer.Argument(help=f"One of: {', '.join(TABLES)}.",
                                         callback=_table)]


@data_app.command("tables")
def data_tables(db: DbOption = None) -> None:
    """List the registry tables and their row counts."""
    with store.connect(db) as con:
        for table, n in store.registry_counts(con).items():
            typer.echo(f"{table:18} {n:6d}  {TABLES[table].doc}")


@data_app.command("export")
def data_export(table: TableArg, file: Path, db: DbOption = None) -> None:
    """Write TABLE with a provenance column per value to FILE (.csv, .parquet or .xlsx)."""
    with store.connect(db) as con:
        n = store.export_table(con, table, file)
    typer.echo(f"wrote {n} rows of {table} to {file}")


@data_app.command("import")
def data_import(
    table: TableArg,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    replace: Annotated[bool, typer.Option(help="Delete rows whose key is not in FILE.")] = False,
    db: DbOption = None,
) -> None:
    """Validate FILE and write its rows into TABLE: all rows or none."""
    with store.connect(db) as con:
        try:
            counts = store.import_table(con, table, file, replace=replace)
        except ValidationError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(EXIT_INVALID) from None
    typer.echo(f"{table}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


def main() -> None:
    """Entry point of the `sovcompute` console script."""
    app()
