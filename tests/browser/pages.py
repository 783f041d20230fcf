"""What a person does on the pages, in Playwright steps shared by the tests.

The older steps find elements by form-field name, id or CSS; the newer ones
(answer, choice, comment, confirm_submit) by role and accessible name, as a
screen reader does, which also checks that every field has a name.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, expect

from survey_app.services.demo import DEMO_PASSWORD as PASSWORD

ROUND = "P06-DIEM-NGHEN"
UNIT = "STP"
GROUP_PATH = f"/rounds/{ROUND}/units/{UNIT}/groups/legal"

# A one-page PDF, small but well formed (header, objects, xref, trailer).
MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n0000000115 00000 n \n"
    b"trailer << /Size 4 /Root 1 0 R >>\nstartxref\n188\n%%EOF\n"
)

SAVE = "button[name=action][value=save]"
SUBMIT = "button[name=action][value=submit]"


def field(code: str, part: str = "answer") -> str:
    """The CSS selector of a question's field: ``field("PL-04a", "numerator")``."""
    return f'[name="q_{code.replace("-", "_")}-{part}"]'


def question(page: Page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[id="q-{code}"]')


def log_in(page: Page, username: str = "stp-head", password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form [type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def open_legal_group(page: Page) -> None:
    """From the home page: the unit's round page, then the legal group."""
    page.goto("/")
    page.click(f'a[href="/rounds/{ROUND}/units/{UNIT}"]')
    page.wait_for_url(f"**/rounds/{ROUND}/units/{UNIT}")
    page.click(f'a[href="{GROUP_PATH}"]')
    page.wait_for_url(f"**{GROUP_PATH}")
    expect(page.locator("#group-form")).to_be_visible()


def save_draft(page: Page) -> None:
    with page.expect_navigation():
        page.click(SAVE)


def fill_required(page: Page, *, skip: str | None = None) -> None:
    """Answer every required legal question of a department (with the evidence
    a positive answer needs), leaving out ``skip``."""

    def unless(code: str) -> bool:
        return code != skip

    if unless("PL-01"):
        page.check(field("PL-01") + '[value="yes"]')
        page.fill(field("PL-01", "evidence-document_number"), "15/KH-STP")
        page.fill(field("PL-01", "evidence-document_date"), "20/03/2024")
        if unless("PL-01a"):
            page.fill(field("PL-01a"), "20/03/2024")
        if unless("PL-02"):
            for option in ("person", "task", "time"):
                page.check(field("PL-02") + f'[value="{option}"]')
    if unless("PL-03"):
        page.check(field("PL-03") + '[value="head"]')
        page.fill(field("PL-03", "evidence-document_number"), "102/QĐ-STP")
    if unless("PL-06"):
        page.check(field("PL-06") + '[value="in_force"]')
        page.fill(field("PL-06", "evidence-document_number"), "07/QC-STP")
    if unless("PL-08"):
        page.fill(field("PL-08", "numerator"), "2")
        page.fill(field("PL-08", "denominator"), "3")
        page.fill(field("PL-08", "evidence-document_number"), "55/QĐ-STP")
    if unless("PL-09"):
        page.check(field("PL-09") + '[value="drafting"]')
        page.fill(field("PL-09", "evidence-document_number"), "Dự thảo 01")
    if unless("PL-10"):
        page.check(field("PL-10") + '[value="2"]')
    if unless("PL-04"):
        page.fill(field("PL-04"), "5")
        if unless("PL-04a"):
            page.fill(field("PL-04a", "numerator"), "3")
            page.fill(field("PL-04a", "denominator"), "4")


# Finding things the way a person (or a screen reader) does: by role and accessible name.

def answer(page: Page, code: str) -> Locator:
    """The answer field of a question, by its accessible name (the question's code and text)."""
    return page.get_by_label(re.compile(rf"^{re.escape(code)}\b")).first


def choice(page: Page, code: str, option: str | re.Pattern[str]) -> Locator:
    """An option of a choice question: the radio or checkbox in the question's named group."""
    name = re.compile(rf"^{re.escape(code)}\b")
    group = page.get_by_role("radiogroup", name=name).or_(page.get_by_role("group", name=name))
    return group.get_by_label(option, exact=isinstance(option, str))


def comment(page: Page, code: str) -> Locator:
    """A question's comment box (opened first: it sits in a collapsed <details>)."""
    box = question(page, code)
    summary = box.locator("summary")
    if box.locator("details[open]").count() == 0:
        summary.click()
    return box.get_by_role("textbox", name=re.compile(r"^(Ý kiến, kiến nghị|Comment or proposal)"))


def saved_line(page: Page) -> Locator:
    return page.locator("#saved-line")


def autosaved(page: Page) -> Any:
    """Wait for the next autosave's answer: ``with autosaved(page): page.fill(...)``."""
    return page.expect_response(lambda r: r.url.endswith("/autosave") and r.request.method == "POST")


def confirm_submit(page: Page) -> None:
    """Press "Submit", then confirm on the page that asks first (it works without script)."""
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"^(Gửi|Submit)$")).click()
    yes = re.compile(r"^(Đồng ý gửi|Yes, submit)$")
    alert = page.get_by_role("alert").filter(has=page.get_by_role("button", name=yes))
    expect(alert).to_be_visible()
    with page.expect_navigation():
        alert.get_by_role("button", name=yes).click()
