"""Write an audit event: the one place that adds to ``audit_events``.

Services call :func:`record` inside their own transaction, so an action and
its audit line commit (or roll back) together. Where the request came from
(address, request id) is set once per request by the web layer through
:func:`set_origin`, so services never import Flask to learn it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..extensions import db
from ..models.audit import AuditEvent


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the current action came from."""

    source_ip: str | None = None
    request_id: str | None = None


_EMPTY = Origin()
_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def set_origin(origin: Origin) -> None:
    """Called by the web layer at the start of each request (CLI commands keep the empty origin)."""
    _origin.set(origin)


def current_origin() -> Origin:
    return _origin.get() or _EMPTY


def record(action: str, *, actor_id: int | None = None, actor_name: str | None = None,
           object_type: str | None = None, object_id: object = None, unit_id: int | None = None,
           round_id: int | None = None, detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add one audit event to the session (the caller commits with its own change)."""
    origin = current_origin()
    event = AuditEvent(
        action=action, actor_id=actor_id, actor_name=actor_name, object_type=object_type,
        object_id=None if object_id is None else str(object_id), unit_id=unit_id, round_id=round_id,
        source_ip=origin.source_ip, request_id=origin.request_id, detail=detail,
    )
    db.session.add(event)
    return event


def purge_before(cutoff: datetime) -> int:
    """Delete the events older than ``cutoff`` (the retention command's only use), recording the purge.

    Returns how many were deleted; the caller commits.
    """
    from sqlalchemy import delete, func, select

    count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.at < cutoff)) or 0
    db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    record("audit.purge", actor_name="cli", object_type="audit_events",
           detail={"before": {"older_than": cutoff.isoformat()}, "after": {"deleted": count}})
    return count
