"""The reliability corpus: bad inputs each meet a clear message and leave the database as it was.

Every case asserts (a) a message naming the file, row, column, value and rule (or the key, value
and rule of a page address or scenario) and (b) a byte-identical database file afterwards.
docs/reliability.md states the guarantees and the counts.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import optimizer
from optimizer import api, scenario
from optimizer.registry import TABLES
from optimizer.store import SEED

ROOT = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- file builders
def seed_rows(table: str, n: int = 1) -> pd.DataFrame:
    return pd.read_csv(SEED / f"{table}.csv", dtype=str, keep_default_na=False).head(n)


def csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8", sep: str = ",") -> bytes:
    return frame.to_csv(index=False, sep=sep).encode(encoding)


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def xlsx_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def first_row(table: str, **changes: object) -> pd.DataFrame:
    """The first seed row of a table with some cells changed (as text, like a CSV)."""
    frame = seed_rows(table).astype(object)
    for column, value in changes.items():
        frame.loc[0, column] = value
    return frame


def site(**changes: object) -> pd.DataFrame:
    return first_row("sites", **changes)


def state(**changes: object) -> pd.DataFrame:
    return first_row("member_states", **changes)


def typed_sites() -> pd.DataFrame:
    """Two seed sites with the number columns typed as numbers (as a Parquet file has them)."""
    frame = seed_rows("sites", 2)
    for c in TABLES["sites"].columns:
        if c.type in ("int", "float"):
            frame[c.name] = pd.to_numeric(frame[c.name])
    return frame


def typed_states() -> pd.DataFrame:
    frame = seed_rows("member_states", 2)
    for c in TABLES["member_states"].columns:
        if c.type in ("int", "float"):
            frame[c.name] = pd.to_numeric(frame[c.name])
        if c.type == "bool":
            frame[c.name] = frame[c.name].str.lower().isin(["true", "yes", "1"])
    return frame


def zip_of(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(name, text)
    return buffer.getvalue()


PERIODS = csv_bytes(seed_rows("periods", 2))
PERIODS_TEXT = PERIODS.decode()
HEADER_ONLY = PERIODS_TEXT.splitlines()[0] + "\n"
LONG = "s" * 300


@dataclass(frozen=True)
class Bad:
    """One bad file: its table, name and bytes, and what the message must say."""

    id: str
    table: str
    name: str
    data: Callable[[], bytes]
    says: tuple[str, ...]
    replace: bool = False


FILES = [
    # files that cannot be read as a table of their format
    Bad("empty", "periods", "empty.csv", lambda: b"", ("empty.csv", "the file is empty")),
    Bad("blank lines only", "periods", "blank.csv", lambda: b"\n\n  \n", ("file is empty",)),
    Bad(
        "latin-1",
        "sites",
        "latin1.csv",
        lambda: csv_bytes(site(city="Orléans"), "latin-1"),
        ("latin1.csv", "not UTF-8", "0xe9", "line 2", "CSV UTF-8"),
    ),
    Bad(
        "cp1252",
        "sites",
        "cp1252.csv",
        lambda: csv_bytes(site(site_name="Ström – AI"), "cp1252"),
        ("cp1252.csv", "not UTF-8"),
    ),
    Bad(
        "UTF-16 with BOM",
        "periods",
        "utf16.csv",
        lambda: PERIODS_TEXT.encode("utf-16"),
        ("utf16.csv", "UTF-16 text", "CSV UTF-8"),
    ),
    Bad(
        "UTF-16 without BOM",
        "periods",
        "utf16le.csv",
        lambda: PERIODS_TEXT.encode("utf-16-le"),
        ("utf16le.csv", "NUL bytes"),
    ),
    Bad(
        "semicolons",
        "periods",
        "semi.csv",
        lambda: PERIODS_TEXT.replace(",", ";").encode(),
        ("semi.csv", "separated by ';'", "comma-separated"),
    ),
    Bad(
        "tabs",
        "periods",
        "tabs.csv",
        lambda: PERIODS_TEXT.replace(",", "\t").encode(),
        ("tabs.csv", "separated by '\\t'"),
    ),
    Bad(
        "ragged long row",
        "periods",
        "long.csv",
        lambda: (HEADER_ONLY + "winter,4380,1,1,1,9,9\n").encode(),
        ("long.csv, row 1", "line 2 has 7 fields, the header has 5"),
    ),
    Bad(
        "ragged short row",
        "periods",
        "short.csv",
        lambda: (HEADER_ONLY + "winter,4380\n").encode(),
        ("short.csv, row 1", "2 fields, the header has 5"),
    ),
    Bad(
        "duplicate header",
        "periods",
        "dup.csv",
        lambda: PERIODS_TEXT.replace("price_factor", "hours", 1).encode(),
        ("dup.csv", "column 'hours'", "appears twice"),
    ),
    Bad(
        "gzip named .csv",
        "periods",
        "gz.csv",
        lambda: gzip.compress(PERIODS),
        ("gz.csv", "gzip-compressed", "not CSV text"),
    ),
    Bad(
        "workbook named .csv",
        "periods",
        "book.csv",
        lambda: xlsx_bytes(seed_rows("periods")),
        ("book.csv", "zip archive, not CSV text"),
    ),
    Bad(
        "CSV named .xlsx",
        "periods",
        "text.xlsx",
        lambda: PERIODS,
        ("text.xlsx", "not an Excel workbook", "looks like text"),
    ),
    Bad(
        "CSV named .xls",
        "periods",
        "text.xls",
        lambda: PERIODS,
        ("text.xls", "not an old-style Excel workbook"),
    ),
    Bad(
        "CSV named .parquet",
        "periods",
        "text.parquet",
        lambda: PERIODS,
        ("text.parquet", "not a Parquet file"),
    ),
    Bad(
        "gzip named .parquet",
        "periods",
        "gz.parquet",
        lambda: gzip.compress(PERIODS),
        ("gz.parquet", "not a Parquet file", "gzip"),
    ),
    Bad(
        "truncated Parquet",
        "periods",
        "cut.parquet",
        lambda: parquet_bytes(seed_rows("periods"))[:200],
        ("cut.parquet", "truncated Parquet"),
    ),
    Bad(
        "zip that is not a workbook",
        "periods",
        "notes.xlsx",
        lambda: zip_of("notes.txt", "hello"),
        ("notes.xlsx", "not an Excel workbook"),
    ),
    Bad(
        "truncated workbook",
        "periods",
        "cut.xlsx",
        lambda: xlsx_bytes(seed_rows("periods"))[:300],
        ("cut.xlsx", "cannot be read"),
    ),
    Bad(
        "unknown file type",
        "periods",
        "periods.txt",
        lambda: PERIODS,
        ("periods.txt", "unknown file type '.txt'"),
    ),
    Bad(
        "NUL bytes in CSV",
        "periods",
        "nul.csv",
        lambda: PERIODS.replace(b"jan", b"j\0an"),
        ("nul.csv", "NUL bytes"),
    ),
    # types enforced per column
    Bad(
        "Parquet boolean PUE",
        "sites",
        "bool_pue.parquet",
        lambda: parquet_bytes(typed_sites().assign(pue=[True, False])),
        ("bool_pue.parquet, row 1, column 'pue': value True", "not a boolean"),
    ),
    Bad(
        "Parquet number in a yes/no column",
        "member_states",
        "num_bool.parquet",
        lambda: parquet_bytes(typed_states().assign(eu_member=[1.0, 0.0])),
        ("num_bool.parquet, row 1, column 'eu_member': value 1.0", "yes/no"),
    ),
    Bad(
        "Parquet number in a text column",
        "sites",
        "num_name.parquet",
        lambda: parquet_bytes(typed_sites().assign(site_name=[5, 6])),
        ("num_name.parquet, row 1, column 'site_name': value 5", "must be text, not a number"),
    ),
    Bad(
        "Parquet boolean in a text column",
        "sites",
        "bool_city.parquet",
        lambda: parquet_bytes(typed_sites().assign(city=[True, False])),
        ("row 1, column 'city': value True", "must be text, not a boolean"),
    ),
    Bad(
        "Excel formula never calculated in PUE",
        "sites",
        "formula.xlsx",
        lambda: xlsx_bytes(site(pue="=1+1")),
        ("formula.xlsx, row 1, column 'pue'", "a value is required"),
    ),
    Bad(
        "text in PUE",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="abc")),
        ("s.csv, row 1, column 'pue': value 'abc'", "must be a number (float)"),
    ),
    Bad(
        "decimal comma",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="1,5")),
        ("column 'pue': value '1,5'", "must be a number"),
    ),
    Bad(
        "yes/no as maybe",
        "member_states",
        "m.csv",
        lambda: csv_bytes(state(eu_member="maybe")),
        ("m.csv, row 1, column 'eu_member': value 'maybe'", "yes/no or true/false"),
    ),
    Bad(
        "fraction of an accelerator",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(accelerators="2.5")),
        ("column 'accelerators': value '2.5'", "whole number"),
    ),
    # finite and plausible numbers
    Bad(
        "PUE 1e308",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="1e308")),
        ("s.csv, row 1, column 'pue': value '1e308'", "must be <= 4", "plausible upper bound"),
    ),
    Bad(
        "PUE 40",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="40")),
        ("column 'pue': value '40'", "must be <= 4"),
    ),
    Bad(
        "PUE below 1",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="0.5")),
        ("column 'pue': value '0.5'", "must be >= 1"),
    ),
    Bad(
        "PUE inf",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="inf")),
        ("column 'pue': value 'inf'", "finite number"),
    ),
    Bad(
        "PUE -inf",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="-inf")),
        ("column 'pue': value '-inf'", "finite number"),
    ),
    Bad(
        "PUE nan",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="nan")),
        ("column 'pue': value 'nan'", "finite number"),
    ),
    Bad(
        "Parquet PUE inf",
        "sites",
        "inf.parquet",
        lambda: parquet_bytes(typed_sites().assign(pue=[math.inf, 1.2])),
        ("inf.parquet, row 1, column 'pue': value inf", "finite number"),
    ),
    Bad(
        "WUE 50",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(wue_l_per_kwh="50")),
        ("column 'wue_l_per_kwh': value '50'", "must be <= 10 L/kWh IT"),
    ),
    Bad(
        "capacity 20 GW",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(it_capacity_mw="20000")),
        ("column 'it_capacity_mw': value '20000'", "must be <= 10,000 MW IT"),
    ),
    Bad(
        "negative capacity",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(it_capacity_mw="-5")),
        ("column 'it_capacity_mw': value '-5'", "must be >= 0"),
    ),
    Bad(
        "expansion 1e9 MW",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(expansion_limit_mw="1e9")),
        ("column 'expansion_limit_mw': value '1e9'", "must be <= 10,000 MW IT"),
    ),
    Bad(
        "latitude 95",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(latitude="95")),
        ("column 'latitude': value '95'", "must be <= 90"),
    ),
    Bad(
        "year 1800",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(status_year="1800")),
        ("column 'status_year': value '1800'", "must be >= 1990"),
    ),
    Bad(
        "price 9000 EUR/MWh",
        "member_states",
        "m.csv",
        lambda: csv_bytes(state(elec_price_eur_per_mwh="9000")),
        ("column 'elec_price_eur_per_mwh': value '9000'", "must be <= 5,000 EUR/MWh"),
    ),
    Bad(
        "carbon intensity 5000",
        "member_states",
        "m.csv",
        lambda: csv_bytes(state(grid_ci_g_per_kwh="5000")),
        ("column 'grid_ci_g_per_kwh': value '5000'", "must be <= 2,000 gCO2/kWh"),
    ),
    Bad(
        "share above 1",
        "member_states",
        "m.csv",
        lambda: csv_bytes(state(contribution_share="1.5")),
        ("column 'contribution_share': value '1.5'", "must be <= 1"),
    ),
    Bad(
        "negative share",
        "member_states",
        "m.csv",
        lambda: csv_bytes(state(dh_share_residential_heat="-0.1")),
        ("column 'dh_share_residential_heat': value '-0.1'", "must be >= 0"),
    ),
    Bad(
        "period of 10000 h",
        "periods",
        "p.csv",
        lambda: csv_bytes(first_row("periods", hours="10000")),
        ("p.csv, row 1, column 'hours': value '10000'", "must be <= 8,784 h"),
    ),
    Bad(
        "period of 0 h",
        "periods",
        "p.csv",
        lambda: csv_bytes(first_row("periods", hours="0")),
        ("column 'hours': value '0'", "must be > 0 h"),
    ),
    # identifiers, text and references
    Bad(
        "300-character site id",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(site_id=LONG)),
        ("s.csv, row 1, column 'site_id'", LONG, "1 to 64 letters, digits"),
    ),
    Bad(
        "site id with a hyphen",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(site_id="a-b")),
        ("column 'site_id': value 'a-b'", "LP"),
    ),
    Bad(
        "site id with a space",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(site_id="my site")),
        ("column 'site_id': value 'my site'", "no spaces"),
    ),
    Bad(
        "site id with markup",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(site_id="[x](y)")),
        ("column 'site_id': value '[x](y)'", "letters, digits"),
    ),
    Bad(
        "2000-character name",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(site_name="n" * 2000)),
        ("column 'site_name'", "at most 1000 characters (it has 2000)"),
    ),
    Bad(
        "unknown category",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(category="castle")),
        ("column 'category': value 'castle'", "must be one of"),
    ),
    Bad(
        "unknown country",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(country="XX")),
        ("column 'country': value 'XX'", "ISO 3166-1"),
    ),
    Bad(
        "UK for GB",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(country="UK")),
        ("column 'country': value 'UK'", "GB for the United Kingdom"),
    ),
    Bad(
        "missing required value",
        "sites",
        "s.csv",
        lambda: csv_bytes(site(pue="")),
        ("s.csv, row 1, column 'pue'", "a value is required"),
    ),
    Bad(
        "missing required column",
        "sites",
        "s.csv",
        lambda: csv_bytes(site().drop(columns="pue")),
        ("s.csv, column 'pue'", "required column is missing"),
    ),
    Bad(
        "unknown column",
        "sites",
        "s.csv",
        lambda: csv_bytes(site().assign(colour="red")),
        ("s.csv, column 'colour'", "unknown column for table 'sites'"),
    ),
    Bad(
        "duplicate key",
        "periods",
        "p.csv",
        lambda: (PERIODS_TEXT + PERIODS_TEXT.splitlines()[1] + "\n").encode(),
        ("p.csv, row 3, column 'period'", "duplicate key: already used in row 1"),
    ),
    Bad(
        "reference to no site",
        "heat_options",
        "h.csv",
        lambda: csv_bytes(seed_rows("heat_options").assign(site_id="nowhere")),
        ("h.csv, row 1, column 'site_id': value 'nowhere'", "must exist in sites.site_id"),
    ),
    # replace
    Bad(
        "header-only replace",
        "energy_caps",
        "caps.csv",
        lambda: (seed_rows("energy_caps").head(0).to_csv(index=False)).encode(),
        ("caps.csv", "no data rows", "every row of energy_caps"),
        replace=True,
    ),
    Bad(
        "replace orphaning rows",
        "periods",
        "p.csv",
        lambda: csv_bytes(seed_rows("periods", 1)),
        ("p.csv", "still used in"),
        replace=True,
    ),
]


@pytest.mark.parametrize("case", FILES, ids=[c.id for c in FILES])
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(
    case: Bad, db: Path, tmp_path: Path
) -> None:
    path = tmp_path / case.name
    path.write_bytes(case.data())
    before = digest(db)
    with pytest.raises(optimizer.ValidationError) as error:
        api.import_file(db, case.table, path, replace=case.replace)
    message = str(error.value)
    assert "nothing was written" in message
    for fragment in case.says:
        assert fragment in message, message
    assert digest(db) == before


def test_an_empty_replace_is_done_when_asked_for_explicitly(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "caps.csv"
    path.write_text("country,energy_cap_mw\n", encoding="utf-8")
    counts = api.import_file(db, "energy_caps", path, replace=True, allow_empty=True)
    assert counts["deleted"] == 3 and api.registry(db)["energy_caps"].empty


def test_the_cli_empties_a_table_only_with_allow_empty(db: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "caps.csv"
    path.write_text("country,energy_cap_mw\n", encoding="utf-8")
    command = [sys.executable, "-m", "optimizer", "--db", str(db), "data", "import"]
    command += ["energy_caps", str(path), "--replace"]
    before = digest(db)
    refused = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "no data rows" in refused.stderr
    assert "Traceback" not in refused.stderr and digest(db) == before
    done = subprocess.run([*command, "--allow-empty"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "3 deleted" in done.stdout
    assert api.registry(db)["energy_caps"].empty


def test_text_a_planner_may_type_still_imports(db: Path, tmp_path: Path) -> None:
    """UTF-8 with a BOM, blank lines, spaces in the header and accents are all fine."""
    frame = site(site_id="new_site", site_name="Ström AI, Orléans", city="Orléans", pue="1.3")
    header, rows = frame.to_csv(index=False).split("\n", 1)
    path = tmp_path / "ok.csv"
    path.write_bytes(("\n" + header.replace(",", ", ") + "\n\n" + rows + "\n").encode("utf-8-sig"))
    assert api.import_file(db, "sites", path) == {
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
    }
    row = api.registry(db)["sites"].set_index("site_id").loc["new_site"]
    assert row["site_name"] == "Ström AI, Orléans" and row["pue"] == 1.3


def test_every_number_column_has_a_plausible_upper_bound() -> None:
    unbounded = [
        f"{t.name}.{c.name}"
        for t in TABLES.values()
        for c in t.columns
        if c.type in ("int", "float") and c.max is None
    ]
    assert unbounded == []
    pue = TABLES["sites"].column("pue")
    assert (pue.min, pue.max) == (1.0, 4.0)


# --------------------------------------------------------------------------- scenario values
SCENARIOS = [
    (
        {"carbon_price_eur_per_t": math.inf},
        "carbon_price_eur_per_t=inf: must be a number >= 0 and <= 10000",
    ),
    ({"demand_growth": math.nan}, "demand_growth=nan: must be a number >= 0"),
    (
        {"energy_cap_overrides": {"PT": math.inf}},
        "energy_cap_overrides.PT=inf: must be a number >= 0",
    ),
    ({"heat_price_eur_per_mwh_th": -1.0}, "heat_price_eur_per_mwh_th=-1.0: must be a number >= 0"),
    ({"min_home_share": 1.5}, "min_home_share=1.5: must be a number >= 0 and <= 1"),
    ({"rules": {"sensitive": "nowhere"}}, "rules.sensitive='nowhere': must be one of"),
    ({"colour": "red"}, "unknown scenario key(s): colour"),
    ({"disabled_constraints": ["gravity"]}, "disabled_constraints='gravity': must be one of"),
]


@pytest.mark.parametrize(("data", "says"), SCENARIOS, ids=[str(d) for d, _ in SCENARIOS])
def test_a_bad_scenario_value_names_key_value_and_rule(data: dict[str, object], says: str) -> None:
    with pytest.raises(optimizer.ScenarioError) as error:
        scenario.from_dict(data)
    assert says in str(error.value)


# --------------------------------------------------------------------------- page addresses
EVIL = "[x](http://evil.example) ![i](http://evil.example/i.png)"
ADDRESSES = [
    ({"rules": "5"}, "rules=5", "must be a table of entries"),
    ({"carbon_price_eur_per_t": "inf"}, "carbon_price_eur_per_t=inf", "<= 10000"),
    ({"carbon_price_eur_per_t": "-inf"}, "carbon_price_eur_per_t=-inf", "must be a number >= 0"),
    ({"carbon_price_eur_per_t": "nan"}, "carbon_price_eur_per_t=nan", "<= 10000"),
    ({"carbon_price_eur_per_t": "-3"}, "carbon_price_eur_per_t=-3", "must be a number >= 0"),
    ({"demand_growth": "abc"}, "demand_growth=abc", "must be a number >= 0"),
    ({"colour": "red"}, "colour=red", "unknown scenario key(s): colour"),
    ({"rules.sensitive": '"nowhere"'}, 'rules.sensitive="nowhere"', "must be one of home"),
    ({"rules.sensitive": EVIL}, "rules.sensitive=", "must be one of home"),
    ({"energy_cap_overrides": "x"}, "energy_cap_overrides='x'", "must be a table of entries"),
    ({"energy_cap_overrides.PT": "-5"}, "energy_cap_overrides.PT=-5", "must be a number >= 0"),
    ({"min_home_share": "2"}, "min_home_share=2", "must be a number >= 0 and <= 1"),
    ({"disabled_constraints": '["gravity"]'}, "disabled_constraints=", "must be one of"),
    ({"gpu_cap_applies_to": '"some"'}, "gpu_cap_applies_to=", "must be one of untrusted, all"),
    ({"time_limit_s": "0"}, "time_limit_s=0", "must be a number > 0"),
    (
        {"name.x": "1"},
        "name.x=1",
        "only the tables (rules.NAME, energy_cap_overrides.NAME, reuse_floors.NAME) take a "
        "dotted key",
    ),
    (
        {"carbon_price_eur_per_t": "100", "demand_growth": "abc"},
        "demand_growth=abc",
        "must be a number >= 0",
    ),
]


def shown_text(at: AppTest) -> list[str]:
    """The Markdown bodies and labels a visitor sees on the page."""
    bodies = [
        e.value
        for kind in ("markdown", "caption", "warning", "error", "success", "info")
        for e in getattr(at, kind)
    ]
    return bodies + [
        w.label
        for kind in ("selectbox", "slider", "number_input", "multiselect")
        for w in getattr(at, kind)
    ]


def unescape(text: str) -> str:
    return text.replace("\\", "").replace("\u2060", "").replace("  \n", "\n")


@pytest.mark.parametrize(
    ("query", "key_value", "rule"), ADDRESSES, ids=[str(q) for q, _, _ in ADDRESSES]
)
def test_a_bad_page_address_says_why_and_shows_the_baseline(
    query: dict[str, str], key_value: str, rule: str, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    before = digest(db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    [warning] = [unescape(w.value) for w in at.warning if "not valid" in w.value]
    assert "the baseline is shown" in warning and key_value in warning and rule in warning
    carbon = next(s for s in at.slider if s.label.startswith("Carbon cost"))
    assert carbon.value == optimizer.Scenario().carbon_price_eur_per_t
    assert all("](" not in text and "![" not in text for text in shown_text(at))
    assert digest(db) == before


def test_markup_in_registry_names_and_links_renders_as_literal_text(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.csv"
    workloads = seed_rows("workload_classes", 3)
    workloads.loc[0, "name"] = "**bold**"
    path.write_bytes(csv_bytes(workloads))
    api.import_file(db, "workload_classes", path)
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes(site(site_name=EVIL)))
    api.import_file(db, "sites", path)
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    for page in ("app.py", "views/1_Plan.py", "views/4_Data.py"):
        at = AppTest.from_file(str(ROOT / page), default_timeout=60)
        at.query_params["rules.sensitive"] = EVIL
        at.run()
        assert not at.exception
        shown = shown_text(at)
        assert "\\*\\*bold\\*\\* may run" in shown
        assert not any("**bold**" in t or "](" in t or "![" in t for t in shown)
        warning = next(w.value for w in at.warning if "not valid" in w.value)
        assert "\\[x\\]\\(http\u2060\\://evil\\.example\\) \\!\\[i\\]" in warning
        assert EVIL in unescape(warning)


def test_a_valid_value_beyond_a_slider_keeps_the_page_working(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    at = AppTest.from_file(str(ROOT / "views/1_Plan.py"), default_timeout=60)
    at.query_params["carbon_price_eur_per_t"] = "500.0"
    at.run()
    assert not at.exception and not at.warning
    assert next(s for s in at.slider if s.label.startswith("Carbon cost")).value == 500.0
    at = AppTest.from_file(str(ROOT / "views/1_Plan.py"), default_timeout=60)
    at.query_params["carbon_price_eur_per_t"] = "1e308"
    at.run()
    assert not at.exception
    assert any("<= 10000" in unescape(w.value) for w in at.warning)


# --------------------------------------------------------------------------- exports
FORMULAS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_formula_like_text_is_neutralised_and_numbers_stay_numbers() -> None:
    frame = pd.DataFrame({"name": [*FORMULAS, "plain"], "value": [-1.5, 2, -3, 4, 5, 6, 7]})
    safe = optimizer.spreadsheet_safe(frame)
    assert safe["name"].tolist() == ["'" + f for f in FORMULAS] + ["plain"]
    assert safe["value"].tolist() == [-1.5, 2, -3, 4, 5, 6, 7]
    assert frame["name"].iloc[0].startswith("=")  # the caller's frame is left alone


def formula_cells_of_workbook(data: bytes) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@")
    ]


def test_every_export_path_writes_formulas_as_text(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes(site(site_name=FORMULAS[0], city="-Paris", host_entity="@x")))
    api.import_file(db, "sites", path)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"sites{suffix}"
        api.export_file(db, "sites", out)
        if suffix == ".csv":
            cells = pd.read_csv(out, dtype=str).set_index("site_id").loc[site()["site_id"][0]]
            assert cells["site_name"] == "'" + FORMULAS[0]
            assert (cells["city"], cells["host_entity"]) == ("'-Paris", "'@x")
            assert cells["pue"] == site()["pue"][0]  # numbers stay numbers
        else:
            assert formula_cells_of_workbook(out.read_bytes()) == []
    plan = optimizer.plan(optimizer.Scenario(name="=cmd|' /C calc'!A0"), db=db)
    book = optimizer.workbook_bytes(plan, optimizer.Scenario(name="=cmd|' /C calc'!A0"))
    assert formula_cells_of_workbook(book) == []
    assert (
        "'=cmd|' /C calc'!A0"
        in pd.read_excel(io.BytesIO(book), sheet_name="scenario").iloc[:, 1].tolist()
    )
    written = optimizer.export_run(
        plan, optimizer.Scenario(name="=1+1"), {}, tmp_path / "run", fmt="xlsx"
    )
    assert all(
        formula_cells_of_workbook(p.read_bytes()) == [] for p in written if p.suffix == ".xlsx"
    )
    table = api.registry_table(db, "sites")
    assert formula_cells_of_workbook(optimizer.excel_bytes({"sites": table})) == []
    assert "\"'=HYPERLINK" in optimizer.csv_text(table)


# --------------------------------------------------------------------------- disk full
#: A run stored on a full disk, then what is stored.
FULL_RUN = """
import sys
import pandas as pd
from optimizer import store
with store.connect(sys.argv[1]) as con:
    big = {f"t{i}": pd.DataFrame({"a": ["z" * 200_000]}) for i in range(40)}
    try:
        store.save_run(con, "r1", "s", "{}", {"status": "optimal"}, big)
    except store.StoreError as e:
        print("MESSAGE:", e)
