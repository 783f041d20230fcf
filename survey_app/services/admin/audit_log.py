"""Reading the audit trail: filters, an Excel download, and the retention purge.

Nothing here changes an event. The purge deletes only events older than the
retention period (at least 12 months) and records itself first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from ...extensions import db
from ...models import AuditEvent, User, utcnow
from ..audit import purge_before, record
from .sheets import workbook

MIN_RETENTION_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Filters:
    who: str = ""
    action: str = ""
    object: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _query(f: Filters) -> Select[Any]:
    stmt = select(AuditEvent)
    if f.who:
        stmt = stmt.where(AuditEvent.actor_name.ilike(f"%{f.who.strip()}%"))
    if f.action:
        stmt = stmt.where(AuditEvent.action.startswith(f.action.strip()))
    if f.object:
        kind, _sep, ident = f.object.strip().partition(":")
        stmt = stmt.where(AuditEvent.object_type == kind) if kind else stmt
        stmt = stmt.where(AuditEvent.object_id == ident) if ident else stmt
    if f.date_from:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        stmt = stmt.where(AuditEvent.at < datetime.combine(f.date_to + timedelta(days=1), time.min))
    return stmt


def search(f: Filters, page: int = 1, per_page: int = 50) -> tuple[list[AuditEvent], int]:
    stmt = _query(f)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                              .limit(per_page).offset((page - 1) * per_page))
    return list(rows), total


def export(actor: User, f: Filters, limit: int = 100_000) -> bytes:
    """The filtered events as a workbook; the download itself is recorded."""
    rows: list[list[Any]] = []
    for e in db.session.scalars(_query(f).order_by(AuditEvent.at, AuditEvent.id).limit(limit)):
        detail = e.detail or {}
        rows.append([e.at, e.actor_name or "", e.action, e.object_type or "", e.object_id or "", e.source_ip or "",
                     e.request_id or "", _short(detail.get("before")), _short(detail.get("after")),
                     _short({k: v for k, v in detail.items() if k not in ("before", "after")})])
    record("audit.export", actor_id=actor.id, actor_name=actor.username, object_type="audit_events",
           detail={"filters": {"who": f.who, "action": f.action, "object": f.object,
                               "from": f.date_from.isoformat() if f.date_from else None,
                               "to": f.date_to.isoformat() if f.date_to else None}, "rows": len(rows)})
    db.session.commit()
    header = ["at_utc", "who", "action", "object_type", "object_id", "source_ip", "request_id", "before", "after",
              "detail"]
    return workbook(header, rows, "audit")


def _short(value: Any) -> str:
    if value in (None, {}, []):
        return ""
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)[:32000]


def purge(months: int, now: datetime | None = None) -> int:
    """Delete events older than ``months`` months (never fewer than 12); returns how many."""
    if months < MIN_RETENTION_MONTHS:
        raise ValueError(f"Audit events are kept at least {MIN_RETENTION_MONTHS} months.")
    now = now or utcnow()
    count = purge_before(now - timedelta(days=round(months * 30.44)))
    db.session.commit()
    return count
