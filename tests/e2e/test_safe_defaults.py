"""Safe defaults: the dashboard, started from its config alone, talks to no one but localhost.

A thread samples the server process's sockets while Debian chromium loads every page (one of
them through a crafted link with a remote image); the browser's own requests are recorded too.
"""

from __future__ import annotations

import ipaddress
import shutil
import threading
import tomllib
from pathlib import Path

import psutil
from playwright.sync_api import Browser

from tests.e2e.server import running_app

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["", "Plan", "Map", "Pooling", "Data", "Trade-offs"]
EVIL = "[x](http://evil.example) ![i](http://evil.example/i.png)"


def test_config_binds_localhost_limits_uploads_and_sends_no_statistics() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert 0 < config["server"]["maxUploadSize"] <= 50
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"


def is_local(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def test_no_connection_leaves_localhost_while_every_page_loads(
    template_db: Path, tmp_path: Path, browser: Browser
) -> None:
    db = tmp_path / "app.duckdb"
    shutil.copy(template_db, db)
    seen: set[tuple[str, str, str]] = set()  # (kind, local, remote) of every socket sampled
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for proc in psutil.Process().children(recursive=True):
                try:
                    for c in proc.net_connections(kind="inet"):
                        remote = c.raddr.ip if c.raddr else ""
                        seen.add((c.status, c.laddr.ip, remote))
                except psutil.Error:
                    pass  # a child that just ended
            stop.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    requests: list[str] = []
    try:
        with running_app(db, tmp_path / "streamlit.log", flags=False) as url:
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
    finally:
        stop.set()
        watcher.join()
    assert seen, "the watcher saw no socket of the server"
    assert {local for kind, local, _ in seen if kind == psutil.CONN_LISTEN} == {"127.0.0.1"}
    outside = sorted(s for s in seen if s[2] and not is_local(s[2]))
    assert outside == []
    assert requests and [r for r in requests if not r.startswith(f"{url}/")] == []
