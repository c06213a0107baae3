"""Streamlit-only helpers shared by the pages: page chrome, the scenario sidebar, cached loaders.

No SQL and no PuLP here: everything goes through the optimizer's public API.

The scenario lives in `st.session_state["scenario"]` as plain values, so it survives moving
between pages (widget keys are cleaned up when a page does not draw them); widgets are drawn
from it and write back to it. It is mirrored in the URL query string with the same `key=value`
syntax as the CLI's `--set`, so a link reopens the same scenario.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import altair as alt
import pandas as pd
import streamlit as st

import charts
import optimizer

if TYPE_CHECKING:
    from optimizer.spec import Spec

STORE = "scenario"
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
#: Registry tables are shared as they are, not copied on every read (a page reads them several
#: times per run): pages only read them, and derive new frames where they need others.
@st.cache_resource(show_spinner=False, max_entries=4)
def _registry(path: str, version: float) -> dict[str, pd.DataFrame]:
    return optimizer.registry(path)


def registry() -> dict[str, pd.DataFrame]:
    """Return the registry tables, cached until the database changes (read only)."""
    return _registry(str(db_path()), _version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _countries(path: str, version: float) -> list[str]:
    return sorted(_registry(path, version)["member_states"]["iso2"])


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


#: A scenario is cached by its JSON text; plans and comparisons are kept as they are, not
#: copied on every read (pages only read them).
HASH: dict[str | type[Any], Callable[[Any], Any]] = {optimizer.Scenario: optimizer.Scenario.to_json}


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=HASH)
def _plan(path: str, version: float, scenario: optimizer.Scenario) -> optimizer.Plan:
    return optimizer.plan(scenario, inputs=_inputs(path, version))


def _solved[T](solve: Callable[[], T]) -> T:
    """Run a solve; if it fails, say why on the page and stop it instead of a traceback."""
    try:
        return solve()
    except Exception as e:  # the last guard between the solver and a visitor
        st.error(md_escape(f"This scenario could not be solved: {e}"))
        stop()


def plan(scenario: optimizer.Scenario) -> optimizer.Plan:
    """Solve a scenario, cached by scenario and database version."""
    with st.spinner("Solving..."):
        return _solved(lambda: _plan(str(db_path()), _version(), scenario))


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=HASH)
def _compare(path: str, version: float, scenario: optimizer.Scenario) -> optimizer.Comparison:
    return optimizer.compare(scenario, inputs=_inputs(path, version))


def compare(scenario: optimizer.Scenario) -> optimizer.Comparison:
    """Solve a scenario pooled and as national build-out, cached."""
    with st.spinner("Solving the pooled plan and the national build-out..."):
        return _solved(lambda: _compare(str(db_path()), _version(), scenario))


@st.cache_resource(show_spinner=False, max_entries=16, hash_funcs=HASH)
def _rule_cost(
    path: str, version: float, scenario: optimizer.Scenario, without_json: str
) -> optimizer.Comparison:
    return optimizer.rule_cost(scenario, json.loads(without_json), inputs=_inputs(path, version))


def rule_cost(scenario: optimizer.Scenario, without: dict[str, Any]) -> optimizer.Comparison:
    """Solve a scenario with and without its rules, cached."""
    with st.spinner("Solving without the rules..."):
        return _solved(
            lambda: _rule_cost(
                str(db_path()), _version(), scenario, json.dumps(without, sort_keys=True)
            )
        )


@st.cache_resource(show_spinner=False, max_entries=4)
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
    """Name the person editing, for provenance: their e-mail, or the local single user."""
    return access().who


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
    st.session_state[STORE] = scenario


def set_scenario(scenario: optimizer.Scenario) -> None:
    """Replace the current scenario (a preset or a saved one); the controls follow it."""
    st.session_state[STORE] = scenario


def _widget(field: str, default: Any = None) -> str:
    """Return the widget key of a scenario field, set from the stored scenario.

    Set on every run: a widget on another page is another widget, and Streamlit drops the
    state of widgets the previous page drew. Callbacks copy changes into the store before the
    rerun, so the store always holds the newest value.
    """
    key = f"w:{field}"
    value = _get(field)
    # Widgets hold lists, the scenario tuples: a tuple would read as a change and fire the
    # widget's callback on the next run.
    st.session_state[key] = default if value is None else _plain(value)
    return key


def _get(field: str) -> Any:
    top, _, entry = field.partition(".")
    value = getattr(current_scenario(), top)
    return value.get(entry) if entry else value


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _put(field: str, value: Any) -> None:
    """Set one field (or table entry) of the scenario: the one scenario object of the session
    is replaced by a checked copy, or kept with the broken rule shown on the page."""
    try:
        changed = optimizer.with_entry(current_scenario().to_dict(), field, _plain(value))
        set_scenario(optimizer.scenario_from_dict(changed))
    except optimizer.ScenarioError as e:
        st.session_state["scenario_error"] = str(e)


def _store(field: str) -> None:
    _put(field, st.session_state[f"w:{field}"])


def _store_cap_countries(registry_caps: pd.Series) -> None:
    chosen = st.session_state["w:cap_countries"]
    old = current_scenario().energy_cap_overrides
    _put("energy_cap_overrides", {c: float(old.get(c, registry_caps.get(c, 0.0))) for c in chosen})


def current_scenario() -> optimizer.Scenario:
    """Return the scenario the controls describe: the session's one scenario object."""
    scenario: optimizer.Scenario = st.session_state[STORE]
    return scenario


