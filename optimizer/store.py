"""Every SQL statement of the product: connect, migrate, seed, load, save and export.

DuckDB allows one read-write process per file, so connections are short-lived: open with
`connect()`, do the work, close. The default database is created from the seed on first use.
"""

from __future__ import annotations

import getpass
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from optimizer.registry import TABLES, Column, key_of
from optimizer.validate import (
    PROVENANCE_PREFIX,
    Problem,
    ValidationError,
    check_references,
    read_table_file,
    upload_label,
    validate_frame,
    validate_rows,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
MIGRATIONS = DATA / "migrations"
SEED = DATA / "seed"
DB_ENV = "SOVCOMPUTE_DB"
REGISTRY_TABLES = tuple(TABLES)


def default_db_path() -> Path:
    """Return the database path: $SOVCOMPUTE_DB, else data/sovcompute.duckdb."""
    return Path(os.environ.get(DB_ENV) or DATA / "sovcompute.duckdb")


class _Opened:
    """The connections `connect` has open in this process.

    DuckDB gives every connection of a process to one file the same instance, which keeps the
    file open while any of them lives: a file swapped in by `import_into` is seen only once none
    is open, so the swap waits for that and holds new connections back while it runs.
    """

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.count = 0
        self.swapping = False

    @contextmanager
    def one(self) -> Iterator[None]:
        with self.changed:
            self.changed.wait_for(lambda: not self.swapping)
            self.count += 1
        try:
            yield
        finally:
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    @contextmanager
    def none(self, timeout: float) -> Iterator[bool]:
        """Hold new connections back until the block ends; yield whether none was left open
        within `timeout` seconds (if one was, nothing is held back)."""
        with self.changed:
            alone = self.changed.wait_for(lambda: not self.swapping and not self.count, timeout)
            self.swapping = self.swapping or alone
        try:
            yield alone
        finally:
            if alone:
                with self.changed:
                    self.swapping = False
                    self.changed.notify_all()


_OPENED = _Opened()


@contextmanager
def connect(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database, migrate it and seed it if it is new; close it afterwards."""
    db = Path(path) if path is not None else default_db_path()
    db.parent.mkdir(parents=True, exist_ok=True)
    with _OPENED.one():
        con = open_waiting(db)
        version = _schema_version(con)
        if version is not None and version < REGISTRY_V2:
            con.close()
            _set_aside(db)
            con = open_waiting(db)
        try:
            migrate(con)
            if not con.execute("SELECT count(*) FROM member_states").fetchall()[0][0]:
                seed(con)
            yield con
        finally:
            con.close()


def _lock_wait() -> float:
    return float(os.environ.get(LOCK_WAIT_ENV) or LOCK_WAIT_S)


#: How long a writer waits for another process's lock on the database [s].
LOCK_WAIT_ENV = "SOVCOMPUTE_LOCK_WAIT_S"
LOCK_WAIT_S = 10.0


#: A wait longer than this is said on stderr, once [s].
LOCK_NOTE_AFTER_S = 1.0


def open_waiting(db: Path) -> duckdb.DuckDBPyConnection:
    """Open the database; while another process holds its lock, retry with backoff for up to
    $SOVCOMPUTE_LOCK_WAIT_S seconds (default 10), then raise a StoreError naming the other
    process. A wait of more than a second is said on stderr, once.

    DuckDB lets one process open a file for writing, or several only for reading: a reader
    waits here for an import, as a writer does.
    """
    wait = _lock_wait()
    start = time.monotonic()
    delay, said = 0.05, False
    while True:
        try:
            con = duckdb.connect(str(db))
            if not _replaced(db):
                return con
            con.close()  # the file an import since replaced: open the new one
            holder, reason = "this process (a connection to the file an import replaced)", ""
        except duckdb.IOException as e:
            if "Could not set lock" not in str(e):
                raise
            holder, reason = _lock_holder(str(e)), f" ({e})"
        if time.monotonic() + delay > start + wait:
            raise StoreError(
                f"{db} stayed locked by {holder} for {wait:g} s, nothing was read or "
                f"written{reason}"
            ) from None
        if not said and time.monotonic() - start > LOCK_NOTE_AFTER_S:
            print(f"note: {db} is in use by {holder}; waiting up to {wait:g} s", file=sys.stderr)
            said = True
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _replaced(db: Path) -> bool:
    """Say whether this process has `db` open as a file since replaced (Linux's /proc says so).

    A process that opened the file a moment before `import_into` swapped it, and took the lock
    once the swapping process let go of the old file, would work on a file nobody sees again.
    """
    gone = f"{db.resolve()} (deleted)"
    with suppress(OSError):
        return any(os.readlink(fd) == gone for fd in Path("/proc/self/fd").iterdir())
    return False


def _lock_holder(message: str) -> str:
    """Name the process DuckDB says holds the lock ("another process (pid 123)")."""
    pid = re.search(r"PID (\d+)", message)
    return "another process" + (f" (pid {pid[1]})" if pid else "")


#: The migration that rebuilt the registry for capacity by status (data/migrations/003_*).
REGISTRY_V2 = 3


def _schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """Return the newest migration applied to the database, or None for a new file."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not found or not found[0]:
        return None
    (latest,) = con.execute("SELECT max(version) FROM schema_migrations").fetchone()  # type: ignore[misc]
    return None if latest is None else int(latest)


def _set_aside(db: Path) -> Path:
    """Move a database made before registry v2 aside (<name>.v1.duckdb); a new one is made.

    The v1 registry cannot hold the meaning v2 gives capacity, caps and demand, so migration 003
    rebuilds the registry from the seed. Nothing is lost: the old file stays next to the new
    one, and its edits can be exported with an older version and imported again.
    """
    kept = db.with_suffix(".v1.duckdb")
    db.replace(kept)
    print(f"note: {db} used the v1 registry; it was moved to {kept} and a new one is made.")
    return kept


class StoreError(OSError):
    """A write to the database failed (disk full, file not writable); nothing was written."""


#: Dashboard sessions are threads of one process sharing one DuckDB instance: their write
#: transactions take turns, so that a second save sees the first one's rows instead of failing
#: with DuckDB's "Conflict on tuple deletion".
_WRITERS = threading.RLock()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, counted: bool = True) -> Iterator[None]:
    """Run the block in one transaction: all of it is written, or none of it.

    A write the disk refuses (full, read-only) becomes a StoreError that says so. After a failed
    commit DuckDB has no transaction left, so the rollback may fail too: it is attempted and its
    own error dropped, so the reason shown is "No space left on device", not "cannot rollback".
    Transactions of one process run one at a time (`_WRITERS`). Each raises `store_version`
    (migrations, which may run before that table exists, pass `counted=False`).
    """
    with _WRITERS:
        con.execute("BEGIN TRANSACTION")
        committing = False
        try:
            if counted:
                con.execute("UPDATE store_version SET n = n + 1")
            yield
            committing = True
            con.execute("COMMIT")
        except BaseException as e:
            with suppress(duckdb.Error):
                con.execute("ROLLBACK")
            if isinstance(e, duckdb.IOException) or (committing and isinstance(e, duckdb.Error)):
                raise StoreError(f"could not write the database, nothing was saved: {e}") from None
            raise


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations in data/migrations not yet recorded; return the ones applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    done = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for f in sorted(MIGRATIONS.glob("*.sql")):
        version = int(f.name.split("_", 1)[0])
        if version in done:
            continue
        with transaction(con, counted=False):
            con.execute(f.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, f.stem]
            )
        applied.append(f.stem)
    return applied


def seed(con: duckdb.DuckDBPyConnection) -> None:
    """Load the embedded default dataset (data/seed) with its assumptions and provenance."""
    with transaction(con):
        for table in REGISTRY_TABLES:
            frame = read_table_file(SEED / f"{table}.csv")
            rows = validate_rows(
                table, frame, f"data/seed/{table}.csv", known=known_refs(con, table)
            )
            insert_rows(con, table, rows)
        for extra in ("assumptions", "provenance"):
            frame = pd.read_csv(SEED / f"{extra}.csv", dtype=str, keep_default_na=False)
            frame = frame.replace({"": None})
            if extra == "provenance":
                frame["recorded_by"] = "seed"
            if extra == "assumptions":
                frame["value"] = pd.to_numeric(frame["value"])
            con.register("incoming", frame)
            cols = ", ".join(frame.columns)
            con.execute(f"INSERT INTO {extra} ({cols}) SELECT {cols} FROM incoming")
            con.unregister("incoming")


def _registered(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> str:
    """Register `frame` as a view called `name` on `con` (replacing one of that name)."""
    con.register(name, frame)
    return name


def _frame(
    table: str, rows: pd.DataFrame | list[dict[str, Any]], columns: list[str]
) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows[columns]
    return pd.DataFrame([[r.get(c) for c in columns] for r in rows], columns=columns, dtype=object)


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame | list[dict[str, Any]]
) -> None:
    """Insert typed rows (validated) into a registry table in one bulk statement."""
    cols = TABLES[table].column_names
    frame = _frame(table, rows, cols)
    if frame.empty:
        return
    view = _registered(con, "incoming_rows", frame)
    names = ", ".join(cols)
    con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {view}")
    con.unregister(view)


def row_keys(table: str, keys: pd.DataFrame) -> pd.Series:
    """Return the provenance row key of every row (its key values joined by '|', as key_of)."""
    parts = [keys[k].astype(str) for k in TABLES[table].key]
    out = parts[0]
    for part in parts[1:]:
        out = out + "|" + part
    return out


def delete_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    keys: pd.DataFrame | list[dict[str, Any]],
    provenance: bool,
) -> None:
    """Delete the rows with these keys in one statement; with `provenance`, their provenance."""
    key = list(TABLES[table].key)
    frame = _frame(table, keys, key)
    if frame.empty:
        return
    view = _registered(con, "deleted_keys", frame)
    on = " AND ".join(f"{table}.{k} = {view}.{k}" for k in key)
    con.execute(f"DELETE FROM {table} USING {view} WHERE {on}")
    con.unregister(view)
    if provenance:
        gone = _registered(
            con, "deleted_row_keys", pd.DataFrame({"row_key": row_keys(table, frame)})
        )
        con.execute(
            "DELETE FROM provenance WHERE table_name = ?"
            f" AND row_key IN (SELECT row_key FROM {gone})",
            [table],
        )
        con.unregister(gone)


