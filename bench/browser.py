"""Measure, in a real browser, how long a slider move takes to redraw the plan's headline.

Run: uv run python -m bench.browser [--moves 15]

Starts the dashboard on a fresh copy of the default database, opens the Plan page in Debian
chromium, then moves the carbon-price slider one step at a time (each a new scenario, so
nothing comes from the cache) and times each move from the key press to the moment the
"Carbon cost on top of prices" figure shows the new value.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.report import write_section
from optimizer import store
from tests.e2e.server import CHROMIUM, FLAGS, running_app

CHANGED = """([label, before]) => {
    const box = [...document.querySelectorAll('[data-testid=stMetric]')]
        .find(e => e.innerText.includes(label));
    const value = box && box.querySelector('[data-testid=stMetricValue]');
    return value && value.innerText !== before;
}"""
LABEL = "Carbon cost on top of prices [EUR/yr]"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=15)
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        with store.connect(db):
            pass
        with running_app(db, Path(tmp) / "log") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            started = time.perf_counter()
            page.goto(f"{url}/Plan")
            page.get_by_text(LABEL).wait_for(timeout=120000)
            first = time.perf_counter() - started
            value = (
                page.locator('[data-testid="stMetric"]')
                .filter(has_text=LABEL)
                .locator('[data-testid="stMetricValue"]')
            )
            handle = (
                page.locator('[data-testid="stSlider"]')
                .filter(has_text="Carbon cost")
                .get_by_role("slider")
            )
            times = []
            for _ in range(args.moves):
                before = value.inner_text()
                handle.focus()
                t0 = time.perf_counter()
                handle.press("ArrowRight")
                page.wait_for_function(CHANGED, arg=[LABEL, before], timeout=30000)
                times.append(time.perf_counter() - t0)
                page.wait_for_timeout(300)
            # A new visitor on the running server: a new session, imports and registry cached.
            visitor = browser.new_page(viewport={"width": 1400, "height": 1200})
            started = time.perf_counter()
            visitor.goto(f"{url}/Plan")
            visitor.get_by_text(LABEL).wait_for(timeout=120000)
            later = time.perf_counter() - started
            browser.close()
    load_after = os.getloadavg()[0]
    times.sort()
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    body = (
        f"Command: `uv run python -m bench.browser --moves {args.moves}`, {date.today()}, "
        "Debian chromium headless on this 2-core machine (1-minute load average "
        f"{load_before:.2f} at the start, {load_after:.2f} at the end, the benchmark's own "
        "server and browser included), default dataset. Each move is a new "
        "scenario (carbon price +1 EUR/t), so the plan is re-solved every time; the time runs "
        "from the key press to the new 'Carbon cost on top of prices' figure on screen.\n\n"
        "| measure | seconds |\n|---|---|\n"
        f"| first load of the Plan page after the server starts (imports) | {first:.2f} |\n"
        f"| first load of the Plan page for a new visitor on a running server | {later:.2f} |\n"
        f"| slider move to new headline, median of {len(times)} | "
        f"{statistics.median(times):.3f} |\n"
        f"| slider move to new headline, 90th percentile | {p90:.3f} |\n"
        f"| slider move to new headline, worst | {times[-1]:.3f} |\n"
    )
    write_section("Browser: slider move to redrawn plan", body)
    print(body)


if __name__ == "__main__":
    main()
