"""Submitting a group: only the head, only when complete; then it is scored and frozen.

Pages are read in English here, so that the messages checked are the
application's own words rather than a translation.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from survey_app.extensions import db
from survey_app.models import GroupEvent, ResponseGroup

#: A complete legal group for a department, with the evidence the bank requires.
COMPLETE = {
    "q_PL_01-answer": "yes", "q_PL_01-evidence-document_number": "12/KH-STP",
    "q_PL_01-evidence-document_date": "15/03/2024", "q_PL_01a-answer": "15/03/2024",
    "q_PL_02-answer": ["person", "task", "time"],
    "q_PL_03-answer": "head", "q_PL_03-evidence-document_number": "20/QĐ-STP",
    "q_PL_06-answer": "draft", "q_PL_06-evidence-document_number": "5/QC-STP",
    "q_PL_07-document_number": "7/QĐ-STP",
    "q_PL_08-numerator": "2", "q_PL_08-denominator": "3", "q_PL_08-evidence-document_number": "8/QĐ-STP",
    "q_PL_09-answer": "in_force", "q_PL_09-evidence-document_number": "9/QĐ-STP",
    "q_PL_10-answer": "4",  # at the bank's severity threshold: a bottleneck
    "q_PL_10a-answer": "Chưa công nhận bản điện tử",
    "q_PL_04-answer": "6", "q_PL_04a-numerator": "1", "q_PL_04a-denominator": "2",
    "q_PL_05-rows-0-procedure": "Chứng thực bản sao", "q_PL_05-rows-0-blocking_document": "23/2015/NĐ-CP",
    "q_PL_05-rows-0-authority": "central",
    "q_PL_12-rows-0-content": "Sửa đổi Nghị định 23", "q_PL_12-rows-0-issuing_level": "central",
}


def in_english(c: FlaskClient) -> FlaskClient:
    assert c.post("/language/en").status_code == 302
    return c


def post(survey: Any, c: FlaskClient, changes: dict[str, Any], action: str = "save", suffix: str = "") -> Any:
    _html, data = survey.page(c, "STP", "legal")
    data.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    data["action"] = [action]
    if action == "submit":
        data["confirm"] = ["yes"]  # the confirmation step (test_submitting_asks_for_confirmation_first)
    return c.post(survey.url("STP", "legal") + suffix, data=data)


def flashes(html: str) -> list[str]:
    return [htmllib.unescape(m) for m in re.findall(r'<p class="flash [a-z]+" role="status">([^<]*)</p>', html)]


@pytest.fixture
def head(survey: Any) -> FlaskClient:
    survey.reset_unit("STP")
    return in_english(survey.client("stp-head"))


@pytest.fixture
def editor(survey: Any, head: FlaskClient) -> FlaskClient:  # after head, which resets STP
    return in_english(survey.client("stp-editor"))


def test_an_editor_cannot_submit(survey: Any, head: FlaskClient, editor: FlaskClient) -> None:
    page, _data = survey.page(editor, "STP", "legal")
    assert 'value="submit"' not in page and 'value="save"' in page

    r = post(survey, editor, COMPLETE, action="submit")

    assert r.status_code == 302
    assert "Only the head of the unit can submit." in flashes(editor.get(r.headers["Location"]).get_data(as_text=True))
    group = survey.group("STP", "legal")
    assert group.status == "draft" and group.submitted_at is None and group.score is None
    assert survey.values("STP")["PL-03"] == "head"  # the answers themselves were saved
    with survey.app.app_context():
        assert db.session.query(GroupEvent).filter(GroupEvent.response_group_id == group.id).count() == 0


def test_submitting_with_answers_missing_lists_them_with_links(survey: Any, head: FlaskClient) -> None:
    r = post(survey, head, {"q_PL_10a-answer": "Chỉ câu này"}, action="submit")

    assert r.status_code == 422
    html = r.get_data(as_text=True)
    listed = html[html.index('id="missing"'):html.index("</section>", html.index('id="missing"'))]
    # Required questions shown to a department; PL-01a, PL-02 and PL-04a are hidden by their conditions,
    # PL-07, PL-10a, PL-05 and PL-12 are optional.
    assert re.findall(r'href="#q-([A-Z0-9a-z-]+)"', listed) == ["PL-01", "PL-03", "PL-06", "PL-08", "PL-09",
                                                               "PL-10", "PL-04"]
    for code in ("PL-01", "PL-03", "PL-06", "PL-08", "PL-09", "PL-10", "PL-04"):
        assert f'class="question missing" id="q-{code}"' in html  # the target of the link is marked
    assert 'class="question missing" id="q-PL-10a"' not in html
    group = survey.group("STP", "legal")
    assert group.status == "draft" and group.score is None
    assert survey.values("STP") == {"PL-10a": "Chỉ câu này"}  # what was typed is saved as a draft


def test_an_answer_that_claims_something_needs_its_evidence(survey: Any, head: FlaskClient) -> None:
    without = {**COMPLETE, "q_PL_03-evidence-document_number": ""}
    r = post(survey, head, without, action="submit")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    listed = html[html.index('id="missing"'):html.index("</section>", html.index('id="missing"'))]
    assert re.findall(r'href="#q-([A-Z0-9a-z-]+)"', listed) == ["PL-03"]
    # "No working group yet" claims nothing, so it needs no document.
    r = post(survey, head, {**without, "q_PL_03-answer": "none"}, action="submit")
    assert r.status_code == 302
    assert survey.group("STP", "legal").status == "submitted"


def test_a_complete_submission_is_scored_and_then_read_only(
        survey: Any, head: FlaskClient, editor: FlaskClient) -> None:
    r = post(survey, head, COMPLETE, action="submit")

    assert r.status_code == 302
    group = survey.group("STP", "legal")
    assert group.status == "submitted" and group.submitted_at is not None
    assert group.score is not None and 0 <= group.score <= 100
    assert group.band in ("red", "yellow", "green")
    assert group.section_scores and set(group.section_scores) == {"legal-plan", "legal-data", "legal-review"}
    assert {"PL-10", "PL-05", "PL-12"} <= {b.question_code for b in group.bottlenecks}
    with survey.app.app_context():
        events = db.session.query(GroupEvent).filter(GroupEvent.response_group_id == group.id).all()
        assert [(e.action, e.from_status, e.to_status) for e in events] == [("submit", "draft", "submitted")]
        assert db.session.get(ResponseGroup, group.id).submitted_by.username == "stp-head"

    page = head.get(survey.url("STP", "legal")).get_data(as_text=True)
    assert 'id="group-form"' not in page
    assert f"{group.score:.2f} / 100" in page  # English page: decimal point
    assert "Submitted. The group is now read-only; its score is shown below." in flashes(page)
    results = head.get(f"/rounds/{survey.round}/units/STP/results")
    assert results.status_code == 200 and "PL-10" in results.get_data(as_text=True)

    before = survey.values("STP")
    revisions = len(survey.revisions("STP", "PL-03"))
    for c in (head, editor):
        for action in ("save", "submit"):
            r = c.post(survey.url("STP", "legal"), data={
                "base_version": str(group.version), "action": action, "q_PL_03-answer": "none",
                "q_PL_10a-answer": "Sửa sau khi gửi", "q_PL_04-answer": "1"})
            assert r.status_code == 200
            assert "This group can no longer be changed." in flashes(r.get_data(as_text=True))
        r = c.post(survey.url("STP", "legal") + "/autosave", data={
            "base_version": str(group.version), "q_PL_03-answer": "none"})
        assert r.status_code == 409 and r.get_json()["ok"] is False
    assert survey.values("STP") == before
    assert len(survey.revisions("STP", "PL-03")) == revisions
    after = survey.group("STP", "legal")
    assert (after.status, after.version, after.score) == ("submitted", group.version, group.score)


def test_the_history_page_shows_old_and_new_values(survey: Any, head: FlaskClient, editor: FlaskClient) -> None:
    assert post(survey, head, {"q_PL_10a-answer": "Cũ", "q_PL_03-answer": "head"}).status_code == 302
    assert post(survey, editor, {"q_PL_10a-answer": "Mới", "q_PL_03-answer": "deputy"}).status_code == 302

    def rows(code: str) -> list[list[str]]:
        page = head.get(f"/rounds/{survey.round}/units/STP/history/{code}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        body = body[body.index("<tbody>"):body.index("</tbody>")]
        return [[htmllib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(
            r"<td>(.*?)</td>", row, re.S)] for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]

    text = rows("PL-10a")
    assert [r[1:] for r in text] == [["Chuyên viên STP", "Cũ", "Mới"], ["Thủ trưởng STP", "", "Cũ"]]  # newest first
    choice = rows("PL-03")
    assert [r[2:] for r in choice] == [["The head of the unit (Director, Head of Board, People's Committee Chairman)",
                                        "A deputy head"],
                                       ["", "The head of the unit (Director, Head of Board, People's Committee "
                                            "Chairman)"]]
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", text[0][0])