def move_provenance(con: duckdb.DuckDBPyConnection, table: str, old: str, new: str) -> None:
    """Give a renamed row's provenance its new row key."""
    if old != new:
        con.execute(
            "UPDATE provenance SET row_key = ? WHERE table_name = ? AND row_key = ?",
            [new, table, old],
        )


#: The provenance `column_name` of a row a bulk import added: one record stands for every value
#: the file gave it (listed in `rationale`, comma-separated), so 200,000 new rows are 200,000
#: provenance records, not one per value. A newer record of one value overrides it.
WHOLE_ROW = "*"


_RECORD = (
    "INSERT OR REPLACE INTO provenance (table_name, row_key, column_name, kind, source,"
    " vintage, rationale, recorded_at, recorded_by)"
)


def record_edits(
    con: duckdb.DuckDBPyConnection,
    table: str,
    cells: pd.DataFrame,
    label: str,
    at: datetime,
    by: str,
) -> None:
    """Record user edits named `label` in bulk.

    `cells` has a `row_key` column and one yes/no column per registry column: yes records that
    value (DuckDB unpivots the frame).
    """
    columns = [c for c in cells.columns if c != "row_key"]
    if cells.empty or not columns:
        return
    view = _registered(con, "edited_cells", cells)
    con.execute(
        f"{_RECORD} SELECT ?, row_key, column_name, 'user_edit', ?, NULL, NULL, ?, ?"
        f" FROM (UNPIVOT {view} ON {', '.join(columns)} INTO NAME column_name VALUE edited)"
        " WHERE edited",
        [table, label, at, by],
    )
    con.unregister(view)


