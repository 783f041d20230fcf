"""Lead agencies and the standing agency at work, in real Chromium.

The DIC's reviewer returns a unit's data group with a reason; the unit's head
reads it on the group page and hands the group in again; the reviewer accepts
it and appraises one answer. Finance sees the budget section and not people;
Planning and Investment sees budget but cannot accept; the Police's
coordinator sees all five groups, the stalled units and the DIC's proposal.
axe-core (shipped inside axe-playwright-python, no network) finds no serious
or critical problem on these pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response, ResponseGroup, Round, Unit
from survey_app.models.review import ScopeReview

from .conftest import PASSWORD, ROUND, LiveServer, new_page
from .pages import confirm_submit

REASON = "Đề nghị bổ sung số, ngày văn bản phê duyệt danh mục cơ sở dữ liệu (câu DL-01)."
APPRAISAL = "Danh mục mới ở dạng dự thảo, chưa được phê duyệt."
AXE = Axe()


def accessibility_problems(page: Page, within: str | None = None) -> list[str]:
    """Serious and critical axe-core violations, on the page or within one part of it."""
    results = AXE.run(page, context=within)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")]


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def unit_with_submitted(server: LiveServer, group: str) -> tuple[str, str]:
    """(code, Vietnamese name) of a unit whose ``group`` waits for review, untouched by the demo review."""
    with server.app.app_context():
        decided = select(ScopeReview.response_id).where(ScopeReview.group_code == group)
        row = db.session.execute(
            select(Unit.code, Unit.name_vi).join(Response, Response.unit_id == Unit.id)
            .join(Round, Round.id == Response.round_id).join(ResponseGroup, ResponseGroup.response_id == Response.id)
            .where(Round.code == ROUND, ResponseGroup.group_code == group, ResponseGroup.status == "submitted",
                   Unit.kind != "commune", Unit.code.not_in(("STP", "STTTT", "STC", "SNV", "SKHDT")),
                   Response.id.not_in(decided))
            .order_by(Unit.sort_order)).first()
        db.session.remove()
    assert row is not None
    return row[0], row[1]


@pytest.fixture
def desk(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    p = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield p
    p.context.close()


def column(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("columnheader", name=name, exact=True)


def test_dic_returns_unit_resubmits_dic_accepts_and_appraises(browser: Browser, live_server: LiveServer,
                                                                desk: Page) -> None:
    code, name = unit_with_submitted(live_server, "data")
    log_in(desk, "stttt-reviewer")
    expect(desk).to_have_url(re.compile(rf"/review/rounds/{ROUND}$"))  # the reviewer lands on its dashboard
    for scope in ("Hạ tầng công nghệ", "Dữ liệu", "An ninh, an toàn, bảo mật"):
        expect(column(desk, scope)).to_be_visible()
    for scope in ("Pháp lý", "Kinh phí, ngân sách", "Con người", "Nguồn lực triển khai"):
        expect(column(desk, scope)).to_have_count(0)
    expect(desk.get_by_text(re.compile(r"\d+ bài gửi đang chờ bạn thẩm định"))).to_be_visible()
    assert accessibility_problems(desk) == []

    row = desk.get_by_role("row").filter(has=desk.get_by_role("rowheader", name=re.compile(re.escape(name))))
    row.get_by_role("cell").nth(1).get_by_role("link").click()  # the data column
    expect(desk.get_by_role("heading", level=1)).to_contain_text(name)
    assert accessibility_problems(desk) == []
    desk.get_by_label("Lý do", exact=True).select_option(label="Thiếu tài liệu kiểm chứng")
    desk.get_by_label("Nội dung đơn vị cần chỉnh sửa").fill(REASON)
    desk.get_by_role("button", name="Trả lại", exact=True).click()
    expect(desk.get_by_role("status")).to_contain_text("Đã trả lại đơn vị kèm lý do.")
    review_url = desk.url

    head = new_page(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        log_in(head, f"{code.lower().replace('-', '')}-head")
        head.get_by_role("link", name=re.compile("Khảo sát 05 nhóm")).first.click()
        head.get_by_role("link", name="Dữ liệu", exact=True).click()
        feedback = head.get_by_role("region", name="Ý kiến của cơ quan chủ trì")
        expect(feedback).to_contain_text(REASON)
        expect(feedback).to_contain_text("Thiếu tài liệu kiểm chứng")
        # The group form itself is the respondent pages' (their own accessibility tests); ours is the feedback.
        assert accessibility_problems(head, ".review-feedback") == []
        confirm_submit(head)  # a complete group asks "Gửi nhóm này?" first
        expect(head.get_by_text("Đã gửi").first).to_be_visible()
    finally:
        head.context.close()

    desk.goto(review_url)
    desk.get_by_role("button", name="Chấp nhận").click()
    expect(desk.get_by_role("status")).to_contain_text("Đã chấp nhận.")
    question = desk.locator('[id="q-DL-01"]')
    question.get_by_text("Thẩm định câu trả lời này").click()
    question.get_by_label("Điểm thẩm định (0–100)").fill("30")
    question.get_by_label("Lý do thẩm định").fill(APPRAISAL)
    question.get_by_role("button", name="Lưu điểm thẩm định").click()
    expect(desk.get_by_role("status")).to_contain_text("Đã ghi nhận điểm thẩm định.")
    # The scope's score both ways, and the question's: the unit's own beside the lead's.
    expect(desk.get_by_text(re.compile(r"Đã chấp nhận\s*·\s*Điểm tự đánh giá: [\d,]+\s*·\s*Điểm thẩm định: [\d,]+"))) \
        .to_be_visible()
    expect(question).to_contain_text(re.compile(r"Điểm tự đánh giá: [\d,]+\s*·\s*Điểm thẩm định: 30,00"))
    expect(question).to_contain_text(APPRAISAL)
    assert accessibility_problems(desk) == []


def test_finance_sees_budget_planning_comments_and_police_sees_the_province(
        browser: Browser, live_server: LiveServer, desk: Page) -> None:
    log_in(desk, "stc-reviewer")
    expect(column(desk, "Kinh phí, ngân sách")).to_be_visible()
    expect(column(desk, "Con người")).to_have_count(0)
    expect(column(desk, "Dữ liệu")).to_have_count(0)

    _code, name = unit_with_submitted(live_server, "resources")
    planning = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    try:
        log_in(planning, "skhdt-reviewer")
        expect(column(planning, "Kinh phí, ngân sách")).to_be_visible()
        row = planning.get_by_role("row").filter(
            has=planning.get_by_role("rowheader", name=re.compile(re.escape(name))))
        row.get_by_role("cell").first.get_by_role("link").click()
        expect(planning.get_by_text("Bạn được xem và góp ý phạm vi này; cơ quan chủ trì quyết định.")).to_be_visible()
        expect(planning.get_by_role("button", name="Chấp nhận")).to_have_count(0)
        expect(planning.get_by_role("button", name="Trả lại", exact=True)).to_have_count(0)
        planning.get_by_label("Ý kiến").fill("Đề nghị đối chiếu với kế hoạch đầu tư công trung hạn.")
        planning.get_by_role("button", name="Thêm ý kiến").click()
        expect(planning.get_by_role("status")).to_contain_text("Đã ghi nhận ý kiến.")
    finally:
        planning.context.close()

    police = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    try:
        log_in(police, "catinh-coordinator")
        police.get_by_role("link", name="Toàn tỉnh", exact=True).click()
        for scope in ("Pháp lý", "Hạ tầng công nghệ", "Dữ liệu", "An ninh, an toàn, bảo mật",
                      "Kinh phí, ngân sách", "Con người"):
            expect(column(police, scope)).to_have_count(1)
        expect(police.get_by_text("Ban hành danh mục cơ sở dữ liệu dùng chung của tỉnh").first).to_be_visible()
        assert accessibility_problems(police) == []
        police.get_by_role("link", name="Đơn vị tồn đọng").click()
        stale = police.locator(".review-board .stale")
        expect(stale.first).to_be_visible()
        expect(stale.first).to_contain_text(re.compile(r"chờ \d+ ngày"))
        assert accessibility_problems(police) == []
    finally:
        police.context.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_dashboards_pass_axe_in_both_languages_on_a_desktop_and_a_phone(
        browser: Browser, live_server: LiveServer, language: str) -> None:
    """The lead dashboard and the province view, whose tables are kept and rendered once
    for every reader of the same page: no serious or critical problem at 1280 and 390 px."""
    page = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    try:
        log_in(page, "catinh-coordinator")
        if language == "en":
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        found = {}
        for path in (f"/review/rounds/{ROUND}", f"/review/rounds/{ROUND}/province"):
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("table.review-board")).to_be_visible()
            for width, height in ((1280, 900), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                problems = accessibility_problems(page)
                if problems:
                    found[f"{path} @{width}px"] = problems
        assert not found, found
        if language == "en":  # the worker's other browser tests expect the coordinator in Vietnamese
            page.get_by_role("button", name="Tiếng Việt").click()
            expect(page.locator("html")).to_have_attribute("lang", "vi")
    finally:
        page.context.close()
