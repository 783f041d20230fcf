"""Who may download which workbook, the audit trail of each download, and the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.services.demo import DEMO_PASSWORD

from .conftest import ROUND, open_book

UNIT = f"/rounds/{ROUND}/units/STP/workbook.xlsx"
STC = f"/rounds/{ROUND}/leads/STC/workbook.xlsx"
STP_AS_LEAD = f"/rounds/{ROUND}/leads/STP/workbook.xlsx"
PROVINCE = f"/rounds/{ROUND}/province/workbook.xlsx"

CASES = [
    (UNIT, "stp-head", 200), (UNIT, "stp-editor", 200), (UNIT, "catinh-coordinator", 200), (UNIT, "admin", 200),
    (UNIT, "stttt-reviewer", 404), (UNIT, "syt-head", 404),
    (STC, "stc-reviewer", 200), (STC, "vpubnd-coordinator", 200), (STC, "skhdt-reviewer", 404),
    (STC, "snv-reviewer", 404), (STC, "stc-head", 404), (STP_AS_LEAD, "stp-head", 404),
    (PROVINCE, "catinh-coordinator", 200), (PROVINCE, "admin", 200), (PROVINCE, "stc-reviewer", 404),
    (PROVINCE, "stp-head", 404),
    ("/rounds/NO-ROUND/province/workbook.xlsx", "admin", 404), (f"/rounds/{ROUND}/leads/NOPE/workbook.xlsx",
                                                                "admin", 404),
]


def _events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).filter_by(action="export.workbook")
                                         .order_by(AuditEvent.id)))
        db.session.expunge_all()
        return events


def test_each_workbook_goes_only_to_those_allowed_and_each_download_is_recorded(seeded: Flask) -> None:
    assert seeded.test_client().get(PROVINCE).status_code == 302  # to the login page
    for url, username, expected in CASES:
        client = seeded.test_client()
        assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 302
        before = len(_events(seeded))
        response = client.get(url)
        data = response.get_data()
        response.close()  # as the server does when the download ends: the temporary file goes
        assert response.status_code == expected, (url, username)
        events = _events(seeded)
        if expected == 200:
            assert response.mimetype.endswith("spreadsheetml.sheet")
            assert "attachment" in response.headers["Content-Disposition"]
            assert open_book(data).sheetnames[0] == "Tổng hợp"
            assert len(events) == before + 1
            assert events[-1].actor_name == username and events[-1].detail["channel"] == "web"
            assert events[-1].source_ip == "127.0.0.1" and events[-1].request_id
        else:
            assert len(events) == before, (url, username)


def test_the_dashboards_link_to_the_lead_and_province_workbooks(seeded: Flask) -> None:
    """A lead's dashboard offers its own workbook; the standing agency's also the province's."""
    lead = seeded.test_client()
    lead.post("/login", data={"username": "stc-reviewer", "password": DEMO_PASSWORD})
    page = lead.get(f"/review/rounds/{ROUND}").get_data(as_text=True)
    assert f'href="{STC}"' in page and f'href="{PROVINCE}"' not in page
    coordinator = seeded.test_client()
    coordinator.post("/login", data={"username": "catinh-coordinator", "password": DEMO_PASSWORD})
    assert f'href="{PROVINCE}"' in coordinator.get(f"/review/rounds/{ROUND}").get_data(as_text=True)
    assert f'href="{PROVINCE}"' in coordinator.get(f"/review/rounds/{ROUND}/province").get_data(as_text=True)
    response = coordinator.get(PROVINCE)
    response.close()
    assert response.status_code == 200


def test_the_results_page_links_to_the_units_workbook(seeded: Flask) -> None:
    client = seeded.test_client()
    client.post("/login", data={"username": "stp-head", "password": DEMO_PASSWORD})
    page = client.get(f"/rounds/{ROUND}/units/STP/results").get_data(as_text=True)
    assert f'href="{UNIT}"' in page and "Tải bảng tổng hợp (Excel)" in page
    response = client.get(UNIT)
    assert open_book(response.get_data()).sheetnames[0] == "Tổng hợp"
    response.close()


def test_the_export_command_writes_each_workbook_and_records_it(seeded: Flask, runner: FlaskCliRunner,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "stttt.xlsx"
    result = runner.invoke(args=["export", "--round", ROUND, "--lead", "STTTT", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert open_book(out).sheetnames == ["Tổng hợp", "1. Hạ tầng công nghệ", "2. Dữ liệu",
                                         "3. An ninh, an toàn, bảo mật", "Điểm nghẽn", "Tiến độ", "Bộ câu hỏi",
                                         "Thông tin"]
    result = runner.invoke(args=["export", "--round", ROUND, "--province", "--lang", "en",
                                 "--out", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 0 and open_book(tmp_path / "p.xlsx").sheetnames[0] == "Summary"
    result = runner.invoke(args=["export", "--round", ROUND, "--unit", "STP", "--out", str(tmp_path / "u.xlsx")])
    assert result.exit_code == 0 and "1 unit(s)" in result.output
    events = _events(seeded)
    assert [e.detail["kind"] for e in events] == ["lead", "province", "unit"]
    assert all(e.actor_name == "cli" and e.detail["channel"] == "cli" for e in events)


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--out", "x.xlsx"], 2, "exactly one"),
    (["--province", "--unit", "STP", "--out", "x.xlsx"], 2, "exactly one"),
    (["--province", "--round", "NOPE", "--out", "x.xlsx"], 1, "Not found: round NOPE"),
    (["--unit", "NOPE", "--out", "x.xlsx"], 1, "Not found: unit NOPE"),
])
def test_the_export_command_refuses_what_it_cannot_do(seeded: Flask, runner: FlaskCliRunner, tmp_path: Path,
                                                      args: list[str], code: int, message: str) -> None:
    full = ["export", *(["--round", ROUND] if "--round" not in args else []), *args]
    full[-1] = str(tmp_path / full[-1])
    result = runner.invoke(args=full)
    assert result.exit_code == code and message in result.output
    assert not (tmp_path / "x.xlsx").exists() or code == 0
