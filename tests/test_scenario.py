"""Scenario values are checked and converted by their declared type, from every entry point."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Any, Literal

import pytest

from optimizer.scenario import (
    FIELDS,
    HINTS,
    SECTIONS,
    SPECS,
    Scenario,
    ScenarioError,
    apply_overrides,
    check_against,
    describe,
    docs_table,
    field_docs,
    from_dict,
    name_after,
    read_scenario,
    spec,
    to_overrides,
)
from optimizer.spec import MAX_MAGNITUDE, Invalid, Spec, convert
from tests.tiny import tiny

ROOT = Path(__file__).resolve().parents[1]


def overridden(*items: str) -> Scenario:
    return apply_overrides(Scenario(), list(items))


def refused(*items: str) -> str:
    with pytest.raises(ScenarioError) as e:
        overridden(*items)
    return str(e.value)


# --------------------------------------------------------------------------- booleans
@pytest.mark.parametrize("key", ["allow_expansion", "autarky"])
@pytest.mark.parametrize(
    ("text", "value"),
    [("no", False), ("No", False), ("off", False), ("false", False), ("0", False)]
    + [("yes", True), ("ON", True), ("true", True), ("1", True), ("y", True)],
)
def test_booleans_read_like_the_registry(key: str, text: str, value: bool) -> None:
    start = from_dict({key: not value})
    assert getattr(apply_overrides(start, [f"{key}={text}"]), key) is value


def test_allow_expansion_no_and_autarky_no_are_off() -> None:
    sc = overridden("allow_expansion=no", "autarky=no")
    assert sc.allow_expansion is False and sc.autarky is False


@pytest.mark.parametrize("text", ["maybe", "2", "1.0", '"nein"'])
def test_other_words_are_not_booleans(text: str) -> None:
    assert "allow_expansion=" in refused(f"allow_expansion={text}")
    assert "must be true/false/yes/no" in refused(f"autarky={text}")


# --------------------------------------------------------------------------- numbers
def test_time_limit_text_names_key_value_and_rule() -> None:
    assert "time_limit_s='abc': must be a number > 0" in refused("time_limit_s=abc")


@pytest.mark.parametrize("text", ["true", "false", "yes"])
def test_a_boolean_is_not_a_number(text: str) -> None:
    assert "min_home_share=" in refused(f"min_home_share={text}")


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "1e308", "1e309", "+inf"])
def test_non_finite_and_overflowing_numbers_are_refused(text: str) -> None:
    message = refused(f"carbon_price_eur_per_t={text}")
    assert message.startswith("carbon_price_eur_per_t=") and "must be a number" in message


def test_numbers_become_floats_and_text_numbers_are_read() -> None:
    sc = from_dict({"carbon_price_eur_per_t": 120, "demand_growth": "2.5"})
    assert sc.carbon_price_eur_per_t == 120.0 and isinstance(sc.carbon_price_eur_per_t, float)
    assert sc.demand_growth == 2.5


def test_every_problem_is_named_at_once() -> None:
    message = refused("time_limit_s=abc", "min_home_share=2", "kw_per_gpu=0")
    assert all(k in message for k in ("time_limit_s=", "min_home_share=2", "kw_per_gpu=0"))


def test_an_empty_value_clears_an_optional_number() -> None:
    sc = overridden("emissions_budget_t=1000")
    assert apply_overrides(sc, ["emissions_budget_t="]).emissions_budget_t is None


# --------------------------------------------------------------------------- lists and tables
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DK", ("DK",)),
        ("DK,SE", ("DK", "SE")),
        ('["DK","SE"]', ("DK", "SE")),
        ("[DK, SE]", ("DK", "SE")),
        ("", ()),
    ],
)
def test_trusted_states_are_a_list(text: str, value: tuple[str, ...]) -> None:
    assert overridden(f"trusted_states={text}").trusted_states == value


def test_exclude_categories_split_on_commas() -> None:
    assert overridden("exclude_categories=a,b").exclude_categories == ("a", "b")


def test_lists_from_python_are_tuples() -> None:
    assert Scenario(trusted_states=["NO"]).trusted_states == ("NO",)  # type: ignore[arg-type]


@pytest.mark.parametrize("item", ["rules=5", "energy_cap_overrides=3", 'rules="home"'])
def test_tables_must_be_tables(item: str) -> None:
    assert "must be a table" in refused(item)


def test_table_entries_are_checked_by_the_entry_type() -> None:
    assert "rules.sensitive='moon': must be one of home, eu" in refused("rules.sensitive=moon")
    assert "energy_cap_overrides.DK=-1: must be a number >= 0" in refused(
        "energy_cap_overrides.DK=-1"
    )
    assert overridden("energy_cap_overrides.DK=55").energy_cap_overrides == {"DK": 55.0}


def test_a_dotted_key_is_only_for_tables() -> None:
    assert "only the tables (rules.NAME, energy_cap_overrides.NAME" in refused("carbon.x=1")


def test_text_fields_keep_the_text_as_written() -> None:
    assert overridden("name=2030").name == "2030"
    assert overridden("rules.sensitive=home").rules == {"sensitive": "home"}
    assert overridden("trusted_group=").trusted_group == ""


# --------------------------------------------------------------------------- read-only, round trips
def test_inner_mappings_are_read_only_and_still_serialise() -> None:
    sc = Scenario(rules={"sensitive": "home"}, energy_cap_overrides={"DK": 40.0})
    with pytest.raises(TypeError):
        sc.rules["sensitive"] = "anywhere"
    with pytest.raises(TypeError):
        sc.energy_cap_overrides["SE"] = 1.0
    assert sc.to_dict()["rules"] == {"sensitive": "home"}
    assert 'sensitive = "home"' in sc.to_toml()
    assert sc == Scenario(rules={"sensitive": "home"}, energy_cap_overrides={"DK": 40})
    assert pickle.loads(pickle.dumps(sc)) == sc  # Dask sends scenarios to workers so


def test_to_overrides_round_trips_through_the_page_address() -> None:
    sc = overridden(
        "allow_expansion=yes",
        "trusted_states=DK,SE",
        "rules.sensitive=home",
        "energy_cap_overrides.DK=40",
        "emissions_budget_t=5e5",
        "name=my plan",
    )
    again = apply_overrides(Scenario(), [f"{k}={v}" for k, v in to_overrides(sc).items()])
    assert again == sc


def test_the_same_checks_apply_to_files_dicts_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_text('allow_expansion = "no"\ntrusted_states = "DK"\n')
    (tmp_path / "s.json").write_text(json.dumps({"allow_expansion": "no", "trusted_states": "DK"}))
    expected = overridden("allow_expansion=no", "trusted_states=DK")
    assert read_scenario(tmp_path / "s.toml") == expected
    assert read_scenario(tmp_path / "s.json") == expected
    assert from_dict({"allow_expansion": "no", "trusted_states": "DK"}) == expected
    (tmp_path / "bad.json").write_text(json.dumps({"time_limit_s": "abc"}))
    with pytest.raises(ScenarioError, match=re.escape("bad.json: time_limit_s='abc'")):
        read_scenario(tmp_path / "bad.json")


@pytest.mark.parametrize("body", ["[1, 2]", '"baseline"', "5", "null"])
def test_a_scenario_file_that_is_not_a_table_is_refused(tmp_path: Path, body: str) -> None:
    (tmp_path / "s.json").write_text(body)
    with pytest.raises(ScenarioError, match="s.json: a scenario must be a table of key = value"):
        read_scenario(tmp_path / "s.json")


def test_a_scenario_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "s.toml").write_bytes('name = "Zürich"'.encode("utf-16"))
    with pytest.raises(ScenarioError, match="s.toml: not UTF-8 text"):
        read_scenario(tmp_path / "s.toml")


# --------------------------------------------------------------------------- the declaration
def test_every_declaration_belongs_to_a_field_and_every_field_has_help() -> None:
    assert set(SPECS) <= set(FIELDS)
    docs = field_docs()
    missing = [n for n in FIELDS if not (docs.get(n) or spec(n).label)]
    assert not missing
    assert docs["time_limit_s"] == "Solver time limit [s]."


def test_docs_table_is_current() -> None:
    written = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")
    assert written == docs_table(), "run: python scripts/scenario_docs.py"
    for name in FIELDS:
        assert f"| `{name}` | {spec(name).label} |" in written


def test_every_widget_is_declared_whole() -> None:
    docs = field_docs()
    for name, s in SPECS.items():
        if not s.widget:
            continue
        assert s.section in SECTIONS and docs[name], name
        if s.widget == "slider":  # the slider's range lies within what the rule allows
            assert s.lo is not None and s.hi is not None and s.lo < s.hi, name
            assert (s.min is None or s.lo >= s.min) and (s.max is None or s.hi <= s.max), name


def test_a_spec_title_carries_its_unit() -> None:
    assert SPECS["carbon_price_eur_per_t"].title() == (
        "Carbon cost on top of power prices [EUR/tCO2]"
    )
    assert SPECS["min_home_share"].title() == "Minimum share served at home"  # a ratio
    with pytest.raises(ValueError, match="a slider needs lo, hi and step"):
        Spec("x", widget="slider")
    with pytest.raises(ValueError, match="widget='dial'"):
        Spec("x", widget="dial")


def test_describe_gives_unit_default_and_range() -> None:
    assert describe("carbon_price_eur_per_t").startswith("carbon_price_eur_per_t [EUR/tCO2] = 67.0")
    assert "one of home, eu, trusted, anywhere" in describe("rules")


@pytest.mark.parametrize(
    ("hint", "value", "expected"),
    [
        (float, "3", 3.0),
        (int, "4", 4),
        (float | None, "", None),
        (tuple[str, ...], "a, b", ("a", "b")),
        (dict[str, float], {"x": "1"}, {"x": 1.0}),
        (Literal["a", "b"], "b", "b"),
        (bool, "OFF", False),
    ],
)
def test_a_field_without_a_declaration_is_checked_by_its_type(
    hint: Any, value: Any, expected: Any
) -> None:
    assert convert("new_field", hint, value, Spec()) == expected


@pytest.mark.parametrize(
    ("hint", "value"),
    [(float, MAX_MAGNITUDE * 10), (int, "4.5"), (Literal["a", "b"], "c"), (str, 5), (float, [])],
)
def test_an_undeclared_field_still_refuses_bad_values(hint: Any, value: Any) -> None:
    with pytest.raises(Invalid, match=r"^new_field="):
        convert("new_field", hint, value, Spec())


def test_hints_come_from_the_annotations() -> None:
    assert HINTS["allow_expansion"] is bool and HINTS["time_limit_s"] is float


# --------------------------------------------------------------------------- names, consistency
def test_a_name_says_what_the_overrides_change() -> None:
    items = ["carbon_price_eur_per_t = 120", "rules.sensitive=home"]
    assert name_after(items) == "carbon_price_eur_per_t=120, rules.sensitive=home"
    assert name_after(items[:1], "strict") == "strict: carbon_price_eur_per_t=120"
    assert name_after([]) == "baseline"


def test_the_scenario_is_checked_against_the_inputs() -> None:
    inputs = tiny()
    check_against(Scenario(rules={"w": "home"}, trusted_group="club"), inputs)
    sc = Scenario(
        rules={"gpu": "home"},
        energy_cap_overrides={"XX": 5.0},
        trusted_states=("ZZ",),
        exclude_categories=("castle",),
        trusted_group="nobody",
    )
    with pytest.raises(ScenarioError) as e:
        check_against(sc, inputs)
    message = str(e.value)
    for part in (
        "rules: unknown workload class 'gpu'",
        "energy_cap_overrides: unknown country 'XX' (known: AA, BB)",
        "trusted_states: unknown state 'ZZ'",
        "exclude_categories: unknown site category 'castle'",
        "trusted_group: unknown trusted group",
    ):
        assert part in message
