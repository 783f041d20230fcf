"""Findings of issue 8 the server fixes: each reproduced as people meet it.

Pages are read in English unless the check is about the Vietnamese wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from test_respond_submit import COMPLETE, in_english

from survey_app.extensions import db
from survey_app.models import Response, ResponseGroup, Unit
from survey_app.services.answers import transition
from survey_app.services.demo import DEMO_PASSWORD
from survey_app.workflow import Action


@pytest.fixture
def head(survey: Any) -> FlaskClient:
    survey.reset_unit("STP")
    return in_english(survey.client("stp-head"))


def typed(survey: Any, c: FlaskClient, changes: dict[str, Any]) -> dict[str, list[str]]:
    _html, data = survey.page(c, "STP", "legal")
    data.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    return data


# 15: submitting is confirmed


def test_submitting_asks_for_confirmation_first(survey: Any, head: FlaskClient) -> None:
    data = typed(survey, head, COMPLETE)
    r = head.post(survey.url("STP", "legal"), data={**data, "action": ["submit"]})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="confirm-submit"' in html and "Submit this group?" in html
    assert survey.group("STP", "legal").status == "draft"  # saved, not submitted
    assert survey.values("STP")["PL-03"] == "head"

    again = survey.form_data(html)
    assert again["confirm"] == ["yes"]
    r = head.post(survey.url("STP", "legal"), data={**again, "action": ["submit"]})
    assert r.status_code == 302 and survey.group("STP", "legal").status == "submitted"


# 6: missing evidence is not a missing answer


def test_missing_evidence_is_reported_as_missing_evidence(survey: Any, head: FlaskClient) -> None:
    data = typed(survey, head, {**COMPLETE, "q_PL_03-evidence-document_number": ""})
    r = head.post(survey.url("STP", "legal"), data={**data, "action": ["submit"]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    block = html[html.index('id="q-PL-03"'):html.index('id="q-PL-06"')]
    assert "Give the evidence for this answer" in block
    assert "This question must be answered" not in block


# 7: the return reason, who and when, on the group's own page


def test_a_returned_group_page_says_why_who_and_when(survey: Any) -> None:
    app = survey.app
    survey.reset_unit("STP")
    head = in_english(survey.client("stp-head"))
    r = head.post(survey.url("STP", "legal"), data={**typed(survey, head, COMPLETE), "action": ["submit"],
                                                   "confirm": ["yes"]})
    assert r.status_code == 302
    with app.app_context():
        from survey_app.models import User

        group = db.session.scalars(select(ResponseGroup).join(Response).join(Unit, Unit.id == Response.unit_id)
                                   .where(Unit.code == "STP", ResponseGroup.group_code == "legal")).one()
        reviewer = db.session.scalar(select(User).filter_by(username="vpubnd-reviewer"))
        transition(group, Action.RETURN, reviewer, frozenset({"reviewer"}), reason="Thiếu bản scan quyết định PL-03")
        db.session.commit()
        name = reviewer.full_name
        db.session.remove()
    html = head.get(survey.url("STP", "legal")).get_data(as_text=True)
    note = html[html.index('id="returned"'):html.index("</section>", html.index('id="returned"'))]
    assert "Thiếu bản scan quyết định PL-03" in note
    assert name in note and re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", note)
    unit_page = head.get(f"/rounds/{survey.round}/units/STP").get_data(as_text=True)
    assert name in unit_page


# 11: an expired form says so, in the user's language, and keeps what was typed


@pytest.fixture
def csrf_on(survey: Any) -> Iterator[None]:
    survey.app.config["WTF_CSRF_ENABLED"] = True
    yield
    survey.app.config["WTF_CSRF_ENABLED"] = False


def test_an_expired_group_form_keeps_what_was_typed(survey: Any, csrf_on: None) -> None:
    survey.reset_unit("STP")
    c = survey.app.test_client()
    login_page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    assert token
    assert c.post("/login", data={"username": "stp-editor", "password": DEMO_PASSWORD,
                                  "csrf_token": token.group(1)}).status_code == 302
    data = typed(survey, c, {"q_PL_10a-answer": "Đang gõ dở"})
    data["csrf_token"] = ["expired-or-forged"]
    r = c.post(survey.url("STP", "legal"), data={**data, "action": ["save"]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Biểu mẫu đã hết hạn" in html
    assert survey.form_data(html)["q_PL_10a-answer"] == ["Đang gõ dở"]
    assert survey.values("STP") == {}

    auto = c.post(survey.url("STP", "legal") + "/autosave", data=data, headers={"X-Requested-With": "fetch"})
    assert auto.status_code == 400
    body = auto.get_json()
    assert body["ok"] is False and "Biểu mẫu đã hết hạn" in body["message"]


def test_an_expired_form_elsewhere_is_a_page_that_says_so(survey: Any, csrf_on: None) -> None:
    c = survey.app.test_client()
    r = c.post("/login", data={"username": "stp-head", "password": DEMO_PASSWORD, "csrf_token": "stale"})
    assert r.status_code == 400 and "Biểu mẫu đã hết hạn" in r.get_data(as_text=True)
    auto = c.post("/logout", headers={"X-Requested-With": "fetch"})
    assert auto.status_code == 400 and auto.get_json()["ok"] is False


# 16: input that used to answer 500


@pytest.mark.parametrize("name", ["q_PL_10a-comment", "q_PL_10a-answer", "q_PL_03-evidence-document_number",
                                  "q_PL_05-rows-0-procedure"])
def test_a_nul_byte_gets_a_message_not_a_crash(survey: Any, head: FlaskClient, name: str) -> None:
    data = typed(survey, head, {name: "trước\x00sau", "q_PL_04-answer": "3"})
    r = head.post(survey.url("STP", "legal"), data={**data, "action": ["save"]})
    assert r.status_code == 422
    assert "invisible character" in r.get_data(as_text=True)
    assert survey.values("STP") == {"PL-04": 3}  # the rest is saved
    auto = head.post(survey.url("STP", "legal") + "/autosave", data=data)
    assert auto.status_code == 200 and auto.get_json()["ok"] is False and auto.get_json()["errors"]


@pytest.mark.parametrize("value", ["add_row:PL-05\r\nSet-Cookie: x=1", "add_row:\x00", "add_row:../../x",
                                   "add_row:PL-10", "anything"])
def test_odd_add_row_values_are_no_server_error(survey: Any, head: FlaskClient, value: str) -> None:
    data = typed(survey, head, {"q_PL_10a-answer": "Vẫn lưu"})
    r = head.post(survey.url("STP", "legal"), data={**data, "action": [value]})
    assert r.status_code == 302
    assert "\n" not in r.headers["Location"] and "Set-Cookie" not in r.headers["Location"]
    assert survey.values("STP") == {"PL-10a": "Vẫn lưu"}
    odd_link = head.get(survey.url("STP", "legal") + "?add_row=%0D%0Ax")  # the guard refuses line breaks in links
    assert odd_link.status_code == 400 and "control characters" in odd_link.get_data(as_text=True)
