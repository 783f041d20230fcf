"""Numbers in real Chromium: the page reads them by the server's rule, and they round-trip exactly."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from survey_app.questionnaires.display import format_percent, parse_number

from .pages import ROUND, UNIT, answer, autosaved, log_in, open_legal_group, question, save_draft

pytestmark = pytest.mark.browser

TYPED = ["0,5", "0.5", "1.5", "1,5", "1.234", "1,234", "12.345.678,125", "12,345,678.125", "1.234,50", "1.234,",
         "1.", ",5", ".5", "01.234", "1.234.5", "1.2.3", "-1.234", "-0,25", "1e5", "1_000", "mười lăm", "",
         "1 234,5", "00,5", "10.000.000.000", "12.34.567", "1,23,456"]

RATIOS = [(1, 400), (7, 200), (1, 3), (2, 3), (1, 8), (5, 5), (123456, 100), (0.5, 1), (1, 1600), (3, 16)]


def server_reads(text: str, locale: str) -> float | None:
    try:
        return float(parse_number(text, locale))
    except ValueError:
        return None


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_page_reads_every_number_as_the_server_does(page: Page, language: str) -> None:
    log_in(page, "stp-editor")
    open_legal_group(page)
    if language == "en":
        page.click("header button[lang=en]")
        expect(page.locator("html")).to_have_attribute("lang", "en")
    # The page's script is deferred: the new page's language shows before it has run.
    page.wait_for_function("() => typeof window.surveyNumber === 'function'")
    page_reads = page.evaluate("texts => texts.map(t => window.surveyNumber(t))", TYPED)
    assert dict(zip(TYPED, page_reads, strict=True)) == {t: server_reads(t, language) for t in TYPED}
    page_shows = page.evaluate("pairs => pairs.map(p => window.surveyPercent(p[0], p[1]))", RATIOS)
    assert page_shows == [format_percent(a, b, language) for a, b in RATIOS]


def test_live_ratio_and_condition_follow_the_server_s_reading(page: Page) -> None:
    """Finding 4: `0.5` typed in Vietnamese is a half on the page too."""
    log_in(page, "stp-editor")
    open_legal_group(page)
    ratio = question(page, "PL-08")
    ratio.get_by_role("textbox").nth(0).fill("0.5")
    ratio.get_by_role("textbox").nth(1).fill("1")
    expect(ratio.locator("output.percent")).to_have_text("50,0%")
    answer(page, "PL-04").fill("0.5")  # at_least 1 shows PL-04a: a half does not
    expect(question(page, "PL-04a")).to_be_hidden()
    answer(page, "PL-04").fill("1.000")
    expect(question(page, "PL-04a")).to_be_visible()
    save_draft(page)  # and the server agrees
    expect(question(page, "PL-04a")).to_be_visible()


def test_numbers_typed_the_vietnamese_way_round_trip_exactly(page: Page) -> None:
    """Finding 3: a value read back and saved again is the same value, with no new revision."""
    log_in(page, "stp-editor")
    page.goto(f"/rounds/{ROUND}/units/{UNIT}/groups/resources")
    box = question(page, "NL-01")
    numerator, denominator = box.get_by_role("textbox").nth(0), box.get_by_role("textbox").nth(1)
    numerator.fill("0,5")
    denominator.fill("12.345.678,125")
    save_draft(page)
    expect(numerator).to_have_value("0,5")
    expect(denominator).to_have_value("12345678,125")
    save_draft(page)  # nothing touched: nothing changes
    page.goto(f"/rounds/{ROUND}/units/{UNIT}/history/NL-01")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr td").nth(3)).to_contain_text("0,5 / 12.345.678,125")

    page.goto(f"/rounds/{ROUND}/units/{UNIT}/groups/resources")
    with autosaved(page):
        numerator.fill("1.5")
    page.reload()
    expect(numerator).to_have_value("1,5")
    denominator.fill("10.000.000.000")
    save_draft(page)
    expect(denominator).to_have_value("10000000000")