def known_refs(con: duckdb.DuckDBPyConnection, table: str) -> dict[tuple[str, str], list[Any]]:
    """Return the values each reference of `table` into another table may point at."""
    refs = {c.ref for c in TABLES[table].columns if c.ref and c.ref[0] != table}
    return {
        (t, c): [v for (v,) in con.execute(f"SELECT {c} FROM {t}").fetchall()]
        for t, c in refs
        if t is not None
    }


def uses_elsewhere(
    con: duckdb.DuckDBPyConnection, table: str, keys: set[str]
) -> list[tuple[str, str, str]]:
    """Return (key, key column, "other_table.column") for each key still used in another table."""
    found = []
    for other in TABLES.values():
        for col in other.columns:
            if keys and col.ref and col.ref[0] == table and other.name != table:
                used = {
                    str(v)
                    for (v,) in con.execute(
                        f"SELECT DISTINCT {col.name} FROM {other.name}"
                    ).fetchall()
                }
                found += [(k, col.ref[1], f"{other.name}.{col.name}") for k in sorted(keys & used)]
    return found


#: Provenance with one record per value: a `WHOLE_ROW` record is spread over the columns it
#: lists, and of two records of one value the newer holds.
PER_VALUE = f"""
    SELECT * FROM (
        SELECT table_name, row_key, column_name, kind, source, vintage, rationale, recorded_at,
            recorded_by
        FROM provenance WHERE column_name <> '{WHOLE_ROW}'
        UNION ALL
        SELECT table_name, row_key, unnest(string_split(rationale, ',')), kind, source, vintage,
            NULL, recorded_at, recorded_by
        FROM provenance WHERE column_name = '{WHOLE_ROW}'
    )
    QUALIFY row_number() OVER (
        PARTITION BY table_name, row_key, column_name ORDER BY recorded_at DESC
    ) = 1
"""


