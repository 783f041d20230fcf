"""A group page reads and saves in a fixed number of SQL statements (no N+1).

The number of statements must not grow with the number of questions of the
group nor with the number of answers given or changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from survey_app.extensions import db

#: Every legal question of a department, answered (PL-01a, PL-02 and PL-04a show because of PL-01 and PL-04).
LEGAL_ALL = {
    "PL-01": {"answer": "yes", "evidence-document_number": "12/KH-STP", "evidence-document_date": "15/03/2024"},
    "PL-01a": {"answer": "15/03/2024"},
    "PL-02": {"answer": ["person", "task", "time"]},
    "PL-03": {"answer": "head", "evidence-document_number": "20/QĐ-STP"},
    "PL-06": {"answer": "draft", "evidence-document_number": "5/QC-STP"},
    "PL-07": {"document_number": "7/QĐ-STP", "document_date": "01/02/2024"},
    "PL-08": {"numerator": "2", "denominator": "3", "evidence-document_number": "8/QĐ-STP"},
    "PL-09": {"answer": "in_force", "evidence-document_number": "9/QĐ-STP"},
    "PL-10": {"answer": "4"},
    "PL-10a": {"answer": "Vướng mắc về giá trị pháp lý của bản điện tử"},
    "PL-04": {"answer": "6"},
    "PL-04a": {"numerator": "1", "denominator": "2"},
    "PL-05": {"rows-0-procedure": "Chứng thực bản sao", "rows-0-blocking_document": "23/2015/NĐ-CP",
              "rows-0-authority": "central"},
    "PL-12": {"rows-0-content": "Sửa đổi Nghị định 23", "rows-0-issuing_level": "central"},
}

#: A different answer to every one of them.
LEGAL_ALL_CHANGED = {
    "PL-01": {"answer": "yes", "evidence-document_number": "13/KH-STP", "evidence-document_date": "16/03/2024"},
    "PL-01a": {"answer": "16/04/2024"},
    "PL-02": {"answer": ["person"]},
    "PL-03": {"answer": "deputy", "evidence-document_number": "21/QĐ-STP"},
    "PL-06": {"answer": "in_force", "evidence-document_number": "6/QC-STP"},
    "PL-07": {"document_number": "70/QĐ-STP", "document_date": "02/02/2024"},
    "PL-08": {"numerator": "1", "denominator": "3", "evidence-document_number": "80/QĐ-STP"},
    "PL-09": {"answer": "drafting", "evidence-document_number": "90/QĐ-STP"},
    "PL-10": {"answer": "2"},
    "PL-10a": {"answer": "Không còn vướng mắc"},
    "PL-04": {"answer": "7"},
    "PL-04a": {"numerator": "2", "denominator": "2"},
    "PL-05": {"rows-0-procedure": "Đăng ký hộ tịch", "rows-0-blocking_document": "123/2015/NĐ-CP",
              "rows-0-authority": "province"},
    "PL-12": {"rows-0-content": "Sửa đổi Nghị định 123", "rows-0-issuing_level": "province"},
}


@contextmanager
def count_statements(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def post_with(survey: Any, c: FlaskClient, unit: str, group: str, answers: dict[str, dict[str, Any]]) -> dict:
    """The page's form as loaded, with ``answers`` typed in."""
    _html, data = survey.page(c, unit, group)
    for code, fields in answers.items():
        for name, value in fields.items():
            data[f"{survey.field(code)}-{name}"] = value if isinstance(value, list) else [value]
    data["action"] = ["save"]
    return data


def statements_of(app: Flask, request: Callable[[], Any], expected_status: int) -> list[str]:
    with count_statements(app) as statements:
        response = request()
    assert response.status_code == expected_status, response.get_data(as_text=True)[:2000]
    return list(statements)


def explain(a: list[str], b: list[str]) -> str:
    return "\n--- fewer:\n" + "\n".join(s[:100] for s in a) + "\n--- more:\n" + "\n".join(s[:100] for s in b)


