"""Save the cells a person changed in a table editor, against the rows they started from.

The Data page keeps a snapshot of the rows as it loaded them. `diff` compares the editor's rows
with that snapshot (aligned by the editor's row labels) and returns only what the person
changed: updated cells, added rows, deleted rows and renamed keys. `save` writes them in one
transaction after checking, inside it, that nobody else changed those cells since the snapshot;
otherwise nothing is written and `EditConflict` lists each cell with the person's value and the
value now in the database. `reapply` puts pending edits over the current rows, so the person can
save them again knowingly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from optimizer import store
from optimizer.registry import TABLES, key_of
from optimizer.validate import Problem, ValidationError, validate_rows

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RowEdit:
    """One existing row the person changed: the row as loaded and the row as they left it."""

    position: int  # 1-based row in the editor
    before: Row
    after: Row

    def changed(self, table: str) -> list[str]:
        """Return the columns whose value the person changed."""
        return [
            c
            for c in TABLES[table].column_names
            if not store.same(self.before.get(c), self.after.get(c))
        ]


@dataclass(frozen=True, slots=True)
class EditSet:
    """What a person changed in one table since the snapshot their editor started from."""

    table: str
    updated: list[RowEdit] = field(default_factory=list)
    added: list[tuple[int, Row]] = field(default_factory=list)  # (editor position, row)
    deleted: list[tuple[int, Row]] = field(default_factory=list)  # (editor position, row)

    def __bool__(self) -> bool:
        return bool(self.updated or self.added or self.deleted)

    def describe(self) -> str:
        """Say in one line what the edits change, e.g. "sites: row a: pue 1.3 -> 1.1"."""
        parts = []
        for edit in self.updated:
            old, new = key_of(self.table, edit.before), key_of(self.table, edit.after)
            cells = ", ".join(
                f"{c} {show(edit.before.get(c))} -> {show(edit.after.get(c))}"
                for c in edit.changed(self.table)
                if c not in TABLES[self.table].key
            )
            renamed = f" renamed to {new}" if new != old else ""
            parts.append(f"row {old}{renamed}" + (f": {cells}" if cells else ""))
        if self.added:
            keys = ", ".join(key_of(self.table, r) for _, r in self.added)
            parts.append(f"added {len(self.added)} row(s): {keys}")
        if self.deleted:
            keys = ", ".join(key_of(self.table, r) for _, r in self.deleted)
            parts.append(f"deleted {len(self.deleted)} row(s): {keys}")
        return f"{self.table}: " + ("; ".join(parts) if parts else "no changes")


def show(value: Any) -> str:
    """Show a cell value in a sentence: empty cells as "(empty)", numbers as typed."""
    if value is None:
        return "(empty)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _rows(table: str, frame: pd.DataFrame) -> dict[Any, Row]:
    names = TABLES[table].column_names
    return {
        label: {c: store.clean(record.get(c)) for c in names}
        for label, record in zip(frame.index, frame.to_dict("records"), strict=True)
    }


def diff(table: str, snapshot: pd.DataFrame, edited: pd.DataFrame) -> EditSet:
    """Return what changed from `snapshot` (the rows as loaded) to `edited` (the editor's rows).

    Rows are matched by index label, as Streamlit's data editor keeps them: a label missing from
    `edited` is a deleted row, a new label an added row. Blank text counts as empty.
    """
    before, after = _rows(table, snapshot), _rows(table, edited)
    positions = {label: i for i, label in enumerate(list(snapshot.index), start=1)}
    for label in after:
        positions.setdefault(label, len(positions) + 1)
    updated = [
        RowEdit(positions[label], before[label], _blank_as_none(after[label]))
        for label in before
        if label in after
    ]
    return EditSet(
        table,
        updated=[e for e in updated if e.changed(table)],
        added=[(positions[k], _blank_as_none(r)) for k, r in after.items() if k not in before],
        deleted=[(positions[k], r) for k, r in before.items() if k not in after],
    )


def _blank_as_none(row: Row) -> Row:
    return {c: None if isinstance(v, str) and not v.strip() else v for c, v in row.items()}


@dataclass(frozen=True, slots=True)
class Conflict:
    """A cell the person changed that someone else changed since their snapshot."""

    row: str
    column: str
    mine: str
    now: str
    started_from: str

    def __str__(self) -> str:
        return (
            f"row {self.row}, column '{self.column}': your value {self.mine}, now in the "
            f"database {self.now} (you started from {self.started_from})"
        )


class EditConflict(ValueError):
    """Someone else changed the rows since the snapshot; nothing was written."""

    def __init__(self, table: str, conflicts: list[Conflict]) -> None:
        self.table = table
        self.conflicts = conflicts
        lines = "\n".join(f"  - {c}" for c in conflicts)
        super().__init__(
            f"{table}: {len(conflicts)} of your changed cell(s) were changed by someone else "
            f"since you loaded the table; nothing was saved:\n{lines}"
        )


def _conflicts(edits: EditSet, current: dict[str, Row]) -> list[Conflict]:
    """Compare the person's snapshot of every row they touch with the rows now stored."""
    table = edits.table
    found = []
    for e in edits.updated:
        key = key_of(table, e.before)
        now = current.get(key)
        found += [
            Conflict(
                key,
                c,
                show(e.after.get(c)),
                "(row deleted)" if now is None else show(now[c]),
                show(e.before[c]),
            )
            for c in e.changed(table)
            if now is None or not store.same(now[c], e.before[c])
        ]
    for _, row in edits.deleted:
        now = current.get(key_of(table, row)) or row
        found += [
            Conflict(key_of(table, row), c, "(delete row)", show(now[c]), show(row[c]))
            for c in TABLES[table].column_names
            if not store.same(now[c], row[c])
        ]
    for _, row in edits.added:
        if key_of(table, row) in current:
            found.append(
                Conflict(
                    key_of(table, row),
                    "/".join(TABLES[table].key),
                    "(new row)",
                    "(a row with this key exists)",
                    "(no row)",
                )
            )
    return found


def _refused_keys(
    con: duckdb.DuckDBPyConnection, edits: EditSet, current: dict[str, Row], label: str
) -> list[Problem]:
    """Refuse a rename onto an existing key, and a rename or delete of a key used elsewhere."""
    table, spec = edits.table, TABLES[edits.table]
    problems = []
    gone: dict[str, int] = {}
    for e in edits.updated:
        old, new = key_of(table, e.before), key_of(table, e.after)
        if old == new:
            continue
        gone[old] = e.position
        if new in current:
            problems.append(
                Problem(
                    label,
                    e.position,
                    "/".join(spec.key),
                    new,
                    "a row with this key exists: renaming onto it is refused",
                )
            )
    gone.update({key_of(table, r): p for p, r in edits.deleted})
    for key, column, user in store.uses_elsewhere(con, table, set(gone)):
        problems.append(
            Problem(
                label,
                gone[key],
                column,
                key,
                f"still used in {user}: renaming or deleting it is refused",
            )
        )
    return problems


def _validated(
    con: duckdb.DuckDBPyConnection, edits: EditSet, current: dict[str, Row], label: str
) -> list[Row]:
    """Return the rows to write: each changed row's current values with the person's cells."""
    table = edits.table
    rows, positions = [], []
    for e in edits.updated:
        now = current.get(key_of(table, e.before), e.before)
        rows.append(now | {c: e.after.get(c) for c in e.changed(table)})
        positions.append(e.position)
    for position, row in edits.added:
        rows.append(row)
        positions.append(position)
    if not rows:
        return []
    try:
        return validate_rows(
            table, pd.DataFrame(rows, dtype=object), label, known=store.known_refs(con, table)
        )
    except ValidationError as e:
        raise ValidationError(
            [replace(p, row=positions[p.row - 1]) if p.row else p for p in e.problems]
        ) from None


def save(con: duckdb.DuckDBPyConnection, edits: EditSet, label: str, edited_by: str) -> str:
    """Write the person's changes in one transaction, after checking nobody changed them since.

    Returns:
        what was saved, in one line (`EditSet.describe`).

    Raises:
        EditConflict: a changed cell or a deleted row was changed by someone else since the
            snapshot, or an added key was added by someone else; nothing is written.
        ValidationError: a value breaks a rule, a rename lands on an existing key, or a
            renamed or deleted key is used in another table; nothing is written.
    """
    table = edits.table
    if not edits:
        return edits.describe()
    with store.transaction(con):
        current = {key_of(table, r): r for r in _rows(table, store.load_table(con, table)).values()}
        if conflicts := _conflicts(edits, current):
            raise EditConflict(table, conflicts)
        if problems := _refused_keys(con, edits, current, label):
            raise ValidationError(problems)
        rows = _validated(con, edits, current, label)
        at = datetime.now(UTC).replace(tzinfo=None)
        for e, row in zip(edits.updated, rows, strict=False):
            old = key_of(table, e.before)
            store.delete_rows(con, table, [e.before], provenance=False)
            store.move_provenance(con, table, old, key_of(table, row))
            store.insert_rows(con, table, [row])
            _record(con, table, row, e.changed(table), label, at, edited_by)
        for row in rows[len(edits.updated) :]:
            store.insert_rows(con, table, [row])
            _record(con, table, row, list(row), label, at, edited_by)
        store.delete_rows(con, table, [r for _, r in edits.deleted], provenance=True)
    return edits.describe()


def _record(
    con: duckdb.DuckDBPyConnection,
    table: str,
    row: Row,
    columns: list[str],
    label: str,
    at: datetime,
    by: str,
) -> None:
    """Record the row's non-key, non-empty `columns` as user edits."""
    cells = {c: [True] for c in columns if c not in TABLES[table].key and row.get(c) is not None}
    store.record_edits(
        con, table, pd.DataFrame({"row_key": [key_of(table, row)], **cells}), label, at, by
    )


def save_edits(db: Path | str | None, edits: EditSet, label: str, edited_by: str) -> str:
    """Open the database and `save` the edits; return what was saved, in one line."""
    with store.connect(db) as con:
        return save(con, edits, label, edited_by)


def reapply(edits: EditSet, current: pd.DataFrame) -> pd.DataFrame:
    """Return `current` (the rows now stored) with the person's pending edits put over them.

    Rows keep `current`'s labels, so `diff(table, current, <the returned frame>)` gives the
    edits again, now against the current values; a row the person changed that was deleted
    since comes back as an added row, as the person left it.
    """
    table = edits.table
    out = current.copy()
    labels = {key_of(table, r): label for label, r in _rows(table, current).items()}
    extra = []
    for e in edits.updated:
        label = labels.get(key_of(table, e.before))
        if label is None:
            extra.append(e.after)
            continue
        for c in e.changed(table):
            out.at[label, c] = e.after.get(c)
    extra += [row for _, row in edits.added]
    out = out.drop(
        index=[labels[k] for k in (key_of(table, r) for _, r in edits.deleted) if k in labels]
    )
    start = int(current.index.max()) + 1 if len(current) else 0
    added = pd.DataFrame(extra, columns=current.columns, index=range(start, start + len(extra)))
    return pd.concat([out, added]) if extra else out
