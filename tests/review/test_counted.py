"""The dashboards keep what they counted under the round's change stamp.

What is kept must never be older than the data: after each kind of change a
dashboard counts (a return through the review page, a resubmission, an
administrator renaming a unit, a score changed by hand in SQL, a resolved
bottleneck), the dashboard and the province's recurring bottlenecks equal
what a fresh count gives, and differ from what they showed before. An
autosave that changes no status adds no change, so the count is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, text, update

from survey_app.extensions import db
from survey_app.models import Bottleneck, KeptResult, Round, RoundChange, Unit
from survey_app.services.banks import bank_for
from survey_app.services.review import counted
from survey_app.services.review.bottlenecks import recurrent_bottlenecks
from survey_app.services.review.dashboards import Filters, dashboard
from survey_app.services.review.scopes import ReviewSettings, routing_for

ROUND = "P06-DIEM-NGHEN"


def view(app: Flask) -> tuple[Any, ...]:
    """What a coordinator's dashboard and the province's recurring bottlenecks show, as plain values."""
    with app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=ROUND))
        bank = bank_for(rnd.bank_version)
        routing = routing_for(rnd, bank)
        board = dashboard(rnd, routing, routing.scopes, Filters(), ReviewSettings(stale_days=2), date(2026, 12, 1))
        shown = (board.total, board.late_units, board.call_in_units, board.kinds, board.distribution,
                 [(p.scope.code, p.submitted, p.accepted, p.returned, p.waiting_long) for p in board.progress],
                 [(r.code, r.name_vi, r.kind, [(c.status, c.score, c.band) for c in r.cells]) for r in board.rows],
                 [(r.question.code, r.units) for r in recurrent_bottlenecks(rnd, bank, routing.scopes)])
        db.session.remove()
    return shown


def stamp(app: Flask) -> tuple[int, int]:
    with app.app_context():
        rnd_id = db.session.scalar(select(Round.id).filter_by(code=ROUND))
        value = counted.round_stamp(rnd_id)
        db.session.remove()
    return value


def forget_all(app: Flask) -> None:
    """Nothing kept, in this process or for the others: the next view counts afresh."""
    with app.app_context():
        counted.forget(shared=True)
        db.session.remove()


def kept_equals_fresh(app: Flask, change: Callable[[], None]) -> None:
    before = view(app)
    assert view(app) == before  # kept, and the same
    change()
    after = view(app)
    forget_all(app)
    assert after == view(app), "what was kept is older than the data"
    assert after != before, "the change did not show on the dashboard: the test would prove nothing"


def test_a_return_and_a_resubmission_show_at_once(review: Any) -> None:
    unit = review.unit_with("data", exclude=("STTTT",))
    dic = review.client("stttt-reviewer")

    def give_back() -> None:
        r = dic.post(review.scope_url("data", unit, "return"),
                     data={"reason_code": "missing_evidence", "reason": "Đề nghị bổ sung văn bản minh chứng."})
        assert r.status_code == 303

    kept_equals_fresh(review.app, give_back)
    kept_equals_fresh(review.app, lambda: review.submit(unit, "data", f"{unit.lower().replace('-', '')}-head"))


def test_a_renamed_unit_and_a_score_changed_by_hand_show_at_once(review: Any) -> None:
    def rename() -> None:
        with review.app.app_context():
            first = db.session.scalar(select(Unit).order_by(Unit.sort_order, Unit.code))
            first.name_vi = "Văn phòng Ủy ban nhân dân tỉnh (đổi tên)"
            db.session.commit()
            db.session.remove()

    def by_hand() -> None:  # no statement of the app: the database's triggers still see it
        with review.app.app_context():
            db.session.execute(text("UPDATE response_groups SET score = 12.5, band = 'red' "
                                    "WHERE status = 'submitted' AND group_code = 'legal'"))
            db.session.commit()
            db.session.remove()

    kept_equals_fresh(review.app, rename)
    kept_equals_fresh(review.app, by_hand)


def test_a_resolved_bottleneck_leaves_the_recurring_list(review: Any) -> None:
    def resolve() -> None:
        with review.app.app_context():
            db.session.execute(update(Bottleneck).where(Bottleneck.resolved_at.is_(None))
                               .values(resolved_at=db.func.now()))
            db.session.commit()
            db.session.remove()

    kept_equals_fresh(review.app, resolve)


@pytest.mark.parametrize("field", ["comment"])
def test_an_autosave_that_changes_no_status_keeps_the_count(review: Any, field: str) -> None:
    unit = review.unit_with("legal", status="draft")
    head = review.client(f"{unit.lower().replace('-', '')}-head")
    url = f"/rounds/{ROUND}/units/{unit}/groups/legal"
    page = head.get(url).get_data(as_text=True)
    base = re.search(r'name="base_version"[^>]*value="(\d+)"', page)
    assert base is not None
    before = stamp(review.app)
    r = head.post(url + "/autosave", data={"base_version": base.group(1), "q_PL_01-present": "1",
                                           f"q_PL_01-{field}": "Ghi chú: đang chờ văn bản của Sở."})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert stamp(review.app) == before
    with review.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(RoundChange)) == before[0]
        db.session.remove()


def unit_row(page: str, unit: str) -> str:
    """The table row of ``unit`` on a dashboard page's HTML."""
    found = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">[^<]*<small>\({re.escape(unit)}\)</small>.*?</tr>", page, re.S)
    assert found is not None, unit
    return found.group(0)


