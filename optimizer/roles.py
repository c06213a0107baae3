"""Who may edit the registry from the dashboard: viewers, editors and the single local user.

A deployment signs people in with Streamlit's OpenID Connect login (`st.login`, `[auth]` in
.streamlit/secrets.toml) and names its editors in a roles file (TOML):

    editors = ["ana@example.eu", "jonas@example.eu"]

at $SOVCOMPUTE_EDITORS, else .streamlit/editors.toml. Everyone else who is signed in views.
Without a login the dashboard is read-only, unless it runs in single-user mode
($SOVCOMPUTE_SINGLE_USER=1, set by `bash scripts/dashboard`, which listens on 127.0.0.1 only).
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EDITORS_ENV = "SOVCOMPUTE_EDITORS"
SINGLE_USER_ENV = "SOVCOMPUTE_SINGLE_USER"
DEFAULT_EDITORS = ROOT / ".streamlit" / "editors.toml"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class RolesError(ValueError):
    """The roles file cannot be used; the message names the file and the line."""


def editors_path() -> Path:
    """Return the roles file: $SOVCOMPUTE_EDITORS, else .streamlit/editors.toml."""
    return Path(os.environ.get(EDITORS_ENV) or DEFAULT_EDITORS)


def _line_of(text: str, needle: str) -> int:
    return next((n for n, line in enumerate(text.splitlines(), 1) if needle in line), 1)


def read_editors(path: Path) -> frozenset[str]:
    """Return the e-mail addresses (lower case) the roles file names as editors.

    A missing file names nobody.

    Raises:
        RolesError: the file is not TOML, has no `editors` list, or lists something that is
            not an e-mail address; the message names the file and the line.
    """
    if not path.exists():
        return frozenset()
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        body = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"(.*) \(at (?:line (\d+), column \d+|end of document)\)", str(e))
        reason = found.group(1) if found else str(e)
        line = (found.group(2) if found else None) or max(1, len(text.splitlines()))
        raise RolesError(f"{path}, line {line}: not valid TOML ({reason})") from None
    editors = body.get("editors")
    if not isinstance(editors, list):
        raise RolesError(
            f"{path}, line {_line_of(text, 'editors') if 'editors' in text else 1}: "
            'expected editors = ["name@example.eu", ...], a list of e-mail addresses'
        )
    for value in editors:
        if not isinstance(value, str) or not EMAIL.fullmatch(value.strip()):
            raise RolesError(
                f"{path}, line {_line_of(text, str(value))}: {value!r} is not an e-mail address"
            )
    return frozenset(v.strip().lower() for v in editors)


@dataclass(frozen=True, slots=True)
class Access:
    """What the person looking at the dashboard may do, who they are, and why."""

    can_edit: bool
    who: str  # recorded in provenance
    why: str  # one sentence for the page


def single_user() -> bool:
    """Say whether the dashboard runs in single-user editing mode ($SOVCOMPUTE_SINGLE_USER=1)."""
    return os.environ.get(SINGLE_USER_ENV, "").strip().lower() in ("1", "true", "yes")


def access(login: bool | None, email: str | None) -> Access:
    """Decide what the person may do.

    Args:
        login: None when no identity provider is configured, else whether they are signed in.
        email: the signed-in person's e-mail address.
    """
    if single_user():
        who = f"local single user ({getpass.getuser()})"
        return Access(True, who, "Single-user mode: this dashboard is yours alone.")
    if login is None:
        return Access(
            False,
            "viewer",
            "This dashboard has no login configured, so it is read-only. To edit on your own "
            "machine, start it with: bash scripts/dashboard (single-user mode); a shared "
            "deployment signs editors in (docs/reliability.md).",
        )
    if not login or not email:
        return Access(False, "viewer", "Sign in to edit; viewers can read and download.")
    path = editors_path()
    if email.strip().lower() in read_editors(path):
        return Access(True, email, f"Signed in as {email}, an editor.")
    return Access(
        False, email, f"Signed in as {email}, a viewer: the roles file {path.name} names editors."
    )
