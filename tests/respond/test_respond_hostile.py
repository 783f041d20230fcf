"""Hostile and malformed values on every question type of the legal group.

Each value is either refused with a message next to its field (and the stored
answer is left as it was), or stored exactly as sent and shown escaped. No
request ends in a server error.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = "\"'><img src=x onerror=alert(1)>"
NFD = unicodedata.normalize("NFD", "Tiếng Việt có dấu: Đề án 06, Nghị định 13/2023/NĐ-CP")
BIG = "Ă" * 100_000  # 100 000 characters, 200 KB in UTF-8

#: Valid answers stored before each hostile post, as the form takes them and as they are stored.
BASELINE_FORM = {
    "q_PL_01-answer": "yes", "q_PL_01a-answer": "15/03/2024", "q_PL_02-answer": ["person", "task"],
    "q_PL_03-answer": "head", "q_PL_06-answer": "draft", "q_PL_07-document_number": "7/QĐ-STP",
    "q_PL_07-document_date": "01/02/2024", "q_PL_08-numerator": "1", "q_PL_08-denominator": "2",
    "q_PL_09-answer": "in_force", "q_PL_10-answer": "2", "q_PL_10a-answer": "Ban đầu", "q_PL_04-answer": "3",
    "q_PL_04a-numerator": "1", "q_PL_04a-denominator": "3", "q_PL_05-rows-0-procedure": "Chứng thực",
    "q_PL_05-rows-0-blocking_document": "23/2015/NĐ-CP", "q_PL_05-rows-0-authority": "central",
    "q_PL_12-rows-0-content": "Sửa đổi", "q_PL_12-rows-0-issuing_level": "province",
}
BASELINE = {
    "PL-01": "yes", "PL-01a": "2024-03-15", "PL-02": ["person", "task"], "PL-03": "head", "PL-06": "draft",
    "PL-07": {"document_number": "7/QĐ-STP", "document_date": "2024-02-01", "files": []},
    "PL-08": {"numerator": 1, "denominator": 2}, "PL-09": "in_force", "PL-10": 2, "PL-10a": "Ban đầu", "PL-04": 3,
    "PL-04a": {"numerator": 1, "denominator": 3},
    "PL-05": [{"procedure": "Chứng thực", "blocking_document": "23/2015/NĐ-CP", "provision": None, "proposal": None,
               "authority": "central"}],
    "PL-12": [{"content": "Sửa đổi", "document": None, "issuing_level": "province", "urgency": None}],
}


@pytest.fixture
def head(survey: Any) -> FlaskClient:
    """stp-head, with the legal group answered (BASELINE)."""
    survey.reset_unit("STP")
    c = survey.client("stp-head")
    _html, data = survey.page(c, "STP", "legal")
    data.update({k: v if isinstance(v, list) else [v] for k, v in BASELINE_FORM.items()})
    data["action"] = ["save"]
    assert c.post(survey.url("STP", "legal"), data=data).status_code == 302
    assert survey.values("STP") == BASELINE
    return c


def post(survey: Any, c: FlaskClient, changes: dict[str, Any], url_suffix: str = "") -> Any:
    """Post the legal page as loaded, with ``changes`` typed in."""
    _html, data = survey.page(c, "STP", "legal")
    data.update({k: v if isinstance(v, list | tuple) else [v] for k, v in changes.items()})
    data["action"] = ["save"]
    r = c.post(survey.url("STP", "legal") + url_suffix, **multipart(data))
    assert r.status_code != 500
    return r


def multipart(data: dict[str, Any]) -> dict[str, Any]:
    """The form encoded in memory, as a browser sends it. (Given files, the test
    client would spool a large body to a temporary file and never close it.)"""
    fields = {k: FileStorage(v[0], filename=v[1], content_type="application/octet-stream")
              if isinstance(v, tuple) else v for k, v in data.items()}
    boundary, body = encode_multipart(MultiDict(fields))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def error_next_to(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]+)</p>', html)
    assert match, f"no message next to {field_id}"
    return htmllib.unescape(match.group(1))


def assert_escaped(html: str) -> None:
    for raw in (SCRIPT, "<img src=x onerror=alert(1)>"):
        assert raw not in html, f"{raw} appears unescaped"


# Values that are kept exactly, wherever free text is typed.

FREE_TEXT = [SCRIPT, ATTRIBUTE, "=1+1", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://x\")", NFD,
             "Dòng 1\nDòng 2", "Ā\u200bẞ\U0001f600"]


@pytest.mark.parametrize("value", FREE_TEXT, ids=range(len(FREE_TEXT)))
def test_free_text_is_stored_exactly_and_shown_escaped(survey: Any, head: FlaskClient, value: str) -> None:
    r = post(survey, head, {
        "q_PL_10a-answer": value,  # text
        "q_PL_01-comment": value,  # a comment
        "q_PL_07-document_number": value,  # an evidence document number
        "q_PL_05-rows-0-procedure": value,  # a table cell
        "q_PL_12-rows-0-content": value,
    })
    assert r.status_code == 302
    stored = survey.answers("STP")
    assert stored["PL-10a"].value == value
    assert stored["PL-01"].comment == value
    assert stored["PL-07"].value["document_number"] == value
    assert stored["PL-05"].value[0]["procedure"] == value
    assert stored["PL-12"].value[0]["content"] == value
    if value == NFD:
        assert unicodedata.is_normalized("NFD", stored["PL-10a"].value)
        assert not unicodedata.is_normalized("NFC", stored["PL-10a"].value)

    page = head.get(survey.url("STP", "legal")).get_data(as_text=True)
    assert_escaped(page)
    again = survey.form_data(page)  # what the browser shows (and would send back) is the value itself
    assert again["q_PL_10a-answer"] == [value]
    assert again["q_PL_01-comment"] == [value]
    assert again["q_PL_07-document_number"] == [value]
    assert again["q_PL_05-rows-0-procedure"] == [value]
    history = head.get(f"/rounds/{survey.round}/units/STP/history/PL-10a").get_data(as_text=True)
    assert_escaped(history)
    assert value in htmllib.unescape(history)


def test_html_in_a_conflict_is_shown_escaped(survey: Any, head: FlaskClient) -> None:
    editor = survey.client("stp-editor")
    _html, stale = survey.page(editor, "STP", "legal")
    assert post(survey, head, {"q_PL_10a-answer": SCRIPT}).status_code == 302
    stale.update({"q_PL_10a-answer": [ATTRIBUTE], "action": ["save"]})
    r = editor.post(survey.url("STP", "legal"), data=stale)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="conflicts"' in html
    assert_escaped(html)
    assert htmllib.escape(SCRIPT, quote=False) in html


# Values that are refused, with a message next to the field.

REFUSED = [
    # (field, typed value, field whose message shows it, question left as it was)
    ("q_PL_04-answer", "abc", "q_PL_04-answer", "PL-04"),  # letters in a number
    ("q_PL_04-answer", "12a", "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", "=1+1", "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", "@SUM(A1)", "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", SCRIPT, "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", "-1", "q_PL_04-answer", "PL-04"),  # below the bank's min_value
    ("q_PL_04-answer", "NaN", "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", "Infinity", "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", "1e999", "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", "9" * 40, "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", BIG, "q_PL_04-answer", "PL-04"),
    ("q_PL_04-answer", NFD, "q_PL_04-answer", "PL-04"),
    ("q_PL_08-numerator", "5", "q_PL_08-numerator", "PL-08"),  # 5 of 2: the bank says numerator ≤ denominator
    ("q_PL_08-numerator", "x", "q_PL_08-numerator", "PL-08"),
    ("q_PL_08-denominator", "", "q_PL_08-denominator", "PL-08"),  # one number without the other
    ("q_PL_08-denominator", "-2", "q_PL_08-denominator", "PL-08"),
    ("q_PL_04a-numerator", "4", "q_PL_04a-numerator", "PL-04a"),
    ("q_PL_10-answer", "9", "q_PL_10-answer", "PL-10"),  # severity is 1–5
    ("q_PL_10-answer", "0", "q_PL_10-answer", "PL-10"),
    ("q_PL_10-answer", "-1", "q_PL_10-answer", "PL-10"),
    ("q_PL_10-answer", "²", "q_PL_10-answer", "PL-10"),
    ("q_PL_10-answer", SCRIPT, "q_PL_10-answer", "PL-10"),
    ("q_PL_01-answer", "maybe", "q_PL_01-answer", "PL-01"),  # yes/no
    ("q_PL_01-answer", SCRIPT, "q_PL_01-answer", "PL-01"),
    ("q_PL_03-answer", "bogus", "q_PL_03-answer", "PL-03"),  # single choice
    ("q_PL_03-answer", "=1+1", "q_PL_03-answer", "PL-03"),
    ("q_PL_02-answer", ["person", "bogus"], "q_PL_02-answer", "PL-02"),  # multiple choice
    ("q_PL_02-answer", [SCRIPT], "q_PL_02-answer", "PL-02"),
    ("q_PL_01a-answer", "31/02/2024", "q_PL_01a-answer", "PL-01a"),  # no such day
    ("q_PL_01a-answer", "2024-13-01", "q_PL_01a-answer", "PL-01a"),
    ("q_PL_01a-answer", "01/01/1800", "q_PL_01a-answer", "PL-01a"),
    ("q_PL_01a-answer", "=TODAY()", "q_PL_01a-answer", "PL-01a"),
    ("q_PL_01a-answer", SCRIPT, "q_PL_01a-answer", "PL-01a"),
    ("q_PL_07-document_date", "31/02/2024", "q_PL_07-document_date", "PL-07"),  # evidence date
    ("q_PL_07-document_number", BIG, "q_PL_07-document_number", "PL-07"),
    ("q_PL_01-evidence-document_date", "30/02/2024", "q_PL_01-evidence-document_date", "PL-01"),
    ("q_PL_10a-answer", BIG, "q_PL_10a-answer", "PL-10a"),  # text longer than 10 000 characters
    ("q_PL_10a-comment", BIG, "q_PL_10a-comment", "PL-10a"),
    ("q_PL_05-rows-0-procedure", BIG, "q_PL_05-rows-0-procedure", "PL-05"),
    ("q_PL_05-rows-0-authority", "bogus", "q_PL_05-rows-0-authority", "PL-05"),  # table choice cell
    ("q_PL_12-rows-0-issuing_level", SCRIPT, "q_PL_12-rows-0-issuing_level", "PL-12"),
]


@pytest.mark.parametrize(("name", "value", "error_field", "code"), REFUSED, ids=range(len(REFUSED)))
def test_unreadable_values_are_refused_next_to_the_field(
        survey: Any, head: FlaskClient, name: str, value: Any, error_field: str, code: str) -> None:
    r = post(survey, head, {name: value, "q_PL_06-answer": "in_force"})  # and one valid change

    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert error_next_to(html, error_field)
    assert_escaped(html)
    if isinstance(value, str) and name.endswith(("answer", "numerator", "denominator", "comment", "procedure",
                                                 "document_number", "document_date")) \
            and not name.startswith(("q_PL_01-answer", "q_PL_03", "q_PL_10-")):
        assert survey.form_data(html)[name] == [value]  # typed text is shown again, to correct
    values = survey.values("STP")
    assert values[code] == BASELINE[code]  # the refused question keeps its answer
    assert values["PL-06"] == "in_force"  # everything else is saved
    assert {k: v for k, v in values.items() if k not in ("PL-06",)} == {
        k: v for k, v in BASELINE.items() if k != "PL-06"}


def test_autosave_reports_refused_values_by_field(survey: Any, head: FlaskClient) -> None:
    r = post(survey, head, {"q_PL_04-answer": "abc", "q_PL_10-answer": "9", "q_PL_10a-answer": SCRIPT},
             url_suffix="/autosave")
    assert r.status_code == 200
    body = r.get_json()
    assert set(body["errors"]) == {"q_PL_04-answer", "q_PL_10-answer"}
    values = survey.values("STP")
    assert values["PL-04"] == 3 and values["PL-10"] == 2 and values["PL-10a"] == SCRIPT


@pytest.mark.parametrize("base", ["abc", "-5", "²", "1.5", "99999999999999999999", "2147483648", ""])
def test_a_malformed_base_version_is_no_server_error(survey: Any, head: FlaskClient, base: str) -> None:
    for suffix in ("", "/autosave"):
        r = post(survey, head, {"base_version": base, "q_PL_10a-answer": "Mới " + suffix}, url_suffix=suffix)
        assert r.status_code in (200, 302, 409, 422)


def test_table_rows_beyond_the_limit_or_with_odd_indexes(survey: Any, head: FlaskClient) -> None:
    odd = post(survey, head, {"q_PL_05-rows-99999999999999999999-procedure": "Xa", "q_PL_05-rows--1-procedure": "Âm"})
    assert odd.status_code == 302
    assert [row["procedure"] for row in survey.values("STP")["PL-05"]] == ["Chứng thực", "Xa"]
    # A table holds at most 200 rows: more is refused with a message next to the table, never cut silently.
    before = survey.values("STP").get("PL-12")
    many = post(survey, head, {f"q_PL_12-rows-{i}-content": f"Dòng {i}" for i in range(250)})
    assert many.status_code == 422
    assert 'id="q_PL_12-rows-error"' in many.get_data(as_text=True)
    assert survey.values("STP").get("PL-12") == before
    full = post(survey, head, {f"q_PL_12-rows-{i}-content": f"Dòng {i}" for i in range(200)})
    assert full.status_code == 302
    assert [row["content"] for row in survey.values("STP")["PL-12"]] == [f"Dòng {i}" for i in range(200)]


# Files.

def test_a_pdf_is_stored_with_a_clean_name_and_downloads_as_sent(survey: Any, head: FlaskClient) -> None:
    names = ["<img src=x onerror=alert(1)>.pdf", "../../etc/passwd.pdf",
             unicodedata.normalize("NFD", "Kế hoạch số 1.pdf")]
    for name in names:
        r = post(survey, head, {"q_PL_07-file": (BytesIO(PDF), name)})
        assert r.status_code == 302
    files = survey.files("STP")
    assert [f.filename for f in files] == [names[0], "passwd.pdf", names[2]]
    assert all(f.content_type == "application/pdf" and f.size == len(PDF) for f in files)
    assert survey.values("STP")["PL-07"]["files"] == [f.id for f in files]
    page = head.get(survey.url("STP", "legal")).get_data(as_text=True)
    assert_escaped(page)
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page and names[2] in page
    for f in files:
        download = head.get(f"/evidence/{f.id}")
        assert download.status_code == 200 and download.data == PDF
        assert "<script>" not in download.headers["Content-Disposition"]


NOT_ACCEPTED = [
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200),  # a Windows program
    ("report.pdf", b"This is plain text pretending to be a PDF.\n" * 10),
    ("report.pdf", b"<html><script>alert(1)</script></html>"),
    ("report.docx", b"PK\x03\x04" + b"\x00" * 100),  # a zip that is no office document
    ("empty.pdf", b""),
]


@pytest.mark.parametrize(("name", "content"), NOT_ACCEPTED, ids=range(len(NOT_ACCEPTED)))
@pytest.mark.parametrize("field", ["q_PL_07-file", "q_PL_01-evidence-file"])
def test_files_that_are_not_documents_are_refused(
        survey: Any, head: FlaskClient, field: str, name: str, content: bytes) -> None:
    r = post(survey, head, {field: (BytesIO(content), name), "q_PL_10a-answer": "Vẫn lưu"})
    assert r.status_code == 422
    assert error_next_to(r.get_data(as_text=True), field)
    assert survey.files("STP") == []
    values = survey.values("STP")
    assert values["PL-10a"] == "Vẫn lưu" and values["PL-07"] == BASELINE["PL-07"] and values["PL-01"] == "yes"


def test_a_file_over_the_size_limit_is_refused(
        app: Flask, survey: Any, head: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "MAX_EVIDENCE_MB", 1)
    too_big = PDF + b"0" * (1024 * 1024)
    r = post(survey, head, {"q_PL_07-file": (BytesIO(too_big), "big.pdf")})
    assert r.status_code == 422
    assert "1 MB" in error_next_to(r.get_data(as_text=True), "q_PL_07-file")
    assert survey.files("STP") == []
    just_right = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert post(survey, head, {"q_PL_07-file": (BytesIO(just_right), "ok.pdf")}).status_code == 302
    assert [f.size for f in survey.files("STP")] == [1024 * 1024]


def test_a_request_over_the_upload_limit_gets_a_page_not_a_crash(
        app: Flask, survey: Any, head: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 256 * 1024)
    r = post(survey, head, {"q_PL_07-file": (BytesIO(PDF + b"0" * 300_000), "huge.pdf")})
    assert r.status_code == 413
    assert survey.files("STP") == [] and survey.values("STP") == BASELINE


def test_files_can_be_removed_but_only_the_units_own_are_kept(survey: Any, head: FlaskClient) -> None:
    assert post(survey, head, {"q_PL_07-file": (BytesIO(PDF), "a.pdf")}).status_code == 302
    assert post(survey, head, {"q_PL_07-file": (BytesIO(PDF), "b.pdf")}).status_code == 302
    a, b = (f.id for f in survey.files("STP"))
    assert survey.values("STP")["PL-07"]["files"] == [a, b]

    # Another unit's file, and made-up ids, typed into the hidden list are not kept.
    survey.reset_unit("SYT")
    syt = survey.client("syt-head")
    _html, data = survey.page(syt, "SYT", "legal")
    data.update({"q_PL_07-file": (BytesIO(PDF), "syt.pdf"), "action": ["save"]})  # type: ignore[dict-item]
    assert syt.post(survey.url("SYT", "legal"), data=data).status_code == 302
    (foreign,) = (f.id for f in survey.files("SYT"))
    r = post(survey, head, {"q_PL_07-kept_files": f"{a},{b},{foreign},999999,99999999999999999999,²,-1,x"})
    assert r.status_code == 302
    assert survey.values("STP")["PL-07"]["files"] == [a, b]

    # Ticking "Remove" takes a file off the answer (the file stays in the history).
    r = post(survey, head, {"q_PL_07-remove_files": [str(a), str(foreign), "x"]})
    assert r.status_code == 302
    assert survey.values("STP")["PL-07"]["files"] == [b]
    assert survey.values("SYT")["PL-07"]["files"] == [foreign]


def test_big_ids_in_urls_are_not_found(survey: Any, head: FlaskClient) -> None:
    for url in ("/evidence/99999999999999999999", "/evidence/2147483648", "/evidence/0",
                f"/rounds/{survey.round}/units/STP/history/{'X' * 5000}",
                f"/rounds/{'9' * 300}/units/STP", f"/rounds/{survey.round}/units/{SCRIPT}/groups/legal"):
        r = head.get(url)
        assert r.status_code == 404, url
        assert_escaped(r.get_data(as_text=True))
