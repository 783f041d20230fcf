"""What the review dashboards counted, kept per process under the round's change stamp.

Counting a round means reading every unit of it (10,000 in a province with
its communes): hundreds of milliseconds a page. What was counted is kept in
this process, keyed by the round's *change stamp*. The database's triggers
(migrations 0011 and 0012) add a row to ``round_changes`` whenever anything
the dashboards count changes, whoever changes it, and only ever insert, so
writers never wait on each other. A row names the group it changed when the
change belongs to one (a group's status or score, a scope review, a
bottleneck), so a dashboard of some groups reads the stamp of those groups
only, and counts again for nothing else. The stamp is the round's highest id there
and how many of the round's rows lie among the last :data:`WINDOW` ids: a
change committed after another one that took a later id (two transactions
in flight at once) still moves the stamp, as its row lands in the window.
Both are read through the ``(round_id, id)`` index, however long the log
grows. What is kept is therefore never older than the stamp it is filed
under: the counting statements run after the stamp was read, in
read-committed transactions, and see at least what it stood for. Nothing
here is state of its own: an emptied cache, or another server's, only counts
again.

After restoring a backup into a running installation, restart the app
servers (docs/operations.md): the restored stamps may repeat older ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from sqlalchemy import func, or_, select

from ...extensions import db
from ...models import RoundChange

T = TypeVar("T")

#: How far below the highest id a late commit's row is still seen: far more
#: changes than the app servers can make while one transaction commits.
WINDOW = 1000


class _Store:
    """Kept results, most recently used last; beyond ``size`` of them the oldest go."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, count: Callable[[], T]) -> T:
        key = (db.engine.url.render_as_string(), key)  # one process may serve several databases (tests do)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]  # type: ignore[return-value]
        value = count()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


#: Counts and the rows of one page: small (a page is 100 rows).
_counts = _Store(512)
#: Rendered parts of pages (tens of kilobytes each): fewer of them.
_fragments = _Store(64)


def round_stamp(round_id: int, groups: Iterable[str] | None = None) -> tuple[int, int]:
    """The round's change stamp: its highest id in ``round_changes``, and its rows among
    the last :data:`WINDOW` ids (one statement, two short index scans).

    With ``groups``, only the changes of those groups and of every group (``group_code``
    empty) count: what a dashboard of those groups shows moves with nothing else."""
    mine = [RoundChange.round_id == round_id]
    if groups is not None:
        mine.append(or_(RoundChange.group_code.is_(None), RoundChange.group_code.in_(sorted(set(groups)))))
    top = select(func.max(RoundChange.id)).where(*mine).scalar_subquery()
    last, recent = db.session.execute(select(top, select(func.count()).where(
        *mine, RoundChange.id > top - WINDOW).scalar_subquery())).one()
    return int(last or 0), int(recent or 0)


def kept(key: Hashable, count: Callable[[], T]) -> T:
    """The result kept under ``key`` (which holds a :func:`round_stamp`), else ``count()``, kept."""
    return _counts.get(key, count)


def kept_fragment(key: Hashable, render: Callable[[], T]) -> T:
    """A rendered part of a page kept under ``key`` (which holds what :func:`kept` was given,
    and everything else the part shows: the language, the address prefix), else ``render()``."""
    return _fragments.get(key, render)


def forget() -> None:
    """Empty this process's kept results (tests, which restore databases under the same stamps)."""
    _counts.clear()
    _fragments.clear()
