"""Run the dashboard on a local port for browser tests and browser benchmarks."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # Resolve no host name (the dashboard is at 127.0.0.1): a page that links a remote resource,
    # such as the test identity provider's stylesheet, must not make the browser ask DNS.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_app(
    db: Path,
    log: Path,
    flags: bool = True,
    single_user: bool = True,
    port: int | None = None,
    extra: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Start `streamlit run app.py` on `db` at 127.0.0.1; yield its URL; stop it after.

    With `flags=False` only the port is given on the command line, so the address, headless
    mode and the rest come from .streamlit/config.toml, as for a plain `streamlit run app.py`.
    `single_user` starts it editable, as `bash scripts/dashboard` does; without it, read-only.
    `port` (default: a free one), `extra` command-line options and `env` variables are added.
    """
    port = port or free_port()
    env = {**os.environ, **(env or {}), "SOVCOMPUTE_DB": str(db)}
    env["SOVCOMPUTE_SINGLE_USER"] = "1" if single_user else ""
    explicit = ["--server.address", "127.0.0.1", "--server.headless", "true"] if flags else []
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.port",
                str(port),
                *explicit,
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError(f"streamlit did not start: {log.read_text()}") from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def is_local(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


@contextmanager
def sockets_seen() -> Iterator[set[tuple[str, str, str]]]:
    """Sample the sockets of this process's children (the server, the browser) every 50 ms
    while the block runs; yield the set of (status, local address, remote address) seen."""
    seen: set[tuple[str, str, str]] = set()
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
    try:
        yield seen
    finally:
        stop.set()
        watcher.join()


def outside(seen: set[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Return the sockets seen that reach an address outside the loopback."""
    return sorted(s for s in seen if s[2] and not is_local(s[2]))
