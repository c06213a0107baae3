"""Shared fixtures: a seeded database file per test, made from one template per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimizer import store


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "registry.duckdb"
    with store.connect(path):
        pass
    return path


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the seeded default database."""
    path = tmp_path / "registry.duckdb"
    shutil.copy(template_db, path)
    return path
