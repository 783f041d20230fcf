"""Two-step login in Chromium: a user turns it on from their account page, keeps
the recovery codes, and logs in again with a code; the demo administrator logs
in with the demo key. Elements are found by role and label, as a person would."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import PASSWORD, LiveServer, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(browser: Browser, live_server: LiveServer) -> Page:
    p = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    yield p  # type: ignore[misc]
    p.context.close()


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_user_turns_on_two_step_login_and_logs_in_with_a_code(desk: Page) -> None:
    log_in(desk, "syt-editor")
    desk.get_by_role("link", name="Chuyên viên SYT").click()
    expect(desk.get_by_role("heading", name="Bảo mật tài khoản")).to_be_visible()
    desk.get_by_role("link", name="Bật đăng nhập hai bước").click()
    expect(desk.get_by_role("img", name="Mã QR cho ứng dụng xác thực")).to_be_visible()
    secret = desk.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    desk.get_by_label("Mã 6 chữ số ứng dụng đang hiển thị").fill(pyotp.TOTP(secret).now())
    desk.get_by_role("button", name="Bật đăng nhập hai bước").click()
    expect(desk.get_by_role("heading", name="Đã bật đăng nhập hai bước")).to_be_visible()
    expect(desk.get_by_role("list", name="Mã dự phòng").get_by_role("listitem")).to_have_count(10)
    desk.get_by_role("link", name="Tôi đã lưu các mã: tiếp tục").click()
    desk.get_by_role("button", name="Đăng xuất").click()

    log_in(desk, "syt-editor")
    expect(desk.get_by_role("heading", name="Đăng nhập hai bước")).to_be_visible()
    code = desk.get_by_label("Mã trong ứng dụng xác thực, hoặc một mã dự phòng")
    code.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    desk.get_by_role("button", name="Tiếp tục").click()
    expect(desk.get_by_text("Mã này không hợp lệ")).to_be_visible()
    expect(code).to_have_attribute("aria-invalid", "true")
    code.fill(pyotp.TOTP(secret).at(time.time() + 30))  # the next code: the current one was used to enrol
    desk.get_by_role("button", name="Tiếp tục").click()
    expect(desk.get_by_role("link", name="Chuyên viên SYT")).to_be_visible()


def test_the_demo_administrator_logs_in_with_the_demo_key(desk: Page, live_server: LiveServer) -> None:
    log_in(desk, "admin")
    expect(desk.get_by_role("heading", name="Đăng nhập hai bước")).to_be_visible()
    desk.get_by_label("Mã trong ứng dụng xác thực, hoặc một mã dự phòng").fill(live_server.admin_code())
    desk.get_by_role("button", name="Tiếp tục").click()
    expect(desk.get_by_role("link", name="Quản trị hệ thống")).to_be_visible()


def test_no_page_breaks_the_content_security_policy(desk: Page) -> None:
    """The browser reports no CSP violation on the pages a respondent uses."""
    violations: list[str] = []
    desk.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(desk, "stp-head")
    for path in ("/", "/rounds/P06-DIEM-NGHEN/units/STP", "/rounds/P06-DIEM-NGHEN/units/STP/groups/legal",
                 "/rounds/P06-DIEM-NGHEN/units/STP/results", "/account"):
        desk.goto(path)
        desk.wait_for_load_state("networkidle")
    assert violations == []
