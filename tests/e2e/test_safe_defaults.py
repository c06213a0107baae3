"""Safe defaults: the dashboard, started from its config alone, talks to no one but localhost.

A thread samples the server process's sockets (`sockets_seen`) while Debian chromium loads every
page (one of them through a crafted link with a remote image); the browser's own requests are
recorded too.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import psutil
from playwright.sync_api import Browser

from tests.e2e.server import outside, running_app, sockets_seen

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["", "Plan", "Map", "Pooling", "Data", "Trade-offs"]
EVIL = "[x](http://evil.example) ![i](http://evil.example/i.png)"


def test_config_binds_localhost_limits_uploads_and_sends_no_statistics() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert 0 < config["server"]["maxUploadSize"] <= 50
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"


def test_no_connection_leaves_localhost_while_every_page_loads(
    template_db: Path, tmp_path: Path, browser: Browser
) -> None:
    db = tmp_path / "app.duckdb"
    shutil.copy(template_db, db)
    requests: list[str] = []
    with sockets_seen() as seen, running_app(db, tmp_path / "streamlit.log", flags=False) as url:
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        for name in PAGES:
            page.goto(f"{url}/{name}")
            page.locator('[data-testid="stSidebar"]').wait_for(timeout=60000)
            page.wait_for_timeout(1500)
        page.goto(f"{url}/Plan?rules.sensitive={EVIL}")
        page.get_by_text("not valid").wait_for(timeout=60000)
        assert page.locator("img[src*='evil']").count() == 0
        assert page.locator("a[href*='evil']").count() == 0
        page.wait_for_timeout(1000)
    assert seen, "the watcher saw no socket of the server"
    assert {local for kind, local, _ in seen if kind == psutil.CONN_LISTEN} == {"127.0.0.1"}
    assert outside(seen) == []
    assert requests and [r for r in requests if not r.startswith(f"{url}/")] == []
