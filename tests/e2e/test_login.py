"""A deployment with login lets only editors write: a real OpenID Connect provider, real sign-ins.

The provider is oidc-provider-mock (a real OpenID Connect server, Authlib under Flask) on a
local port: it serves discovery, the authorization form, tokens, signed ID tokens and keys, and
signs in whoever's e-mail is typed on its form. The dashboard runs as a deployment does:
without single-user mode, with Streamlit's login configured by a secrets.toml written to a
temporary folder (`--secrets.files`; the repository's .streamlit is not touched) and a roles
file naming one editor. Debian chromium signs in as the editor and as a viewer.

Nothing leaves localhost: the server's and the browser's sockets are sampled all along, the
browser's requests to anything but 127.0.0.1 are refused, and the browser resolves no host name
(`FLAGS`). (The provider's authorization form links a stylesheet on a CDN: that request is the
only one refused, and it comes from the provider's page, not the dashboard's; before host names
were refused, chromium sent a DNS query for it.)
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import Browser, Page, Route

from optimizer import store
from optimizer.roles import EDITORS_ENV
from tests.e2e.server import free_port, outside, running_app, sockets_seen
from tests.e2e.test_browser import edit_site_cell
from tests.test_store import fingerprint

EDITOR, VIEWER = "ana@example.eu", "bob@example.eu"


@dataclass
class Deployment:
    url: str  # the dashboard
    idp: str  # the identity provider
    db: Path
    seen: set[tuple[str, str, str]]  # sockets of the server and the browser
    refused: list[tuple[str, str]] = field(default_factory=list)  # (page, request) refused


@pytest.fixture(scope="module")
def deployment(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The dashboard with login, on a copy of the default database, beside a local provider."""
    tmp = tmp_path_factory.mktemp("login")
    db = tmp / "app.duckdb"
    shutil.copy(template_db, db)
    editors = tmp / "editors.toml"
    editors.write_text(f'editors = ["{EDITOR}"]\n', encoding="utf-8")
    port = free_port()
    with run_server_in_thread() as provider, sockets_seen() as seen:
        idp = f"http://127.0.0.1:{provider.server_port}"
        config = tmp / "secrets.toml"
        config.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_hex(32)}"\n'
            'client_id = "sovcompute"\n'
            f'client_secret = "{secrets.token_hex(16)}"\n'
            f'server_metadata_url = "{idp}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        with running_app(
            db,
            tmp / "streamlit.log",
            single_user=False,
            port=port,
            extra=["--secrets.files", str(config)],
            env={EDITORS_ENV: str(editors)},
        ) as url:
            yield Deployment(url, idp, db, seen)


def data_page(browser: Browser, d: Deployment, email: str | None) -> Page:
    """Open the Data page in a new browser profile, signed in as `email` (None: signed out)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})

    def local_only(route: Route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            d.refused.append((route.request.frame.url, route.request.url))
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.goto(f"{d.url}/Data")
    page.get_by_role("button", name="Save edits").wait_for(timeout=60000)
    if email is not None:
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{d.idp}/oauth2/authorize?*", timeout=30000)
        page.get_by_placeholder("Subject").fill(email)
        page.get_by_role("button", name="Authorize", exact=True).click()
        page.wait_for_url(f"{d.url}/**", timeout=30000)  # back through /oauth2callback
        page.goto(f"{d.url}/Data")
        page.get_by_role("button", name="Sign out").wait_for(timeout=60000)
    return page


def shown(email: str) -> str:
    """An e-mail address as the page shows it: broken by a word joiner, so it is no link."""
    return email.replace("@", "@\u2060")


def editable(page: Page) -> bool:
    """Say whether the Data page's editor takes edits (it then offers "Add row"), once its
    toolbar is there."""
    editor = page.locator('[data-testid="stDataFrame"]').nth(1)
    editor.get_by_role("button", name="Show/hide columns").wait_for(state="attached", timeout=60000)
    return editor.get_by_role("button", name="Add row").count() > 0


def assert_cannot_edit(page: Page) -> None:
    """The editor takes no edit: typing into it leaves nothing to save, and "Save edits"
    cannot be pressed."""
    assert not editable(page)
    canvas = (
        page.locator('[data-testid="stDataFrame"]')
        .nth(1)
        .locator('[data-testid="data-grid-canvas"]')
    )
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 40, box["y"] + 35 + 17)  # the first row's first cell
    page.keyboard.press("Enter")
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    page.wait_for_timeout(2000)
    assert page.get_by_text("No unsaved changes.").is_visible()
    assert page.get_by_role("button", name="Save edits").is_disabled()


def assert_stayed_local(d: Deployment) -> None:
    assert d.seen, "the watcher saw no socket"
    assert outside(d.seen) == []
    assert all(page.startswith(f"{d.idp}/") for page, _ in d.refused), d.refused


def test_signed_out_the_dashboard_is_read_only(browser: Browser, deployment: Deployment) -> None:
    page = data_page(browser, deployment, None)
    page.get_by_text("Sign in to edit; viewers can read and download.").wait_for(timeout=30000)
    assert page.get_by_role("button", name="Sign in").is_visible()
    assert_cannot_edit(page)
    assert_stayed_local(deployment)


def test_a_viewer_signs_in_and_cannot_save(browser: Browser, deployment: Deployment) -> None:
    before = fingerprint(deployment.db)
    page = data_page(browser, deployment, VIEWER)
    page.get_by_text(
        f"Signed in as {shown(VIEWER)}, a viewer: the roles file editors.toml names editors."
    ).wait_for(timeout=30000)
    assert_cannot_edit(page)
    assert fingerprint(deployment.db) == before
    assert_stayed_local(deployment)


def test_an_editor_signs_in_saves_an_edit_recorded_by_email_and_signs_out(
    browser: Browser, deployment: Deployment
) -> None:
    from optimizer import registry_table

    db = deployment.db
    sites = registry_table(db, "sites")
    first, was = sites["site_id"].iloc[0], f"{sites['pue'].iloc[0]:g}"
    page = data_page(browser, deployment, EDITOR)
    page.get_by_text(f"Signed in as {shown(EDITOR)}, an editor.").wait_for(timeout=30000)
    assert editable(page)

    edit_site_cell(page, page.locator('[data-testid="stDataFrame"]').nth(1), "pue", "1.13")
    page.get_by_text(f"Not saved yet: sites: row {first}: pue {was} → 1.13").wait_for(timeout=30000)
    page.get_by_role("button", name="Save edits").click()
    page.get_by_text(f"Saved: sites: row {first}: pue {was} → 1.13").wait_for(timeout=30000)
    assert registry_table(db, "sites").set_index("site_id").loc[first, "pue"] == 1.13
    with store.connect(db) as con:
        record = store.load_provenance(con, "sites").set_index(["row_key", "column_name"])
    assert record.loc[(first, "pue"), "recorded_by"] == EDITOR
    assert record.loc[(first, "pue"), "kind"] == "user_edit"

    page.get_by_role("button", name="Sign out").click()  # the provider confirms, then back
    page.wait_for_url(f"{deployment.idp}/oauth2/end_session?*", timeout=30000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{deployment.url}/**", timeout=30000)
    page.goto(f"{deployment.url}/Data")
    page.get_by_role("button", name="Sign in").wait_for(timeout=60000)
    page.get_by_text("Sign in to edit; viewers can read and download.").wait_for(timeout=30000)
    assert not editable(page)
    assert_stayed_local(deployment)