def provenance_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return the number of registry values of each provenance kind."""
    rows = con.execute(
        f"SELECT kind, count(*) FROM ({PER_VALUE}) GROUP BY kind ORDER BY count(*) DESC"
    ).fetchall()
    return {str(k): int(n) for k, n in rows}


def load_table(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """Return a registry table, ordered by its key."""
    spec = TABLES[table]
    return con.execute(
        f"SELECT {', '.join(spec.column_names)} FROM {table} ORDER BY {', '.join(spec.key)}"
    ).df()


def load_registry(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Return every registry table."""
    return {t: load_table(con, t) for t in REGISTRY_TABLES}


def load_provenance(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """Return the provenance rows of a table, one per (row_key, column_name)."""
    return con.execute(
        "SELECT row_key, column_name, kind, source, vintage, rationale, recorded_at, recorded_by"
        f" FROM ({PER_VALUE}) WHERE table_name = ? ORDER BY row_key, column_name",
        [table],
    ).df()


def load_assumptions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the named assumptions of the dataset."""
    return con.execute("SELECT * FROM assumptions ORDER BY assumption_id").df()


def provenance_text(kind: str, source: Any, vintage: Any, rationale: Any, at: Any) -> str:
    """Say in one line where a value came from."""
    if kind == "fact":
        return f"fact: {source}" + (f" ({vintage})" if pd.notna(vintage) and vintage else "")
    if kind == "assumption":
        return f"assumption: {rationale}"
    if kind == "derivation":
        return f"derivation: {rationale} (from: {source})"
    return f"user edit: {source} at {pd.Timestamp(at):%Y-%m-%d %H:%M} UTC"


def table_with_provenance(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """Return a registry table with a `provenance_<column>` text column after each value."""
    frame = load_table(con, table)
    prov = load_provenance(con, table)
    keys = [key_of(table, r) for r in frame.to_dict("records")]
    text = {
        (r.row_key, r.column_name): provenance_text(
            r.kind, r.source, r.vintage, r.rationale, r.recorded_at
        )
        for r in prov.itertuples()
    }
    out = {}
    for col in frame.columns:
        out[col] = frame[col]
        if col in TABLES[table].key:
            continue
        out[PROVENANCE_PREFIX + col] = [text.get((k, col), "") for k in keys]
    return pd.DataFrame(out)


def export_table(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    """Write a registry table with its provenance to CSV, Parquet or Excel; return the rows."""
    frame = table_with_provenance(con, table)
    write_frame(frame, path, sheet=table)
    return len(frame)


#: A text cell starting with one of these runs as a formula in Excel or LibreOffice (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return `frame` with every text cell a spreadsheet would run as a formula made inert.

    Such cells get a leading single quote, as OWASP advises for CSV and Excel exports; numbers,
    negative ones included, stay numbers. Every CSV and Excel export goes through here.
    """
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v
            )
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """Return one table as CSV text that is safe to open in a spreadsheet."""
    return spreadsheet_safe(frame).to_csv(index=False)


