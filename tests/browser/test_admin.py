"""A new administrator's first afternoon, in real Chromium: elements found by role and label.

Upload a bank workbook with two mistakes and read both, fix them, open a
round on the corrected version for every department, create a user with a
one-time password, move the lead of ``security`` to the Provincial Police
from 1 March 2025, and see a routing without a lead refused.

The forced change of a one-time password at login belongs to the login
change of the production issue; here the new user logs in with the
one-time password and sees the round, and the test checks that the account
is marked to change it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from conftest import AuthActions  # the root conftest: its default is the demo password
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import delete, insert, select

from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.routing import RoutingRule

from .conftest import LiveServer, new_page

PASSWORD = inspect.signature(AuthActions.login).parameters["password"].default


def log_in(page: Page, username: str, password: str, server: LiveServer | None = None) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    if server is not None:  # administrators also type the code of their authenticator app
        page.get_by_label("Mã trong ứng dụng xác thực, hoặc một mã dự phòng").fill(server.admin_code())
        page.get_by_role("button", name=re.compile("^(Xác nhận|Đăng nhập|Tiếp tục)$")).click()


def with_mistakes(path: Path, *, fixed: bool) -> Path:
    """The downloaded workbook as an author edits it: a new version number, and two mistakes unless ``fixed``."""
    book = openpyxl.load_workbook(path)
    for row in book["bank"].iter_rows(min_row=2):
        if row[0].value == "version":
            row[1].value = "2025.1"
    questions = book["questions"]
    header = [c.value for c in questions[1]]
    questions.cell(row=2, column=header.index("text.en") + 1, value="Has the unit issued its digital plan?")
    if not fixed:
        questions.cell(row=5, column=header.index("weight") + 1, value="nặng")
        questions.cell(row=9, column=header.index("type") + 1, value="essay")
    out = path.with_name(f"bank-{'fixed' if fixed else 'broken'}.xlsx")
    book.save(out)
    return out


@pytest.fixture
def routing_put_back(live_server: LiveServer) -> Iterator[None]:
    """The routing as it was before the test: the live server is shared by the worker's
    browser tests, and the DIC's reviewer elsewhere expects to lead ``security``."""
    columns = [c for c in RoutingRule.__table__.columns]
    with live_server.app.app_context():
        before = [dict(row._mapping) for row in db.session.execute(select(*columns))]
        db.session.remove()
    yield
    with live_server.app.app_context():
        db.session.execute(delete(RoutingRule))
        db.session.execute(insert(RoutingRule), before)
        db.session.commit()
        db.session.remove()


