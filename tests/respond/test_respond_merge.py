"""Merging what others saved: an acknowledged answer is never replaced by
someone who has not seen it, on any path and at any timing.

The A/B/A sequence of issue 8: A and B open the legal group; A comments on
one question and autosaves; B answers a second, autosaves, then a third and
autosaves again. B's first reply must hand back A's comment (``theirs_html``)
so that B's page, updated as the browser does, no longer holds the old value.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask.testing import FlaskClient

Q1, Q2, Q3 = "PL-10a", "PL-04", "PL-10"  # text, number, severity


def put(survey: Any, data: dict[str, list[str]], code: str, value: str, part: str = "answer") -> None:
    data[f"{survey.field(code)}-{part}"] = [value]


def autosave(survey: Any, c: FlaskClient, data: dict[str, list[str]]) -> Any:
    return c.post(survey.url("STP", "legal") + "/autosave", data=data)


def apply_reply(survey: Any, data: dict[str, list[str]], body: dict[str, Any]) -> None:
    """What the page's script does with an autosave answer: take the new
    version and replace each merged question's block with the one sent."""
    if body.get("version") is not None and body.get("ok"):
        data["base_version"] = [str(body["version"])]
    for code, block in body.get("theirs_html", {}).items():
        prefix = survey.field(code) + "-"
        for name in [n for n in data if n.startswith(prefix)]:
            del data[name]
        data.update(survey.form_data(f'<form id="group-form">{block}</form>'))


@pytest.fixture
def pages(survey: Any) -> tuple[FlaskClient, FlaskClient, dict[str, list[str]], dict[str, list[str]]]:
    survey.reset_unit("STP")
    a, b = survey.client("stp-head"), survey.client("stp-editor")
    return a, b, survey.page(a, "STP", "legal")[1], survey.page(b, "STP", "legal")[1]


def test_a_b_a_autosaves_keep_every_acknowledged_answer(survey: Any, pages: Any) -> None:
    a, b, page_a, page_b = pages
    put(survey, page_a, Q1, "Ý kiến của A", part="comment")
    first = autosave(survey, a, page_a)
    assert first.status_code == 200 and first.get_json()["ok"] is True

    put(survey, page_b, Q2, "4")
    reply = autosave(survey, b, page_b)
    body = reply.get_json()
    assert reply.status_code == 200 and body["ok"] is True and body["saved_at"]
    assert Q1 in body["theirs_html"] and "Ý kiến của A" in body["theirs_html"][Q1]
    assert f'id="q-{Q1}"' in body["theirs_html"][Q1]
    apply_reply(survey, page_b, body)

    put(survey, page_b, Q3, "3")
    again = autosave(survey, b, page_b)
    assert again.status_code == 200 and again.get_json()["ok"] is True
    stored = survey.answers("STP")
    assert stored[Q1].comment == "Ý kiến của A"
    assert (stored[Q2].value, stored[Q3].value) == (4, 3)


def test_merged_questions_are_handed_back_even_when_the_post_left_them_out(survey: Any, pages: Any) -> None:
    """A question the other page did not post (hidden there, say) is still
    news to it: its block comes back so the page shows it when it appears."""
    a, b, page_a, page_b = pages
    put(survey, page_a, Q1, "Trả lời của A")
    assert autosave(survey, a, page_a).get_json()["ok"] is True
    for name in [n for n in page_b if n.startswith(survey.field(Q1) + "-")]:
        del page_b[name]
    put(survey, page_b, Q2, "2")
    body = autosave(survey, b, page_b).get_json()
    assert body["ok"] is True and "Trả lời của A" in body["theirs_html"][Q1]


def test_save_draft_shows_the_merged_values(survey: Any, pages: Any) -> None:
    a, b, page_a, page_b = pages
    put(survey, page_a, Q1, "Trả lời của A")
    assert autosave(survey, a, page_a).get_json()["ok"] is True
    put(survey, page_b, Q2, "2")
    r = b.post(survey.url("STP", "legal"), data={**page_b, "action": ["save"]})
    assert r.status_code == 302
    _html, fresh = survey.page(b, "STP", "legal")
    assert fresh[f"{survey.field(Q1)}-answer"] == ["Trả lời của A"]


@pytest.mark.parametrize("base", [None, "", "abc", "1e3", "-1", "99999"])
def test_a_missing_or_garbled_base_version_fails_closed(survey: Any, pages: Any, base: str | None) -> None:
    """Without a trustworthy version the page may be arbitrarily old: a value
    that differs from what is stored is a conflict, never an overwrite."""
    a, b, page_a, page_b = pages
    put(survey, page_a, Q1, "Trả lời của A")
    assert autosave(survey, a, page_a).get_json()["ok"] is True
    put(survey, page_b, Q1, "Trả lời của B")
    if base is None:
        del page_b["base_version"]
    else:
        page_b["base_version"] = [base]
    r = autosave(survey, b, page_b)
    assert r.status_code == 409 and r.get_json()["conflict"] is True
    assert survey.values("STP")[Q1] == "Trả lời của A"


def test_a_conflict_reports_nothing_saved(survey: Any, pages: Any) -> None:
    a, b, page_a, page_b = pages
    put(survey, page_a, Q1, "Trả lời của A")
    assert autosave(survey, a, page_a).get_json()["ok"] is True
    put(survey, page_b, Q1, "Trả lời của B")
    body = autosave(survey, b, page_b).get_json()
    assert body["ok"] is False and body["conflict"] is True and body["saved_at"] is None
    r = b.post(survey.url("STP", "legal"), data={**page_b, "action": ["save"]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="conflicts"' in html
    assert 'id="saved-line"' in html and "Đã lưu lúc" not in html


def test_autosave_with_an_unreadable_value_is_not_reported_as_saved(survey: Any, pages: Any) -> None:
    _a, b, _page_a, page_b = pages
    put(survey, page_b, Q2, "mười lăm")
    put(survey, page_b, Q1, "Vẫn lưu")
    body = autosave(survey, b, page_b).get_json()
    assert body["ok"] is False and body["errors"] and body["message"]
    assert survey.values("STP") == {Q1: "Vẫn lưu"}


def test_simultaneous_saves_of_one_group_all_land(survey: Any) -> None:
    """Three editors save three different questions of one group at the same
    instant: every save is merged, none answers 500, nothing is lost."""
    survey.reset_unit("STP")
    people = ["stp-head", "stp-editor", "stp-head"]
    clients = [survey.client(u) for u in people]
    pages = [survey.page(c, "STP", "legal")[1] for c in clients]
    for data, (code, value) in zip(pages, [(Q1, "Ba người"), (Q2, "7"), (Q3, "5")], strict=True):
        put(survey, data, code, value)
    start = threading.Barrier(len(clients))
    replies: list[Any] = [None] * len(clients)

    def run(i: int) -> None:
        start.wait()
        replies[i] = autosave(survey, clients[i], pages[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in replies] == [200, 200, 200]
    assert all(r.get_json()["ok"] for r in replies)
    assert survey.values("STP") == {Q1: "Ba người", Q2: 7, Q3: 5}