def write_frame(frame: pd.DataFrame, path: Path, sheet: str = "data") -> None:
    """Write one table to a file whose suffix says the format (.csv, .parquet, .xlsx, .json).

    CSV and Excel files get formula-like text cells neutralised (`spreadsheet_safe`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_text(csv_text(frame), encoding="utf-8")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        spreadsheet_safe(frame).to_excel(path, index=False, sheet_name=sheet[:31])
    elif suffix == ".json":
        frame.to_json(path, orient="records", indent=1)
    else:
        raise ValueError(
            f"{path}: unknown file type '{suffix}' (use .csv, .parquet, .xlsx or .json)"
        )


def import_into(
    db: Path | str | None,
    table: str,
    source: Path | bytes,
    replace: bool = False,
    edited_by: str | None = None,
    name: str | None = None,
    allow_empty: bool = False,
) -> dict[str, int]:
    """Validate a file and write its rows into a registry table: all rows or none.

    The file is read and checked in memory before the database is opened, then written beside
    it (`_beside`), so another process waits for the lock only while the database is copied and
    while the written copy replaces it (bench/imports.py measures it). Rows whose key exists are
    updated (columns absent from the file keep their values), new keys are added. With
    `replace`, rows whose key is not in the file are deleted; a file without rows then empties
    the table, which is refused unless `allow_empty`. Every value that changes is recorded in
    provenance as a user edit naming the file.

    Returns:
        counts of rows added, updated, unchanged and deleted.

    Raises:
        ValidationError: the file breaks a rule; the database is unchanged.
    """
    file = upload_label(name) if name is not None else Path(str(source)).name
    typed = _checked(table, read_table_file(source, file), file, replace, allow_empty)
    return _beside(
        Path(db) if db is not None else default_db_path(),
        lambda con: _write(con, table, typed, f"import of {file}", file, replace, edited_by),
    )


def _beside(
    db: Path, write: Callable[[duckdb.DuckDBPyConnection], dict[str, int]]
) -> dict[str, int]:
    """Run an import's `write` on a copy of the database and swap the copy in; return its counts.

    1. With the lock (and no write of this process running): copy the file and its log, and
       note `store_version`.
    2. Without it: `write` on the copy (references, comparison, bulk write, provenance, commit
       and checkpoint), then flush the copy to disk.
    3. With the lock, with no connection of this process open: if `store_version` is still the
       one copied, nobody wrote since, and `os.replace` puts the copy in place, atomically.

    A process that waited for the lock opens the new file. Killed at any moment, the database
    is the old file or the new one, whole; the copy left beside it (`.<name>.import-<pid>-*`)
    is removed by the next import. If someone wrote since the copy, the copy cannot be made
    (disk full) or the swap would wait too long, the write runs on the database itself, as
    before: correct, but holding the lock for the whole write.
    """
    db = db.resolve()
    with connect(db) as con, _WRITERS:
        version = _version(con)
        copy = _copy_beside(db)
    if copy is not None:
        try:
            counts = _write_copy(copy, write)
            if counts is not None and not (
                counts["added"] or counts["updated"] or counts["deleted"]
            ):
                return counts
            if counts is not None and _swap(db, copy, version):
                return counts
        finally:
            _remove(copy)
    with connect(db) as con:
        return write(con)


def _write_copy(
    copy: Path, write: Callable[[duckdb.DuckDBPyConnection], dict[str, int]]
) -> dict[str, int] | None:
    """Run `write` on the copy and flush it to disk; None if the disk refused (full)."""
    try:
        work = duckdb.connect(str(copy))
        try:
            counts = write(work)
        finally:
            work.close()
        _fsync(copy)
    except (StoreError, duckdb.IOException):
        return None
    return counts


def _version(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """Return what changes with every write: `store_version` and the newest migration."""
    return tuple(
        con.execute(
            "SELECT n, (SELECT max(version) FROM schema_migrations) FROM store_version"
        ).fetchone()
        or ()
    )


def _copy_beside(db: Path) -> Path | None:
    """Copy the database (and its log, if any) to a new hidden file beside it; None if the copy
    fails (disk full). Copies left by killed imports are removed first.

    A child process copies: closing a file this process opened would release DuckDB's lock.
    """
    for old in db.parent.glob(f".{db.name}.import-*"):
        pid = old.name.removeprefix(f".{db.name}.import-").split("-")[0]
        if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
            old.unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(dir=db.parent, prefix=f".{db.name}.import-{os.getpid()}-")
    os.close(fd)
    copy = Path(name)
    files = [(db, copy), (_wal(db), _wal(copy))] if _wal(db).exists() else [(db, copy)]
    for source, target in files:
        cp = ["cp", "--reflink=auto", "--preserve=mode", str(source), str(target)]
        if subprocess.run(cp, capture_output=True).returncode:
            _remove(copy)
            return None
    return copy


def _wal(db: Path) -> Path:
    return Path(f"{db}.wal")


def _remove(copy: Path) -> None:
    copy.unlink(missing_ok=True)
    _wal(copy).unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Write a file, or a folder's entries, to disk (a power cut cannot then swap in less)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap(db: Path, copy: Path, version: tuple[Any, ...]) -> bool:
    """Replace `db` by `copy` if nobody wrote to `db` since `version`; say whether it did."""
    with _OPENED.none(_lock_wait()) as alone:
        if not alone:
            return False
        con = open_waiting(db)
        try:
            if _version(con) != version or _wal(db).exists():
                return False
            os.replace(copy, db)
            _fsync(db.parent)
            return True
        finally:
            con.close()


def save_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame,
    label: str,
    file: str,
    replace: bool = False,
    edited_by: str | None = None,
    allow_empty: bool = False,
) -> dict[str, int]:
    """Validate `frame` and write it into `table` as `import_into` does (the edit seam)."""
    typed = _checked(table, frame, file, replace, allow_empty)
    return _write(con, table, typed, label, file, replace, edited_by)


def _checked(
    table: str, frame: pd.DataFrame, file: str, replace: bool, allow_empty: bool
) -> pd.DataFrame:
    """Check everything about `frame` that needs no database; return its typed columns."""
    if table not in TABLES:
        raise ValueError(f"unknown table '{table}' (tables: {', '.join(TABLES)})")
    if replace and frame.empty and not allow_empty:
        raise ValidationError(
            [
                Problem(
                    file,
                    None,
                    None,
                    None,
                    f"has no data rows: replacing would delete every row of {table} "
                    "(allow an empty replace explicitly to do that)",
                )
            ]
        )
    return validate_frame(table, frame, file)


def _write(
    con: duckdb.DuckDBPyConnection,
    table: str,
    typed: pd.DataFrame,
    label: str,
    file: str,
    replace: bool,
    edited_by: str | None,
) -> dict[str, int]:
    """Check references, compare with the stored rows and write the changes in bulk.

    DuckDB compares the file's rows with the stored ones (a join on the key, floats equal
    within a relative 1e-12) into a temporary table of per-value change flags, then updates the
    changed rows (columns absent from the file keep their values), inserts the new ones and
    records provenance: one record per changed value of a stored row, one `WHOLE_ROW` record
    per new row.
    """
    check_references(table, typed, known_refs(con, table), file)
    spec = TABLES[table]
    key = list(spec.key)
    given = [c for c in typed.columns if c not in key]
    incoming = _registered(con, "incoming", pa.Table.from_pandas(typed, preserve_index=False))
    on = " AND ".join(f"s.{k} = i.{k}" for k in key)
    flags = [f"s.{key[0]} IS NOT NULL AS existed"]
    for c in given:
        changed = _changed_sql(spec.column(c), f"s.{c}", f"i.{c}")
        flags += [f"{changed} AS changed_{c}", f"{changed} AND i.{c} IS NOT NULL AS record_{c}"]
    keys = ", ".join(f"i.{k}" for k in key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE import_changes AS SELECT {keys}, {', '.join(flags)}"
        f" FROM {incoming} i LEFT JOIN {table} s ON {on}"
    )
    touched = " OR ".join(f"changed_{c}" for c in given) or "false"
    [(added, updated, unchanged)] = con.execute(
        "SELECT count(*) FILTER (NOT existed), count(*) FILTER (existed AND "
        f"({touched})), count(*) FILTER (existed AND NOT ({touched})) FROM import_changes"
    ).fetchall()
    removed = pd.DataFrame(columns=key)
    if replace:
        removed = con.execute(
            f"SELECT {', '.join(f's.{k}' for k in key)} FROM {table} s"
            f" ANTI JOIN {incoming} i ON {on}"
        ).df()
        _check_nothing_orphaned(con, table, set(row_keys(table, removed)), file)
    at = datetime.now(UTC).replace(tzinfo=None)
    by = edited_by or getpass.getuser()
    using = " AND ".join(f"i.{k} = d.{k}" for k in key)
    rows = f"{incoming} i JOIN import_changes d ON {using}"
    with transaction(con):
        if given and updated:
            values = ", ".join(f"{c} = u.{c}" for c in given)
            match = " AND ".join(f"{table}.{k} = u.{k}" for k in key)
            con.execute(
                f"UPDATE {table} SET {values} FROM (SELECT i.* FROM {rows}"
                f" WHERE d.existed AND ({touched})) u WHERE {match}"
            )
        columns = ", ".join(key + given)
        con.execute(
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(f'i.{c}' for c in key + given)}"
            f" FROM {rows} WHERE NOT d.existed"
        )
        _record_import(con, table, given, label, at, by)
        if replace:
            delete_rows(con, table, removed, provenance=True)
    con.execute("DROP TABLE import_changes")
    con.unregister(incoming)
    return {"added": added, "updated": updated, "unchanged": unchanged, "deleted": len(removed)}


def _changed_sql(col: Column, stored: str, given: str) -> str:
    """SQL that is true when the file's value differs from the stored one (as `same` says)."""
    if col.type == "float":
        equal = f"abs({stored} - {given}) <= 1e-12 * greatest(1.0, abs({stored}))"
        return f"NOT coalesce(({stored} IS NULL AND {given} IS NULL) OR {equal}, false)"
    return f"{stored} IS DISTINCT FROM {given}"


