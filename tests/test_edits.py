"""No lost update: editor saves against the rows they started from (optimizer.edits).

Every test runs on a real DuckDB file; two "sessions" are two snapshots of the same table.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimizer import edits, store
from optimizer.validate import ValidationError

BY = "tester@example.eu"


def snapshot(db: Path, table: str = "sites") -> pd.DataFrame:
    """The rows as a Data page loads them for its editor."""
    with store.connect(db) as con:
        return store.load_table(con, table)


def stored(db: Path, table: str = "sites") -> pd.DataFrame:
    return snapshot(db, table).set_index(list(store.TABLES[table].key))


def unreferenced_site(db: Path) -> int:
    """The position of a site no heat option uses (it may be renamed or deleted)."""
    sites, heat = snapshot(db), snapshot(db, "heat_options")
    return int(sites.index[~sites["site_id"].isin(heat["site_id"])][0])


def save(db: Path, base: pd.DataFrame, edited: pd.DataFrame) -> str:
    return edits.save_edits(db, edits.diff("sites", base, edited), "dashboard edit", BY)


def test_two_sessions_on_the_same_cell_the_second_is_refused_with_both_values(db: Path) -> None:
    a, b = snapshot(db), snapshot(db)
    site, was = a.loc[0, "site_id"], a.loc[0, "pue"]
    mine_a, mine_b = a.copy(), b.copy()
    mine_a.loc[0, "pue"] = 1.11
    mine_b.loc[0, "pue"] = 1.22
    assert save(db, a, mine_a) == f"sites: row {site}: pue {was:g} -> 1.11"
    before = stored(db)
    with pytest.raises(edits.EditConflict) as refused:
        save(db, b, mine_b)
    (conflict,) = refused.value.conflicts
    assert (conflict.row, conflict.column, conflict.mine, conflict.now) == (
        site,
        "pue",
        "1.22",
        "1.11",
    )
    assert f"your value 1.22, now in the database 1.11 (you started from {was:g})" in str(
        refused.value
    )
    pd.testing.assert_frame_equal(stored(db), before)


def test_two_sessions_on_different_cells_both_are_kept(db: Path) -> None:
    a, b = snapshot(db), snapshot(db)
    mine_a, mine_b = a.copy(), b.copy()
    mine_a.loc[0, "pue"] = 1.11
    mine_b.loc[0, "city"] = "Elsewhere"  # same row, another cell
    mine_b.loc[1, "pue"] = 1.33  # another row
    save(db, a, mine_a)
    saved = save(db, b, mine_b)
    assert "city" in saved and "pue" in saved
    after = stored(db)
    first, second = a.loc[0, "site_id"], a.loc[1, "site_id"]
    assert after.loc[first, "pue"] == 1.11 and after.loc[first, "city"] == "Elsewhere"
    assert after.loc[second, "pue"] == 1.33
    with store.connect(db) as con:
        who = store.load_provenance(con, "sites").set_index(["row_key", "column_name"])
    assert who.loc[(first, "city"), "recorded_by"] == BY
    assert who.loc[(first, "pue"), "kind"] == "user_edit"


def test_reapply_puts_the_pending_edit_over_the_current_values(db: Path) -> None:
    a, b = snapshot(db), snapshot(db)
    mine_a, mine_b = a.copy(), b.copy()
    mine_a.loc[0, "pue"] = 1.11
    mine_b.loc[0, "pue"] = 1.22
    save(db, a, mine_a)
    pending = edits.diff("sites", b, mine_b)
    with pytest.raises(edits.EditConflict):
        edits.save_edits(db, pending, "dashboard edit", BY)
    current = snapshot(db)
    draft = edits.reapply(pending, current)
    assert draft.loc[0, "pue"] == 1.22 and list(draft.index) == list(current.index)
    saved = save(db, current, draft)
    assert saved.endswith("pue 1.11 -> 1.22")
    assert stored(db).loc[a.loc[0, "site_id"], "pue"] == 1.22


def test_a_deleted_row_is_deleted_and_said(db: Path) -> None:
    base = snapshot(db)
    i = unreferenced_site(db)
    site = base.loc[i, "site_id"]
    assert save(db, base, base.drop(index=i)) == f"sites: deleted 1 row(s): {site}"
    after = stored(db)
    assert site not in after.index and len(after) == len(base) - 1
    with store.connect(db) as con:
        assert site not in set(store.load_provenance(con, "sites")["row_key"])


def test_deleting_a_site_a_heat_option_uses_is_refused(db: Path) -> None:
    base = snapshot(db)
    used = snapshot(db, "heat_options").loc[0, "site_id"]
    i = int(base.index[base["site_id"] == used][0])
    with pytest.raises(ValidationError, match="still used in heat_options.site_id"):
        save(db, base, base.drop(index=i))
    assert used in stored(db).index


def test_deleting_a_row_someone_changed_since_is_refused(db: Path) -> None:
    a, b = snapshot(db), snapshot(db)
    i = unreferenced_site(db)
    changed = a.copy()
    changed.loc[i, "pue"] = 1.44
    save(db, a, changed)
    with pytest.raises(
        edits.EditConflict, match="your value \\(delete row\\), now in the database 1.44"
    ):
        save(db, b, b.drop(index=i))


def test_a_changed_key_is_a_rename_not_a_duplicate(db: Path) -> None:
    base = snapshot(db)
    i = unreferenced_site(db)
    old = base.loc[i, "site_id"]
    renamed = base.copy()
    renamed.loc[i, "site_id"] = "renamed_site"
    assert save(db, base, renamed) == f"sites: row {old} renamed to renamed_site"
    after = stored(db)
    assert len(after) == len(base) and old not in after.index
    assert after.loc["renamed_site", "pue"] == base.loc[i, "pue"]
    with store.connect(db) as con:
        keys = set(store.load_provenance(con, "sites")["row_key"])
    assert "renamed_site" in keys and old not in keys


def test_a_rename_onto_an_existing_key_or_of_a_used_key_is_refused(db: Path) -> None:
    base = snapshot(db)
    before = stored(db)
    i = unreferenced_site(db)
    onto = base.copy()
    onto.loc[i, "site_id"] = base.loc[(i + 1) % len(base), "site_id"]
    with pytest.raises(ValidationError, match="a row with this key exists"):
        save(db, base, onto)
    used = snapshot(db, "heat_options").loc[0, "site_id"]
    j = int(base.index[base["site_id"] == used][0])
    moved = base.copy()
    moved.loc[j, "site_id"] = "moved_site"
    with pytest.raises(ValidationError, match="still used in heat_options.site_id"):
        save(db, base, moved)
    pd.testing.assert_frame_equal(stored(db), before)


def test_an_added_row_and_a_bad_value_name_the_editor_row(db: Path) -> None:
    base = snapshot(db)
    new = base.iloc[[0]].copy()
    new.index = [len(base) + 5]
    new.loc[:, "site_id"] = "brand_new"
    grown = pd.concat([base, new])
    assert save(db, base, grown) == "sites: added 1 row(s): brand_new"
    assert "brand_new" in stored(db).index
    base = snapshot(db)
    bad = base.copy()
    bad.loc[2, "pue"] = 0.7
    with pytest.raises(ValidationError, match="dashboard edit, row 3, column 'pue': value 0.7"):
        save(db, base, bad)


def test_an_added_key_someone_else_added_first_is_a_conflict(db: Path) -> None:
    a, b = snapshot(db), snapshot(db)
    new = a.iloc[[0]].copy()
    new.index = [len(a)]
    new.loc[:, "site_id"] = "twice"
    save(db, a, pd.concat([a, new]))
    with pytest.raises(edits.EditConflict, match="a row with this key exists"):
        save(db, b, pd.concat([b, new]))


def test_nothing_changed_saves_nothing(db: Path) -> None:
    base = snapshot(db)
    assert save(db, base, base.copy()) == "sites: no changes"


def test_an_edit_after_an_import_overrides_the_imported_rows_provenance_for_that_value(
    db: Path, tmp_path: Path
) -> None:
    row = snapshot(db).iloc[[0]].assign(site_id="imported_site")
    row.to_csv(tmp_path / "one.csv", index=False)
    with store.connect(db) as con:
        counts_before = store.provenance_counts(con)
    store.import_into(db, "sites", tmp_path / "one.csv", edited_by=BY)
    given = int(row.drop(columns="site_id").notna().sum(axis=1).iloc[0])
    with store.connect(db) as con:
        counts = store.provenance_counts(con)
        assert counts["user_edit"] == counts_before.get("user_edit", 0) + given
    base = snapshot(db)
    edited = base.copy()
    i = int(base.index[base["site_id"] == "imported_site"][0])
    edited.loc[i, "pue"] = 1.05
    save(db, base, edited)
    with store.connect(db) as con:
        shown = store.table_with_provenance(con, "sites").set_index("site_id").loc["imported_site"]
    assert "dashboard edit" in shown["provenance_pue"]
    assert "import of one.csv" in shown["provenance_site_name"]