def _help(name: str) -> str | None:
    """Return a field's help for its widget: its `#:` comment in optimizer/scenario.py."""
    text = optimizer.field_docs().get(name, "")
    return md_escape(text) if text else None


def _options(name: str, reg: dict[str, pd.DataFrame]) -> tuple[list[Any], Callable[[Any], str]]:
    """Return the options of a select or multiselect field and how each is shown: from the
    registry for the fields whose choices it holds, else the field's declared choices."""
    states = reg["member_states"]
    if name == "demand_scenario":
        levels = reg["demand_scenarios"].set_index("demand_scenario")
        return (
            list(levels.index),
            lambda d: (
                f"{levels.loc[d, 'name']}: {levels.loc[d, 'total_it_mw']:,.0f} MW IT by "
                f"{levels.loc[d, 'plan_year']}"
            ),
        )
    if name == "trusted_group":
        tags = {t for v in states["trusted_groups"].dropna() for t in str(v).split(",") if t}
        return ["eu_members", *sorted(tags), ""], lambda t: TRUSTED_LABELS.get(t, t)
    if name == "trusted_states":
        return countries(), str
    return list(optimizer.SPECS[name].choices), str


def _slider(name: str, spec: Spec, reg: dict[str, pd.DataFrame]) -> None:
    # A saved scenario, preset or link may hold a valid value beyond the slider's range.
    value = float(_get(name))
    st.slider(
        spec.title(),
        min(float(spec.lo or 0.0), value),
        max(float(spec.hi or 0.0), value),
        step=float(spec.step or 1.0),
        format=spec.format or None,
        key=_widget(name),
        on_change=_store,
        args=(name,),
        help=_help(name),
    )


def _number(name: str, spec: Spec, reg: dict[str, pd.DataFrame]) -> None:
    kind = int if optimizer.is_whole(name) else float
    low = spec.lo if spec.lo is not None else spec.min
    high = spec.hi if spec.hi is not None else spec.max
    value = _get(name)
    if value is not None:  # a file, preset or link may hold a valid value beyond the box's range
        low = None if low is None else min(low, value)
        high = None if high is None else max(high, value)
    st.number_input(
        spec.title(),
        min_value=None if low is None else kind(low),
        max_value=None if high is None else kind(high),
        step=None if spec.step is None else kind(spec.step),
        format=spec.format or None,
        key=_widget(name),
        placeholder=spec.empty or None,
        on_change=_store,
        args=(name,),
        help=_help(name),
    )


def _checkbox(name: str, spec: Spec, reg: dict[str, pd.DataFrame]) -> None:
    st.checkbox(spec.title(), key=_widget(name), on_change=_store, args=(name,), help=_help(name))


