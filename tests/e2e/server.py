"""Run the dashboard on a local port for browser tests and browser benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
]


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_app(db: Path, log: Path, flags: bool = True, single_user: bool = True) -> Iterator[str]:
    """Start `streamlit run app.py` on `db` at 127.0.0.1; yield its URL; stop it after.

    With `flags=False` only the port is given on the command line, so the address, headless
    mode and the rest come from .streamlit/config.toml, as for a plain `streamlit run app.py`.
    `single_user` starts it editable, as `bash scripts/dashboard` does; without it, read-only.
    """
    port = free_port()
    env = {**os.environ, "SOVCOMPUTE_DB": str(db)}
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
