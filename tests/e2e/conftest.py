"""A real Streamlit server on a free local port, and Debian chromium driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.e2e.server import CHROMIUM, FLAGS, running_app


@pytest.fixture
def server(template_db: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Start the dashboard on a copy of the default database; yield (url, db)."""
    db = tmp_path / "app.duckdb"
    shutil.copy(template_db, db)
    with running_app(db, tmp_path / "streamlit.log") as url:
        yield url, db


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian chromium; a missing browser fails the test rather than skipping it."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        "Debian chromium is required for the browser tests: apt-get install chromium "
        "(bash scripts/setup --browser does it)"
    )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield b
        finally:
            b.close()
