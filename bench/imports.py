"""Benchmark: a 200,000-row sites file through `optimizer.import_file`, phase by phase.

Run: uv run python -m bench.imports [--rows 200000] [--no-write-doc]

The file is synthetic (ids bench_0..., countries and categories from the seed, random PUEs and
capacities): it measures speed only. Three imports in a row on a fresh seeded database: the new
rows (all added), the same file again (all unchanged) and the file with every PUE changed (all
updated); then the last one again written in place, as `store.import_into` does when someone
wrote to the database while it wrote its copy. For each: reading and validating the file in
memory (before the database is opened), and how long the database's lock is held, which is how
long another process waits at most: every span from `store.open_waiting` to the connection's
close is recorded (copying the file, then swapping the written copy in). Wall and CPU seconds,
with the load average, because the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench.report import write_section
from optimizer import api, store
from optimizer.validate import read_table_file, validate_frame


def sites_file(path: Path, rows: int, pue_shift: float = 0.0) -> Path:
    """Write a sites-like CSV of `rows` rows (seeded random values) to `path`."""
    rng = np.random.default_rng(7)
    countries = pd.read_csv(store.SEED / "member_states.csv")["iso2"].to_numpy()
    pd.DataFrame(
        {
            "site_id": [f"bench_{i}" for i in range(rows)],
            "site_name": [f"Bench site {i}" for i in range(rows)],
            "category": "user_site",
            "country": rng.choice(countries, rows),
            "city": "Benchville",
            "latitude": rng.uniform(35, 70, rows).round(4),
            "longitude": rng.uniform(-10, 30, rows).round(4),
            "capacity_status": "existing",
            "it_capacity_mw": rng.uniform(1, 50, rows).round(2),
            "pue": (rng.uniform(1.1, 1.6, rows) + pue_shift).round(3),
            "wue_l_per_kwh": rng.uniform(0, 2, rows).round(2),
            "accelerators": rng.integers(0, 5000, rows),
        }
    ).to_csv(path, index=False)
    return path


class _Timed:
    """A connection that records the seconds from its opening to its close."""

    def __init__(self, con: duckdb.DuckDBPyConnection, spans: list[float]):
        self.con, self.spans, self.opened = con, spans, time.perf_counter()

    def close(self) -> None:
        self.con.close()
        self.spans.append(time.perf_counter() - self.opened)

    def __getattr__(self, name: str) -> object:
        return getattr(self.con, name)


@contextmanager
def timing_locks(spans: list[float]) -> Iterator[None]:
    """Wrap store.open_waiting so every span the database is open (locked) is recorded."""
    real = store.open_waiting

    def timed(db: Path) -> duckdb.DuckDBPyConnection:
        return _Timed(real(db), spans)  # type: ignore[return-value]

    store.open_waiting = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        store.open_waiting = real  # type: ignore[assignment]


def in_place(db: Path, path: Path) -> dict[str, int]:
    """Import `path` into `db` as the fallback does: the whole write with the lock held."""
    typed = validate_frame("sites", read_table_file(path), path.name)
    with store.connect(db) as con:
        return store._write(con, "sites", typed, "bench", path.name, False, None)


def measure(db: Path, path: Path, written_in_place: bool = False) -> dict[str, object]:
    """Time validation in memory, then the whole import with its lock-hold spans."""
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    validate_frame("sites", read_table_file(path), path.name)
    validated = (time.perf_counter() - wall, time.process_time() - cpu)
    spans: list[float] = []
    wall = time.perf_counter()
    with timing_locks(spans):
        counts = in_place(db, path) if written_in_place else api.import_file(db, "sites", path)
    total = time.perf_counter() - wall
    return {
        "counts": counts,
        "validate": validated,
        "held": sum(spans),
        "longest": max(spans),
        "spans": len(spans),
        "total": total,
        "load": (load, os.getloadavg()[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--no-write-doc", action="store_true")
    args = parser.parse_args()
    lines = [
        f"Command: `uv run python -m bench.imports --rows {args.rows}`, {date.today()}, "
        f"{os.cpu_count()} cores shared with other work (load average before/after shown). "
        "Validate = reading the CSV and checking every rule in memory, before the database is "
        "opened. Lock held = the time the database's lock is held, summed over the times it is "
        "taken (`store.open_waiting` to close): to copy the file, and to check that nobody "
        "wrote since and swap the written copy in (nothing to swap when nothing changed). "
        "References, comparison with the stored rows, the bulk write, provenance and the "
        "checkpoint run on the copy, without the lock. The last row is the fallback when "
        "someone wrote meanwhile: the same write on the database itself, lock held throughout. "
        "Import total = all of it (the file is read twice here: once for the validate column, "
        "once by the import).",
        "",
        "| import | rows | result | validate wall [s] | validate CPU [s] | lock held wall [s] "
        "| lock taken | longest hold [s] | import total [s] | load avg before/after |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        with store.connect(db):
            pass
        changed = sites_file(Path(tmp) / "sites2.csv", args.rows, 0.05)
        cases = [
            ("new rows", sites_file(Path(tmp) / "sites.csv", args.rows), False),
            ("same file again", Path(tmp) / "sites.csv", False),
            ("every PUE changed", changed, False),
            ("every PUE changed back, in place", Path(tmp) / "sites.csv", True),
        ]
        for name, path, written_in_place in cases:
            m = measure(db, path, written_in_place)
            counts = ", ".join(f"{v} {k}" for k, v in m["counts"].items() if v)  # type: ignore[attr-defined]
            (vw, vc), load = m["validate"], m["load"]  # type: ignore[misc]
            row = (
                f"| {name} | {args.rows:,} | {counts} | {vw:.2f} | {vc:.2f} | {m['held']:.2f} | "
                f"{m['spans']}x | {m['longest']:.2f} | {m['total']:.2f} | "
                f"{load[0]:.2f} / {load[1]:.2f} |"
            )
            print(row, flush=True)
            lines.append(row)
    if not args.no_write_doc:
        write_section("Imports: a 200,000-row file", "\n".join(lines))


if __name__ == "__main__":
    main()
