"""When a round accepts answers: its state on the province's calendar.

A round is *upcoming* before it opens, *open* from its opening date to its
due date (both included), *past due* after it and *closed* once
``closed_at`` is set. Only an open round accepts saves and submissions:
a unit that needs more time gets an extension of its own window. "Today" is the date in
the province (``ROUND_TIMEZONE``, ``Asia/Ho_Chi_Minh`` by default), never
the server's clock.

The window is a function of the round *and* the unit, so a per-unit
extension (administration) can move a unit's due date without touching
the callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import select

from ..extensions import db
from ..models import Round, RoundUnit, Unit

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class RoundState(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    PAST_DUE = "past_due"
    CLOSED = "closed"


#: States in which a unit may still save and submit.
ACCEPTING = frozenset({RoundState.OPEN})


def local_date(now: datetime, timezone: str) -> date:
    """The calendar date at ``now`` (an aware datetime) in ``timezone``: the one rule for "today"."""
    return now.astimezone(ZoneInfo(timezone)).date()


def province_today(now: datetime | None = None) -> date:
    """Today in the province whose rounds these are."""
    tz = str(current_app.config.get("ROUND_TIMEZONE") or DEFAULT_TIMEZONE) if has_app_context() else DEFAULT_TIMEZONE
    return local_date(now or datetime.now(UTC), tz)


@dataclass(frozen=True, slots=True)
class Window:
    """The dates between which a unit answers a round."""

    opens_on: date
    due_on: date
    closed: bool

    def state(self, today: date) -> RoundState:
        if self.closed:
            return RoundState.CLOSED
        if today < self.opens_on:
            return RoundState.UPCOMING
        return RoundState.OPEN if today <= self.due_on else RoundState.PAST_DUE

    def accepts(self, today: date) -> bool:
        return self.state(today) in ACCEPTING

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days

    def require_accepting(self, today: date | None = None) -> None:
        """:raises RoundNotOpen: when the window does not take saves and submissions today."""
        state = self.state(today or province_today())
        if state not in ACCEPTING:
            raise RoundNotOpen(state)


def window(rnd: Round, unit: Unit | None = None) -> Window:
    """The round's window for ``unit``: its own later due date when an administrator gave it one."""
    own = None
    if unit is not None and unit.id is not None:
        own = db.session.scalar(select(RoundUnit.due_on).filter_by(round_id=rnd.id, unit_id=unit.id))
    return window_with(rnd, own)


def window_with(rnd: Round, own_due_on: date | None) -> Window:
    """The round's window for a unit whose own due date (``round_units.due_on``) the caller has read already."""
    due = max(rnd.due_on, own_due_on) if own_due_on is not None else rnd.due_on
    return Window(rnd.opens_on, due, rnd.closed_at is not None)


class RoundNotOpen(Exception):
    """The round does not accept answers today; ``state`` says why."""

    def __init__(self, state: RoundState) -> None:
        super().__init__(state.value)
        self.state = state


def require_accepting(rnd: Round, unit: Unit, today: date | None = None) -> None:
    """:raises RoundNotOpen: when the unit may not save or submit in the round today."""
    window(rnd, unit).require_accepting(today)
