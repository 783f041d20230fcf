"""Units: list, create, edit, deactivate, merge, import from Excel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import func, or_, select

from ...extensions import db
from ...models import Response, Round, Unit, UnitKind, User
from . import AdminError, Msg, log_change
from .sheets import ImportRejected, RowProblem, read_rows

IMPORT_COLUMNS = ("code", "name_vi", "name_en", "kind")
IMPORT_OPTIONAL = ("parent",)


def snapshot(unit: Unit) -> dict[str, Any]:
    """What the audit trail keeps of a unit."""
    return {"code": unit.code, "name_vi": unit.name_vi, "name_en": unit.name_en, "kind": unit.kind,
            "active": unit.active, "parent": unit.parent.code if unit.parent else None,
            "active_to": unit.active_to.isoformat() if unit.active_to else None,
            "successor": unit.successor.code if unit.successor else None}


def search(query: str = "", kind: str = "", page: int = 1, per_page: int = 50) -> tuple[list[Unit], int]:
    """Units matching ``query`` (code or either name) and ``kind``, and how many in all."""
    stmt = select(Unit)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Unit.code.ilike(like), Unit.name_vi.ilike(like), Unit.name_en.ilike(like)))
    if kind:
        stmt = stmt.where(Unit.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(Unit.sort_order, Unit.code).limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def get(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).filter_by(code=code))
    if unit is None:
        raise LookupError(code)
    return cast(Unit, unit)


def choices() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.sort_order, Unit.code)))


@dataclass(frozen=True, slots=True)
class UnitData:
    code: str
    name_vi: str
    name_en: str
    kind: str
    parent: str | None = None


def _check(data: UnitData, existing: Unit | None, known: dict[str, Unit] | None = None) -> list[tuple[str, str]]:
    """(field, message) for each problem of ``data``; ``known`` maps codes to units already read."""
    errors: list[tuple[str, str]] = []
    if not data.code or len(data.code) > 40 or not all(c.isalnum() or c in "-_." for c in data.code):
        errors.append(("code", Msg("Use 1 to 40 letters, digits, '-', '_' or '.'.")))
    else:
        other = known.get(data.code) if known is not None else db.session.scalar(select(Unit).filter_by(code=data.code))
        if other is not None and other is not existing:
            errors.append(("code", Msg("The code %(code)s is already used.", code=data.code)))
    if not data.name_vi.strip():
        errors.append(("name_vi", Msg("The Vietnamese name is required.")))
    if data.kind not in {k.value for k in UnitKind}:
        errors.append(("kind", Msg("Unknown kind %(kind)s; one of: %(kinds)s.", kind=data.kind,
                                     kinds=", ".join(k.value for k in UnitKind))))
    if data.parent and data.parent == data.code:
        errors.append(("parent", Msg("A unit cannot be its own parent.")))
    return errors


class UnitInvalid(AdminError):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _f, m in errors))
        self.errors = errors


def save(actor: User | None, data: UnitData, existing: Unit | None = None) -> Unit:
    """Create a unit, or update ``existing``; audited.

    :raises UnitInvalid: listing each field's problem.
    """
    errors = _check(data, existing)
    parent = None
    if data.parent:
        parent = db.session.scalar(select(Unit).filter_by(code=data.parent))
        if parent is None:
            errors.append(("parent", Msg("No unit has the code %(code)s.", code=data.parent)))
    if errors:
        raise UnitInvalid(errors)
    before = snapshot(existing) if existing is not None else None
    unit = existing or Unit(sort_order=(db.session.scalar(select(func.max(Unit.sort_order))) or 0) + 1)
    unit.code, unit.name_vi, unit.name_en, unit.kind = data.code, data.name_vi.strip(), data.name_en.strip(), data.kind
    unit.parent = parent
    db.session.add(unit)
    db.session.flush()
    log_change(actor, "unit.update" if existing else "unit.create", "unit", unit.code, unit_id=unit.id,
               before=before, after=snapshot(unit))
    db.session.commit()
    return unit


def set_active(actor: User | None, unit: Unit, active: bool) -> None:
    before = snapshot(unit)
    unit.active = active
    log_change(actor, "unit.activate" if active else "unit.deactivate", "unit", unit.code, unit_id=unit.id,
               before=before, after=snapshot(unit))
    db.session.commit()


def merge(actor: User | None, replaced: list[Unit], into: Unit, on: date) -> None:
    """Record that ``replaced`` units merged into ``into`` on ``on``.

    The old units stop on that day and point at their successor; their past
    responses stay where they are and are listed under the new unit.
    """
    if not replaced or any(u.id == into.id for u in replaced):
        raise AdminError(Msg("Choose the units that merge, other than the unit they merge into."))
    for unit in replaced:
        before = snapshot(unit)
        unit.successor, unit.active_to, unit.active = into, on, False
        log_change(actor, "unit.merge", "unit", unit.code, unit_id=unit.id, before=before, after=snapshot(unit),
                   into=into.code, on=on.isoformat())
    db.session.commit()


def predecessors(unit: Unit) -> list[Unit]:
    """The units merged into ``unit``, and theirs before them."""
    found: list[Unit] = []
    seen = {unit.id}
    frontier = [unit.id]
    while frontier:
        older = [u for u in db.session.scalars(select(Unit).where(Unit.successor_id.in_(frontier))
                                               .order_by(Unit.code)) if u.id not in seen]
        seen.update(u.id for u in older)
        found += older
        frontier = [u.id for u in older]
    return found


def past_responses(unit: Unit) -> list[tuple[Unit, Round]]:
    """Responses of ``unit`` and the units it replaces: (unit, round), newest round first."""
    ids = [unit.id, *(u.id for u in predecessors(unit))]
    rows = db.session.execute(select(Unit, Round).join(Response, Response.unit_id == Unit.id)
                              .join(Round, Round.id == Response.round_id).where(Unit.id.in_(ids))
                              .order_by(Round.opens_on.desc(), Unit.code))
    return list(rows)


def import_units(actor: User | None, data: bytes) -> int:
    """Create or update the units listed in a workbook; all or nothing. Returns how many.

    :raises ImportRejected: with every problem by row and column.
    """
    rows = read_rows(data, IMPORT_COLUMNS, IMPORT_OPTIONAL)
    known = {u.code: u for u in db.session.scalars(select(Unit))}
    problems: list[RowProblem] = []
    in_file = {cells.get("code", "") for _n, cells in rows}
    seen: dict[str, int] = {}
    items: list[tuple[UnitData, Unit | None]] = []
    for number, cells in rows:
        item = UnitData(cells.get("code", ""), cells.get("name_vi", ""), cells.get("name_en", ""),
                        cells.get("kind", ""), cells.get("parent") or None)
        if item.code in seen:
            problems.append(RowProblem(number, "code", Msg("duplicate code %(code)s (also row %(row)d)", code=item.code,
                                                                row=seen[item.code])))
            continue
        seen[item.code] = number
        existing = known.get(item.code)
        problems += [RowProblem(number, field, message) for field, message in _check(item, existing, known)]
        if item.parent and item.parent not in in_file and item.parent not in known:
            problems.append(RowProblem(number, "parent", Msg("No unit has the code %(code)s.", code=item.parent)))
        items.append((item, existing))
    if problems:
        raise ImportRejected(problems)
    order = (db.session.scalar(select(func.max(Unit.sort_order))) or 0) + 1
    by_code: dict[str, Unit] = {}
    items_before: dict[str, dict[str, Any] | None] = {}
    for item, existing in items:
        before = snapshot(existing) if existing else None
        unit = existing or Unit(sort_order=order + len(by_code))
        unit.code, unit.name_vi, unit.name_en, unit.kind = item.code, item.name_vi, item.name_en, item.kind
        db.session.add(unit)
        by_code[item.code] = unit
        items_before[item.code] = before
    db.session.flush()
    for item, _existing in items:
        unit = by_code[item.code]
        unit.parent = (by_code.get(item.parent) or known.get(item.parent)) if item.parent else None
    db.session.flush()
    for item, existing in items:
        unit = by_code[item.code]
        log_change(actor, "unit.update" if existing else "unit.create", "unit", unit.code, unit_id=unit.id,
                   before=items_before.pop(item.code), after=snapshot(unit), source="import")
    db.session.commit()
    return len(items)




__all__ = ["ImportRejected", "UnitData", "UnitInvalid", "import_units", "merge", "save", "search", "set_active"]
