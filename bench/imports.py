"""Benchmark: a 200,000-row sites file through `optimizer.import_file`, phase by phase.

Run: uv run python -m bench.imports [--rows 200000] [--no-write-doc]

The file is synthetic (ids bench_0..., countries and categories from the seed, random PUEs and
capacities): it measures speed only. Three imports in a row on a fresh seeded database: the new
rows (all added), the same file again (all unchanged) and the file with every PUE changed (all
updated). For each: reading and validating the file in memory (before the database is opened),
and the time the database is open, which is how long another process waits for its lock
(`store.connect` is wrapped to time it). Wall and CPU seconds, with the load average, because
the machine is shared.
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


@contextmanager
def timing_connect(spans: list[tuple[float, float]]) -> Iterator[None]:
    """Wrap store.connect so every open-to-close span (wall, CPU) is recorded."""
    real = store.connect

    @contextmanager
    def timed(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        wall, cpu = time.perf_counter(), time.process_time()
        with real(path) as con:
            yield con
        spans.append((time.perf_counter() - wall, time.process_time() - cpu))

    store.connect = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        store.connect = real  # type: ignore[assignment]


def measure(db: Path, path: Path) -> dict[str, object]:
    """Time validation in memory, then the whole import with its lock-hold span."""
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    validate_frame("sites", read_table_file(path), path.name)
    validated = (time.perf_counter() - wall, time.process_time() - cpu)
    spans: list[tuple[float, float]] = []
    wall = time.perf_counter()
    with timing_connect(spans):
        counts = api.import_file(db, "sites", path)
    total = time.perf_counter() - wall
    (held,) = spans
    return {
        "counts": counts,
        "validate": validated,
        "held": held,
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
        "opened. Lock held = the database open, from connect to close: references, comparison "
        "with the stored rows, the bulk write and provenance in one transaction; another "
        "process waits this long at most. Import total = both (the file is read twice here: "
        "once for the validate column, once by the import).",
        "",
        "| import | rows | result | validate wall [s] | validate CPU [s] | lock held wall [s] "
        "| lock held CPU [s] | import total [s] | load avg before/after |",
        "|---|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        with store.connect(db):
            pass
        cases = [
            ("new rows", sites_file(Path(tmp) / "sites.csv", args.rows)),
            ("same file again", Path(tmp) / "sites.csv"),
            ("every PUE changed", sites_file(Path(tmp) / "sites2.csv", args.rows, 0.05)),
        ]
        for name, path in cases:
            m = measure(db, path)
            counts = ", ".join(f"{v} {k}" for k, v in m["counts"].items() if v)  # type: ignore[attr-defined]
            (vw, vc), (hw, hc), load = m["validate"], m["held"], m["load"]  # type: ignore[misc]
            row = (
                f"| {name} | {args.rows:,} | {counts} | {vw:.2f} | {vc:.2f} | {hw:.2f} | "
                f"{hc:.2f} | {m['total']:.2f} | {load[0]:.2f} / {load[1]:.2f} |"
            )
            print(row, flush=True)
            lines.append(row)
    if not args.no_write_doc:
        write_section("Imports: a 200,000-row file", "\n".join(lines))


if __name__ == "__main__":
    main()
