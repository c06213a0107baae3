"""Viewers and editors: the roles file, the single-user mode and the read-only Data page."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from optimizer.roles import EDITORS_ENV, SINGLE_USER_ENV, RolesError, access, read_editors

ROOT = Path(__file__).resolve().parents[1]


def roles(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "editors.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_roles_file_names_editors_by_email(tmp_path: Path) -> None:
    path = roles(tmp_path, '# who may edit\neditors = ["Ana@Example.eu", "jonas@example.eu"]\n')
    assert read_editors(path) == {"ana@example.eu", "jonas@example.eu"}
    assert read_editors(tmp_path / "missing.toml") == frozenset()


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('# editors\neditors = ["a@b.eu",\n  "c@d.eu"\n', 3, "Unclosed array"),
        ('editors = ["a@b.eu"]\nthis is not toml\n', 2, "not valid TOML"),
        ("editors = 'a@b.eu'\n", 1, "a list of e-mail addresses"),
        ("# nobody\n", 1, "a list of e-mail addresses"),
        ('editors = [\n  "a@b.eu",\n  "not an address",\n]\n', 3, "'not an address' is not an"),
        ("editors = [\n  3,\n]\n", 2, "3 is not an e-mail address"),
    ],
)
def test_a_bad_roles_file_names_the_file_and_the_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = roles(tmp_path, text)
    with pytest.raises(RolesError) as bad:
        read_editors(path)
    assert str(bad.value).startswith(f"{path}, line {line}: ") and reason in str(bad.value)


def test_who_may_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EDITORS_ENV, str(roles(tmp_path, 'editors = ["ana@example.eu"]')))
    monkeypatch.delenv(SINGLE_USER_ENV, raising=False)
    assert not access(None, None).can_edit  # no identity provider: read-only
    assert "read-only" in access(None, None).why
    assert not access(False, None).can_edit  # provider, not signed in
    editor = access(True, "ANA@example.eu")
    assert editor.can_edit and editor.who == "ANA@example.eu"
    viewer = access(True, "bob@example.eu")
    assert not viewer.can_edit and "viewer" in viewer.why
    monkeypatch.setenv(SINGLE_USER_ENV, "1")
    local = access(None, None)
    assert local.can_edit and local.who == f"local single user ({getpass.getuser()})"


@pytest.mark.parametrize("single_user", ["", "1"])
def test_the_data_page_is_read_only_unless_single_user(
    single_user: str, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOVCOMPUTE_DB", str(db))
    monkeypatch.setenv(SINGLE_USER_ENV, single_user)
    at = AppTest.from_file(str(ROOT / "views/4_Data.py"), default_timeout=60)
    at.run()
    assert not at.exception
    editor = at.dataframe[1].proto
    said = " ".join(i.value for i in at.info)
    if single_user:
        assert not editor.disabled and "read" not in said
    else:
        assert editor.disabled and "read\\-only" in said and "bash scripts/dashboard" in said
        assert next(b for b in at.button if b.label == "Save edits").disabled


def test_the_local_dashboard_command_turns_on_single_user_mode() -> None:
    script = (ROOT / "scripts" / "dashboard").read_text()
    assert f"{SINGLE_USER_ENV}=1" in script and "--server.address 127.0.0.1" in script
