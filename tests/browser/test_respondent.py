"""A unit head fills, saves, resumes and submits a group in real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .pages import (
    MINIMAL_PDF,
    SAVE,
    confirm_submit,
    field,
    fill_required,
    log_in,
    open_legal_group,
    question,
    save_draft,
)

pytestmark = pytest.mark.browser


def test_every_question_type_survives_save_and_reload(page: Page) -> None:
    log_in(page)
    open_legal_group(page)
    expect(question(page, "PL-01a")).to_be_hidden()  # its condition is not met yet
    page.check(field("PL-01") + '[value="yes"]')  # yes/no
    expect(question(page, "PL-01a")).to_be_visible()  # shown live by the condition
    page.fill(field("PL-01a"), "20/03/2024")  # date
    page.check(field("PL-02") + '[value="person"]')  # multiple choice
    page.check(field("PL-02") + '[value="time"]')
    page.check(field("PL-03") + '[value="deputy"]')  # single choice (ordered levels)
    page.fill(field("PL-08", "numerator"), "2")  # ratio, with its percentage
    page.fill(field("PL-08", "denominator"), "3")
    expect(question(page, "PL-08").locator("output.percent")).to_have_text("66,7%")
    page.check(field("PL-10") + '[value="4"]')  # severity
    page.fill(field("PL-10a"), "Chưa có hướng dẫn công nhận bản điện tử <b>gấp</b>")  # text
    page.fill(field("PL-04"), "1.234")  # number, Vietnamese thousands separator
    page.fill(field("PL-04a", "numerator"), "3")
    page.fill(field("PL-04a", "denominator"), "4")
    page.fill(field("PL-05", "rows-0-procedure"), "Đăng ký khai sinh")  # table: first row
    page.select_option(field("PL-05", "rows-0-authority"), index=1)
    page.click('button[value="add_row:PL-05"]')  # the script adds a row in place
    page.fill(field("PL-05", "rows-1-procedure"), "Cấp phiếu lý lịch tư pháp")
    page.fill(field("PL-07", "document_number"), "1470/UBND-NC")  # evidence: number, date, file
    page.fill(field("PL-07", "document_date"), "22/04/2024")
    page.set_input_files(field("PL-07", "file"), files=[
        {"name": "Kế hoạch Đề án 06.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}])
    save_draft(page)

    page.reload()
    assert page.is_checked(field("PL-01") + '[value="yes"]')
    expect(page.locator(field("PL-01a"))).to_have_value("20/03/2024")
    assert page.is_checked(field("PL-02") + '[value="person"]') and page.is_checked(field("PL-02") + '[value="time"]')
    assert not page.is_checked(field("PL-02") + '[value="task"]')
    assert page.is_checked(field("PL-03") + '[value="deputy"]')
    expect(page.locator(field("PL-08", "numerator"))).to_have_value("2")
    expect(question(page, "PL-08").locator("output.percent")).to_have_text("66,7%")
    assert page.is_checked(field("PL-10") + '[value="4"]')
    expect(page.locator(field("PL-10a"))).to_have_value("Chưa có hướng dẫn công nhận bản điện tử <b>gấp</b>")
    expect(page.locator(field("PL-04"))).to_have_value("1234")
    expect(page.locator(field("PL-04a", "denominator"))).to_have_value("4")
    expect(page.locator(field("PL-05", "rows-0-procedure"))).to_have_value("Đăng ký khai sinh")
    expect(page.locator(field("PL-05", "rows-1-procedure"))).to_have_value("Cấp phiếu lý lịch tư pháp")
    expect(page.locator(field("PL-07", "document_number"))).to_have_value("1470/UBND-NC")
    expect(page.locator(field("PL-07", "document_date"))).to_have_value("22/04/2024")
    link = question(page, "PL-07").locator("ul.files a")
    expect(link).to_have_text("Kế hoạch Đề án 06.pdf")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Kế hoạch Đề án 06.pdf"


def test_a_wrong_value_gets_a_message_and_nothing_else_is_lost(page: Page) -> None:
    log_in(page)
    open_legal_group(page)
    page.fill(field("PL-04"), "mười hai")
    page.fill(field("PL-10a"), "Ghi chú vẫn còn")
    page.click(SAVE)
    error = page.locator('[id="q_PL_04-answer-error"]')
    expect(error).to_contain_text(re.compile(r"Nhập một số|Enter a number"))  # catalog in flux: either
    expect(page.locator(field("PL-04"))).to_have_value("mười hai")  # what was typed is shown again
    page.goto(page.url)
    expect(page.locator(field("PL-10a"))).to_have_value("Ghi chú vẫn còn")  # the rest was saved


def test_autosave_keeps_typing_without_pressing_save(page: Page) -> None:
    log_in(page)
    open_legal_group(page)
    page.fill(field("PL-10a"), "Tự động lưu")
    expect(page.locator("#saved-line")).to_contain_text(re.compile(r"(Đã lưu lúc|Saved at) \d\d:\d\d"),
                                                         timeout=8_000)
    page.reload()
    expect(page.locator(field("PL-10a"))).to_have_value("Tự động lưu")


def test_submit_with_a_missing_answer_links_to_it(page: Page) -> None:
    log_in(page)
    open_legal_group(page)
    fill_required(page, skip="PL-10")
    with page.expect_navigation():  # an incomplete group lists what is missing, no confirmation
        page.get_by_role("button", name="Gửi", exact=True).click()
    missing = page.locator("#missing")
    expect(missing).to_be_visible()
    link = missing.locator('a[href="#q-PL-10"]')
    expect(link).to_have_count(1)
    expect(missing.locator("a")).to_have_count(1)
    link.click()
    assert page.url.endswith("#q-PL-10")
    expect(question(page, "PL-10")).to_be_in_viewport()


def test_complete_submit_shows_score_and_band_then_english(page: Page) -> None:
    log_in(page)
    open_legal_group(page)
    fill_required(page)
    confirm_submit(page)
    heading = page.locator("main h2", has_text="/ 100")
    expect(heading).to_be_visible()
    expect(heading.locator(".band")).to_have_text(re.compile(r"^(Xanh|Vàng|Đỏ)$"))
    expect(page.locator("#group-form")).to_have_count(0)  # read-only now
    page.click("header button[lang=en]")
    expect(page.locator("main h2", has_text="Score")).to_be_visible()
    expect(page.locator("main h2 .band")).to_have_text(re.compile(r"^(Green|Yellow|Red)$"))
    page.click("a[href$='/results']")
    expect(page.locator("h1")).to_have_text("Results and bottlenecks")
    expect(page.locator("svg.radar polygon.score")).to_have_count(1)


def test_on_a_phone(phone: Page) -> None:
    log_in(phone)
    open_legal_group(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"the page is {width}px wide on a 390px screen"
    # Paired fields (ratio numbers, evidence number and date) stack, each the full width of its row.
    squeezed = phone.evaluate("""() => Array.from(document.querySelectorAll('.row2 > label'))
        .filter(l => l.getBoundingClientRect().width < 0.9 * l.parentElement.getBoundingClientRect().width)
        .map(l => l.closest('.question').id + ': ' + Math.round(l.getBoundingClientRect().width) + 'px')""")
    assert squeezed == [], f"side by side on a phone: {squeezed}"
    phone.check(field("PL-01") + '[value="no"]')
    phone.fill(field("PL-10a"), "Từ điện thoại")
    save_draft(phone)
    phone.reload()
    assert phone.is_checked(field("PL-01") + '[value="no"]')
    expect(phone.locator(field("PL-10a"))).to_have_value("Từ điện thoại")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391


def test_tabbing_never_hides_a_field_under_the_save_bar(phone: Page) -> None:
    """The save bar sticks to the bottom of the screen; a field reached with
    Tab must scroll clear of it, not behind it (the editor's bar is the taller)."""
    log_in(phone, "stp-editor")
    open_legal_group(phone)
    phone.focus(field("PL-01", "evidence-document_number"))
    covered = []
    for _ in range(40):
        phone.keyboard.press("Tab")
        hit = phone.evaluate("""() => {
            const e = document.activeElement, b = e.getBoundingClientRect();
            const at = document.elementFromPoint(b.left + Math.min(5, b.width / 2), b.top + b.height / 2);
            return at && at.closest('.actions') && !e.closest('.actions') ? (e.name || e.outerHTML.slice(0, 60)) : null;
        }""")
        if hit:
            covered.append(hit)
    assert covered == [], f"under the save bar when focused: {covered}"
