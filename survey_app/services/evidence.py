"""Evidence files: checked by their content, stored in the database.

Files live in the database so that every app server behind it can serve
them. A file is accepted when its bytes are one of the document or image
formats below, whatever its name claims; the name is kept only for display
and for the download.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import filetype
from sqlalchemy import select
from sqlalchemy.orm import defer

from ..extensions import db
from ..models import BankQuestion, EvidenceFile, Response, Round, Unit, User
from .access import NotAllowed, may_download_evidence
from .answers import UnitRound, ensure_response
from .banks import question_ids

#: MIME types accepted, as detected from the content.
ALLOWED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/msword": "DOC",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
}


class UploadRejected(Exception):
    """The file is empty, too large or of a type that is not accepted.

    ``reason`` is one of ``empty``, ``too_large``, ``type``; the view words it.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes


def check_upload(filename: str, data: bytes, max_bytes: int) -> CheckedFile:
    """Accept ``data`` if it is within the size limit and of an allowed type.

    :raises UploadRejected: with the reason.
    """
    if not data:
        raise UploadRejected("empty")
    if len(data) > max_bytes:
        raise UploadRejected("too_large")
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED:
        raise UploadRejected("type")
    return CheckedFile(_clean_name(filename), kind.mime, data)


def _clean_name(filename: str) -> str:
    """Keep the name readable (Vietnamese included) but without paths or control characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "tep-dinh-kem"
    return name[-200:]


def store_file(response: Response, question_id: int, checked: CheckedFile, user: User) -> EvidenceFile:
    """Keep a checked file with the response (the caller commits)."""
    row = EvidenceFile(response=response, question_id=question_id, filename=checked.filename,
                       content_type=checked.content_type, size=len(checked.data),
                       sha256=hashlib.sha256(checked.data).hexdigest(), data=checked.data, uploaded_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row


def files_of(response_id: int) -> dict[int, EvidenceFile]:
    """The response's files by id, without their bytes (for listing)."""
    rows = db.session.scalars(select(EvidenceFile).where(EvidenceFile.response_id == response_id)
                              .options(defer(EvidenceFile.data)))
    return {f.id: f for f in rows}


def file_for_download(user: User, file_id: int) -> EvidenceFile:
    """The file, if ``user`` may download it (lead agencies by the routing in
    force when the round opened, as for scoring).

    :raises NotAllowed: when the file does not exist or the user may not see it.
    """
    row = db.session.execute(
        select(EvidenceFile, Unit, BankQuestion, Round)
        .join(Response, Response.id == EvidenceFile.response_id).join(Unit, Unit.id == Response.unit_id)
        .join(Round, Round.id == Response.round_id).join(BankQuestion, BankQuestion.id == EvidenceFile.question_id)
        .where(EvidenceFile.id == file_id)
    ).first()
    if row is None:
        raise NotAllowed
    file, unit, question, rnd = row
    group_code = question.section.group.code
    section_code = question.section.code
    if not may_download_evidence(user, unit, group_code, section_code, rnd.opens_on):
        raise NotAllowed
    return file


def attach_file(ur: UnitRound, question_code: str, checked: CheckedFile, user: User) -> int:
    """Keep a file for one of the unit's answers, committed at once: the file
    is kept even if the answers then conflict, and the page lists it."""
    response = ensure_response(ur)
    stored = store_file(response, question_ids(ur.round.bank_version)[question_code], checked, user)
    db.session.commit()
    return int(stored.id)
