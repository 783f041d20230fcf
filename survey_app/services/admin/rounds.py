"""Survey rounds: create from a bank version, choose participants, dates, close, start the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import select

from ...extensions import db
from ...models import BankVersion, Round, RoundUnit, Unit, User, utcnow
from . import AdminError, Msg, log_change


def snapshot(rnd: Round) -> dict[str, Any]:
    return {"code": rnd.code, "name_vi": rnd.name_vi, "bank_version": rnd.bank_version.version,
            "opens_on": rnd.opens_on.isoformat(), "due_on": rnd.due_on.isoformat(),
            "closed": rnd.closed_at is not None, "participants": len(rnd.participants)}


def all_rounds() -> list[Round]:
    return list(db.session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.code)))


def get(code: str) -> Round:
    rnd = db.session.scalar(select(Round).filter_by(code=code))
    if rnd is None:
        raise LookupError(code)
    return cast(Round, rnd)


def due_on_for(rnd: Round, unit_id: int) -> date:
    """The due date of ``rnd`` for one unit: its own later date if it was given one."""
    own = db.session.scalar(select(RoundUnit.due_on).filter_by(round_id=rnd.id, unit_id=unit_id))
    return own or rnd.due_on


@dataclass(frozen=True, slots=True)
class RoundData:
    code: str
    name_vi: str
    name_en: str
    bank_version_id: int
    opens_on: date
    due_on: date
    participants: str  # "all", "kind" or "list"
    kinds: tuple[str, ...] = ()
    unit_codes: tuple[str, ...] = ()


class RoundInvalid(AdminError):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _f, m in errors))
        self.errors = errors


def _participants(data: RoundData) -> list[Unit]:
    stmt = select(Unit).where(Unit.active.is_(True), Unit.kind != "province").order_by(Unit.sort_order, Unit.code)
    if data.participants == "kind":
        stmt = stmt.where(Unit.kind.in_(data.kinds))
    elif data.participants == "list":
        stmt = select(Unit).where(Unit.code.in_(data.unit_codes)).order_by(Unit.sort_order, Unit.code)
    return list(db.session.scalars(stmt))


def create(actor: User | None, data: RoundData) -> Round:
    """Open a round on a bank version for the chosen units.

    :raises RoundInvalid: listing each field's problem.
    """
    errors: list[tuple[str, str]] = []
    if not data.code or len(data.code) > 40 or db.session.scalar(select(Round.id).filter_by(code=data.code)):
        errors.append(("code", Msg("The code %(code)s is empty, too long or already used.", code=data.code)))
    if not data.name_vi.strip():
        errors.append(("name_vi", Msg("The Vietnamese name is required.")))
    version = db.session.get(BankVersion, data.bank_version_id)
    if version is None:
        errors.append(("bank_version_id", Msg("Choose a question-bank version.")))
    if data.due_on < data.opens_on:
        errors.append(("due_on", Msg("The due date is before the opening date.")))
    units = _participants(data)
    if not units:
        errors.append(("participants", Msg("No unit matches; choose at least one.")))
    if errors:
        raise RoundInvalid(errors)
    rnd = Round(code=data.code, name_vi=data.name_vi.strip(), name_en=data.name_en.strip() or data.name_vi.strip(),
                bank_version=version, opens_on=data.opens_on, due_on=data.due_on)
    rnd.participants = [RoundUnit(unit=u) for u in units]
    db.session.add(rnd)
    db.session.flush()
    log_change(actor, "round.create", "round", rnd.code, round_id=rnd.id, before=None, after=snapshot(rnd),
               units=[u.code for u in units])
    db.session.commit()
    return rnd


def next_round(actor: User | None, previous: Round, data: RoundData) -> Round:
    """A new round for the previous round's units (merged units replaced by their successors)."""
    codes: list[str] = []
    for part in sorted(previous.participants, key=lambda p: (p.unit.sort_order, p.unit.code)):
        unit = part.unit
        while unit.successor is not None:
            unit = unit.successor
        if unit.active and unit.code not in codes:
            codes.append(unit.code)
    return create(actor, RoundData(data.code, data.name_vi, data.name_en, data.bank_version_id, data.opens_on,
                                   data.due_on, "list", unit_codes=tuple(codes)))


def set_dates(actor: User | None, rnd: Round, opens_on: date, due_on: date) -> None:
    _open(rnd)
    if due_on < opens_on:
        raise AdminError(Msg("The due date is before the opening date."))
    before = snapshot(rnd)
    rnd.opens_on, rnd.due_on = opens_on, due_on
    log_change(actor, "round.dates", "round", rnd.code, round_id=rnd.id, before=before, after=snapshot(rnd))
    db.session.commit()


def extend_unit(actor: User | None, rnd: Round, unit_code: str, due_on: date | None) -> None:
    """Give one unit a later due date (None: back to the round's)."""
    _open(rnd)
    part = next((p for p in rnd.participants if p.unit.code == unit_code), None)
    if part is None:
        raise AdminError(Msg("%(code)s does not take part in this round.", code=unit_code))
    if due_on is not None and due_on <= rnd.due_on:
        raise AdminError(Msg("A unit's own due date must be later than the round's."))
    before = {"unit": unit_code, "due_on": part.due_on.isoformat() if part.due_on else None}
    part.due_on = due_on
    log_change(actor, "round.extend_unit", "round", rnd.code, round_id=rnd.id, unit_id=part.unit_id, before=before,
               after={"unit": unit_code, "due_on": due_on.isoformat() if due_on else None})
    db.session.commit()


def close(actor: User | None, rnd: Round) -> None:
    """Close a round: from now on everything in it is read-only."""
    _open(rnd)
    before = snapshot(rnd)
    rnd.closed_at = utcnow()
    log_change(actor, "round.close", "round", rnd.code, round_id=rnd.id, before=before, after=snapshot(rnd))
    db.session.commit()


def _open(rnd: Round) -> None:
    if rnd.closed_at is not None:
        raise AdminError(Msg("This round is closed; it can no longer change."))


def open_rounds() -> list[Round]:
    """Rounds not closed: routing must give each of their sections exactly one lead."""
    return list(db.session.scalars(select(Round).where(Round.closed_at.is_(None))))


def window(rnd: Round) -> tuple[date, date]:
    """First and last day any unit of the round may answer."""
    latest = max([rnd.due_on, *(p.due_on for p in rnd.participants if p.due_on)])
    return rnd.opens_on, latest
