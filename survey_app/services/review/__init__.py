"""Review by lead agencies and provincial consolidation (issue 9).

``scopes`` moves a scope through the workflow; ``unit`` reviews one unit's
scope; ``dashboards`` and ``bottlenecks`` read a whole round in a fixed
number of queries; ``proposals`` records how bottlenecks get removed.
"""

from __future__ import annotations

from ...models import ResponseGroup, User
from ..banks import bank_for
from .scopes import routing_for, submit_scopes


def on_group_submitted(group: ResponseGroup, user: User) -> None:
    """Called when a unit submits a group: its scopes become submitted (the caller commits)."""
    rnd = group.response.round
    submit_scopes(group, user, routing_for(rnd, bank_for(rnd.bank_version)))
