"""A dashboard's board: every unit of the round read once, then only the units that changed.

The round's changes name their unit (migration 0014); a board brought up to date
re-reads those units and moves its totals by them. After each change here (a unit
leaving the round, one joining, one moved to the top, a late commit, a bottleneck
resolved), what the lead's and the province's dashboards show, filtered or not, and
before or after the due date, equals what a board read afresh shows; and the board
did not read the whole round again. Changes that name no unit, or too many at once,
make it read the whole round again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update

from survey_app.extensions import db
from survey_app.models import Bottleneck, Response, ResponseGroup, Round, RoundChange, RoundUnit, Unit
from survey_app.services.banks import bank_for
from survey_app.services.review import counted, dashboards
from survey_app.services.review.dashboards import Filters, dashboard
from survey_app.services.review.scopes import ReviewSettings, routing_for

ROUND = "P06-DIEM-NGHEN"
DAYS = (date(2026, 12, 1), date(2027, 1, 15))  # before the due date, and after it (late units)
FILTERS = (Filters(), Filters(only="call_in"), Filters(status="returned"), Filters(kind="commune"))


def shown(app: Flask) -> list[Any]:
    """What the province view and the DIC's dashboard show, on both days, under each filter."""
    out: list[Any] = []
    with app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=ROUND))
        routing = routing_for(rnd, bank_for(rnd.bank_version))
        dic = tuple(s for s in routing.scopes if s.group in ("infrastructure", "data", "security"))
        for today in DAYS:
            for scopes in (routing.scopes, dic):
                for f in FILTERS:
                    b = dashboard(rnd, routing, scopes, f, ReviewSettings(stale_days=2), today)
                    out.append((b.total, b.late_units, b.call_in_units, b.kinds, b.distribution, b.waiting,
                                [(p.scope.code, p.submitted, p.accepted, p.returned, p.waiting_long)
                                 for p in b.progress],
                                [(r.code, r.name_vi, r.late, r.red_groups, r.cells) for r in b.rows]))
        db.session.remove()
    return out


