"""Autosave in real Chromium: nothing typed is lost, nothing is said saved that was not."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import LiveServer, new_page
from .pages import answer, autosaved, choice, comment, log_in, open_legal_group, question, saved_line

pytestmark = pytest.mark.browser

SAVED = re.compile(r"(Đã lưu lúc|Saved at) \d\d:\d\d")


def test_two_editors_autosaving_keep_each_other_s_answers(browser: Browser, stp: LiveServer) -> None:
    """A comments on PL-01; B, whose page opened before, answers PL-03 then PL-06.
    B's page takes A's comment as soon as its autosave learns of it, so B's next
    autosave does not send the old, empty comment back (finding 0)."""
    a = new_page(browser, stp, viewport={"width": 1280, "height": 900})
    b = new_page(browser, stp, viewport={"width": 1280, "height": 900})
    try:
        log_in(a, "stp-editor")
        log_in(b, "stp-head")
        open_legal_group(a)
        open_legal_group(b)

        with autosaved(a):
            comment(a, "PL-01").fill("Kế hoạch đang trình ký, dự kiến ban hành tháng 5")
        expect(saved_line(a)).to_contain_text(SAVED)

        with autosaved(b):
            choice(b, "PL-03", "Cấp phó của người đứng đầu").check()
        expect(saved_line(b)).to_contain_text(SAVED)
        expect(comment(b, "PL-01")).to_have_value("Kế hoạch đang trình ký, dự kiến ban hành tháng 5")

        with autosaved(b):
            choice(b, "PL-06", "Đã ban hành, đang áp dụng").check()
        expect(saved_line(b)).to_contain_text(SAVED)

        for p in (a, b):
            p.reload()
            expect(comment(p, "PL-01")).to_have_value("Kế hoạch đang trình ký, dự kiến ban hành tháng 5")
            expect(choice(p, "PL-03", "Cấp phó của người đứng đầu")).to_be_checked()
            expect(choice(p, "PL-06", "Đã ban hành, đang áp dụng")).to_be_checked()
    finally:
        a.context.close()
        b.context.close()


def test_an_unreadable_number_is_not_called_saved_and_stays_in_its_field(page: Page) -> None:
    """Finding 1: "mười lăm" in PL-04 gets a message next to the field, never "saved"."""
    log_in(page, "stp-editor")
    open_legal_group(page)
    with autosaved(page):
        answer(page, "PL-04").fill("12")
    expect(saved_line(page)).to_contain_text(SAVED)

    with autosaved(page):
        answer(page, "PL-04").fill("mười lăm")
    field = answer(page, "PL-04")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(r"Nhập một số|Enter a number"))
    expect(saved_line(page)).not_to_contain_text(SAVED)
    expect(saved_line(page)).to_contain_text(re.compile("chưa lưu được|could not be saved"))
    expect(field).to_have_value("mười lăm")

    with autosaved(page):  # corrected: the message goes, the bar says saved again
        field.fill("15")
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(question(page, "PL-04").locator(".error")).to_have_count(0)
    expect(saved_line(page)).to_contain_text(SAVED)
    page.reload()
    expect(answer(page, "PL-04")).to_have_value("15")


def test_an_edit_made_just_before_leaving_is_saved(page: Page) -> None:
    """Finding 2: type, then follow the breadcrumb at once: the text is saved first."""
    log_in(page, "stp-editor")
    open_legal_group(page)
    answer(page, "PL-10a").fill("Viết xong rồi bấm đi ngay")
    page.get_by_role("navigation").get_by_role("link", name=re.compile("Sở Tư pháp")).click()
    page.wait_for_url("**/units/STP")
    page.go_back()
    expect(answer(page, "PL-10a")).to_have_value("Viết xong rồi bấm đi ngay")


def test_leaving_with_an_unreadable_value_stops_to_say_so(page: Page) -> None:
    """A value that cannot be saved keeps the person on the page, with the message and the focus on it."""
    log_in(page, "stp-editor")
    open_legal_group(page)
    answer(page, "PL-04").fill("mười lăm")
    page.get_by_role("navigation").get_by_role("link", name=re.compile("Sở Tư pháp")).click()
    field = answer(page, "PL-04")
    expect(field).to_have_accessible_description(re.compile(r"Nhập một số|Enter a number"))
    expect(field).to_be_focused()
    assert page.url.endswith("/groups/legal")
    expect(field).to_have_value("mười lăm")
