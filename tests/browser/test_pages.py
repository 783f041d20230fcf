"""What the pages say, in real Chromium: contradictions, evidence, returns, conflicts, results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import LiveServer, new_page
from .pages import (
    MINIMAL_PDF,
    ROUND,
    UNIT,
    answer,
    autosaved,
    choice,
    confirm_submit,
    field,
    fill_required,
    log_in,
    open_legal_group,
    question,
    save_draft,
)

pytestmark = pytest.mark.browser


def test_contradictions_get_a_message_next_to_the_field(page: Page) -> None:
    """Finding 8: an option and "none of these", rows and "nothing to list", a future document date."""
    log_in(page, "stp-editor")
    open_legal_group(page)
    choice(page, "PL-01", "Có").check()
    choice(page, "PL-02", "Rõ người (cán bộ, bộ phận chủ trì)").check()
    none = question(page, "PL-02").get_by_label("Không có mục nào")
    none.check()
    page.fill(field("PL-05", "rows-0-procedure"), "Đăng ký khai sinh")
    nothing = question(page, "PL-05").get_by_label("Không có nội dung cần liệt kê")
    nothing.check()
    date = question(page, "PL-01").get_by_label("Ngày văn bản")
    with autosaved(page):
        date.fill("01/01/2030")
    expect(none).to_have_accessible_description(re.compile("không chọn cả hai"))
    expect(nothing).to_have_accessible_description(re.compile("Bảng đang có dòng"))
    expect(date).to_have_accessible_description(re.compile("không thể sau ngày hôm nay"))
    expect(date).to_have_value("01/01/2030")
    save_draft(page)  # the same messages without the script's help, and nothing of it stored
    expect(page.locator('[id="q_PL_02-none-error"]')).to_be_visible()
    expect(page.locator('[id="q_PL_05-none-error"]')).to_be_visible()
    expect(page.locator('[id="q_PL_01-evidence-document_date-error"]')).to_be_visible()
    ids = page.evaluate("Array.from(document.querySelectorAll('[id]'), e => e.id)")
    assert len(ids) == len(set(ids)), "ids repeat on the page"


def test_submit_asks_first_and_missing_evidence_is_named_as_such(page: Page) -> None:
    """Findings 15 and 6."""
    log_in(page)
    page.goto("/")
    page.get_by_role("link", name="Pháp lý", exact=True).first.click()  # group names on the home page are links
    page.wait_for_url("**/groups/legal")
    fill_required(page)
    page.fill(field("PL-03", "evidence-document_number"), "")  # answered, but without its evidence
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi", exact=True).click()
    message = page.locator('[id="q-PL-03-missing"]')
    expect(message).to_contain_text("minh chứng")
    expect(message).not_to_contain_text("phải được trả lời")
    page.fill(field("PL-03", "evidence-document_number"), "102/QĐ-STP")
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("Gửi nhóm này?")  # a complete group asks first
    with page.expect_navigation():
        page.get_by_role("link", name="Chưa gửi").click()  # changing one's mind submits nothing
    expect(page.get_by_role("button", name="Lưu nháp")).to_be_visible()


def test_evidence_return_and_results_after_submitting(browser: Browser, page: Page, stp: LiveServer) -> None:
    """Findings 5 (evidence on the read-only page), 7 (the return on the group's page) and 14 (results)."""
    log_in(page)
    open_legal_group(page)
    fill_required(page)
    page.fill(field("PL-07", "document_number"), "1470/UBND-NC")
    page.fill(field("PL-07", "document_date"), "22/04/2024")
    page.set_input_files(field("PL-07", "file"), files=[
        {"name": "Quy chế tài khoản.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}])
    page.fill(field("PL-05", "rows-0-procedure"), "Đăng ký khai sinh")  # other columns left empty
    save_draft(page)
    confirm_submit(page)
    expect(page.locator("#group-form")).to_have_count(0)

    editor = new_page(browser, stp, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        log_in(editor, "stp-editor")  # another person of the unit sees the same evidence
        editor.goto(f"/rounds/{ROUND}/units/{UNIT}/groups/legal")
        for p in (page, editor):
            p.reload()
            plan = p.locator("dd").filter(has_text="15/KH-STP")
            expect(plan).to_contain_text("20/03/2024")
            rules = p.locator("dd").filter(has_text="1470/UBND-NC")
            expect(rules).to_contain_text("22/04/2024")
            expect(rules.get_by_role("link", name="Quy chế tài khoản.pdf")).to_be_visible()

        editor.goto(f"/rounds/{ROUND}/units/{UNIT}/results")
        text = editor.locator("main").inner_text()
        assert "| |" not in text and "::" not in text and ": :" not in text
        cards = editor.locator("table.bottlenecks td")
        labels = cards.evaluate_all("tds => tds.map(td => getComputedStyle(td, '::before').content)")
        assert labels and all(label not in ("none", '""', "normal") for label in labels), labels
    finally:
        editor.context.close()

    page.goto(f"/rounds/{ROUND}/units/{UNIT}/results")
    sizes = page.locator("svg.radar text").evaluate_all(
        "ts => ts.map(t => t.getBoundingClientRect().height)")
    assert min(sizes) >= 12, f"radar labels too small: {sizes}"
    expect(page.locator("svg.radar text.scale")).to_have_count(4)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone: as legible, and none cut off
    lines = page.locator("svg.radar tspan, svg.radar text.scale").evaluate_all(
        "ts => ts.map(t => { const r = t.getBoundingClientRect(); return [r.height, r.left, r.right]; })")
    assert min(h for h, _l, _r in lines) >= 12, f"radar labels too small on a phone: {lines}"
    assert min(left for _h, left, _r in lines) >= 0 and max(right for _h, _l, right in lines) <= 390, lines
    page.set_viewport_size({"width": 1280, "height": 900})
    index = page.locator(".index-card")
    expect(index).to_contain_text(re.compile(r"0,\d{4}"))
    expect(index).to_contain_text("thang từ 0 đến 1")
    legal = page.locator("tr", has_text=re.compile("^Pháp lý"))
    expect(legal.locator(".band")).to_have_count(1)

    stp.return_group("legal", "Đề nghị đính kèm bản scan quyết định thành lập Tổ công tác (câu PL-03).")
    page.goto(f"/rounds/{ROUND}/units/{UNIT}/groups/legal")
    note = page.get_by_role("note")
    expect(note).to_contain_text("Lê Văn Pháp Lý")
    expect(note).to_contain_text("Đề nghị đính kèm bản scan quyết định thành lập Tổ công tác (câu PL-03).")
    expect(note).to_contain_text(re.compile(r"\d\d/\d\d/\d{4} \d\d:\d\d"))
    page.goto(f"/rounds/{ROUND}/units/{UNIT}/results")
    expect(page.locator("tr", has_text=re.compile("^Pháp lý")).locator(".band")).to_have_count(0)
    page.goto(f"/rounds/{ROUND}/units/{UNIT}")
    expect(page.locator(".group-line.returned .band")).to_have_count(0)


def test_the_conflict_screen_says_one_thing(browser: Browser, stp: LiveServer) -> None:
    """Finding 9: "nothing saved yet" above is not contradicted by "saved at" below."""
    a = new_page(browser, stp, viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    b = new_page(browser, stp, viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    try:
        log_in(a, "stp-editor")
        log_in(b, "stp-head")
        for p in (a, b):
            p.goto(f"/rounds/{ROUND}/units/{UNIT}/groups/legal")
        answer(a, "PL-10a").fill("Bản của chuyên viên")
        save_draft(a)
        answer(b, "PL-10a").fill("Bản của thủ trưởng")
        save_draft(b)
        conflicts = b.locator("#conflicts")
        expect(conflicts).to_contain_text("chưa được lưu")
        expect(b.locator("#saved-line")).not_to_contain_text("Đã lưu lúc")
        expect(b.locator("#saved-line")).to_contain_text("Chưa lưu")
    finally:
        a.context.close()
        b.context.close()