def fresh(app: Flask) -> list[Any]:
    """What a process that never read the round shows."""
    with app.app_context():
        counted.forget(shared=True)
        db.session.remove()
    return shown(app)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times a board read the whole round."""
    calls: list[int] = []
    whole = dashboards.Board._read_all

    def counting(self: dashboards.Board) -> None:
        calls.append(self.round_id)
        whole(self)

    monkeypatch.setattr(dashboards.Board, "_read_all", counting)
    yield calls


def sql(app: Flask, *statements: str) -> None:
    with app.app_context():
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()
        db.session.remove()


def brought_up_to_date(app: Flask, reads: list[int], change: Any) -> None:
    """After ``change``, the kept board shows what a fresh one shows, without reading the round."""
    before = shown(app)
    reads.clear()
    change()
    after = shown(app)
    assert reads == [], "the whole round was read again"
    assert after != before, "the change did not show: the test would prove nothing"
    assert after == fresh(app)


def test_units_leaving_joining_and_moving_are_re_read_alone(review: Any, reads: list[int]) -> None:
    app = review.app
    with app.app_context():
        rnd_id = db.session.scalar(select(Round.id).filter_by(code=ROUND))
        leaving = db.session.scalar(select(Unit.id).join(RoundUnit, RoundUnit.unit_id == Unit.id)
                                    .where(RoundUnit.round_id == rnd_id).order_by(Unit.sort_order.desc()))
        db.session.remove()

    brought_up_to_date(app, reads, lambda: sql(
        app, f"DELETE FROM round_units WHERE round_id = {rnd_id} AND unit_id = {leaving}"))

    def join() -> None:
        with app.app_context():
            unit = Unit(code="UBND-XA-MOI", name_vi="Ủy ban nhân dân xã Tân Lập", name_en="Tan Lap Commune",
                        kind="commune", sort_order=0)
            db.session.add(unit)
            db.session.flush()
            db.session.add(RoundUnit(round_id=rnd_id, unit_id=unit.id))
            db.session.commit()
            db.session.remove()

    brought_up_to_date(app, reads, join)
    last = "SELECT id FROM units WHERE code = (SELECT max(code) FROM units WHERE kind = 'department')"
    brought_up_to_date(app, reads, lambda: sql(app, f"UPDATE units SET sort_order = -1 WHERE id = ({last})"))


def test_a_score_a_return_and_a_resolved_bottleneck_move_the_totals(review: Any, reads: list[int]) -> None:
    app = review.app
    brought_up_to_date(app, reads, lambda: sql(
        app, "UPDATE response_groups SET score = 12.5, band = 'red' WHERE id = "
             "(SELECT min(id) FROM response_groups WHERE status = 'submitted' AND group_code = 'data')"))
    unit = review.unit_with("infrastructure", exclude=("STTTT",))
    dic = review.client("stttt-reviewer")

    def give_back() -> None:
        r = dic.post(review.scope_url("infrastructure", unit, "return"),
                     data={"reason_code": "missing_evidence", "reason": "Đề nghị bổ sung văn bản minh chứng."})
        assert r.status_code == 303

    brought_up_to_date(app, reads, give_back)

    def resolve() -> None:
        with app.app_context():
            one = db.session.scalar(select(func.min(Bottleneck.id)).join(
                ResponseGroup, ResponseGroup.id == Bottleneck.response_group_id)
                .where(ResponseGroup.status == "submitted", Bottleneck.resolved_at.is_(None)))
            db.session.execute(update(Bottleneck).where(Bottleneck.id == one).values(resolved_at=func.now()))
            db.session.commit()
            db.session.remove()

    brought_up_to_date(app, reads, resolve)


@pytest.mark.parametrize("engine", ["postgresql"])  # SQLite lets one writer in at a time
def test_a_change_committed_after_a_later_one_is_still_found(review: Any, reads: list[int]) -> None:
    """Transaction A takes a change id, B takes the next one and commits, a dashboard is
    read (the board has seen B's id), then A commits: A's change still shows."""
    app = review.app
    before = shown(app)
    reads.clear()
    with app.app_context():
        groups = [db.session.scalar(select(func.min(ResponseGroup.id)).join(Response).where(
            ResponseGroup.status == "submitted", Response.unit_id == unit)) for unit in db.session.scalars(
            select(Response.unit_id).join(ResponseGroup).where(ResponseGroup.status == "submitted").distinct()
            .order_by(Response.unit_id).limit(2))]
        first = db.engine.connect()
        slow = first.begin()
        first.execute(update(ResponseGroup).where(ResponseGroup.id == groups[0]).values(score=3.0, band="red"))
        with db.engine.begin() as second:
            second.execute(update(ResponseGroup).where(ResponseGroup.id == groups[1]).values(score=4.0, band="red"))
        db.session.remove()
    middle = shown(app)
    assert middle != before
    slow.commit()
    first.close()
    after = shown(app)
    assert after != middle, "the late commit did not show"
    assert reads == []
    assert after == fresh(app)


def test_changes_naming_no_unit_or_too_many_read_the_round_again(review: Any, reads: list[int],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = review.app
    shown(app)
    with app.app_context():
        rnd_id = db.session.scalar(select(Round.id).filter_by(code=ROUND))
        db.session.add(RoundChange(round_id=rnd_id))  # as written before migration 0014
        db.session.commit()
        db.session.remove()
    reads.clear()
    assert shown(app) == fresh(app)
    assert reads and reads[0] == rnd_id

    monkeypatch.setattr(dashboards, "REREAD_AT_MOST", 2)
    shown(app)
    reads.clear()
    with app.app_context():
        some = select(Response.id).where(Response.round_id == rnd_id).order_by(Response.id).limit(3)
        db.session.execute(update(ResponseGroup).where(ResponseGroup.response_id.in_(some),
                                                       ResponseGroup.group_code == "legal")
                           .values(score=1.0, band="red", status="submitted"))
        db.session.commit()
        db.session.remove()
    after = shown(app)
    assert reads, "three units changed, more than REREAD_AT_MOST: the round is read again"
    assert after == fresh(app)


def test_a_read_that_fails_half_way_reads_the_round_again(review: Any, reads: list[int],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The database goes away between reading the changes and the units they name: the
    board has noted changes it did not apply, so its next use reads the whole round."""
    app = review.app
    shown(app)
    sql(app, "UPDATE response_groups SET score = 7.5, band = 'red' WHERE id = "
             "(SELECT min(id) FROM response_groups WHERE status = 'submitted' AND group_code = 'security')")
    counts = dashboards._bottleneck_counts

    def gone(*args: Any) -> Any:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(dashboards, "_bottleneck_counts", gone)
    reads.clear()
    with pytest.raises(ConnectionError):
        shown(app)
    monkeypatch.setattr(dashboards, "_bottleneck_counts", counts)
    after = shown(app)
    assert reads, "the round was read again"
    assert after == fresh(app)
