"""The dashboards read a round in a fixed number of queries, whatever its size."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, insert, select

from survey_app.extensions import db
from survey_app.models import Bottleneck, Response, ResponseGroup, Round, RoundUnit, Unit
from survey_app.models.routing import RoutingRole, RoutingRule, rules_on
from survey_app.services.review import counted

PAGES = {
    "stttt-reviewer": ["/review/rounds/P06-DIEM-NGHEN", "/review/rounds/P06-DIEM-NGHEN/scopes/data/bottlenecks",
                       "/review/rounds/P06-DIEM-NGHEN/scopes/data/bottlenecks?question=DL-01"],
    "catinh-coordinator": ["/review/rounds/P06-DIEM-NGHEN/province", "/review/rounds/P06-DIEM-NGHEN?status=submitted"],
}


def grow(review: Any, extra: int) -> int:
    """Add ``extra`` communes answering like the first responding demo unit; returns the units in the round."""
    with review.app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=review.round))
        template = db.session.scalars(select(Response).where(Response.round_id == rnd.id).order_by(Response.id)).first()
        groups = list(db.session.scalars(select(ResponseGroup).filter_by(response_id=template.id)))
        gaps = {g.id: list(db.session.scalars(select(Bottleneck).filter_by(response_group_id=g.id))) for g in groups}
        db.session.execute(insert(Unit), [{"code": f"XA-Q{i:05d}", "name_vi": f"UBND xã Thử {i}",
                                           "name_en": f"Test Commune {i}", "kind": "commune", "sort_order": 10_000 + i}
                                          for i in range(extra)])
        ids = list(db.session.scalars(select(Unit.id).where(Unit.code.like("XA-Q%")).order_by(Unit.id)))
        db.session.execute(insert(RoundUnit), [{"round_id": rnd.id, "unit_id": u} for u in ids])
        db.session.execute(insert(Response), [{"round_id": rnd.id, "unit_id": u} for u in ids])
        responses = list(db.session.scalars(select(Response.id).where(Response.unit_id.in_(ids))))
        db.session.execute(insert(ResponseGroup), [
            {"response_id": r, "group_code": g.group_code, "status": g.status, "version": 1, "score": g.score,
             "band": g.band, "section_scores": g.section_scores, "submitted_at": g.submitted_at}
            for r in responses for g in groups])
        new_groups = db.session.execute(select(ResponseGroup.id, ResponseGroup.response_id, ResponseGroup.group_code)
                                        .where(ResponseGroup.response_id.in_(responses))).all()
        by_code = {g.group_code: g.id for g in groups}
        rows = [{"response_group_id": gid, "response_id": rid, "group_code": b.group_code,
                 "section_code": b.section_code, "question_code": b.question_code, "kind": b.kind,
                 "item_key": b.item_key, "row": b.row, "severity": b.severity, "first_seen_at": b.first_seen_at,
                 "resolved_at": b.resolved_at}
                for gid, rid, code in new_groups for b in gaps[by_code[code]]]
        if rows:
            db.session.execute(insert(Bottleneck), rows)
        db.session.commit()
        total = len(list(db.session.scalars(select(RoundUnit.unit_id).filter_by(round_id=rnd.id))))
        db.session.remove()
    return total


def counts(review: Any, count_queries: Any) -> dict[str, int]:
    """Statements per page, counting the round afresh (nothing kept from before: see ``counted``)."""
    with review.app.app_context():
        counted.forget(shared=True)
        db.session.remove()
    out = {}
    for username, urls in PAGES.items():
        c = review.client(username)
        for url in urls:
            before = count_queries.count
            r = c.get(url)
            assert r.status_code == 200, url
            out[f"{username} {url}"] = count_queries.count - before
    return out


def test_same_queries_for_20_and_2000_units(review: Any, count_queries: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counted, "SWEEP_CHANCE", 0.0)  # one write in a hundred also sweeps: two more statements
    counts(review, count_queries)  # once to warm the process's caches (the parsed bank), which cost no unit anything
    small = counts(review, count_queries)
    assert grow(review, 2000) > 2000
    large = counts(review, count_queries)
    assert large == small
    assert max(small.values()) <= 20


def test_a_dashboard_reads_the_routing_rules_and_the_user_s_units_once(review: Any) -> None:
    """What the user may see, the round's scopes and the workbooks offered all ask for the
    rules in force: one statement answers them all; the user's units come with the session's
    user, and the round with its bank version."""
    c = review.client("stttt-reviewer")
    c.get("/review/rounds/P06-DIEM-NGHEN")  # warm: the board and the parsed bank
    with review.app.app_context():
        engine = db.engine
    sent: list[str] = []
    record = lambda _c, _cur, statement, *_a: sent.append(" ".join(statement.lower().split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert c.get("/review/rounds/P06-DIEM-NGHEN").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    tables = [s.split(" from ", 1)[1].split()[0] for s in sent if s.startswith("select") and " from " in s]
    assert tables.count("routing_rules") == 1, sent
    assert "units" not in tables and "bank_versions" not in tables and "round_units" not in tables, sent


def test_the_rules_read_in_a_transaction_are_read_again_once_anything_changes(review: Any) -> None:
    with review.app.app_context():
        day = db.session.scalar(select(Round).filter_by(code=review.round)).opens_on
        before = rules_on(day)
        assert rules_on(day) == before  # read once: the same rows
        stc = db.session.scalar(select(Unit).filter_by(code="STC"))
        rule = RoutingRule(scope="data", unit_id=stc.id, role=RoutingRole.COORDINATING, valid_from=day)
        db.session.add(rule)  # waiting to be written: read again (the query flushes it)
        assert rule in rules_on(day)
        db.session.delete(rule)
        db.session.flush()  # written: read again
        assert rule not in rules_on(day)
        db.session.rollback()
        db.session.execute(insert(RoutingRule), [{"scope": "data", "unit_id": stc.id, "role": "coordinating",
                                                  "valid_from": day}])  # a statement the session does not track
        db.session.commit()  # a new transaction reads afresh
        assert len(rules_on(day)) == len(before) + 1
        db.session.remove()
