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

On PostgreSQL (several workers, several app servers) a result given a
:class:`Codec` is also written to ``kept_results`` (migration 0013), one row
per page and its latest stamp, so that one count serves every process: the
others read it back (one primary-key lookup) while the stamp stands. SQLite
runs one process (``make run``) and keeps results in it only.

After restoring a backup into a running installation, restart the app
servers (docs/operations.md): the restored stamps may repeat older ones.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, delete, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert

from ...extensions import db
from ...models import KeptResult, RoundChange

T = TypeVar("T")

#: A round's change stamp: see :func:`round_stamp`.
Stamp = tuple[int, int]

#: How far below the highest id a late commit's row is still seen: far more
#: changes than the app servers can make while one transaction commits.
WINDOW = 1000


@dataclass(frozen=True, slots=True)
class Codec(Generic[T]):
    """How a kept result crosses to other processes: to JSON values and back."""

    dump: Callable[[T], Any]
    load: Callable[[Any], T]


#: Every :class:`Lru` of the process, for :func:`forget`.
_every_lru: list[Lru] = []


class Lru:
    """Results kept in this process, most recently used last; beyond ``size`` the oldest go."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, object] = OrderedDict()
        self.lock = threading.Lock()
        _every_lru.append(self)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The result kept under ``key``, else ``make()``, kept."""
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]  # type: ignore[return-value]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


class _Store(Lru):
    """Kept results by key and stamp; on PostgreSQL, with a codec, shared with the other processes."""

    def kept(self, key: Hashable, stamp: Stamp, count: Callable[[], T], codec: Codec[T] | None) -> T:
        # One process may serve several databases (tests do).
        return self.get((db.engine.url.render_as_string(), key, stamp), lambda: _shared(key, stamp, count, codec))


def _shared(key: Hashable, stamp: Stamp, count: Callable[[], T], codec: Codec[T] | None) -> T:
    """What another process kept under ``key`` and ``stamp``, else ``count()``, kept for the others."""
    if codec is None or db.engine.dialect.name != "postgresql":
        return count()
    family = hashlib.sha256(repr(key).encode()).hexdigest()
    found = _read(family, stamp)
    if found is not None:
        return codec.load(json.loads(found))
    value = count()
    _write(family, stamp, json.dumps(codec.dump(value), ensure_ascii=False, separators=(",", ":")))
    return value


def _read(family: str, stamp: Stamp) -> str | None:
    """The value another process kept for ``family`` under exactly ``stamp``, if any."""
    row = db.session.execute(select(KeptResult.stamp_top, KeptResult.stamp_recent, KeptResult.value)
                             .where(KeptResult.family == family)).first()
    return row.value if row is not None and (row.stamp_top, row.stamp_recent) == stamp else None


def _write(family: str, stamp: Stamp, value: str) -> None:
    """Keep ``value`` for the other processes, unless one kept a newer stamp's meanwhile.

    On a connection of its own, committed at once: the request's transaction only reads."""
    new = insert(KeptResult).values(family=family, stamp_top=stamp[0], stamp_recent=stamp[1], value=value,
                                    kept_at=datetime.now(UTC))
    upsert = new.on_conflict_do_update(
        index_elements=[KeptResult.family],
        set_={"stamp_top": new.excluded.stamp_top, "stamp_recent": new.excluded.stamp_recent,
              "value": new.excluded.value, "kept_at": new.excluded.kept_at},
        where=tuple_(KeptResult.stamp_top, KeptResult.stamp_recent)
        < tuple_(new.excluded.stamp_top, new.excluded.stamp_recent))
    with db.engine.begin() as conn:
        conn.execute(upsert)
        if random.random() < SWEEP_CHANCE:
            sweep(conn)


#: A kept row untouched this long goes (pages keyed by a past day are never read again).
KEEP_FOR = timedelta(days=2)
#: One write in this many also sweeps out the rows older than :data:`KEEP_FOR`.
SWEEP_CHANCE = 0.01
#: The advisory lock that lets one sweeper at a time delete (several could deadlock).
_SWEEP_LOCK = 0x6B657074  # "kept"


def sweep(conn: Connection) -> int:
    """Delete the shared rows kept longer ago than :data:`KEEP_FOR`, unless another process
    is doing it (PostgreSQL); how many went."""
    if not conn.scalar(select(func.pg_try_advisory_xact_lock(_SWEEP_LOCK))):
        return 0
    return conn.execute(delete(KeptResult).where(KeptResult.kept_at < datetime.now(UTC) - KEEP_FOR)).rowcount


#: Counts and the rows of one page: small (a page is 100 rows).
_counts = _Store(512)
#: Rendered parts of pages (tens of kilobytes each): fewer of them.
_fragments = _Store(64)


def round_stamp(round_id: int, groups: Iterable[str] | None = None) -> Stamp:
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


def kept(key: Hashable, stamp: Stamp, count: Callable[[], T], codec: Codec[T] | None = None) -> T:
    """The result kept under ``key`` and a :func:`round_stamp`, else ``count()``, kept.

    ``key`` says what is counted, the stamp aside; its ``repr`` must say it the same way in
    every process (tuples of strings, numbers, dates and frozen dataclasses do). With a
    ``codec``, what one process counted serves the others (PostgreSQL)."""
    return _counts.kept(key, stamp, count, codec)


def kept_fragment(key: Hashable, stamp: Stamp, render: Callable[[], str], load: Callable[[str], T]) -> T:
    """A rendered part of a page kept under ``key`` (what :func:`kept` was given, and
    everything else the part shows: the language, the address prefix) and ``stamp``, else
    ``render()``; ``load`` makes the kept text markup again."""
    return _fragments.kept(key, stamp, lambda: load(render()), Codec(str, load))


def forget(shared: bool = False) -> None:
    """Empty this process's kept results, every :class:`Lru` (tests, which restore databases
    under the same stamps), and with ``shared`` those kept for every process (in an app context)."""
    for lru in _every_lru:
        lru.clear()
    if shared:
        db.session.execute(delete(KeptResult))
        db.session.commit()