def _record_import(
    con: duckdb.DuckDBPyConnection,
    table: str,
    given: list[str],
    label: str,
    at: datetime,
    by: str,
) -> None:
    """Record the import's provenance from `import_changes`: each changed value of a stored
    row, and one `WHOLE_ROW` record per new row listing its values' columns."""
    if not given:
        return
    row_key = "concat_ws('|', " + ", ".join(TABLES[table].key) + ")"
    flags = ", ".join(f"record_{c} AS {c}" for c in given)
    listed = ", ".join(f"CASE WHEN record_{c} THEN '{c}' END" for c in given)
    con.execute(
        f"{_RECORD} SELECT ?, row_key, column_name, 'user_edit', ?, NULL, NULL, ?, ?"
        f" FROM (UNPIVOT (SELECT {row_key} AS row_key, {flags} FROM import_changes"
        f" WHERE existed) ON {', '.join(given)} INTO NAME column_name VALUE edited) WHERE edited",
        [table, label, at, by],
    )
    con.execute(
        f"{_RECORD} SELECT ?, row_key, ?, 'user_edit', ?, NULL, rationale, ?, ?"
        f" FROM (SELECT {row_key} AS row_key, concat_ws(',', {listed}) AS rationale"
        " FROM import_changes WHERE NOT existed) WHERE rationale <> ''",
        [table, WHOLE_ROW, label, at, by],
    )