def test_saving_a_group_takes_the_same_statements_for_one_answer_or_all(app: Flask, survey: Any) -> None:
    survey.reset_unit("STP")
    head = survey.client("stp-head")
    url = survey.url("STP", "legal")
    # The unit's response exists already (another group was started), as for most saves.
    warm = post_with(survey, head, "STP", "security", {})
    warm["action"] = ["save"]
    assert head.post(survey.url("STP", "security"), data=warm).status_code == 302

    # New answers: one, then the thirteen others.
    one = post_with(survey, head, "STP", "legal", {"PL-10a": LEGAL_ALL["PL-10a"]})
    insert_one = statements_of(app, lambda: head.post(url, data=one), 302)
    assert set(survey.values("STP")) >= {"PL-10a"}
    others = post_with(survey, head, "STP", "legal", {c: f for c, f in LEGAL_ALL.items() if c != "PL-10a"})
    insert_many = statements_of(app, lambda: head.post(url, data=others), 302)
    assert {c for c, v in survey.values("STP").items() if v is not None} >= set(LEGAL_ALL)
    assert len(insert_one) == len(insert_many), explain(insert_one, insert_many)
    # The first answer of another group, with other questions: the same again.
    infra = post_with(survey, head, "STP", "infrastructure", {"HT-12a": {"answer": "Thiếu máy quét"}})
    insert_infra = statements_of(app, lambda: head.post(survey.url("STP", "infrastructure"), data=infra), 302)
    assert survey.values("STP")["HT-12a"] == "Thiếu máy quét"
    assert len(insert_infra) == len(insert_one), explain(insert_infra, insert_one)

    # Changed answers: one, then all fourteen.
    one = post_with(survey, head, "STP", "legal", {"PL-10a": LEGAL_ALL_CHANGED["PL-10a"]})
    update_one = statements_of(app, lambda: head.post(url, data=one), 302)
    everything = post_with(survey, head, "STP", "legal", LEGAL_ALL_CHANGED)
    update_all = statements_of(app, lambda: head.post(url, data=everything), 302)
    assert len(update_one) == len(update_all), explain(update_one, update_all)
    values = survey.values("STP")
    assert values["PL-10a"] == "Không còn vướng mắc" and values["PL-03"] == "deputy" and values["PL-04"] == 7
    assert {code: len(survey.revisions("STP", code)) for code in LEGAL_ALL} == dict.fromkeys(LEGAL_ALL, 2)

    # An autosave of the page is bounded the same way.
    one = post_with(survey, head, "STP", "legal", {"PL-10a": LEGAL_ALL["PL-10a"]})
    auto_one = statements_of(app, lambda: head.post(url + "/autosave", data=one), 200)
    everything = post_with(survey, head, "STP", "legal", LEGAL_ALL)
    auto_all = statements_of(app, lambda: head.post(url + "/autosave", data=everything), 200)
    assert len(auto_one) == len(auto_all), explain(auto_one, auto_all)


def test_rendering_a_group_takes_the_same_statements_whatever_is_answered(app: Flask, survey: Any) -> None:
    for unit in ("STP", "UBND-HDL"):
        survey.reset_unit(unit)
    head = survey.client("stp-head")
    url = survey.url("STP", "legal")
    first = post_with(survey, head, "STP", "legal", {"PL-10a": LEGAL_ALL["PL-10a"]})
    assert head.post(url, data=first).status_code == 302
    head.get(url)  # caches warm
    one_answered = statements_of(app, lambda: head.get(url), 200)

    everything = post_with(survey, head, "STP", "legal", LEGAL_ALL)
    assert head.post(url, data=everything).status_code == 302
    all_answered = statements_of(app, lambda: head.get(url), 200)
    assert len(one_answered) == len(all_answered), explain(one_answered, all_answered)

    # A group with other questions (a table with evidence, more choices) and none answered yet.
    infra = statements_of(app, lambda: head.get(survey.url("STP", "infrastructure")), 200)
    assert len(infra) == len(all_answered), explain(infra, all_answered)

    # A district sees fewer legal questions: still the same number of statements.
    district = survey.client("ubndhdl-head")
    durl = survey.url("UBND-HDL", "legal")
    data = post_with(survey, district, "UBND-HDL", "legal", {"PL-10a": {"answer": "Huyện"}})
    assert district.post(durl, data=data).status_code == 302
    district_page = statements_of(app, lambda: district.get(durl), 200)
    html = district.get(durl).get_data(as_text=True)
    assert 'id="q-PL-04"' not in html and 'id="q-PL-04"' in head.get(url).get_data(as_text=True)
    assert len(district_page) == len(all_answered), explain(district_page, all_answered)


