"""Administration: units, users, rounds, routing, bank uploads, audit queries, reminders.

Every function that changes something records an audit event with the state
before and after, in the same transaction, and commits. Views ask
:func:`survey_app.services.access.is_admin` before calling anything here.
"""

from __future__ import annotations

from typing import Any

from ...models import User
from ..audit import record


class AdminError(Exception):
    """An administrative change that cannot be made as asked; the message says why."""


def log_change(actor: User | None, action: str, object_type: str, object_id: object, *,
               before: dict[str, Any] | None, after: dict[str, Any] | None, unit_id: int | None = None,
               round_id: int | None = None, **extra: Any) -> None:
    """Record an administrative change (the caller commits it with the change)."""
    detail: dict[str, Any] = {"before": before, "after": after, **extra}
    record(action, actor_id=actor.id if actor is not None else None,
           actor_name=actor.username if actor is not None else "cli", object_type=object_type,
           object_id=object_id, unit_id=unit_id, round_id=round_id, detail=detail)


class Msg(str):
    """A message in English that keeps its template and values, so a view can show it in the user's language.

    ``Msg("No unit has the code %(code)s.", code="STP")`` reads as the English
    sentence; the view passes ``template`` and ``params`` to gettext.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Msg:
        self = super().__new__(cls, template % params if params else template)
        self.template = template
        self.params = params
        return self