def _check_nothing_orphaned(
    con: duckdb.DuckDBPyConnection, table: str, removed: set[str], file: str
) -> None:
    problems = [
        Problem(file, None, column, k, f"replace would delete a key still used in {user}")
        for k, column, user in uses_elsewhere(con, table, removed)
    ]
    if problems:
        raise ValidationError(problems)


def clean(v: Any) -> Any:
    """Turn pandas' missing markers and numpy scalars into plain Python values."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
        return None
    return v.item() if hasattr(v, "item") else v


def same(a: Any, b: Any) -> bool:
    """Say whether two cell values are equal (floats within a relative 1e-12)."""
    if isinstance(a, float) or isinstance(b, float):
        return (
            a is not None
            and b is not None
            and abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(a)))
        )
    return bool(a == b)


def registry_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return the number of rows of every registry table."""
    return {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
        for t in REGISTRY_TABLES
    }


def save_scenario(con: duckdb.DuckDBPyConnection, name: str, body_json: str) -> None:
    """Store a named scenario, replacing one of the same name."""
    with transaction(con):
        con.execute(
            "INSERT OR REPLACE INTO scenarios (name, body, saved_at) VALUES (?, ?, ?)",
            [name, body_json, datetime.now(UTC).replace(tzinfo=None)],
        )


