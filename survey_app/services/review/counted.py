"""What the review dashboards counted, kept per process under the round's change stamp.

Counting a round means reading every unit of it (10,000 in a province with
its communes): hundreds of milliseconds a page. What was counted is kept in
this process, keyed by the round's *change stamp*: how many rows
``round_changes`` holds for the round and the highest id. The database's
triggers (migration 0011) add a row whenever anything the dashboards count
changes, whoever changes it, and only ever insert, so a stamp read in a
request changes as soon as such a change is committed, on every app server.
What is kept is therefore never older than the stamp it is filed under: the
counting statements run after the stamp was read, in read-committed
transactions, and see at least what it stood for. Nothing here is state of
its own: an emptied cache, or another server's, only counts again.

After restoring a backup into a running installation, restart the app
servers (docs/operations.md): the restored stamps may repeat older ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import func, select

from ...extensions import db
from ...models import RoundChange

T = TypeVar("T")

#: Kept results, most recently used last; beyond this many the oldest go.
SIZE = 512

_kept: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def round_stamp(round_id: int) -> tuple[int, int]:
    """The round's change stamp: rows of ``round_changes`` and the highest id (one indexed query)."""
    count, last = db.session.execute(
        select(func.count(), func.max(RoundChange.id)).where(RoundChange.round_id == round_id)).one()
    return int(count), int(last or 0)


def kept(key: Hashable, count: Callable[[], T]) -> T:
    """The result kept under ``key`` (which holds a :func:`round_stamp`), else ``count()``, kept.

    Keys are per database too: one process may serve several (tests do)."""
    key = (db.engine.url.render_as_string(), key)
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]  # type: ignore[return-value]
    value = count()
    with _lock:
        _kept[key] = value
        while len(_kept) > SIZE:
            _kept.popitem(last=False)
    return value


def forget() -> None:
    """Empty this process's kept results (tests, which restore databases under the same stamps)."""
    with _lock:
        _kept.clear()