def test_the_kept_table_follows_the_data_and_the_readers_language(review: Any) -> None:
    """The rendered table of units is kept too: a return shows at once on the page, and a
    reader in English never gets the Vietnamese table (nor the reverse)."""
    unit = review.unit_with("data", exclude=("STTTT",))
    dic = review.client("stttt-reviewer")
    coordinator = review.client("catinh-coordinator")
    url = f"/review/rounds/{ROUND}/province"
    before = unit_row(coordinator.get(url).get_data(as_text=True), unit)
    assert unit_row(coordinator.get(url).get_data(as_text=True), unit) == before  # kept
    r = dic.post(review.scope_url("data", unit, "return"),
                 data={"reason_code": "missing_evidence", "reason": "Đề nghị bổ sung văn bản minh chứng."})
    assert r.status_code == 303
    after = unit_row(coordinator.get(url).get_data(as_text=True), unit)
    assert after != before and "Bị trả lại" in after
    assert coordinator.post("/language/en").status_code in (302, 303)
    english = unit_row(coordinator.get(url).get_data(as_text=True), unit)
    assert "Returned" in english and "Bị trả lại" not in english
    assert coordinator.post("/language/vi").status_code in (302, 303)
    assert unit_row(coordinator.get(url).get_data(as_text=True), unit) == after


def dic_stamp(app: Flask) -> tuple[int, int]:
    """The stamp the DIC's dashboard (infrastructure, data, security) is kept under."""
    with app.app_context():
        rnd_id = db.session.scalar(select(Round.id).filter_by(code=ROUND))
        value = counted.round_stamp(rnd_id, {"infrastructure", "data", "security"})
        db.session.remove()
    return value


def dic_view(app: Flask) -> tuple[Any, ...]:
    """What the DIC's reviewer's dashboard shows, as plain values."""
    with app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=ROUND))
        routing = routing_for(rnd, bank_for(rnd.bank_version))
        scopes = tuple(s for s in routing.scopes if s.group in ("infrastructure", "data", "security"))
        board = dashboard(rnd, routing, scopes, Filters(), ReviewSettings(stale_days=2), date(2026, 12, 1))
        shown = (board.total, board.late_units, board.call_in_units, board.distribution,
                 [(p.scope.code, p.submitted, p.accepted, p.returned) for p in board.progress],
                 [(r.code, [(c.status, c.score, c.band, c.bottlenecks) for c in r.cells]) for r in board.rows])
        db.session.remove()
    return shown