def load_scenarios(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return the stored scenarios as {name: JSON}."""
    return dict(con.execute("SELECT name, body FROM scenarios ORDER BY name").fetchall())


def save_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    scenario_name: str,
    scenario_json: str,
    summary: dict[str, Any],
    tables: dict[str, pd.DataFrame],
) -> None:
    """Store a run: its scenario, summary, result tables and inputs, in one transaction."""
    with transaction(con):
        con.execute(
            "INSERT INTO runs (run_id, scenario_name, scenario, status, objective_eur,"
            " build_seconds, solve_seconds, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                scenario_name,
                scenario_json,
                summary["status"],
                summary.get("objective_eur"),
                summary.get("build_seconds"),
                summary.get("solve_seconds"),
                json.dumps(summary, default=str),
            ],
        )
        con.executemany(
            "INSERT INTO run_tables (run_id, name, body) VALUES (?, ?, ?)",
            [[run_id, name, frame.to_json(orient="records")] for name, frame in tables.items()],
        )


def load_runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the stored runs, newest first."""
    return con.execute(
        "SELECT run_id, scenario_name, status, objective_eur, created_at, build_seconds,"
        " solve_seconds FROM runs ORDER BY created_at DESC"
    ).df()


def load_run(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    """Return a stored run: scenario JSON, summary and tables."""
    row = con.execute("SELECT scenario, summary FROM runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None:
        raise KeyError(f"no run '{run_id}'")
    tables = {
        name: pd.read_json(io.StringIO(body), orient="records")
        for name, body in con.execute(
            "SELECT name, body FROM run_tables WHERE run_id = ? ORDER BY name", [run_id]
        ).fetchall()
    }
    return {"run_id": run_id, "scenario": row[0], "summary": json.loads(row[1]), "tables": tables}
