"""Uploading question-bank versions as an administrator, and moving a round to a corrected one."""

from __future__ import annotations

import gc
import io
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, BankVersion, ResponseGroup, Round
from survey_app.questionnaires import bank_path
from survey_app.services.admin import banks

from .helpers import edit_workbook, upload
from .test_bank_workbook import column, zip_bomb


def version_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(BankVersion)) or 0


def shipped_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(select(BankVersion.id)).one()


def test_downloading_the_shipped_bank_and_uploading_it_back_changes_nothing(demo: Flask, admin: FlaskClient) -> None:
    version_id = shipped_id(demo)
    download = admin.get(f"/admin/banks/{version_id}.xlsx")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    response = upload(admin, "/admin/banks", download.data, "de-an-06-2024.1.xlsx")
    assert response.status_code == 302
    with demo.app_context():
        versions = db.session.scalars(select(BankVersion)).all()
        assert len(versions) == 1
        event = db.session.scalars(select(AuditEvent).filter_by(action="bank.upload")).one()
        assert event.detail["after"]["status"] == "unchanged"
        assert event.detail["after"]["fingerprint"] == versions[0].fingerprint
        assert event.actor_name == "admin"


def test_a_corrected_version_becomes_a_new_version_and_the_used_one_never_changes(demo: Flask,
                                                                                 admin: FlaskClient) -> None:
    data = admin.get(f"/admin/banks/{shipped_id(demo)}.xlsx").data
    weight = column(data, "questions", "weight")

    def same_version_other_weight(book: object) -> None:
        book["questions"].cell(row=2, column=weight, value=3)  # type: ignore[index]

    changed = edit_workbook(data, same_version_other_weight)
    refused = upload(admin, "/admin/banks", changed)
    assert refused.status_code == 422
    assert "P06-DIEM-NGHEN" in refused.get_data(as_text=True)  # the round that uses it
    assert version_count(demo) == 1

    def new_version(book: object) -> None:
        ws = book["bank"]  # type: ignore[index]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "version":
                row[1].value = "2024.2"
        same_version_other_weight(book)

    created = upload(admin, "/admin/banks", edit_workbook(data, new_version))
    assert created.status_code == 302
    with demo.app_context():
        versions = {v.version: v for v in db.session.scalars(select(BankVersion))}
        assert set(versions) == {"2024.1", "2024.2"}
        assert versions["2024.1"].fingerprint != versions["2024.2"].fingerprint
        rnd = db.session.scalars(select(Round)).one()
        assert rnd.bank_version.version == "2024.1"


def test_moving_a_round_to_a_corrected_version_is_logged_and_rescores(demo: Flask, admin: FlaskClient) -> None:
    data = admin.get(f"/admin/banks/{shipped_id(demo)}.xlsx").data
    fail_below = column(data, "questions", "weight")

    def corrected(book: object) -> None:
        ws = book["bank"]  # type: ignore[index]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "version":
                row[1].value = "2024.2"
        book["questions"].cell(row=2, column=fail_below, value=5)  # type: ignore[index]

    assert upload(admin, "/admin/banks", edit_workbook(data, corrected)).status_code == 302
    with demo.app_context():
        new_id = db.session.scalar(select(BankVersion.id).filter_by(version="2024.2"))
        before = dict(db.session.execute(select(ResponseGroup.id, ResponseGroup.scored_fingerprint)).all())
    page = admin.get("/admin/rounds/P06-DIEM-NGHEN")
    assert "2024.2" in page.get_data(as_text=True)
    moved = admin.post("/admin/rounds/P06-DIEM-NGHEN/bank", data={"bank_version": new_id})
    assert moved.status_code == 302
    with demo.app_context():
        rnd = db.session.scalars(select(Round)).one()
        assert rnd.bank_version.version == "2024.2"
        event = db.session.scalars(select(AuditEvent).filter_by(action="round.move_bank_version")).one()
        assert event.detail["before"]["bank_version"] == "2024.1"
        assert event.detail["after"]["bank_version"] == "2024.2"
        after = dict(db.session.execute(select(ResponseGroup.id, ResponseGroup.scored_fingerprint)).all())
        rescored = [gid for gid, fp in after.items() if fp == rnd.bank_version.fingerprint]
        assert rescored and all(before[gid] != after[gid] for gid in rescored)


def test_two_mistakes_are_shown_with_sheet_row_and_column(demo: Flask, admin: FlaskClient) -> None:
    data = admin.get(f"/admin/banks/{shipped_id(demo)}.xlsx").data
    weight, qtype = column(data, "questions", "weight"), column(data, "questions", "type")

    def mistakes(book: object) -> None:
        book["questions"].cell(row=5, column=weight, value="heavy")  # type: ignore[index]
        book["questions"].cell(row=9, column=qtype, value="essay")  # type: ignore[index]

    response = upload(admin, "/admin/banks", edit_workbook(data, mistakes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<td>questions</td><td>5</td><td>weight</td>" in html
    assert "<td>questions</td><td>9</td><td>type</td>" in html
    assert version_count(demo) == 1


def test_broken_files_get_a_report_and_change_nothing(demo: Flask, admin: FlaskClient) -> None:
    cases = {
        "not excel": b"%PDF-1.4 this is not a workbook",
        "zip bomb": zip_bomb(),
        "zip without bank": _zip({"notes.txt": b"hello"}),
    }
    for name, data in cases.items():
        response = upload(admin, "/admin/banks", data, f"{name}.xlsx")
        assert response.status_code == 422, name
        assert "nothing was changed" in response.get_data(as_text=True).lower() or "không có gì" in \
            response.get_data(as_text=True).lower(), name
    assert version_count(demo) == 1


# Werkzeug's test client spools a large upload to a temporary file that it does
# not close when the server refuses the request; that is the test client's, not the app's.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_50_mb_file_is_refused(demo: Flask, admin: FlaskClient) -> None:
    big = b"\0" * (50 * 1024 * 1024)
    response = upload(admin, "/admin/banks", big)
    assert response.status_code == 413  # refused by the server before it is read
    assert "Tệp quá lớn" in response.get_data(as_text=True) or "too large" in response.get_data(as_text=True)
    del response
    gc.collect()
    with demo.app_context():
        try:
            banks.upload_bank("big.xlsx", big, None)
        except banks.UploadRejected as exc:
            assert "50 MB" in exc.problems[0].message
        else:
            raise AssertionError("a 50 MB upload was accepted")
    assert version_count(demo) == 1


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zipped_bank_folder_uploads_too(demo: Flask, admin: FlaskClient) -> None:
    folder = bank_path()
    files = {f"de-an-06/{p.name}": p.read_bytes() for p in folder.glob("*.toml")}
    files["de-an-06/bank.toml"] = files["de-an-06/bank.toml"].replace(b'version = "2024.1"', b'version = "2025.1"')
    files["../evil.toml"] = b"code = 'x'"
    response = upload(admin, "/admin/banks", _zip(files), "bank.zip")
    assert response.status_code == 302
    with demo.app_context():
        assert set(db.session.scalars(select(BankVersion.version))) == {"2024.1", "2025.1"}
    broken = dict(files)
    security = broken["de-an-06/security.toml"]
    broken["de-an-06/security.toml"] = security.replace(b'type = "ratio"', b'type = "ration"', 1)
    broken["de-an-06/bank.toml"] = broken["de-an-06/bank.toml"].replace(b"2025.1", b"2025.2")
    response = upload(admin, "/admin/banks", _zip(broken), "bank.zip")
    assert response.status_code == 422
    assert "<td>security.toml</td><td>AN-11</td><td>type</td>" in response.get_data(as_text=True)
