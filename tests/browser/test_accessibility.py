"""axe-core finds no serious or critical problem on the respondent pages,
in Vietnamese and English, on a desktop and on a phone.

axe-core itself ships inside the axe-playwright-python package (no network).
One logged-in browser context per language walks every page at both widths.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import LiveServer, new_page
from .pages import ROUND, UNIT, confirm_submit, fill_required, log_in, open_legal_group

pytestmark = pytest.mark.browser

AXE = Path(axe_playwright_python.__file__).with_name("axe.min.js")  # axe-core, as the package ships it
WIDTHS = ({"width": 1280, "height": 900}, {"width": 390, "height": 844})
GROUPS = ("legal", "infrastructure", "data", "security", "resources")


@pytest.fixture(scope="module")
def submitted_legal(browser: Browser, live_server: LiveServer) -> Iterator[LiveServer]:
    """The Department of Justice with its legal group submitted (read-only), the rest open."""
    live_server.reset_unit(UNIT)
    page = new_page(browser, live_server, viewport=WIDTHS[0])
    log_in(page)
    open_legal_group(page)
    fill_required(page)
    confirm_submit(page)
    expect(page.locator("#group-form")).to_have_count(0)
    page.context.close()
    yield live_server


def serious(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    violations = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [f"{v['id']} ({v['impact']}): " + "; ".join(str(n["target"][0]) for n in v["nodes"][:3])
            for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_serious_accessibility_problem(browser: Browser, submitted_legal: LiveServer, language: str) -> None:
    page = new_page(browser, submitted_legal, viewport=WIDTHS[0])
    page.context.add_init_script(path=AXE)  # loaded by the browser with each page, not sent per check
    try:
        log_in(page)
        if language == "en":
            page.click("header button[lang=en]")
            expect(page.locator("html")).to_have_attribute("lang", "en")
        base = f"/rounds/{ROUND}/units/{UNIT}"
        paths = [base, *(f"{base}/groups/{g}" for g in GROUPS), f"{base}/results", f"{base}/history/PL-01"]
        found: dict[str, list[str]] = {}
        for path in paths:
            page.goto(path)
            for size in WIDTHS:
                page.set_viewport_size(size)
                problems = serious(page)
                if problems:
                    found[f"{path} @{size['width']}px"] = problems
        assert not found, "\n".join(f"{where}: {p}" for where, p in found.items())
        assert re.search(r"/history/PL-01$", page.url)
        page.get_by_role("navigation").get_by_role("link", name="PL-01").click()  # back to the question itself
        page.wait_for_url("**/groups/legal#q-PL-01")
        expect(page.locator(":target")).to_have_id("q-PL-01")
    finally:
        page.context.close()
