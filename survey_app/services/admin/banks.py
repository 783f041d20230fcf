"""Question-bank uploads: a zipped bank folder or an Excel workbook becomes a version.

Nothing is stored unless the whole upload validates; the report names every
problem by sheet (or file), row (or question) and column (or field).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import Answer, BankQuestion, BankVersion, Response, Round, User
from ...questionnaires import Bank, BankValidationError, read_bank
from ...questionnaires.xlsx import WorkbookRejected, read_workbook, write_workbook
from ..banks import BankInUse, LoadOutcome, store_version
from ..scoring import store_scores
from . import AdminError, Msg, log_change

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_FOLDER_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of an upload, placed as precisely as the format allows."""

    where: str  # sheet or file
    row: str | None  # row number or question code
    column: str | None  # column or field
    message: str


class UploadRejected(Exception):
    """The upload changed nothing; ``problems`` says why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def upload_bank(filename: str, data: bytes, actor: User | None) -> LoadOutcome:
    """Read, validate and store an uploaded bank; audit it.

    :raises UploadRejected: with every problem; nothing is stored.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        too_big = Msg("the file is %(size)d MB; the limit is %(limit)d MB", size=len(data) // (1024 * 1024),
                      limit=MAX_UPLOAD_BYTES // (1024 * 1024))
        raise UploadRejected([Problem("-", None, None, too_big)])
    if _is_bank_folder(data):
        bank, source, fingerprint = _read_folder_zip(data)
        kind = "folder"
    else:
        try:
            bank, source, fingerprint = read_workbook(data)
        except WorkbookRejected as exc:
            raise UploadRejected([Problem(p.sheet, None if p.row is None else str(p.row), p.column, p.message)
                                  for p in exc.problems]) from exc
        kind = "workbook"
    try:
        outcome = store_version(bank, source, fingerprint)
    except BankInUse as exc:
        db.session.rollback()
        raise UploadRejected([Problem("bank", None, "version", str(exc))]) from exc
    log_change(actor, "bank.upload", "bank_version", outcome.version.id, before=None,
               after={"code": bank.code, "version": bank.version, "fingerprint": fingerprint,
                      "status": outcome.status.value}, file=filename[:200], format=kind)
    db.session.commit()
    return outcome


def _is_bank_folder(data: bytes) -> bool:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(PurePosixPath(n).name == "bank.toml" for n in archive.namelist())


def _read_folder_zip(data: bytes) -> tuple[Bank, dict[str, Any], str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_FOLDER_BYTES or len(members) > 100:
            raise UploadRejected([Problem("-", None, None,
                                          Msg("the zip archive unpacks to far more than a bank folder"))])
        bank_toml = next(m for m in members if PurePosixPath(m.filename).name == "bank.toml")
        base = PurePosixPath(bank_toml.filename).parent
        with tempfile.TemporaryDirectory() as tmp:
            for m in members:
                path = PurePosixPath(m.filename)
                if path.parent != base or path.suffix != ".toml" or ".." in path.parts:
                    continue  # only the bank's own TOML files, never a path outside the folder
                (Path(tmp) / path.name).write_bytes(archive.read(m))
            try:
                return read_bank(tmp)
            except BankValidationError as exc:
                raise UploadRejected([Problem(p.file, p.question, p.field, p.message) for p in exc.errors]) from exc


def versions() -> list[BankVersion]:
    return list(db.session.scalars(select(BankVersion).order_by(BankVersion.code, BankVersion.loaded_at.desc())))


def workbook_of(version_id: int) -> tuple[str, bytes]:
    """A version as the documented workbook: (file name, bytes)."""
    version = db.session.get(BankVersion, version_id)
    if version is None:
        raise LookupError(version_id)
    return f"{version.code}-{version.version}.xlsx", write_workbook(version.source)


def rounds_using(version_id: int) -> list[str]:
    return list(db.session.scalars(select(Round.code).filter_by(bank_version_id=version_id)))


def move_round(round_id: int, version_id: int, actor: User | None) -> int:
    """Move a round to another version of its bank and recompute its scores; returns groups scored.

    Answers follow their question codes; a version that drops a question
    some unit has answered is refused.
    """
    rnd = db.session.get(Round, round_id)
    target = db.session.get(BankVersion, version_id)
    if rnd is None or target is None:
        raise LookupError(round_id)
    current = rnd.bank_version
    if target.id == current.id:
        raise AdminError(Msg("The round already uses this version."))
    if target.code != current.code:
        raise AdminError(Msg("Version %(version)s belongs to bank %(bank)s, not %(other)s.", version=target.version,
                             bank=target.code, other=current.code))
    new_ids = dict(db.session.execute(select(BankQuestion.code, BankQuestion.id).filter_by(bank_version_id=target.id)
                                      ).all())
    answers = db.session.execute(
        select(Answer, BankQuestion.code).join(BankQuestion, BankQuestion.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id).where(Response.round_id == rnd.id)
    ).all()
    dropped = sorted({code for _a, code in answers if code not in new_ids})
    if dropped:
        raise AdminError(Msg("Version %(version)s has no question %(codes)s, which units have answered.",
                             version=target.version, codes=", ".join(dropped)))
    for answer, code in answers:
        answer.question_id = new_ids[code]
    before = {"bank_version": current.version, "fingerprint": current.fingerprint}
    rnd.bank_version = target
    db.session.flush()
    log_change(actor, "round.move_bank_version", "round", rnd.code, round_id=rnd.id, before=before,
               after={"bank_version": target.version, "fingerprint": target.fingerprint})
    count = store_scores(rnd, select(Response.id).where(Response.round_id == rnd.id))
    db.session.commit()
    return count
