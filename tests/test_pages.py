"""Every page runs in Streamlit's AppTest on a fresh database and shows what it should."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


@pytest.fixture
def app_db(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    return db


def run_page(script: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_shows_the_registry_at_a_glance(app_db: Path) -> None:
    at = run_page("app.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sites"] == "56" and metrics["Member states"] == "37"
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "geoshape" in spec and "conicConformal" in spec


def test_data_page_shows_provenance(app_db: Path) -> None:
    at = run_page("pages/1_Data.py")
    frame = at.dataframe[0].value
    assert len(frame) == 56 and "provenance_pue" in frame.columns
    at.selectbox[0].select("member_states").run()
    frame = at.dataframe[0].value
    assert len(frame) == 37 and "provenance_grid_ci_g_per_kwh" in frame.columns