def test_submitting_takes_the_same_statements_however_much_was_answered(app: Flask, survey: Any) -> None:
    """Submitting checks, freezes and scores a group (bottlenecks included) in
    a fixed number of statements: more table rows, more bottlenecks, same count."""
    counts = []
    for unit, user, rows in (("STP", "stp-head", 1), ("STC", "stc-head", 4)):
        survey.reset_unit(unit)
        head = survey.client(user)
        url = survey.url(unit, "legal")
        answers = {code: dict(fields) for code, fields in LEGAL_ALL.items()}
        for i in range(1, rows):
            answers["PL-05"].update({f"rows-{i}-procedure": f"Thủ tục {i}", f"rows-{i}-blocking_document": f"{i}/NĐ-CP",
                                     f"rows-{i}-authority": "central"})
            answers["PL-12"].update({f"rows-{i}-content": f"Kiến nghị {i}", f"rows-{i}-issuing_level": "province"})
        data = post_with(survey, head, unit, "legal", answers)
        assert head.post(url, data=data).status_code == 302
        data = post_with(survey, head, unit, "legal", {})
        data.update({"action": ["submit"], "confirm": ["yes"]})
        counts.append(statements_of(app, lambda head=head, url=url, data=data: head.post(url, data=data), 302))
        assert survey.group(unit, "legal").status == "submitted"
    assert len(counts[0]) == len(counts[1]), explain(*counts)
    assert len(counts[0]) <= 60, explain(*counts)


def second_autosave(survey: Any) -> tuple[Any, str, dict[str, Any]]:
    """stp-head saves PL-10a once, then has an autosave of a change to it ready:
    the client, the group's address and the post."""
    survey.reset_unit("STP")
    head = survey.client("stp-head")
    url = survey.url("STP", "legal")
    first = post_with(survey, head, "STP", "legal", {"PL-10a": LEGAL_ALL["PL-10a"]})
    assert head.post(url, data=first).status_code == 302
    data = post_with(survey, head, "STP", "legal", {"PL-10a": LEGAL_ALL_CHANGED["PL-10a"]})
    return head, url, data


def test_an_autosave_reads_the_stored_group_once_and_not_the_bank_source(app: Flask, survey: Any) -> None:
    """An autosave reads the group's state once before saving and never again
    after its commit (the answer needs only the new version), reads no file
    list when the post names no file, and no request decodes the bank's stored
    source (the parsed bank is cached by fingerprint)."""
    head, url, data = second_autosave(survey)
    statements = [s.lower() for s in statements_of(app, lambda: head.post(url + "/autosave", data=data), 200)]
    assert survey.values("STP")["PL-10a"] == "Không còn vướng mắc"
    saved = max(i for i, s in enumerate(statements) if s.startswith("update response_groups"))  # the version bump
    after = statements[saved + 1:]
    assert not [s for s in after if "from responses" in s or "from answers" in s or "from response_groups" in s], \
        explain([], after)
    assert not [s for s in statements if "from evidence_files" in s], explain([], statements)
    page = statements_of(app, lambda: head.get(url), 200)
    assert not [s for s in statements + page if "bank_versions.source" in s.lower()]


