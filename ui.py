"""Streamlit-only helpers shared by the pages: page chrome, the scenario sidebar, cached loaders.

No SQL and no PuLP here: everything goes through the optimizer's public API.

The scenario lives in `st.session_state["scenario"]` as plain values, so it survives moving
between pages (widget keys are cleaned up when a page does not draw them); widgets are drawn
from it and write back to it. It is mirrored in the URL query string with the same `key=value`
syntax as the CLI's `--set`, so a link reopens the same scenario.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import optimizer

STORE = "scenario"
DEFAULT = optimizer.Scenario()
SLIDERS: list[tuple[str, str, float, float, float]] = [
    ("carbon_price_eur_per_t", "Carbon cost on top of power prices [EUR/tCO2]", 0.0, 300.0, 1.0),
    ("energy_cap_scale", "Grid allowances for new data centres [x]", 0.0, 3.0, 0.05),
    ("demand_growth", "Demand growth [x the demand scenario]", 0.25, 4.0, 0.25),
    ("heat_price_eur_per_mwh_th", "Heat price [EUR/MWh th]", 0.0, 100.0, 1.0),
    ("min_home_share", "Minimum share served at home", 0.0, 1.0, 0.05),
    ("fair_access_factor", "Fair access (x contribution share)", 0.0, 1.0, 0.05),
    ("juste_retour_factor", "Juste retour (x contribution share)", 0.0, 1.0, 0.05),
]
BUILD_OPTIONS: list[tuple[str, str, float, str]] = [
    ("facility_capex_eur_per_mw", "Facility capex [EUR/MW IT]", 100_000.0, ""),
    ("facility_life_years", "Facility life [years]", 1.0, ""),
    ("it_capex_eur_per_mw", "IT hardware capex [EUR/MW IT]", 100_000.0, ""),
    ("it_life_years", "IT hardware life [years]", 1.0, ""),
    ("discount_rate", "Discount rate [-]", 0.005, ""),
    ("lead_time_years", "Lead time of a new site [years]", 0.5, "For sites without their own."),
    (
        "value_of_lost_compute_eur_per_mwh",
        "Penalty on unserved demand [EUR/MWh IT]",
        50.0,
        "Keeps the plan solvable when demand cannot be met; unserved demand is reported in "
        "MWh, never inside the cost.",
    ),
]
LUMPY: list[tuple[str, str, float, str]] = [
    ("site_fixed_cost_eur_per_yr", "Fixed cost of a new site [EUR/yr]", 100_000.0, ""),
    ("min_build_mw", "Smallest new site [MW IT]", 5.0, ""),
]
WHAT_IFS: list[tuple[str, str, float, str]] = [
    ("emissions_budget_t", "Emissions budget [tCO2/yr]", 1000.0, "Empty: no budget."),
    (
        "gpu_cap_per_country",
        "GPU-equivalents per untrusted country",
        1000.0,
        "A cap on accelerators hosted in each country outside the trusted group, e.g. 50,000 "
        "for the Tier 2 cap of the rescinded 2025 US AI-diffusion rule. Empty: no cap.",
    ),
    (
        "water_cap_m3_per_country",
        "Water per country [m3/yr]",
        1000.0,
        "WUE x IT energy; sites without a WUE are not counted. Empty: no cap.",
    ),
]
TRUSTED_LABELS = {
    "eu_members": "EU member states",
    "us_ai_tier1": "US AI-diffusion Tier 1 (what-if)",
    "": "(none)",
}
RULE_LABELS = {
    "home": "home only",
    "eu": "EU members",
    "trusted": "trusted group",
    "anywhere": "anywhere in the pool",
}


#: Signs that Markdown, GitHub extensions or Streamlit's own syntax (math, :color[...],
#: :emoji:) would read as formatting, links or images.
MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&])")
#: Where GitHub Markdown turns bare text into a link (http://..., www...., a@b.c), whatever
#: the escapes: an invisible word joiner breaks the pattern without changing what is shown.
AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """Return `text` escaped so that st.markdown, captions, alerts and labels show it literally.

    Every user or registry text shown through Markdown goes through here: a name like
    `[x](http://evil.example)` is shown as typed, never as a link or a remote image.
    """
    plain = AUTOLINK.sub(WORD_JOINER, str(text))
    return MARKDOWN_SIGNS.sub(r"\\\1", plain).replace("\n", "  \n")


def db_path() -> Path:
    """Return the database the dashboard works on ($SOVCOMPUTE_DB or the default)."""
    return optimizer.default_db_path()


def _version() -> float:
    """Change whenever the database file changes, so cached data are reloaded."""
    path = db_path()
    return path.stat().st_mtime if path.exists() else 0.0


# --------------------------------------------------------------------------- cached loaders
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


@st.cache_resource(show_spinner=False, max_entries=4)
def _inputs(path: str, version: float) -> optimizer.Inputs:
    return optimizer.inputs_from_tables(_registry(path, version))


def inputs() -> optimizer.Inputs:
    """Return the model inputs, read once per database version."""
    return _inputs(str(db_path()), _version())


@st.cache_data(show_spinner=False, max_entries=64)
def _plan(path: str, version: float, scenario_json: str) -> optimizer.Plan:
    return optimizer.plan(
        optimizer.scenario_from_json(scenario_json), inputs=_inputs(path, version)
    )


def _solved[T](solve: Callable[[], T]) -> T:
    """Run a solve; if it fails, say why on the page and stop it instead of a traceback."""
    try:
        return solve()
    except Exception as e:  # the last guard between the solver and a visitor
        st.error(md_escape(f"This scenario could not be solved: {e}"))
        st.stop()
        raise  # st.stop() raises; this line only tells type checkers so


def plan(scenario: optimizer.Scenario) -> optimizer.Plan:
    """Solve a scenario, cached by scenario and database version."""
    with st.spinner("Solving..."):
        return _solved(lambda: _plan(str(db_path()), _version(), scenario.to_json()))


@st.cache_data(show_spinner=False, max_entries=16)
def _compare(path: str, version: float, scenario_json: str) -> optimizer.Comparison:
    return optimizer.compare(
        optimizer.scenario_from_json(scenario_json), inputs=_inputs(path, version)
    )


def compare(scenario: optimizer.Scenario) -> optimizer.Comparison:
    """Solve a scenario pooled and as national build-out, cached."""
    with st.spinner("Solving the pooled plan and the national build-out..."):
        return _solved(lambda: _compare(str(db_path()), _version(), scenario.to_json()))


@st.cache_data(show_spinner=False, max_entries=16)
def _rule_cost(
    path: str, version: float, scenario_json: str, without_json: str
) -> optimizer.Comparison:
    return optimizer.rule_cost(
        optimizer.scenario_from_json(scenario_json),
        json.loads(without_json),
        inputs=_inputs(path, version),
    )


def rule_cost(scenario: optimizer.Scenario, without: dict[str, Any]) -> optimizer.Comparison:
    """Solve a scenario with and without its rules, cached."""
    with st.spinner("Solving without the rules..."):
        return _solved(
            lambda: _rule_cost(
                str(db_path()), _version(), scenario.to_json(), json.dumps(without, sort_keys=True)
            )
        )


@st.cache_data(show_spinner=False)
def _choices(path: str, version: float) -> dict[str, optimizer.Scenario]:
    return {**optimizer.presets(), **optimizer.scenarios(path)}


def scenario_choices() -> dict[str, optimizer.Scenario]:
    """Return the shipped presets and the saved scenarios, cached until the database changes."""
    return _choices(str(db_path()), _version())


@st.cache_data(show_spinner=False)
def _provenance_counts(path: str, version: float) -> dict[str, int]:
    return optimizer.provenance_counts(path)


def provenance_of(table: str, key: str, column: str) -> str:
    """Return the provenance text of one registry value (its source, arithmetic or rationale)."""
    frame = table_with_provenance(table)
    spec = optimizer.TABLES[table]
    row = frame[frame[spec.key[0]].astype(str) == key]
    return str(row[f"provenance_{column}"].iloc[0]) if len(row) else ""


def provenance_counts() -> dict[str, int]:
    """Return how many registry values are facts, derivations, assumptions and user edits."""
    return _provenance_counts(str(db_path()), _version())


@st.cache_data(show_spinner=False)
def outlines() -> dict[str, Any]:
    """Return the Europe outlines shipped in data/."""
    return optimizer.europe_outlines()


def user() -> str:
    """Name the person editing, for provenance."""
    return os.environ.get("USER", "dashboard")


# --------------------------------------------------------------------------- the scenario
#: What a bad page-address value raises: a broken rule, or a value of the wrong type.
URL_ERRORS = (optimizer.ScenarioError, ValueError, TypeError, AttributeError)


def scenario_from_url(params: dict[str, str]) -> tuple[optimizer.Scenario, list[str]]:
    """Read the scenario from the page address (`key=value` as in the CLI's `--set`).

    Returns:
        the scenario, or the default one if any entry is bad, and one line per bad entry
        naming its key, its value and the rule it breaks.
    """
    items = [f"{k}={v}" for k, v in params.items()]
    try:
        return optimizer.apply_overrides(optimizer.Scenario(), items), []
    except URL_ERRORS:
        pass
    types = {f.name: f.type for f in dataclasses.fields(optimizer.Scenario)}
    problems = []
    for item in items:
        try:
            optimizer.apply_overrides(optimizer.Scenario(), [item])
        except optimizer.ScenarioError as e:
            problems.append(f"{item}: {e}")
        except URL_ERRORS:
            top = item.split("=", 1)[0].split(".", 1)[0]
            problems.append(f"{item}: {top} must be of type {types.get(top, 'unknown')}")
    return optimizer.Scenario(), problems or [f"{' '.join(items)}: not valid together"]


def _load_initial_scenario() -> None:
    """On a session's first run, take the scenario from the URL (or the default)."""
    if STORE in st.session_state:
        return
    scenario, problems = scenario_from_url({k: st.query_params[k] for k in st.query_params})
    if problems:
        st.session_state["url_error"] = problems
    st.session_state[STORE] = scenario.to_dict()


def set_scenario(scenario: optimizer.Scenario) -> None:
    """Replace the current scenario (a preset or a saved one); the controls follow it."""
    st.session_state[STORE] = scenario.to_dict()


def _widget(field: str, default: Any = None) -> str:
    """Return the widget key of a scenario field, set from the stored scenario.

    Set on every run: a widget on another page is another widget, and Streamlit drops the
    state of widgets the previous page drew. Callbacks copy changes into the store before the
    rerun, so the store always holds the newest value.
    """
    key = f"w:{field}"
    value = _get(field)
    st.session_state[key] = default if value is None else value
    return key


def _get(field: str) -> Any:
    values = st.session_state[STORE]
    if "." in field:
        top, sub = field.split(".", 1)
        return values.get(top, {}).get(sub)
    return values.get(field, getattr(DEFAULT, field))


def _put(field: str, value: Any) -> None:
    values = dict(st.session_state[STORE])
    if "." in field:
        top, sub = field.split(".", 1)
        values[top] = {**values.get(top, {}), sub: value}
    else:
        values[field] = list(value) if isinstance(value, tuple) else value
    st.session_state[STORE] = values


def _store(field: str) -> None:
    _put(field, st.session_state[f"w:{field}"])


def _store_cap_countries(registry_caps: pd.Series) -> None:
    chosen = st.session_state["w:cap_countries"]
    old = st.session_state[STORE].get("energy_cap_overrides", {})
    _put("energy_cap_overrides", {c: float(old.get(c, registry_caps.get(c, 0.0))) for c in chosen})


def current_scenario() -> optimizer.Scenario:
    """Return the scenario the controls describe."""
    return optimizer.scenario_from_dict(dict(st.session_state[STORE]))


def _number_inputs(fields: list[tuple[str, str, float, str]], placeholder: str = "") -> None:
    for field, label, step, help_text in fields:
        st.number_input(
            label,
            min_value=0.0,
            step=step,
            key=_widget(field),
            placeholder=placeholder or None,
            on_change=_store,
            args=(field,),
            help=help_text or None,
        )


def _sidebar(reg: dict[str, pd.DataFrame]) -> optimizer.Scenario:
    st.header("Scenario")
    choices = scenario_choices()
    pick = st.selectbox(
        "Preset or saved scenario",
        list(choices),
        index=None,
        placeholder="Choose to load...",
        key="preset",
    )
    if pick and st.button("Load", key="load_preset"):
        set_scenario(choices[pick])
        st.rerun()
    levels = reg["demand_scenarios"].set_index("demand_scenario")
    st.selectbox(
        "Demand",
        list(levels.index),
        key=_widget("demand_scenario"),
        format_func=lambda d: (
            f"{levels.loc[d, 'name']}: {levels.loc[d, 'total_it_mw']:,.0f} MW IT by "
            f"{levels.loc[d, 'plan_year']}"
        ),
        on_change=_store,
        args=("demand_scenario",),
        help="Each level is anchored on published figures; see the Data page for its "
        "arithmetic and sources. The plan year follows it unless set below.",
    )
    st.number_input(
        "Plan year (empty: the demand's)",
        min_value=2024,
        max_value=2050,
        step=1,
        key=_widget("plan_year"),
        placeholder=str(int(levels.loc[_get("demand_scenario"), "plan_year"]))
        if _get("demand_scenario") in levels.index
        else "",
        on_change=_store,
        args=("plan_year",),
    )
    for field, label, lo, hi, step in SLIDERS:
        # A saved scenario, preset or link may hold a valid value beyond the usual range.
        value = float(_get(field))
        st.slider(
            label,
            min(lo, value),
            max(hi, value),
            step=step,
            key=_widget(field),
            on_change=_store,
            args=(field,),
        )
    with st.expander("Sovereignty"):
        for w, row in reg["workload_classes"].set_index("workload").iterrows():
            field = f"rules.{w}"
            st.selectbox(
                f"{md_escape(row['name'])} may run",
                optimizer.RULES,
                key=_widget(field, row["rule"]),
                format_func=RULE_LABELS.get,
                on_change=_store,
                args=(field,),
            )
        tags = sorted(
            {
                t
                for v in reg["member_states"]["trusted_groups"].dropna()
                for t in str(v).split(",")
                if t
            }
        )
        st.selectbox(
            "Trusted group",
            ["eu_members", *tags, ""],
            key=_widget("trusted_group"),
            format_func=lambda t: TRUSTED_LABELS.get(t, t),
            on_change=_store,
            args=("trusted_group",),
            help="Whom sensitive work may go to besides home. The US AI-diffusion Tier 1 list "
            "governed chip exports, not whom EU states trust; it is kept as a what-if.",
        )
        st.multiselect(
            "Also trusted",
            sorted(reg["member_states"]["iso2"]),
            key=_widget("trusted_states"),
            on_change=_store,
            args=("trusted_states",),
        )
    with st.expander("Grid allowances for new data centres"):
        st.caption(
            "Published allowances where they exist; elsewhere the default rule: a share of "
            "national electricity demand."
        )
        st.slider(
            "Default rule: share of national electricity demand",
            0.0,
            0.1,
            step=0.001,
            format="%.3f",
            key=_widget("grid_cap_default_share"),
            on_change=_store,
            args=("grid_cap_default_share",),
        )
        caps = optimizer.grid_allowances(inputs(), current_scenario()).set_index("country")[
            "energy_cap_mw"
        ]
        st.session_state["w:cap_countries"] = sorted(
            st.session_state[STORE].get("energy_cap_overrides", {})
        )
        st.multiselect(
            "Override the cap of",
            sorted(reg["member_states"]["iso2"]),
            key="w:cap_countries",
            on_change=_store_cap_countries,
            args=(caps,),
        )
        for c in sorted(st.session_state[STORE].get("energy_cap_overrides", {})):
            field = f"energy_cap_overrides.{c}"
            st.number_input(
                f"{md_escape(c)} allowance [MW facility]",
                min_value=0.0,
                step=1.0,
                key=_widget(field),
                on_change=_store,
                args=(field,),
            )
    with st.expander("What-if limits"):
        _number_inputs(WHAT_IFS, placeholder="no limit")
        field = "transfer_cost_eur_per_mwh_per_1000km"
        st.slider(
            "Transfer cost [EUR/MWh IT per 1000 km]",
            0.0,
            50.0,
            step=0.5,
            key=_widget(field),
            on_change=_store,
            args=(field,),
        )
    with st.expander("New capacity: costs and build rules"):
        st.checkbox(
            "Allow new capacity",
            key=_widget("allow_expansion"),
            on_change=_store,
            args=("allow_expansion",),
            help="Buildable sites (candidates, bids, greenfield options) at the full-cost "
            "annuity of facility and IT hardware. Off: only what exists in the plan year.",
        )
        _number_inputs(BUILD_OPTIONS)
        for field, label in (
            ("max_site_share", "Largest share of the pool at one site"),
            ("max_country_share", "Largest share of the pool in one country"),
        ):
            st.slider(
                label, 0.05, 1.0, step=0.05, key=_widget(field), on_change=_store, args=(field,)
            )
        st.checkbox(
            "Lumpy builds (mixed-integer)",
            key=_widget("lumpy_builds"),
            on_change=_store,
            args=("lumpy_builds",),
            help="A new site is built whole with a fixed cost, or not at all: compare a few "
            "giant sites with many smaller ones. Shadow prices then come from the LP with the "
            "build decisions fixed.",
        )
        _number_inputs(LUMPY)
    scenario = current_scenario()
    with st.expander("Save this scenario"):
        name = st.text_input("Name", key="save_name")
        if st.button("Save", key="save_scenario") and name.strip():
            optimizer.save_scenario(scenario.with_overrides(name=name.strip()), db_path())
            st.success(f"Saved '{md_escape(name.strip())}'.")
    return scenario


def page(title: str, scenario_controls: bool = True) -> optimizer.Scenario:
    """Set up a page: config, title, the shared scenario sidebar; return the scenario."""
    st.set_page_config(page_title=f"{title} - Sovereign compute planner", layout="wide")
    _load_initial_scenario()
    st.title(title)
    reg = registry()
    with st.sidebar:
        scenario = _sidebar(reg) if scenario_controls else current_scenario()
        st.caption(f"Database: {md_escape(db_path().name)}")
    if "url_error" in st.session_state:
        lines = ["The link's scenario was not valid, so the baseline is shown:"]
        st.warning(md_escape("\n".join(lines + st.session_state.pop("url_error"))))
    st.query_params.from_dict(optimizer.to_overrides(scenario))
    return scenario


# --------------------------------------------------------------------------- shared widgets
def status_banner(result: optimizer.Plan) -> None:
    """Explain in words how the solve ended and what is missing."""
    if result.status.value == "optimal":
        if not result.warnings:
            st.success("Optimal plan: all demand served under every rule.")
    elif result.has_solution:
        st.warning(md_escape(result.message))
    else:
        st.error(md_escape(result.message))
    for w in result.warnings:
        st.warning(md_escape(w))


def validation_error(error: optimizer.ValidationError) -> None:
    """Show every broken rule exactly as the CLI prints it (file, row, column, value, rule)."""
    st.error(f"{len(error.problems)} problem(s): nothing was saved.")
    st.code("\n".join(str(p) for p in error.problems), language=None)


#: Euros with a magnitude suffix (k, M, bn), as the CLI writes them.
eur = optimizer.eur