def _choice(name: str, spec: Spec, reg: dict[str, pd.DataFrame]) -> None:
    """One choice (select) or several (multiselect) among the field's options."""
    options, shown = _options(name, reg)
    common: dict[str, Any] = {
        "key": _widget(name),
        "format_func": shown,
        "on_change": _store,
        "args": (name,),
        "help": _help(name),
    }
    if spec.widget == "multiselect":
        st.multiselect(spec.title(), options, **common)
    else:
        st.selectbox(spec.title(), options, **common)


def _rules(name: str, spec: Spec, reg: dict[str, pd.DataFrame]) -> None:
    """One placement rule per workload class, under the field's label."""
    st.markdown(f"**{md_escape(spec.title())}**", help=_help(name))
    for w, row in reg["workload_classes"].set_index("workload").iterrows():
        field = f"{name}.{w}"
        st.selectbox(
            f"{md_escape(row['name'])} may run",
            spec.choices,
            key=_widget(field, row["rule"]),
            format_func=lambda r: RULE_LABELS.get(r, r),
            on_change=_store,
            args=(field,),
        )


def _cap_overrides(name: str, spec: Spec, reg: dict[str, pd.DataFrame]) -> None:
    """A country picker, then one number per chosen country (starting from its allowance)."""
    caps = optimizer.grid_allowances(inputs(), current_scenario()).set_index("country")[
        "energy_cap_mw"
    ]
    chosen = sorted(getattr(current_scenario(), name))
    st.session_state["w:cap_countries"] = chosen
    st.multiselect(
        spec.title(),
        countries(),
        key="w:cap_countries",
        on_change=_store_cap_countries,
        args=(caps,),
        help=_help(name),
    )
    for c in chosen:
        field = f"{name}.{c}"
        st.number_input(
            f"{md_escape(c)} allowance [{spec.unit}]",
            min_value=float(spec.min or 0.0),
            step=float(spec.step or 1.0),
            key=_widget(field),
            on_change=_store,
            args=(field,),
        )


#: How each declared widget kind is drawn (optimizer.spec.WIDGETS).
DRAW: dict[str, Callable[[str, Spec, dict[str, pd.DataFrame]], None]] = {
    "slider": _slider,
    "number": _number,
    "checkbox": _checkbox,
    "select": _choice,
    "multiselect": _choice,
    "rules": _rules,
    "cap_overrides": _cap_overrides,
}


def _load_preset(choices: dict[str, optimizer.Scenario]) -> None:
    """Load the preset or saved scenario just chosen (no second click), then clear the choice."""
    pick = st.session_state["preset"]
    if pick is not None:
        set_scenario(choices[pick])
        st.session_state["preset_loaded"] = pick
        st.session_state["preset"] = None


def _sidebar(reg: dict[str, pd.DataFrame]) -> None:
    """Draw the scenario's controls, one per declared field, section by section."""
    st.header("Scenario")
    choices = scenario_choices()
    st.selectbox(
        "Preset or saved scenario",
        list(choices),
        index=None,
        placeholder="Choose to load...",
        key="preset",
        on_change=_load_preset,
        args=(choices,),
    )
    if "preset_loaded" in st.session_state:
        st.caption(f"Loaded '{md_escape(st.session_state['preset_loaded'])}'.")
    for section, note in optimizer.SECTIONS.items():
        fields = [n for n, s in optimizer.SPECS.items() if s.widget and s.section == section]
        with st.expander(section) if section else contextlib.nullcontext():
            if note:
                st.caption(md_escape(note))
            for name in fields:
                spec = optimizer.SPECS[name]
                DRAW[spec.widget](name, spec, reg)
    with st.expander("Save this scenario"):
        name = st.text_input("Name", key="save_name")
        if st.button("Save", key="save_scenario") and name.strip():
            optimizer.save_scenario(current_scenario().with_overrides(name=name.strip()), db_path())
            st.success(f"Saved '{md_escape(name.strip())}'.")


#: Set while a page has not drawn its scenario controls yet in this run.
PENDING = "controls_pending"


