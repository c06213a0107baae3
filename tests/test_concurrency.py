"""Concurrent planners on one DuckDB file, with real second processes.

DuckDB lets one process open a file for writing, or several for reading only, never both: a
reader beside an import waits for the lock with backoff and says so; two writers take turns;
a kill -9 during a bulk import leaves the file byte for byte as it was, or the whole file imported.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bench.imports import sites_file
from optimizer import api, store
from tests.test_store import fingerprint

#: Holds the database open (a real lock, as an import does) for argv[2] seconds.
HOLD = (
    "import sys, time; from optimizer import store\n"
    "with store.connect(sys.argv[1]):\n"
    "    print('holding', flush=True); time.sleep(float(sys.argv[2]))\n"
)


def cli(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "optimizer", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def holding(db: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def sites(db: Path) -> pd.DataFrame:
    with store.connect(db) as con:
        return store.load_table(con, "sites")


def test_a_reader_waits_for_an_import_holding_the_database_and_says_so(
    db: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(store.LOCK_WAIT_ENV, "30")
    with holding(db, 2.5) as holder:
        started = time.monotonic()
        inputs = api.load_inputs(db)  # what every page reads first
        waited = time.monotonic() - started
    assert inputs.sites and waited > 1.0
    err = capfd.readouterr().err
    assert f"note: {db} is in use by another process (pid {holder.pid}); waiting up to 30 s" in err
    assert "Traceback" not in err


def test_a_reader_that_waited_long_enough_gets_one_sentence_not_a_traceback(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(store.LOCK_WAIT_ENV, "0.5")
    with holding(db, 20) as holder:
        try:
            with pytest.raises(store.StoreError) as locked:
                api.registry(db)
        finally:
            holder.kill()
    assert str(locked.value).startswith(
        f"{db} stayed locked by another process (pid {holder.pid}) for 0.5 s, nothing was read"
    )


def test_two_imports_at_once_both_succeed_in_turn(db: Path, tmp_path: Path) -> None:
    first = sites_file(tmp_path / "first.csv", 20_000)
    second = tmp_path / "second.csv"
    pd.read_csv(first).assign(site_id=lambda f: "other_" + f["site_id"]).to_csv(second, index=False)
    before = len(sites(db))
    runs = [cli(db, "data", "import", "sites", str(f)) for f in (first, second)]
    done = [(*p.communicate(timeout=300), p.returncode) for p in runs]
    for out, err, code in done:
        assert code == 0 and "Traceback" not in err, err
        assert out.startswith("sites: 20000 added"), out
    assert len(sites(db)) == before + 40_000


def test_a_second_writer_that_cannot_wait_names_the_holder_in_one_line(db: Path) -> None:
    with holding(db, 30) as holder:
        try:
            run = subprocess.run(
                [sys.executable, "-m", "optimizer", "--db", str(db), "data", "tables"],
                capture_output=True,
                text=True,
                env={**os.environ, store.LOCK_WAIT_ENV: "0.5"},
                timeout=60,
            )
        finally:
            holder.kill()
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr == f"error: database {db} is in use by another process (pid {holder.pid})\n"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wait_until_open(pid: int, db: Path, timeout: float = 120) -> None:
    """Wait until process `pid` has the database file open (it holds the lock and writes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fds = Path(f"/proc/{pid}/fd")
        try:
            if any(os.path.realpath(f) == str(db.resolve()) for f in fds.iterdir()):
                return
        except OSError:  # a descriptor closed while listing
            pass
        time.sleep(0.005)
    raise AssertionError("the import never opened the database")


#: Kill before the database is opened (validation in memory), then at several moments after.
KILL_AT = [("validating", 0.2)] + [("writing", s) for s in (0.0, 0.1, 0.3, 0.6, 1.0, 2.0)]


@pytest.mark.parametrize(("phase", "after_s"), KILL_AT)
def test_kill_9_during_a_bulk_import_leaves_all_or_nothing(
    phase: str, after_s: float, db: Path, tmp_path: Path
) -> None:
    """Killed at any moment, the database file is byte for byte as before, or has the whole
    file imported: the import writes a copy and swaps it in (`store._beside`)."""
    rows = 100_000
    path = sites_file(tmp_path / "big.csv", rows)
    before_bytes, before, before_sites = digest(db), fingerprint(db), sites(db)
    with cli(db, "data", "import", "sites", str(path)) as run:
        if phase == "writing":
            wait_until_open(run.pid, db)
        time.sleep(after_s)
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=30)
    after_bytes = digest(db)
    after = sites(db)  # opens the file as the next user would
    if len(after) == len(before_sites):  # nothing imported: not a byte changed
        assert after_bytes == before_bytes and fingerprint(db) == before
    else:
        assert len(after) == len(before_sites) + rows  # fully imported
        with store.connect(db) as con:
            counts = store.provenance_counts(con)
        assert counts["user_edit"] >= rows
