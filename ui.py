"""Streamlit-only helpers shared by the pages: page chrome and cached loaders. No SQL, no PuLP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import optimizer


def db_path() -> Path:
    """Return the database the dashboard works on ($SOVCOMPUTE_DB or the default)."""
    return optimizer.default_db_path()


def _version() -> float:
    """Change whenever the database file changes, so cached tables are reloaded."""
    path = db_path()
    return path.stat().st_mtime if path.exists() else 0.0


def page(title: str) -> None:
    """Set up a page: config, title and the shared sidebar."""
    st.set_page_config(page_title=f"{title} - Sovereign compute planner", layout="wide")
    st.title(title)
    with st.sidebar:
        st.caption(f"Database: `{db_path().name}`")


@st.cache_data(show_spinner=False)
def _registry(path: str, version: float) -> dict[str, pd.DataFrame]:
    return optimizer.registry(path)


def registry() -> dict[str, pd.DataFrame]:
    """Return the registry tables, cached until the database changes."""
    return _registry(str(db_path()), _version())


@st.cache_data(show_spinner=False)
def _table(path: str, version: float, table: str) -> pd.DataFrame:
    return optimizer.registry_table(path, table)


def table_with_provenance(table: str) -> pd.DataFrame:
    """Return a registry table with its provenance columns, cached until the database changes."""
    return _table(str(db_path()), _version(), table)


@st.cache_data(show_spinner=False)
def outlines() -> dict[str, Any]:
    """Return the Europe outlines shipped in data/."""
    return optimizer.europe_outlines()


def user() -> str:
    """Name the person editing, for provenance."""
    return os.environ.get("USER", "dashboard")
