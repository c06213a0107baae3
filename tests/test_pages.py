"""Every page runs in Streamlit's AppTest on a fresh database and shows what it should."""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe, Slider

from optimizer import TABLES
from optimizer.api import plan, registry, run_and_store
from optimizer.labels import label as column_label
from optimizer.labels import title
from optimizer.scenario import SPECS, Scenario, describe, docs_table
from ui import eur

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60
CARBON = "Carbon cost on top of power prices [EUR/tCO2]"


@pytest.fixture
def app_db(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    return db


def run_page(script: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


#: A raw column name: lower-case words joined by underscores (it_mwh, dividend_cost_eur).
RAW = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
#: Chart channels a reader sees a title of (map positions have no axis).
TITLED = ("x", "y", "color", "size", "tooltip")


def encodings(spec: Any) -> list[dict[str, Any]]:
    """Return every channel definition of a Vega-Lite spec's shown channels, layers included."""
    found = []
    if isinstance(spec, dict):
        for channel, value in spec.get("encoding", {}).items():
            if channel in TITLED:
                found += value if isinstance(value, list) else [value]
        for value in spec.values():
            found += encodings(value)
    elif isinstance(spec, list):
        for value in spec:
            found += encodings(value)
    return [e for e in found if isinstance(e, dict) and "field" in e]


def assert_planner_words(at: AppTest | Dataframe) -> None:
    """Every table header and chart title is in words with units, every float rounded."""
    for table in [at] if isinstance(at, Dataframe) else at.dataframe:
        frame, config = table.value, json.loads(table.proto.columns or "{}")
        for header in frame.columns:
            assert not RAW.match(str(header)), header
            if pd.api.types.is_float_dtype(frame[header]):
                assert config[str(header)]["type_config"]["format"], header  # rounded
    for chart in [] if isinstance(at, Dataframe) else at.get("vega_lite_chart"):
        for channel in encodings(json.loads(chart.proto.spec)):
            assert channel.get("title") and not RAW.match(channel["title"]), channel


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def slider(at: AppTest, label: str) -> Slider[Any]:
    return next(s for s in at.slider if s.label == label)


def sidebar_labels(at: AppTest) -> set[str]:
    """Return the label of every sidebar widget and the text of every sidebar heading."""
    bar = at.sidebar
    widgets = [*bar.slider, *bar.number_input, *bar.checkbox, *bar.selectbox, *bar.multiselect]
    return {w.label for w in widgets} | {m.value.strip("*") for m in bar.markdown}


def test_sidebar_cli_help_and_docs_come_from_one_declaration(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = sidebar_labels(run_page("app.py"))
    for name, spec in SPECS.items():
        assert spec.label in describe(name) and f"| {spec.label} |" in docs_table(), name
        if spec.widget:
            assert spec.title() in labels, name
    key = "carbon_price_eur_per_t"
    monkeypatch.setitem(SPECS, key, dataclasses.replace(SPECS[key], label="Shadow carbon price"))
    assert "Shadow carbon price [EUR/tCO2]" in sidebar_labels(run_page("app.py"))
    assert describe(key).endswith(": Shadow carbon price")
    assert f"| `{key}` | Shadow carbon price |" in docs_table()


def test_the_entry_point_shows_a_loading_message_before_anything_heavy() -> None:
    """app.py imports Streamlit alone and puts its loading message on screen before the page
    (which imports pandas, DuckDB, PuLP, Altair) runs; the home entry is named as a page."""
    source = (ROOT / "app.py").read_text()
    tree = ast.parse(source)
    imported = {
        a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert imported == {"streamlit"}
    assert source.index("loading.info(") < source.index("page.run()")
    assert 'title="Home", default=True' in source


def test_home_shows_the_registry_at_a_glance(app_db: Path) -> None:
    at = run_page("app.py")
    sites = registry(app_db)["sites"]
    assert metric(at, "Sites") == str(len(sites)) and metric(at, "Member states") == "37"
    assert metric(at, "Buildable sites") == str(
        int((sites["capacity_status"] == "buildable").sum())
    )
    # The default question, with its demand and plan year.
    assert any("five ai gigafactories" in i.value.lower() and "2030" in i.value for i in at.info)
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "geoshape" in spec and "conicConformal" in spec


def test_plan_page_shows_headlines_and_what_binds(app_db: Path) -> None:
    at = run_page("views/1_Plan.py")
    expected = plan(Scenario(), db=app_db)
    assert metric(at, "Annual cost [EUR/yr]") == eur(expected.summary.cost_eur or 0.0)
    assert metric(at, "New capacity built [MW IT]") == f"{expected.summary.new_mw:,.1f}"
    assert metric(at, "Unserved demand [MWh/yr]") == "0"
    assert len(at.get("vega_lite_chart")) >= 2
    assert any("Optimal plan" in s.value for s in at.success)
    assert any(m.value.startswith("**Built:**") for m in at.markdown)


def test_a_slider_move_changes_the_plan(app_db: Path) -> None:
    at = run_page("views/1_Plan.py")
    label = "Carbon cost on top of prices [EUR/yr]"
    before = metric(at, label)
    slider(at, CARBON).set_value(200.0).run()
    assert not at.exception
    after = metric(at, label)
    assert after != before
    assert at.query_params["carbon_price_eur_per_t"] == "200.0"


def test_a_slider_move_goes_through_one_scenario_object(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The move builds one checked scenario; the page solves that object, not a copy."""
    at = run_page("views/1_Plan.py")
    built: list[Scenario] = []
    check = Scenario.__post_init__

    def counted(self: Scenario) -> None:
        check(self)
        built.append(self)

    monkeypatch.setattr(Scenario, "__post_init__", counted)
    slider(at, CARBON).set_value(150.0).run()
    assert not at.exception
    assert [s.carbon_price_eur_per_t for s in built] == [150.0]
    assert at.session_state["scenario"] is built[0]


@pytest.mark.parametrize("script", ["views/1_Plan.py", "views/2_Map.py", "views/3_Pooling.py"])
def test_a_page_that_solves_sends_its_figures_before_the_sidebar(
    app_db: Path, monkeypatch: pytest.MonkeyPatch, script: str
) -> None:
    """After a slider move the browser gets the new plan before the sidebar's forty widgets."""
    import ui

    sent: list[str] = []

    def recorded(what: str, draw: Any) -> Any:
        def record(*args: Any, **kwargs: Any) -> Any:
            sent.append(what)
            return draw(*args, **kwargs)

        return record

    monkeypatch.setattr(DeltaGenerator, "metric", recorded("figure", DeltaGenerator.metric))
    monkeypatch.setattr(ui, "chart", recorded("figure", ui.chart))
    monkeypatch.setattr(ui, "_sidebar", recorded("sidebar", ui._sidebar))
    at = run_page(script)
    slider(at, CARBON).set_value(150.0)
    sent.clear()
    at.run()
    assert not at.exception
    assert sent.index("figure") < sent.index("sidebar") and sent.count("sidebar") == 1, sent
    assert slider(at, CARBON).value == 150.0 and ui.PENDING not in at.session_state


def test_a_failed_solve_says_why_and_keeps_the_controls(
    app_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import optimizer

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(optimizer, "plan", fail)
    at = run_page("views/1_Plan.py")
    assert any("solver crashed" in e.value for e in at.error), at.error
    assert not at.metric and slider(at, CARBON).value == Scenario().carbon_price_eur_per_t


def test_storing_a_run_stores_the_plan_on_screen(app_db: Path) -> None:
    import optimizer

    at = run_page("views/1_Plan.py")
    next(b for b in at.button if b.label == "Store this run").click().run()
    assert not at.exception
    assert any(s.value.startswith("Stored run") for s in at.success)
    stored = optimizer.runs(app_db)
    assert len(stored) == 1 and stored["scenario_name"].iloc[0] == Scenario().name


def test_lowering_caps_shows_unserved_demand_and_binding_caps(app_db: Path) -> None:
    at = run_page("views/1_Plan.py", {"energy_cap_scale": "0.05"})
    assert metric(at, "Unserved demand [MWh/yr]") != "0"
    assert any("unserved" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert table[title("sentence")].str.contains("more grid allowance for new data centres").any()
    assert any(e.label.startswith("Grid allowances for new data centres") for e in at.expander)


def test_scenario_is_kept_across_pages(app_db: Path) -> None:
    at = run_page("app.py")
    at.switch_page("views/1_Plan.py").run()
    slider(at, CARBON).set_value(150.0).run()
    at.switch_page("views/2_Map.py").run()
    assert not at.exception
    assert slider(at, CARBON).value == 150.0
    at.switch_page("views/3_Pooling.py").run()
    assert slider(at, CARBON).value == 150.0


def test_link_reopens_the_scenario(app_db: Path) -> None:
    at = run_page(
        "views/1_Plan.py", {"carbon_price_eur_per_t": "120.0", "rules.sensitive": '"home"'}
    )
    assert slider(at, CARBON).value == 120.0
    expected = plan(Scenario(carbon_price_eur_per_t=120.0, rules={"sensitive": "home"}), db=app_db)
    assert metric(at, "Annual cost [EUR/yr]") == eur(expected.summary.cost_eur or 0.0)


def test_a_link_beyond_a_number_box_range_keeps_the_page_working(app_db: Path) -> None:
    at = run_page("app.py", {"plan_year": "2060", "facility_life_years": "0.5"})
    assert at.number_input(key="w:plan_year").value == 2060
    assert at.number_input(key="w:facility_life_years").value == 0.5


def test_bad_link_falls_back_to_the_baseline_with_a_warning(app_db: Path) -> None:
    at = run_page("views/1_Plan.py", {"carbon_price_eur_per_t": "-3"})
    assert any("not valid" in w.value for w in at.warning)


def test_preset_loads(app_db: Path) -> None:
    at = run_page("views/1_Plan.py")
    at.selectbox(key="preset").select("high carbon price").run()
    assert slider(at, CARBON).value == 200.0


def test_map_page_draws_sites_and_trade(app_db: Path) -> None:
    at = run_page("views/2_Map.py")
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "net_export_mwh" in spec and "utilisation" in spec and "provenance_pue" in spec


def test_pooling_page_shows_the_dividend(app_db: Path) -> None:
    at = run_page("views/3_Pooling.py")
    assert metric(at, "Pooling saves [EUR/yr]").endswith("M")
    assert metric(at, "Unserved, national [MWh/yr]") == "0"
    totals = at.dataframe[0].value.set_index(title("label"))
    assert totals.loc["New capacity built [MW IT]", title("national")] > 0


def test_data_page_shows_provenance(app_db: Path) -> None:
    at = run_page("views/4_Data.py")
    frame = at.dataframe[0].value
    shown = column_label("provenance_pue").title()
    assert len(frame) == len(registry(app_db)["sites"]) and shown in frame.columns
    box = next(s for s in at.selectbox if s.label == "Table")
    box.select("member_states").run()
    frame = at.dataframe[0].value
    assert len(frame) == 37 and column_label("provenance_grid_ci_g_per_kwh").title() in frame


def test_data_page_speaks_the_planners_language(app_db: Path) -> None:
    """The registry table in words; the editor keeps the file's column names as its data but
    shows words as headers, with the file's name in each header's help."""
    at = run_page("views/4_Data.py")
    assert_planner_words(at.dataframe[0])
    editor = at.dataframe[1]
    config = json.loads(editor.proto.columns)
    for column in editor.value.columns:
        assert config[column]["label"] == column_label(column).title(), column
        assert not RAW.match(config[column]["label"]), column
        assert f"`{column}`" in config[column]["help"]


def test_data_page_edit_path_refuses_a_bad_value_and_saves_nothing(app_db: Path) -> None:
    import optimizer
    from optimizer.api import registry

    at = run_page("views/4_Data.py")
    editor = at.dataframe[1].value  # the editor: values only, no provenance columns
    assert "pue" in editor.columns and "provenance_pue" not in editor.columns
    # AppTest cannot type into the editor: break one PUE through the call the page makes.
    before = registry(app_db)["sites"]
    bad = before.copy()
    bad.loc[0, "pue"] = 0.5
    with pytest.raises(optimizer.ValidationError, match="row 1, column 'pue'"):
        optimizer.save_table(app_db, "sites", bad, "dashboard edit")
    pd.testing.assert_frame_equal(registry(app_db)["sites"], before)


def test_a_country_cap_override_shows_its_shadow_price(app_db: Path) -> None:
    at = run_page("views/1_Plan.py")
    at.multiselect(key="w:cap_countries").select("FR").run()
    assert not at.exception
    at.number_input(key="w:energy_cap_overrides.FR").set_value(100.0).run()
    assert not at.exception
    assert at.query_params["energy_cap_overrides.FR"] == "100.0"
    table = at.dataframe[0].value
    assert table[title("sentence")].str.contains("grid allowance for new data centres in FR").any()


def test_tradeoffs_page_sweeps_and_draws_the_front(app_db: Path) -> None:
    at = run_page("views/5_Trade-offs.py")
    points = next(s for s in at.slider if s.label == "Points")
    points.set_value(4).run()
    next(b for b in at.button if b.label == "Run the sweep").click().run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert len(frame) == 4 and frame[title("carbon_price_eur_per_t")].tolist() == [
        0.0,
        100.0,
        200.0,
        300.0,
    ]
    assert frame[title("objective_eur")].is_monotonic_increasing
    assert frame[title("pareto_cost_co2")].any()
    assert len(at.get("vega_lite_chart")) == 7
    assert_planner_words(at)


def test_tradeoffs_page_draws_cost_against_fairness(app_db: Path) -> None:
    at = run_page("views/5_Trade-offs.py")
    next(b for b in at.selectbox if b.label == "Setting to sweep").set_value(
        "juste_retour_factor"
    ).run()
    next(s for s in at.slider if s.label == "Points").set_value(3).run()
    next(b for b in at.button if b.label == "Run the sweep").click().run()
    assert not at.exception
    frame = at.dataframe[0].value
    # Asking more juste retour costs more and returns more of it: every point is on the front.
    assert frame[title("objective_eur")].is_monotonic_increasing
    assert frame[title("juste_retour_met")].is_monotonic_increasing
    assert frame[title("pareto_cost_juste_retour")].all()
    fairness = at.radio[0]
    assert fairness.value == "juste_retour_met"
    fairness.set_value("min_access_ratio").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 7


def test_a_saved_scenario_can_be_loaded_again(app_db: Path) -> None:
    at = run_page("views/1_Plan.py")
    slider(at, CARBON).set_value(111.0).run()
    at.text_input(key="save_name").input("my study").run()
    at.button(key="save_scenario").click().run()
    assert any("Saved 'my study'" in s.value for s in at.success)
    slider(at, CARBON).set_value(5.0).run()
    at.selectbox(key="preset").select("my study").run()
    assert slider(at, CARBON).value == 111.0


def test_what_if_gpu_cap_binds(app_db: Path) -> None:
    at = run_page("views/1_Plan.py")
    at.number_input(key="w:gpu_cap_per_country").set_value(10000.0).run()
    assert not at.exception
    assert at.query_params["gpu_cap_per_country"] == "10000.0"
    table = at.dataframe[0].value
    assert table[title("sentence")].str.contains("GPU-equivalent more in NO").any()


def test_data_page_shows_monthly_factors_with_embers_attribution(app_db: Path) -> None:
    at = run_page("views/4_Data.py")
    next(s for s in at.selectbox if s.label == "Table").select("period_factors").run()
    assert not at.exception
    assert any("Ember" in i.value and "CC BY 4" in i.value for i in at.info)
    frame = at.dataframe[0].value
    price, carbon = (column_label(c).title() for c in ("price_factor", "carbon_factor"))
    assert {price, carbon} <= set(frame.columns)
    priced = frame[frame[price].notna()]
    source = column_label("provenance_price_factor").title()
    assert len(priced) and priced[source].str.contains("Ember").all()
    assert len(at.get("vega_lite_chart")) == 1


def test_plan_and_home_speak_the_planners_language(app_db: Path) -> None:
    for script in ("app.py", "views/1_Plan.py", "views/2_Map.py"):
        assert_planner_words(run_page(script))


def test_pooling_page_speaks_the_planners_language_with_two_runs(app_db: Path) -> None:
    run_and_store(Scenario(), app_db)
    run_and_store(Scenario(energy_cap_overrides={"FR": 50.0}), app_db)
    at = run_page("views/3_Pooling.py")
    assert_planner_words(at)
    assert len(at.dataframe) >= 6  # totals, per state, rule-free, runs, scenario and input diffs


def whose_compute_colours(at: AppTest) -> dict[str, str]:
    """Return the country -> colour map of the Plan page's 'whose compute' chart."""
    for chart in [] if isinstance(at, Dataframe) else at.get("vega_lite_chart"):
        color = json.loads(chart.proto.spec).get("encoding", {}).get("color", {})
        if color.get("field") == "state":
            scale = color["scale"]
            return dict(zip(scale["domain"], scale["range"], strict=True))
    raise AssertionError("no chart coloured by state")


def test_a_country_keeps_its_colour_across_scenarios(app_db: Path) -> None:
    base = whose_compute_colours(run_page("views/1_Plan.py"))
    home = whose_compute_colours(run_page("views/1_Plan.py", {"min_home_share": "0.9"}))
    assert base["FR"] == home["FR"] and base == home
    assert sorted(base) == sorted(registry(app_db)["member_states"]["iso2"])
    assert len(set(base.values())) == len(base)  # no two countries share a colour


def test_the_workbook_has_units_and_sources_and_no_json(app_db: Path) -> None:
    import optimizer

    scenario = Scenario(rules={"sensitive": "home"}, trusted_states=("NO",))
    result = plan(scenario, db=app_db)
    book = openpyxl.load_workbook(io.BytesIO(optimizer.workbook_bytes(result, scenario)))
    sheets = {name: list(book[name].values) for name in book.sheetnames}
    units = pd.DataFrame(sheets["units and sources"][1:], columns=sheets["units and sources"][0])
    described = set(zip(units["sheet"], units["heading"], strict=True))
    for name, rows in sheets.items():
        if name != "units and sources":  # headers in words, each described
            assert {(name, str(c)) for c in rows[0]} <= described, name
            assert not [c for c in rows[0] if RAW.match(str(c))], name
        cells = [v for row in rows[1:] for v in row if isinstance(v, str)]
        assert not [v for v in cells if v.lstrip().startswith(("{", "["))], name
    it_mwh = units[(units["sheet"] == "allocation") & (units["column"] == "it_mwh")].iloc[0]
    assert (it_mwh["heading"], it_mwh["unit"]) == ("IT energy [MWh]", "MWh") and it_mwh["source"]
    column = sheets["allocation"][0].index("IT energy [MWh]") + 1
    assert book["allocation"].cell(row=2, column=column).number_format == "#,##0"
    scenario_rows = dict(sheets["scenario"][1:])
    assert scenario_rows["rules.sensitive"] == "home" and scenario_rows["trusted_states"] == "NO"


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_registry_column_has_its_own_words(table: str) -> None:
    """The Data page renames every column (and its provenance) to words: no two may collide."""
    names = [c for col in TABLES[table].column_names for c in (col, f"provenance_{col}")]
    titles = [column_label(c).title() for c in names]
    assert len(set(titles)) == len(titles), titles
