"""Two people, one group: nobody's answer is overwritten without them seeing it.

The head (A) and the editor (B) of the Department of Justice open the legal
group at the same version. A saves first. When B saves from the old page:
a question both changed is a conflict (nothing of B's is saved, B chooses);
a question only A changed keeps A's value; B's other changes are saved once
B has resolved the conflicts.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

Q1, Q2, Q3 = "PL-10a", "PL-04", "PL-10"  # text, number, severity
A_NAME, B_NAME = "Thủ trưởng STP", "Chuyên viên STP"


def put(survey: Any, data: dict[str, list[str]], code: str, value: str, part: str = "answer") -> None:
    data[f"{survey.field(code)}-{part}"] = [value]


def save(c: FlaskClient, survey: Any, data: dict[str, list[str]], action: str = "save") -> Any:
    return c.post(survey.url("STP", "legal"), data={**data, "action": [action]})


def base_version(html: str) -> int:
    match = re.search(r'name="base_version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="base_version"', html)
    assert match, "the page has no base_version"
    return int(match.group(1) or match.group(2))


def table_of(html: str) -> str:
    """The history table (the page's header also names the person logged in)."""
    return htmllib.unescape(html[html.index("<table"):html.index("</table>")])


@pytest.fixture
def both(survey: Any) -> tuple[FlaskClient, FlaskClient, dict[str, list[str]], dict[str, list[str]]]:
    """A and B logged in, with the legal group open at the same version (Q1, Q2, Q3 answered)."""
    survey.reset_unit("STP")
    a, b = survey.client("stp-head"), survey.client("stp-editor")
    _html, data = survey.page(a, "STP", "legal")
    put(survey, data, Q1, "Ban đầu")
    put(survey, data, Q2, "3")
    put(survey, data, Q3, "2")
    assert save(a, survey, data).status_code == 302
    html_a, page_a = survey.page(a, "STP", "legal")
    html_b, page_b = survey.page(b, "STP", "legal")
    assert base_version(html_a) == base_version(html_b) > 0
    assert survey.values("STP") == {Q1: "Ban đầu", Q2: 3, Q3: 2}
    return a, b, page_a, page_b


def a_saves_q1_and_q2(survey: Any, a: FlaskClient, page_a: dict[str, list[str]]) -> None:
    put(survey, page_a, Q1, "Sửa bởi A")
    put(survey, page_a, Q2, "5")
    assert save(a, survey, page_a).status_code == 302
    assert survey.values("STP") == {Q1: "Sửa bởi A", Q2: 5, Q3: 2}


def test_a_conflict_saves_nothing_and_shows_who_changed_what(survey: Any, both: Any) -> None:
    a, b, page_a, page_b = both
    a_saves_q1_and_q2(survey, a, page_a)
    version_after_a = survey.group("STP", "legal").version

    put(survey, page_b, Q1, "Sửa bởi B")
    put(survey, page_b, Q3, "4")
    r = save(b, survey, page_b)

    assert r.status_code == 422
    html = r.get_data(as_text=True)
    panel = html[html.index('id="conflicts"'):html.index("</section>", html.index('id="conflicts"'))]
    assert f'href="#q-{Q1}"' in panel and f'name="resolve__{Q1}"' in panel
    assert A_NAME in panel and "Sửa bởi A" in panel and "Sửa bởi B" in panel
    assert f'href="#q-{Q2}"' not in panel and f'href="#q-{Q3}"' not in panel  # only Q1 is a conflict
    # Nothing of B's was saved, not even Q3, which nobody else touched; A's answers stand.
    assert survey.values("STP") == {Q1: "Sửa bởi A", Q2: 5, Q3: 2}
    assert survey.group("STP", "legal").version == version_after_a
    assert [r.new_value for r in survey.revisions("STP", Q3)] == [2]
    # The page B sees now starts from the current version, keeps what B typed, and shows A's Q2.
    again = survey.form_data(html)
    assert base_version(html) == version_after_a
    assert again[f"{survey.field(Q1)}-answer"] == ["Sửa bởi B"]
    assert again[f"{survey.field(Q3)}-answer"] == ["4"]
    assert again[f"{survey.field(Q2)}-answer"] == ["5"]
    assert again[f"resolve__{Q1}"] == ["mine"]  # the default choice


@pytest.mark.parametrize("choice", ["theirs", "mine"])
def test_resolving_a_conflict_saves_the_choice_and_keeps_every_change_in_the_history(
        survey: Any, both: Any, choice: str) -> None:
    a, b, page_a, page_b = both
    a_saves_q1_and_q2(survey, a, page_a)
    put(survey, page_b, Q1, "Sửa bởi B")
    put(survey, page_b, Q3, "4")
    conflict = save(b, survey, page_b)
    assert conflict.status_code == 422

    again = survey.form_data(conflict.get_data(as_text=True))
    again[f"resolve__{Q1}"] = [choice]
    r = save(b, survey, again)

    assert r.status_code == 302
    kept = "Sửa bởi A" if choice == "theirs" else "Sửa bởi B"
    assert survey.values("STP") == {Q1: kept, Q2: 5, Q3: 4}
    history = [(r.old_value, r.new_value) for r in survey.revisions("STP", Q1)]
    expected = [(None, "Ban đầu"), ("Ban đầu", "Sửa bởi A")]
    if choice == "mine":
        expected.append(("Sửa bởi A", "Sửa bởi B"))
    assert history == expected
    assert [(r.old_value, r.new_value) for r in survey.revisions("STP", Q2)] == [(None, 3), (3, 5)]
    assert [(r.old_value, r.new_value) for r in survey.revisions("STP", Q3)] == [(None, 2), (2, 4)]

    page = b.get(f"/rounds/{survey.round}/units/STP/history/{Q1}")
    assert page.status_code == 200
    text = table_of(page.get_data(as_text=True))
    for value in ("Ban đầu", "Sửa bởi A", A_NAME):
        assert value in text
    assert ("Sửa bởi B" in text) == (choice == "mine")
    assert (B_NAME in text) == (choice == "mine")
    q3 = table_of(b.get(f"/rounds/{survey.round}/units/STP/history/{Q3}").get_data(as_text=True))
    assert "2/5" in q3 and "4/5" in q3 and B_NAME in q3


def test_a_question_only_the_other_person_changed_is_not_reverted(survey: Any, both: Any) -> None:
    a, b, page_a, page_b = both
    a_saves_q1_and_q2(survey, a, page_a)

    put(survey, page_b, Q3, "5")  # B touches only Q3; Q1 and Q2 still hold what B loaded
    r = save(b, survey, page_b)

    assert r.status_code == 302
    assert survey.values("STP") == {Q1: "Sửa bởi A", Q2: 5, Q3: 5}
    assert len(survey.revisions("STP", Q1)) == 2 and len(survey.revisions("STP", Q2)) == 2
    _html, fresh = survey.page(b, "STP", "legal")
    assert fresh[f"{survey.field(Q1)}-answer"] == ["Sửa bởi A"] and fresh[f"{survey.field(Q2)}-answer"] == ["5"]


def test_the_same_change_by_both_is_not_a_conflict(survey: Any, both: Any) -> None:
    a, b, page_a, page_b = both
    a_saves_q1_and_q2(survey, a, page_a)
    put(survey, page_b, Q1, "Sửa bởi A")
    put(survey, page_b, Q3, "3")
    assert save(b, survey, page_b).status_code == 302
    assert survey.values("STP") == {Q1: "Sửa bởi A", Q2: 5, Q3: 3}


def test_autosave_reports_a_conflict_with_409_and_saves_nothing(survey: Any, both: Any) -> None:
    a, b, page_a, page_b = both
    a_saves_q1_and_q2(survey, a, page_a)
    autosave = survey.url("STP", "legal") + "/autosave"

    put(survey, page_b, Q1, "Sửa bởi B")
    put(survey, page_b, Q3, "4")
    r = b.post(autosave, data=page_b)

    assert r.status_code == 409
    body = r.get_json()
    assert body["conflict"] is True and body["ok"] is False and body["message"]
    assert body["version"] == survey.group("STP", "legal").version
    assert survey.values("STP") == {Q1: "Sửa bởi A", Q2: 5, Q3: 2}

    # Without a conflicting question, autosave from the old page keeps A's Q1 and Q2.
    put(survey, page_b, Q1, "Ban đầu")
    r = b.post(autosave, data=page_b)
    assert r.status_code == 200 and r.get_json()["ok"] is True
    assert survey.values("STP") == {Q1: "Sửa bởi A", Q2: 5, Q3: 4}