with store.connect(sys.argv[1]) as con:
    print("RUNS:", len(store.load_runs(con)))
"""

#: 60,000 sites imported on a nearly full disk (the copy beside the database, then the
#: database itself, run out of space), then what is stored and what is left beside it.
FULL_IMPORT = """
import sys
from pathlib import Path
from bench.imports import sites_file
from optimizer import api, store
db = Path(sys.argv[1])
with store.connect(db):
    pass
try:
    api.import_file(db, "sites", sites_file(db.parent.parent / "sites.csv", 60_000))
except store.StoreError as e:
    print("MESSAGE:", e)
print("SITES:", len(api.registry_table(db, "sites")))
print("BESIDE:", sorted(p.name for p in db.parent.iterdir() if ".import-" in p.name))
"""


@pytest.mark.parametrize(
    ("script", "size", "kept"),
    [(FULL_RUN, "3m", ["RUNS: 0"]), (FULL_IMPORT, "9m", ["SITES: 101", "BESIDE: []"])],
    ids=["run", "import"],
)
def test_a_full_disk_says_so_and_keeps_the_database(
    script: str, size: str, kept: list[str], tmp_path: Path
) -> None:
    """A real full disk: a small tmpfs in a private mount namespace (`unshare`, no root)."""
    import subprocess
    import sys

    path = tmp_path / "full.py"
    path.write_text(script, encoding="utf-8")
    disk = tmp_path / "disk"
    disk.mkdir()
    shell = (
        f"mount -t tmpfs -o size={size} tmpfs {disk} && "
        f"{sys.executable} {path} {disk / 'full.duckdb'}"
    )
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", shell],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "No space left on device" in done.stdout and "nothing was saved" in done.stdout
    assert "cannot rollback" not in done.stdout + done.stderr
    assert all(line in done.stdout.splitlines() for line in kept), done.stdout
