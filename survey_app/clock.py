"""The time the application goes by, in one place so tests can move it.

Services take ``now`` as an argument; the web layer asks :func:`now`. A test
replaces ``survey_app.clock.now`` instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """``moment`` in UTC; SQLite hands timezone-aware columns back naive."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
