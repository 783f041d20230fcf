"""Which unit leads, or coordinates, each group or section, and when.

Rows are dated because the mapping changes (in 2025 the DIC merged into
Science and Technology, and network security moved to the Police): a rule
holds from ``valid_from`` up to, not including, ``valid_to``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, and_, event, or_, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from ..extensions import db
from .units import Unit


class RoutingRole(StrEnum):
    LEAD = "lead"
    COORDINATING = "coordinating"


class RoutingRule(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), index=True)  # group or section code
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=RoutingRole.LEAD)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    unit: Mapped[Unit] = relationship()


_READ = "routing rules read"  # key of Session.info: rules read in this transaction, by day


def rules_on(day: date) -> list[RoutingRule]:
    """Every routing rule in force on ``day``, with its unit.

    A page asks several times (what the user may see, the round's scopes, which
    workbooks it offers): the rules are read once per transaction, and again after
    anything is written (a flush) or while changes wait to be written."""
    session = db.session
    read: dict[date, list[RoutingRule]] = session.info.setdefault(_READ, {})
    if day not in read or session.new or session.dirty or session.deleted:
        read[day] = list(session.scalars(
            select(RoutingRule).options(joinedload(RoutingRule.unit, innerjoin=True))
            .where(RoutingRule.valid_from <= day, or_(RoutingRule.valid_to.is_(None), and_(RoutingRule.valid_to > day)))
            .order_by(RoutingRule.scope, RoutingRule.role, RoutingRule.id)))
    return list(read[day])


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget_rules(session: Session, *_args: object) -> None:
    session.info.pop(_READ, None)
