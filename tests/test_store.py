"""The registry: schema and migrations, seed, provenance, import/export and validation."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from optimizer import store
from optimizer.registry import TABLES
from optimizer.validate import ValidationError
from tests.test_seed import build


def fingerprint(db: Path) -> str:
    """Hash every registry table and the provenance, to prove a database is unchanged."""
    with store.connect(db) as con:
        parts = [store.load_table(con, t).to_csv() for t in TABLES]
        parts.append(con.execute("SELECT * FROM provenance ORDER BY ALL").df().to_csv())
    return hashlib.sha256("".join(parts).encode()).hexdigest()


def test_fresh_file_is_migrated_and_seeded(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with store.connect(path) as con:
        versions = [
            v
            for (v,) in con.execute(
                "SELECT version FROM schema_migrations ORDER BY version"
            ).fetchall()
        ]
        assert versions == [1, 2, 3, 4]
        assert store.migrate(con) == []  # nothing left to apply
        counts = store.registry_counts(con)
    assert counts["member_states"] == 37
    assert counts["sites"] == 101  # 64 sourced sites + one greenfield option per state
    assert counts["demand_scenarios"] == 4 and counts["periods"] == 12
    assert counts["period_factors"] > 0 and counts["energy_caps"] > 0


def test_registry_spec_matches_migrated_tables(db: Path) -> None:
    with store.connect(db) as con:
        for name, spec in TABLES.items():
            cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
            assert cols == spec.column_names, name


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001_ok.sql").write_text("CREATE TABLE a (x INTEGER);")
    (migrations / "002_bad.sql").write_text("CREATE TABLE b (x INTEGER); SELECT nonsense FROM;")
    monkeypatch.setattr(store, "MIGRATIONS", migrations)
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    with pytest.raises(duckdb.Error):
        store.migrate(con)
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert "a" in tables and "b" not in tables
    assert con.execute("SELECT max(version) FROM schema_migrations").fetchone() == (1,)


def test_every_seeded_value_has_provenance(db: Path) -> None:
    """Data honesty: each non-empty value in the default data is a fact, a derivation or an
    assumption."""
    with store.connect(db) as con:
        for table, spec in TABLES.items():
            frame = store.table_with_provenance(con, table)
            for col in spec.columns:
                if col.name in spec.key:
                    continue
                filled = frame[frame[col.name].notna() & (frame[col.name].astype(str) != "")]
                missing = filled[filled[f"provenance_{col.name}"] == ""]
                assert missing.empty, f"{table}.{col.name} lacks provenance: {missing.iloc[0]}"


def test_unknown_capacity_says_what_is_assumed(db: Path) -> None:
    with store.connect(db) as con:
        sites = store.table_with_provenance(con, "sites").set_index("site_id")
    row = sites.loc["aif_bsc"]  # procured, but no size published: buildable, no bound
    assert row["capacity_status"] == "buildable"
    assert pd.isna(row["it_capacity_mw"]) and pd.isna(row["expansion_limit_mw"])
    assert "no GPU count or MW is published" in row["provenance_capacity_status"]
    lumi = sites.loc["eurohpc_lumi", "provenance_it_capacity_mw"]
    assert lumi.startswith("derivation:") and "379.7 PF / 53.43 GF/W" in lumi


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_export_import_round_trip_changes_nothing(db: Path, tmp_path: Path, suffix: str) -> None:
    before = fingerprint(db)
    for table in TABLES:
        path = tmp_path / f"{table}{suffix}"
        with store.connect(db) as con:
            n = store.export_table(con, table, path)
        counts = store.import_into(db, table, path)
        assert counts == {"added": 0, "updated": 0, "unchanged": n, "deleted": 0}, table
    assert fingerprint(db) == before


def test_export_carries_provenance_columns(db: Path, tmp_path: Path) -> None:
    with store.connect(db) as con:
        store.export_table(con, "sites", tmp_path / "sites.csv")
    frame = pd.read_csv(tmp_path / "sites.csv")
    assert len(frame) == 101
    assert {"provenance_it_capacity_mw", "provenance_pue", "provenance_latitude"} <= set(frame)
    assert frame["provenance_pue"].str.startswith(("assumption:", "fact:")).all()


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


GOOD_SITE = {
    "site_id": "dk_new",
    "site_name": "Fjord DC",
    "category": "user_site",
    "country": "DK",
    "capacity_status": "existing",
    "pue": 1.15,
    "it_capacity_mw": 12.0,
    "latitude": 55.4,
    "longitude": 10.4,
}


def test_import_adds_a_site_and_records_the_edit(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "new_site.csv", [GOOD_SITE])
    assert store.import_into(db, "sites", path, edited_by="tester")["added"] == 1
    with store.connect(db) as con:
        sites = store.table_with_provenance(con, "sites").set_index("site_id")
    assert sites.loc["dk_new", "it_capacity_mw"] == 12.0
    assert sites.loc["dk_new", "provenance_it_capacity_mw"].startswith(
        "user edit: import of new_site.csv"
    )


def test_import_updates_only_given_columns(db: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "pue.csv",
        [
            {
                "site_id": "eurohpc_lumi",
                "site_name": "LUMI",
                "category": "eurohpc_supercomputer",
                "country": "FI",
                "capacity_status": "existing",
                "pue": 1.03,
            }
        ],
    )
    counts = store.import_into(db, "sites", path)
    with store.connect(db) as con:
        sites = store.table_with_provenance(con, "sites").set_index("site_id")
    assert counts["updated"] == 1
    assert sites.loc["eurohpc_lumi", "pue"] == 1.03
    assert sites.loc["eurohpc_lumi", "it_capacity_mw"] == pytest.approx(7.106)  # kept
    assert sites.loc["eurohpc_lumi", "provenance_pue"].startswith("user edit")
    assert sites.loc["eurohpc_lumi", "provenance_it_capacity_mw"].startswith("derivation")


BAD_CELLS = [
    ("pue", 0.9, "must be >= 1"),
    ("it_capacity_mw", -1, "must be >= 0"),
    ("ref", 1.5, "must be <= 1"),
    ("country", "UK", "ISO 3166-1 alpha-2"),
    ("latitude", 123.0, "must be <= 90"),
    ("longitude", -200, "must be >= -180"),
    ("category", "castle", "must be one of"),
    ("it_capacity_mw", "ten", "must be a number"),
    ("status_year", 2020.5, "must be a whole number"),
    ("pue", "", "a value is required"),
    ("site_id", "my site", "no spaces"),
]


@pytest.mark.parametrize(("column", "value", "rule"), BAD_CELLS)
def test_a_bad_value_is_refused_with_row_column_value_rule(
    db: Path, tmp_path: Path, column: str, value: object, rule: str
) -> None:
    rows = [GOOD_SITE | {"site_id": f"ok_{i}"} for i in range(3)]
    rows.insert(2, GOOD_SITE | {"site_id": "bad_one"} | {column: value})
    path = write_csv(tmp_path / "sites_in.csv", rows)
    before = fingerprint(db)
    with pytest.raises(ValidationError) as err:
        store.import_into(db, "sites", path)
    text = str(err.value)
    assert "sites_in.csv, row 3" in text and f"column '{column}'" in text and rule in text
    assert fingerprint(db) == before


def test_duplicate_ids_are_refused(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "dup.csv", [GOOD_SITE, GOOD_SITE])
    with pytest.raises(ValidationError, match="row 2.*duplicate key"):
        store.import_into(db, "sites", path)


def test_missing_required_and_unknown_columns_are_reported(db: Path, tmp_path: Path) -> None:
    row = {k: v for k, v in GOOD_SITE.items() if k != "pue"} | {"colour": "blue"}
    path = write_csv(tmp_path / "cols.csv", [row])
    with pytest.raises(ValidationError) as err:
        store.import_into(db, "sites", path)
    text = str(err.value)
    assert "column 'pue': required column is missing" in text
    assert "column 'colour': unknown column" in text


def test_references_must_exist(db: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "heat.csv",
        [
            {
                "site_id": "nowhere",
                "sink": "industry",
                "recoverable_fraction": 0.5,
                "sink_capacity_mw_th": 1.0,
            }
        ],
    )
    with pytest.raises(ValidationError, match="must exist in sites.site_id"):
        store.import_into(db, "heat_options", path)


def test_bool_and_share_rules_on_member_states(db: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "ms.csv",
        [
            {
                "iso2": "DK",
                "name": "Denmark",
                "eu_member": "maybe",
                "eurohpc_participant": "yes",
                "contribution_share": 1.2,
            }
        ],
    )
    with pytest.raises(ValidationError) as err:
        store.import_into(db, "member_states", path)
    assert "must be yes/no" in str(err.value) and "must be <= 1" in str(err.value)


def test_replace_refuses_to_orphan_rows(db: Path, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "periods.csv",
        [
            {
                "period": "year",
                "hours": 8760,
                "price_factor": 1,
                "carbon_factor": 1,
                "heat_demand_factor": 1,
            }
        ],
    )
    before = fingerprint(db)
    with pytest.raises(ValidationError, match="still used in period_factors"):
        store.import_into(db, "periods", path, replace=True)
    assert fingerprint(db) == before


def test_committed_seed_is_what_the_builder_makes(tmp_path: Path) -> None:
    """The embedded dataset is exactly its documented derivation from data/reference."""
    build(tmp_path)
    root = Path(__file__).resolve().parents[1]
    seed = root / "data" / "seed"
    assert {p.name for p in tmp_path.glob("*.csv")} == {p.name for p in seed.glob("*.csv")}
    for built in sorted(tmp_path.glob("*.csv")):
        committed = root / "data" / "seed" / built.name
        assert built.read_text() == committed.read_text(), built.name


def test_a_writer_waits_for_another_process_to_release_the_database(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
        "time.sleep(1.5); c.close()"
    )
    monkeypatch.setenv("SOVCOMPUTE_LOCK_WAIT_S", "20")
    with subprocess.Popen(
        [sys.executable, "-c", hold, str(db)], stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        with store.connect(db) as con:  # waits instead of failing at once
            assert con.execute("SELECT count(*) FROM sites").fetchone()[0] > 0  # type: ignore[index]
        waited = time.monotonic() - started
    assert waited > 0.5


def test_a_v1_database_is_moved_aside_and_a_v2_one_made(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL)"
    )
    for f in sorted(store.MIGRATIONS.glob("*.sql"))[:2]:  # 001 and 002: the v1 registry
        con.execute(f.read_text(encoding="utf-8"))
        con.execute("INSERT INTO schema_migrations VALUES (?, ?)", [int(f.name[:3]), f.stem])
    con.execute(
        "INSERT INTO member_states (iso2, name, eu_member, eurohpc_participant) "
        "VALUES ('DK', 'Denmark', true, true)"
    )
    con.close()
    old = hashlib.sha256(db.read_bytes()).hexdigest()
    with store.connect(db) as con:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] >= 3  # type: ignore[index]
        assert con.execute("SELECT count(*) FROM sites").fetchone()[0] > 0  # type: ignore[index]
    kept = tmp_path / "old.v1.duckdb"
    # The v1 file is kept, byte for byte.
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == old
    with store.connect(db):  # a v2 file is opened in place
        pass
    assert not (tmp_path / "old.v1.v1.duckdb").exists()