def test_an_autosave_reads_the_round_the_group_and_the_answers_once(app: Flask, survey: Any) -> None:
    """The unit's window (its own due date included) and the bank version come
    with the round; the group (with its response) is read once, in the locking
    statement, and the answers once, under that lock: the checks before saving
    and the save compare with the same reading. A changed answer's row comes
    with it, so no question id is read. Nothing is read after the commit: the
    access line names the user as loaded, not read again."""
    head, url, data = second_autosave(survey)
    sent = statements_of(app, lambda: head.post(url + "/autosave", data=data), 200)
    statements = [" ".join(s.lower().split()) for s in sent]
    assert survey.values("STP")["PL-10a"] == "Không còn vướng mắc"
    selects = [s.split(" from ", 1)[1].split()[0] for s in statements if s.lstrip().startswith("select")]
    assert "round_units" not in selects and "bank_versions" not in selects, explain([], statements)
    assert "responses" not in selects, explain([], statements)  # the locking statement joins it
    locking = [i for i, s in enumerate(statements) if s.startswith("select") and " from response_groups" in s]
    assert len(locking) == 1, explain([], statements)
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"  # no row locks: the save takes the write lock first
    assert "for update of response_groups" in statements[locking[0]] or sqlite, explain([], statements)
    reading_answers = [i for i, s in enumerate(statements) if s.startswith("select") and " join answers " in s]
    assert len(reading_answers) == 1 and reading_answers[0] > locking[0], explain([], statements)
    reading_ids = [s for s in statements if "bank_questions.id" in s.split(" from ", 1)[0]]
    assert reading_ids == [], explain([], statements)
    saved = max(i for i, s in enumerate(statements) if s.startswith("update response_groups"))  # the version bump
    assert statements[saved + 1:] == [], explain([], statements[saved + 1:])


def test_an_autosave_of_a_first_answer_reads_its_question_id(app: Flask, survey: Any) -> None:
    """A question answered for the first time has no row yet: its id is read (one
    statement, whatever the number of such questions), and its answer and revision stored."""
    head, url, _data = second_autosave(survey)
    data = post_with(survey, head, "STP", "legal", {"PL-10": {"answer": "3"}, "PL-10a": LEGAL_ALL_CHANGED["PL-10a"]})
    statements = [" ".join(s.lower().split()) for s in
                  statements_of(app, lambda: head.post(url + "/autosave", data=data), 200)]
    reading_ids = [s for s in statements if "bank_questions.id" in s.split(" from ", 1)[0]]
    assert len(reading_ids) == 1, explain([], statements)
    assert [s for s in statements if s.startswith("insert into answers ")], explain([], statements)
    values = survey.values("STP")
    assert values["PL-10"] == 3 and values["PL-10a"] == "Không còn vướng mắc"
    assert len(survey.revisions("STP", "PL-10")) == 1 and len(survey.revisions("STP", "PL-10a")) == 2


def test_a_group_page_without_review_feedback_asks_for_it_once(app: Flask, survey: Any) -> None:
    """Most groups have no return, appraisal or proposal: one statement says so,
    and none of them is read (the page shows no feedback section)."""
    survey.reset_unit("STP")
    head = survey.client("stp-head")
    url = survey.url("STP", "legal")
    first = post_with(survey, head, "STP", "legal", {"PL-10a": LEGAL_ALL["PL-10a"]})
    assert head.post(url, data=first).status_code == 302
    statements = [" ".join(s.lower().split()) for s in statements_of(app, lambda: head.get(url), 200)]
    asking = [s for s in statements if "scope_reviews" in s or "appraisals" in s or "proposals" in s]
    assert len(asking) == 1 and "exists" in asking[0], explain([], statements)
    assert "review-feedback" not in head.get(url).get_data(as_text=True)