def page(title: str, controls_after: bool = False) -> optimizer.Scenario:
    """Set up a page: config, title, the shared scenario sidebar; return the scenario.

    With `controls_after`, the sidebar waits for `controls()` (or `stop()`): a page that solves
    draws its headline first, so that after a slider move the browser shows the new figures
    before it redraws the sidebar's forty widgets.
    """
    st.set_page_config(page_title=f"{title} - Sovereign compute planner", layout="wide")
    _load_initial_scenario()
    st.title(title)
    st.session_state[PENDING] = True
    if not controls_after:
        controls()
    scenario = current_scenario()
    if "url_error" in st.session_state:
        lines = ["The link's scenario was not valid, so the baseline is shown:"]
        st.warning(md_escape("\n".join(lines + st.session_state.pop("url_error"))))
    if "scenario_error" in st.session_state:
        st.warning(md_escape(f"Not applied: {st.session_state.pop('scenario_error')}"))
    st.query_params.from_dict(optimizer.to_overrides(scenario))
    return scenario


def controls() -> None:
    """Draw the scenario controls in the sidebar, unless this run has drawn them already."""
    if st.session_state.pop(PENDING, False):
        with st.sidebar:
            _sidebar(registry())
            st.caption(f"Database: {md_escape(db_path().name)}")


def stop() -> NoReturn:
    """Stop the page here, its scenario controls drawn (so the scenario can be changed)."""
    controls()
    st.stop()


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


def countries() -> list[str]:
    """Return every registry country, sorted: the domain of every per-country colour scale
    (cached until the database changes; read only)."""
    return _countries(str(db_path()), _version())


def table(frame: pd.DataFrame, column_config: dict[str, Any] | None = None) -> None:
    """Show a table in the planner's words: every header in words with its unit and every
    number rounded for reading (optimizer.column_label); `column_config` (by column name)
    refines a column's display."""
    labels = {c: optimizer.column_label(str(c)) for c in frame.columns}
    config: dict[str, Any] = {}
    for c, label in labels.items():
        if pd.api.types.is_float_dtype(frame[c]):
            config[label.title()] = st.column_config.NumberColumn(format=label.format or "%,.2f")
    for c, refined in (column_config or {}).items():
        config[labels[c].title()] = refined
    st.dataframe(
        frame.rename(columns={c: label.title() for c, label in labels.items()}),
        hide_index=True,
        column_config=config,
    )


def chart(drawing: alt.Chart | alt.LayerChart, **kwargs: Any) -> None:
    """Draw a chart of charts.py. One drawn from a single data frame goes as its Vega-Lite spec,
    checked once per shape (charts.spec), so a rerun sends new data without Altair checking
    the whole spec again; the maps (outlines and sites) go through Altair as they are."""
    if isinstance(drawing.data, pd.DataFrame):
        st.vega_lite_chart(spec=charts.spec(drawing), **kwargs)
    else:
        st.altair_chart(drawing, **kwargs)


#: Euros with a magnitude suffix (k, M, bn), as the CLI writes them.
eur = optimizer.eur


# --------------------------------------------------------------------------- sign-in and roles
def access() -> optimizer.Access:
    """Say whether the person may edit (single-user mode, or a signed-in editor) and who they are.

    A bad roles file makes everyone a viewer, with the file's line in the reason.
    """
    login = st.user.get("is_logged_in")  # None: no identity provider in .streamlit/secrets.toml
    email = st.user.get("email") if login else None
    try:
        return optimizer.access(
            None if login is None else bool(login), email if isinstance(email, str) else None
        )
    except optimizer.RolesError as e:
        return optimizer.Access(False, "viewer", f"Editing is off: {e}")


def sign_in_controls(who: optimizer.Access) -> None:
    """Offer sign-in or sign-out when an identity provider is configured; say what the person
    may do."""
    login = st.user.get("is_logged_in")
    if login is False:
        st.button("Sign in", on_click=st.login)
    elif login:
        st.button("Sign out", on_click=st.logout)
    (st.caption if who.can_edit else st.info)(md_escape(who.why))
