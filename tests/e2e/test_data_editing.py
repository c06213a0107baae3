"""Two people on the Data page edit the same cell: the second save is refused with both values,
and reapplying saves it knowingly; a deleted row is saved only once confirmed. Real server, real
DuckDB file, Debian chromium.

The page's Markdown shows the "->" of optimizer.EditSet.describe as "→".
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Locator, Page

from tests.e2e.test_browser import edit_site_cell


def open_data_page(browser: Browser, url: str) -> tuple[Page, Locator]:
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.goto(f"{url}/Data")
    page.get_by_role("button", name="Save edits").wait_for(timeout=60000)
    return page, page.locator('[data-testid="stDataFrame"]').nth(1)


def test_two_pages_editing_the_same_cell_the_second_is_refused_then_reapplied(
    server: tuple[str, Path], browser: Browser
) -> None:
    from optimizer import registry_table

    url, db = server
    before = registry_table(db, "sites").set_index("site_id")
    first, was = before.index[0], f"{before['pue'].iloc[0]:g}"
    ana, ana_editor = open_data_page(browser, url)
    bo, bo_editor = open_data_page(browser, url)  # both loaded the same rows

    edit_site_cell(ana, ana_editor, "pue", "1.11")
    ana.get_by_text(f"Not saved yet: sites: row {first}: pue {was} → 1.11").wait_for(timeout=30000)
    ana.get_by_role("button", name="Save edits").click()
    ana.get_by_text(f"Saved: sites: row {first}: pue {was} → 1.11").wait_for(timeout=30000)
    assert registry_table(db, "sites").set_index("site_id").loc[first, "pue"] == 1.11

    edit_site_cell(bo, bo_editor, "pue", "1.22")
    bo.get_by_text(f"Not saved yet: sites: row {first}: pue {was} → 1.22").wait_for(timeout=30000)
    bo.get_by_role("button", name="Save edits").click()
    bo.get_by_text("Someone else changed these cells").wait_for(timeout=30000)
    bo.get_by_text(
        f"row {first}, column 'pue': your value 1.22, now in the database 1.11 "
        f"(you started from {was})"
    ).wait_for(timeout=30000)
    assert registry_table(db, "sites").set_index("site_id").loc[first, "pue"] == 1.11

    bo.get_by_role("button", name="Reapply my edits on the current values").click()
    bo.get_by_text(f"Not saved yet: sites: row {first}: pue 1.11 → 1.22").wait_for(timeout=30000)
    bo.get_by_role("button", name="Save edits").click()
    bo.get_by_text(f"Saved: sites: row {first}: pue 1.11 → 1.22").wait_for(timeout=30000)
    after = registry_table(db, "sites").set_index("site_id")
    assert after.loc[first, "pue"] == 1.22
    assert after.drop(index=first)["pue"].equals(before.drop(index=first)["pue"])


def test_deleting_a_row_needs_a_confirmation_then_deletes_it(
    server: tuple[str, Path], browser: Browser
) -> None:
    from optimizer import registry

    url, db = server
    reg = registry(db)
    sites, used = reg["sites"], set(reg["heat_options"]["site_id"])
    i = next(n for n, s in enumerate(sites["site_id"]) if s not in used)
    site = sites["site_id"].iloc[i]
    page, editor = open_data_page(browser, url)
    canvas = editor.locator('[data-testid="data-grid-canvas"]')
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 35 * i + 17)  # the row's selection marker
    page.keyboard.press("Delete")
    page.get_by_text(f"Not saved yet: sites: deleted 1 row(s): {site}").wait_for(timeout=30000)
    page.get_by_role("button", name="Save edits").click()
    page.get_by_text("Tick the box above to confirm the deletion").wait_for(timeout=30000)
    assert site in set(registry(db)["sites"]["site_id"])
    page.get_by_text("Yes, delete 1 row(s) from sites").click()
    page.get_by_role("button", name="Save edits").click()
    page.get_by_text(f"Saved: sites: deleted 1 row(s): {site}").wait_for(timeout=30000)
    assert site not in set(registry(db)["sites"]["site_id"])
    assert len(registry(db)["sites"]) == len(sites) - 1
