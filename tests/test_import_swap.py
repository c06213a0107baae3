"""An import is written into a copy of the database, without its lock, and swapped in.

The lock is held only to copy the file and to swap the copy in; a write by anyone in between
is never lost (the import then runs on the database itself); a connection this process has open
delays the swap; a process that opened the replaced file opens the new one; copies left by
killed imports go. Real DuckDB files, real second processes.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bench.imports import sites_file
from optimizer import api, store

#: Saves a scenario named argv[2] into the database argv[1]: a write by another process.
OTHER_WRITER = (
    "import sys; from optimizer import store\n"
    "with store.connect(sys.argv[1]) as con:\n"
    "    store.save_scenario(con, sys.argv[2], '{}')\n"
)


def copies_beside(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f".{db.name}.import-*"))


def imported(db: Path) -> tuple[int, int]:
    """Return the number of imported sites and of their provenance records."""
    with store.connect(db) as con:
        [(rows,)] = con.execute(
            "SELECT count(*) FROM sites WHERE site_id LIKE 'bench_%'"
        ).fetchall()
        [(records,)] = con.execute(
            "SELECT count(*) FROM provenance WHERE row_key LIKE 'bench_%'"
        ).fetchall()
    return rows, records


def test_an_import_is_written_beside_the_database_and_swapped_in(db: Path, tmp_path: Path) -> None:
    inode = db.stat().st_ino
    counts = api.import_file(db, "sites", sites_file(tmp_path / "s.csv", 2_000))
    assert counts["added"] == 2_000
    assert db.stat().st_ino != inode  # a new file took the old one's place
    assert imported(db) == (2_000, 2_000)  # each row, with its provenance
    assert copies_beside(db) == [] and not Path(f"{db}.wal").exists()


def test_the_same_file_again_changes_nothing_and_swaps_nothing(db: Path, tmp_path: Path) -> None:
    path = sites_file(tmp_path / "s.csv", 500)
    api.import_file(db, "sites", path)
    before = db.stat().st_ino, db.read_bytes()
    assert api.import_file(db, "sites", path)["unchanged"] == 500
    assert (db.stat().st_ino, db.read_bytes()) == before and copies_beside(db) == []


def test_a_write_by_another_process_meanwhile_is_kept_and_the_import_runs_in_place(
    db: Path, tmp_path: Path
) -> None:
    from optimizer.validate import read_table_file

    path = sites_file(tmp_path / "s.csv", 1_000)
    typed = store._checked("sites", read_table_file(path), path.name, False, False)

    written: list[Path] = []

    def write(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        [(file,)] = con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchall()
        written.append(Path(file))
        if len(written) == 1:  # another process writes to the database while this one writes
            other = [sys.executable, "-c", OTHER_WRITER, str(db), "meanwhile"]
            subprocess.run(other, check=True, timeout=120)
        return store._write(con, "sites", typed, "import of s.csv", "s.csv", False, "me")

    inode = db.stat().st_ino
    assert store._beside(db, write)["added"] == 1_000
    assert written[0].name.startswith(f".{db.name}.import-") and written[1] == db.resolve()
    assert db.stat().st_ino == inode  # the copy was not swapped in: written in place
    assert "meanwhile" in api.scenarios(db)  # the other write is kept
    assert imported(db) == (1_000, 1_000) and copies_beside(db) == []


def test_a_connection_open_in_this_process_delays_the_swap(db: Path, tmp_path: Path) -> None:
    path = sites_file(tmp_path / "s.csv", 1_000)
    opened, held = threading.Event(), 1.5

    def page() -> None:  # a dashboard session reading while the import runs
        with store.connect(db) as con:
            con.execute("SELECT count(*) FROM sites").fetchall()
            opened.set()
            time.sleep(held)

    reader = threading.Thread(target=page)
    reader.start()
    opened.wait(30)
    started = time.monotonic()
    api.import_file(db, "sites", path)
    waited = time.monotonic() - started
    reader.join()
    assert waited > held / 2  # the swap waited for the page to close its connection
    assert imported(db) == (1_000, 1_000)  # and a connection opened after sees the new file


def test_two_imports_in_one_process_at_once_both_land(db: Path, tmp_path: Path) -> None:
    first = sites_file(tmp_path / "first.csv", 3_000)
    second = tmp_path / "second.csv"
    pd.read_csv(first).assign(site_id=lambda f: "bench_b" + f["site_id"]).to_csv(
        second, index=False
    )
    done: list[dict[str, int]] = []
    threads = [
        threading.Thread(target=lambda f=f: done.append(api.import_file(db, "sites", f)))
        for f in (first, second)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [c["added"] for c in done] == [3_000, 3_000]
    assert imported(db) == (6_000, 6_000) and copies_beside(db) == []


def test_a_connection_open_longer_than_the_wait_leaves_the_import_in_place(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store.LOCK_WAIT_ENV, "0.3")
    path = sites_file(tmp_path / "s.csv", 1_000)
    inode = db.stat().st_ino
    with store.connect(db) as con:
        assert api.import_file(db, "sites", path)["added"] == 1_000
        # the open connection sees the rows: they were written into the file it has open
        [(rows,)] = con.execute(
            "SELECT count(*) FROM sites WHERE site_id LIKE 'bench_%'"
        ).fetchall()
    assert rows == 1_000 and db.stat().st_ino == inode and copies_beside(db) == []


def test_a_process_with_the_replaced_file_open_opens_the_new_one(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store.LOCK_WAIT_ENV, "0.3")
    new = tmp_path / "new.duckdb"
    new.write_bytes(db.read_bytes())
    with duckdb.connect(str(new)) as con:
        con.execute("CREATE TABLE marker (x INTEGER)")
    stale = duckdb.connect(str(db))  # opened just before an import replaced the file
    new.replace(db)
    assert store._replaced(db)
    with pytest.raises(store.StoreError) as refused:
        store.open_waiting(db)
    assert "a connection to the file an import replaced" in str(refused.value)
    stale.close()
    assert not store._replaced(db)
    fresh = store.open_waiting(db)
    assert fresh.execute("SELECT count(*) FROM marker").fetchall() == [(0,)]
    fresh.close()


def test_a_copy_left_by_a_killed_import_is_removed_by_the_next(db: Path, tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-c", "pass"]) as gone:
        gone.wait()
    killed = db.parent / f".{db.name}.import-{gone.pid}-abc"
    killed.write_bytes(b"half a copy")
    Path(f"{killed}.wal").write_bytes(b"log")
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as alive:
        running = db.parent / f".{db.name}.import-{alive.pid}-def"
        running.write_bytes(b"a copy being written")
        try:
            api.import_file(db, "sites", sites_file(tmp_path / "s.csv", 100))
        finally:
            alive.kill()
    assert copies_beside(db) == [running]  # another import's copy stays while it runs
    assert imported(db) == (100, 100)


def test_an_import_keeps_the_mode_of_the_database_file(db: Path, tmp_path: Path) -> None:
    db.chmod(0o600)
    api.import_file(db, "sites", sites_file(tmp_path / "s.csv", 100))
    assert db.stat().st_mode & 0o777 == 0o600
    assert pd.notna(api.registry_table(db, "sites").set_index("site_id").loc["bench_0", "pue"])