def test_a_change_of_another_group_keeps_a_lead_dashboard(review: Any) -> None:
    """A return of the legal group moves the whole round's stamp (the province view counts
    again) and not the DIC's; a return of the data group moves both, and what the DIC's
    dashboard then shows equals a fresh count. A unit renamed moves every stamp."""
    legal_unit = review.unit_with("legal", exclude=("VP-UBND",))
    office = review.client("vpubnd-reviewer")
    before_all, before_dic, shown = stamp(review.app), dic_stamp(review.app), dic_view(review.app)
    r = office.post(review.scope_url("legal", legal_unit, "return"),
                    data={"reason_code": "missing_evidence", "reason": "Đề nghị bổ sung văn bản minh chứng."})
    assert r.status_code == 303
    assert stamp(review.app) != before_all
    assert dic_stamp(review.app) == before_dic
    assert dic_view(review.app) == shown

    data_unit = review.unit_with("data", exclude=("STTTT",))
    dic = review.client("stttt-reviewer")
    r = dic.post(review.scope_url("data", data_unit, "return"),
                 data={"reason_code": "missing_evidence", "reason": "Đề nghị bổ sung văn bản minh chứng."})
    assert r.status_code == 303
    assert dic_stamp(review.app) != before_dic
    after = dic_view(review.app)
    assert after != shown
    forget_all(review.app)
    assert dic_view(review.app) == after

    moved = dic_stamp(review.app)
    with review.app.app_context():
        first = db.session.scalar(select(Unit).order_by(Unit.sort_order, Unit.code))
        first.name_vi = "Văn phòng Ủy ban nhân dân tỉnh (đổi tên)"
        db.session.commit()
        db.session.remove()
    assert dic_stamp(review.app) != moved


@pytest.mark.parametrize("engine", ["postgresql"])  # several processes share it there; SQLite runs one
def test_a_count_kept_by_one_process_serves_the_others(review: Any) -> None:
    """A dashboard counted by one process is read back by another (here: this process with its
    memory emptied) under the same stamp, without counting; an older stamp's count never
    replaces a newer one's."""
    before = view(review.app)
    counted.forget()  # as another worker or server sees it: nothing kept in its memory
    statements: list[str] = []

    def grab(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with review.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", grab)
    try:
        assert view(review.app) == before
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    assert any("kept_results" in s for s in statements)
    assert not any("round_units" in s for s in statements), "counted again instead of reading it back"

    with review.app.app_context():
        rows = db.session.execute(select(KeptResult.family, KeptResult.stamp_top, KeptResult.stamp_recent,
                                         KeptResult.value)).all()
        assert len(rows) == 2  # the dashboard page and the recurring bottlenecks
        family, top, recent, value = rows[0]
        counted._write(family, (top - 1, recent + 5), "[]")
        assert db.session.execute(select(KeptResult.value).filter_by(family=family)).scalar_one() == value
        counted._write(family, (top, recent + 1), "[]")
        assert db.session.execute(select(KeptResult.value).filter_by(family=family)).scalar_one() == "[]"
        db.session.remove()


@pytest.mark.parametrize("engine", ["postgresql"])
def test_the_sweep_removes_only_rows_kept_long_ago(review: Any) -> None:
    """Pages are keyed by the day (days waiting move with it): yesterday's are never read
    again, so the shared rows older than two days go, and the others stay."""
    view(review.app)
    with review.app.app_context():
        old = datetime.now(UTC) - counted.KEEP_FOR - timedelta(minutes=1)
        db.session.add(KeptResult(family="f" * 64, stamp_top=1, stamp_recent=1, value="[]", kept_at=old))
        db.session.commit()
        kept_now = set(db.session.scalars(select(KeptResult.family).where(KeptResult.kept_at > old)))
        assert kept_now
        with db.engine.begin() as conn:
            assert counted.sweep(conn) == 1
        assert set(db.session.scalars(select(KeptResult.family))) == kept_now
        db.session.remove()
