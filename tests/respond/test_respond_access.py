"""Nobody outside a unit sees or changes its answers; evidence goes to whom the rules say.

Every route of the app is requested, with every method it allows, with URLs
naming the Department of Justice (STP), its round, groups, questions and
evidence files, by users of other units, by a reviewer who does not lead the
legal group, and anonymously.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SECRET = "STP-BÍ-MẬT-7f3a"  # in STP's legal answers
LEGAL_FILE = "stp-ke-hoach-bi-mat-legal.pdf"
INFRA_FILE = "stp-kiem-ke-bi-mat-infra.pdf"
GROUPS = ("legal", "infrastructure", "data", "security", "resources")


@pytest.fixture
def stp(survey: Any) -> dict[str, Any]:
    """STP's legal answers (with SECRET) and two evidence files: one on a legal
    question, one on an infrastructure question."""
    survey.reset_unit("STP")
    head = survey.client("stp-head")
    _html, data = survey.page(head, "STP", "legal")
    data["q_PL_10a-answer"] = [SECRET]
    data["q_PL_01-comment"] = [SECRET + " (comment)"]
    data["q_PL_07-document_number"] = ["7/QĐ-" + SECRET]
    data["q_PL_07-file"] = (BytesIO(PDF), LEGAL_FILE)  # type: ignore[assignment]
    data["action"] = ["save"]
    assert head.post(survey.url("STP", "legal"), data=data).status_code == 302
    _html, data = survey.page(head, "STP", "infrastructure")
    data["q_HT_07-evidence-file"] = (BytesIO(PDF), INFRA_FILE)  # type: ignore[assignment]
    data["action"] = ["save"]
    assert head.post(survey.url("STP", "infrastructure"), data=data).status_code == 302
    files = {f.filename: f.id for f in survey.files("STP")}
    assert set(files) == {LEGAL_FILE, INFRA_FILE}
    values = survey.values("STP")
    assert values["PL-10a"] == SECRET and values["PL-07"]["files"] == [files[LEGAL_FILE]]
    assert survey.answers("STP")["HT-07"].evidence["files"] == [files[INFRA_FILE]]
    return {"legal_file": files[LEGAL_FILE], "infra_file": files[INFRA_FILE], "values": values}


def requests(app: Flask, stp: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(endpoint, method, url) for every route and method, with STP's values in the URL."""
    values: dict[str, tuple[Any, ...]] = {
        "round_code": ("P06-DIEM-NGHEN",),
        "unit_code": ("STP",),
        "group_code": GROUPS,
        "question_code": ("PL-10a", "PL-07", "HT-07"),
        "file_id": (stp["legal_file"], stp["infra_file"]),
        "code": ("vi", "en"),
        "version_id": (1,),  # administration (refused to all but admins)
        "user_id": (1,),
        # the review pages (issue 9)
        "scope_code": ("legal", "infrastructure", "resources-budget"),
        "action": ("accept", "return", "comment", "appraise"),
        "proposal_id": (1,),
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        names = sorted(rule.arguments)
        unknown = [n for n in names if n not in values]
        assert not unknown, f"{rule.rule}: the access sweep needs values for {unknown}; add them above"
        for combo in itertools.product(*(values[n] for n in names)):
            with app.test_request_context():
                url = url_for(rule.endpoint, **dict(zip(names, combo, strict=True)))
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url


def hostile_form() -> dict[str, str]:
    return {"base_version": "1", "action": "save", "q_PL_10a-answer": "GHI ĐÈ", "q_PL_03-answer": "none",
            "resolve__PL-10a": "mine"}


def call(c: FlaskClient, method: str, url: str) -> Any:
    if method == "GET":
        return c.get(url)
    return c.post(url, data=hostile_form())


@pytest.mark.parametrize("username", ["syt-head", "ubndhdl-head", "stttt-reviewer"])
def test_no_route_shows_or_changes_stp_data_to_outsiders(
        app: Flask, survey: Any, stp: dict[str, Any], username: str) -> None:
    secrets = [SECRET, LEGAL_FILE] + ([INFRA_FILE] if username != "stttt-reviewer" else [])
    seen = 0
    c = survey.client(username)
    for endpoint, method, url in requests(app, stp):
        if endpoint == "respond.evidence" and username == "stttt-reviewer" and url.endswith(
                f"/{stp['infra_file']}"):
            continue  # the lead of infrastructure may download it: see the evidence test
        # /logout gets a session of its own, so that the sweep goes on logged in.
        r = call(survey.client(username) if endpoint == "auth.logout" else c, method, url)
        if endpoint == "auth.logout":
            c = survey.client(username)  # logging out ends every session of the user
        seen += 1
        body = r.get_data()
        where = f"{method} {url} as {username}: {r.status_code}"
        assert r.status_code != 500, where
        for secret in secrets:
            assert secret.encode() not in body, f"{where} shows {secret}"
        if "/units/STP" in url or endpoint == "respond.evidence":
            assert r.status_code == 404, where
        elif r.status_code == 302:
            assert "/units/STP" not in r.headers["Location"] and "/evidence/" not in r.headers["Location"], where
        else:
            assert r.status_code in (200, 403, 404, 405), where
    assert seen > 20
    assert survey.values("STP") == stp["values"]  # no POST changed anything


def test_anonymous_requests_are_sent_to_the_login_page(app: Flask, survey: Any, stp: dict[str, Any]) -> None:
    public = {"auth.login", "auth.set_language", "main.healthz"}
    for endpoint, method, url in requests(app, stp):
        r = call(survey.client(), method, url)
        where = f"{method} {url} anonymously: {r.status_code}"
        for secret in (SECRET, LEGAL_FILE, INFRA_FILE):
            assert secret.encode() not in r.get_data(), where
        if endpoint in public:
            assert r.status_code in (200, 302, 400), where
            if r.status_code == 302:
                assert "/units/" not in r.headers["Location"], where
        else:
            assert r.status_code == 302, where
            assert r.headers["Location"].startswith("/login"), where
    assert survey.values("STP") == stp["values"]


def test_members_see_their_own_unit(survey: Any, stp: dict[str, Any]) -> None:
    """The sweep's secrets are really on the pages it requests (so their absence means something)."""
    for username in ("stp-head", "stp-editor"):
        c = survey.client(username)
        legal = c.get(survey.url("STP", "legal"))
        assert legal.status_code == 200 and SECRET in legal.get_data(as_text=True)
        assert LEGAL_FILE in legal.get_data(as_text=True)
        assert SECRET in c.get(f"/rounds/{survey.round}/units/STP/history/PL-10a").get_data(as_text=True)
        for group in GROUPS:
            assert c.get(survey.url("STP", group)).status_code == 200
        assert c.get(f"/rounds/{survey.round}/units/STP").status_code == 200
        assert c.get(f"/rounds/{survey.round}/units/STP/results").status_code == 200
    # Another unit's member reaches their own unit, and not STP's, through the same routes.
    syt = survey.client("syt-head")
    assert syt.get(f"/rounds/{survey.round}/units/SYT").status_code == 200
    assert syt.get(survey.url("SYT", "legal")).status_code == 200
    assert syt.get(f"/rounds/{survey.round}/units/STP").status_code == 404
    assert syt.get(survey.url("STP", "nonexistent")).status_code == 404
    assert survey.client("stp-head").get(survey.url("STP", "nonexistent")).status_code == 404
    assert survey.client("stp-head").get(f"/rounds/{survey.round}/units/STP/history/XX-99").status_code == 404
    assert survey.client("stp-head").get("/rounds/NOPE/units/STP").status_code == 404


# Who may download: the unit, the lead agency of the file's group, coordinators and admins.
DOWNLOADS = [
    ("stp-head", True, True),
    ("stp-editor", True, True),
    ("vpubnd-reviewer", True, False),  # leads legal
    ("stttt-reviewer", False, True),  # leads infrastructure, data, security
    ("catinh-coordinator", True, True),
    ("vpubnd-coordinator", True, True),
    ("admin", True, True),
    ("syt-head", False, False),
    ("ubndhdl-head", False, False),
    ("stc-reviewer", False, False),
    ("snv-reviewer", False, False),
]


@pytest.mark.parametrize(("username", "legal", "infra"), DOWNLOADS)
def test_evidence_download_rules(survey: Any, stp: dict[str, Any], username: str, legal: bool, infra: bool) -> None:
    c = survey.client(username)
    for file_id, name, allowed in ((stp["legal_file"], LEGAL_FILE, legal), (stp["infra_file"], INFRA_FILE, infra)):
        r = c.get(f"/evidence/{file_id}")
        if allowed:
            assert r.status_code == 200, (username, name)
            assert r.data == PDF and r.mimetype == "application/pdf"
            assert r.headers["Content-Disposition"].startswith("attachment") and name in r.headers[
                "Content-Disposition"]
        else:
            assert r.status_code == 404, (username, name)
            assert name.encode() not in r.data and PDF not in r.data
    assert c.get(f"/evidence/{max(stp['legal_file'], stp['infra_file']) + 1000}").status_code == 404


def test_evidence_download_needs_a_login(survey: Any, stp: dict[str, Any]) -> None:
    r = survey.client().get(f"/evidence/{stp['legal_file']}")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