@pytest.mark.usefixtures("routing_put_back")
def test_a_new_administrators_first_afternoon(browser: Browser, live_server: LiveServer, tmp_path: Path) -> None:
    page = new_page(browser, live_server, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    log_in(page, "admin", PASSWORD, live_server)
    page.get_by_role("link", name="Quản trị", exact=True).click()
    page.get_by_role("link", name="Bộ câu hỏi").first.click()

    with page.expect_download() as download:
        page.get_by_role("link", name="Tệp Excel de-an-06 2024.1").click()
    original = tmp_path / "de-an-06-2024.1.xlsx"
    download.value.save_as(original)

    page.get_by_label("Tệp", exact=True).set_input_files(str(with_mistakes(original, fixed=False)))
    page.get_by_role("button", name="Tải lên").click()
    report = page.get_by_role("alert")
    expect(report).to_contain_text("không có gì thay đổi")
    expect(report.get_by_role("row").filter(has_text="weight")).to_contain_text(re.compile(r"questions\s*5\s*weight"))
    expect(report.get_by_role("row").filter(has_text="essay")).to_contain_text(re.compile(r"questions\s*9\s*type"))

    page.get_by_label("Tệp", exact=True).set_input_files(str(with_mistakes(original, fixed=True)))
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("status")).to_contain_text("đã lưu phiên bản mới")
    expect(page.get_by_role("link", name="Tệp Excel de-an-06 2025.1")).to_be_visible()

    # Open a round on the corrected version for every department.
    page.get_by_role("link", name="Đợt khảo sát").first.click()
    page.get_by_role("link", name="Đợt khảo sát mới").click()
    page.get_by_label("Mã", exact=True).fill("P06-2025")
    page.get_by_label("Tên tiếng Việt").fill("Khảo sát điểm nghẽn Đề án 06 năm 2025")
    page.get_by_label("Phiên bản bộ câu hỏi").select_option(label="de-an-06 2025.1")
    page.get_by_label("Ngày mở").fill(date.today().isoformat())
    page.get_by_label("Hạn nộp").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_label("Các đơn vị thuộc loại được chọn dưới đây").check()
    page.get_by_label("Sở", exact=True).check()
    page.get_by_role("button", name="Mở đợt khảo sát").click()
    expect(page.get_by_role("status")).to_contain_text("P06-2025")
    expect(page.get_by_role("heading", name="Khảo sát điểm nghẽn Đề án 06 năm 2025")).to_be_visible()

    # A user for the Department of Justice with a one-time password.
    page.get_by_role("link", name="Người dùng").first.click()
    page.get_by_role("link", name="Người dùng mới").click()
    page.get_by_label("Tên đăng nhập").fill("tran.thi.mai")
    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    page.get_by_label("Thư điện tử").fill("mai.tt@stp.example.gov.vn")
    page.get_by_label("Đơn vị", exact=True).select_option(value="STP")
    page.get_by_label("Chuyên viên nhập liệu").check()
    page.get_by_role("button", name="Lưu").click()
    one_time = page.locator("#one-time-password").inner_text()
    assert len(one_time) >= 12

    # Security moves to the Provincial Police from 1 March 2025; the preview follows the date.
    page.get_by_role("link", name="Phân công chủ trì").first.click()
    page.get_by_label("Nhóm hoặc phần").select_option(value="security")
    page.get_by_label("Cơ quan chủ trì").select_option(value="CA-TINH")
    page.get_by_label("Từ ngày").fill("2025-03-01")
    page.get_by_role("button", name="Lưu phân công").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu phân công")
    preview = page.get_by_role("table", name="Phân công ngày 01/03/2025")
    expect(preview.get_by_role("row", name=re.compile("^security "))).to_contain_text("CA-TINH")
    page.get_by_label("Ngày", exact=True).fill("2025-02-28")
    page.get_by_role("button", name="Xem").click()
    preview = page.get_by_role("table", name="Phân công ngày 28/02/2025")
    expect(preview.get_by_role("row", name=re.compile("^security "))).to_contain_text("STTTT")

    # A routing that would leave `legal` without a lead is refused, with the reason.
    page.get_by_label("Nhóm hoặc phần").select_option(value="legal")
    page.get_by_label("Cơ quan chủ trì").select_option(value="")
    page.get_by_label("Từ ngày").fill("2025-03-01")
    page.get_by_role("button", name="Lưu phân công").click()
    expect(page.get_by_role("alert")).to_contain_text("không có cơ quan chủ trì")
    page.context.close()

    # The new user logs in with the one-time password and sees the new round.
    with live_server.app.app_context():
        user = db.session.scalars(select(User).filter_by(username="tran.thi.mai")).one()
        assert user.must_change_password and user.check_password(one_time)
        db.session.remove()
    newcomer = new_page(browser, live_server, viewport={"width": 390, "height": 844})
    log_in(newcomer, "tran.thi.mai", one_time)
    # The one-time password must be changed before anything else.
    expect(newcomer.get_by_role("heading", name="Đổi mật khẩu")).to_be_visible()
    newcomer.goto("/")
    expect(newcomer.get_by_role("heading", name="Đổi mật khẩu")).to_be_visible()
    own = "Mai-tu-dat-mat-khau-2025"
    newcomer.get_by_label("Mật khẩu hiện tại").fill(one_time)
    newcomer.get_by_label("Mật khẩu mới", exact=True).fill(own)
    newcomer.get_by_label("Nhập lại mật khẩu mới").fill(own)
    newcomer.get_by_role("button", name="Đổi mật khẩu").click()
    newcomer.goto("/")
    expect(newcomer.get_by_role("link", name="Khảo sát điểm nghẽn Đề án 06 năm 2025")).to_be_visible()
    with live_server.app.app_context():
        user = db.session.scalars(select(User).filter_by(username="tran.thi.mai")).one()
        assert not user.must_change_password and user.check_password(own)
        db.session.remove()
    newcomer.context.close()


def test_every_admin_page_is_refused_to_a_head_of_unit(browser: Browser, live_server: LiveServer) -> None:
    page = new_page(browser, live_server)
    log_in(page, "stp-head", PASSWORD)
    expect(page.get_by_role("link", name="Quản trị")).to_have_count(0)
    for path in ("/admin/", "/admin/users", "/admin/banks", "/admin/routing", "/admin/audit"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
    page.context.close()

