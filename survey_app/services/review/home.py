"""Where reviewers and coordinators land, and what their own unit needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ...models import User
from ...workflow import Role
from ..access import can_see_review, scope_grants
from ..home import HomeView, home_view
from .context import current_round
from .scopes import routing_day


def review_landing(user: User, today: date) -> str | None:
    """The round code of the dashboard the user lands on, or None for the unit home.

    Reviewers and coordinators land on their dashboard; an administrator who is
    neither lands on the home page, with the administration one click away.
    """
    if not can_see_review(user) or not any(m.role in (Role.REVIEWER, Role.COORDINATOR) for m in user.memberships):
        return None
    rnd = current_round(today)
    if rnd is None or not scope_grants(user, routing_day(rnd)).any:
        return None
    return rnd.code


@dataclass(frozen=True, slots=True)
class OwnUnit:
    """The reviewer's own unit in the open rounds, with its returned groups."""

    view: HomeView

    @property
    def returned(self) -> int:
        return sum(g.status == "returned" for line in self.view.rounds for g in line.groups)


def own_unit(user: User, today: date) -> OwnUnit:
    return OwnUnit(home_view(user, today))
