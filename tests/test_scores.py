"""Stored scores: computed on submission or on an explicit recompute, the same either way."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, update

from survey_app.extensions import db
from survey_app.models import (
    Answer,
    BankQuestion,
    Bottleneck,
    BottleneckLead,
    Response,
    ResponseGroup,
    Round,
    RoutingRule,
    Unit,
    User,
)
from survey_app.scoring import score_unit
from survey_app.services.answers import transition
from survey_app.services.banks import bank_for
from survey_app.services.scoring import (
    bottlenecks_led_by,
    indexes_for_round,
    recompute_round,
    register_lines,
    response_answers,
    score_response_group,
    unit_index_view,
)
from survey_app.workflow import Action


def snapshot() -> tuple[list[object], list[object], list[object]]:
    groups = [(g.id, g.score, g.band, g.section_scores, g.missing, g.critical_failed)
              for g in db.session.scalars(select(ResponseGroup).order_by(ResponseGroup.id))]
    leads = defaultdict(set)
    for bid, code in db.session.execute(select(BottleneckLead.bottleneck_id, Unit.code)
                                        .join(Unit, Unit.id == BottleneckLead.unit_id)):
        leads[bid].add(code)
    register = [(b.id, b.response_id, b.response_group_id, b.question_code, b.kind, b.item_key, b.row, b.severity,
                 b.comment, b.resolved_at, frozenset(leads[b.id]))
                for b in db.session.scalars(select(Bottleneck).order_by(Bottleneck.id))]
    rounds = db.session.scalars(select(Round.id)).all()
    indexes = sorted((rid, view) for r in rounds for rid, view in indexes_for_round(r).items())
    return groups, register, indexes


def test_round_scoring_stores_what_a_single_submission_stores(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed", "--units", "30", "--seed", "3"])
    with app.app_context():
        bulk = snapshot()
        assert any(g[1] is not None for g in bulk[0]) and bulk[1]
        for group in db.session.scalars(select(ResponseGroup).where(ResponseGroup.status == "submitted")):
            score_response_group(group)
        db.session.commit()
        assert snapshot() == bulk  # same scores, same register with the same ids, same indexes


@pytest.mark.usefixtures("demo")
def test_recompute_restores_scores_and_keeps_every_bottleneck_id(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        before = snapshot()
        assert before[1]
        submitted = ResponseGroup.status == "submitted"
        db.session.execute(update(ResponseGroup).where(submitted).values(score=0.0, band="red"))
        db.session.commit()
    result = runner.invoke(args=["scores", "recompute", "--round", "P06-DIEM-NGHEN"])
    assert result.exit_code == 0 and "Recomputed" in result.output
    with app.app_context():
        after = snapshot()
    assert after == before


def _severity_bottleneck() -> tuple[Bottleneck, ResponseGroup, Answer]:
    b = db.session.scalars(select(Bottleneck).where(Bottleneck.kind == "severity").order_by(Bottleneck.id)).first()
    assert b is not None
    group = db.session.get(ResponseGroup, b.response_group_id)
    answer = db.session.scalars(select(Answer).join(BankQuestion, BankQuestion.id == Answer.question_id)
                                .where(Answer.response_id == b.response_id,
                                       BankQuestion.code == b.question_code)).one()
    assert group is not None
    return b, group, answer


def _return_and_resubmit(group: ResponseGroup) -> None:
    reviewer = db.session.scalars(select(User).filter_by(username="vpubnd-reviewer")).one()
    transition(group, Action.RETURN, reviewer, frozenset({"reviewer"}), reason="Bổ sung")
    db.session.commit()
    group.status = "submitted"  # what submit_group does once the group is complete
    score_response_group(group)
    db.session.commit()


@pytest.mark.usefixtures("demo")
def test_a_bottleneck_keeps_its_id_through_return_and_resubmission(app: Flask) -> None:
    with app.app_context():
        b, group, answer = _severity_bottleneck()
        ids = set(db.session.scalars(select(Bottleneck.id).where(Bottleneck.response_group_id == group.id)))
        first_seen = b.first_seen_at
        _return_and_resubmit(group)  # the same gaps
        assert set(db.session.scalars(select(Bottleneck.id).where(Bottleneck.response_group_id == group.id))) == ids
        db.session.refresh(b)
        assert b.resolved_at is None and b.first_seen_at == first_seen

        answer.value = 1  # the unit no longer reports the problem
        db.session.commit()
        _return_and_resubmit(group)
        db.session.refresh(b)
        assert b.resolved_at is not None  # kept, readable, dated
        assert b.id in ids and b.kind == "severity"
        response = db.session.get(Response, b.response_id)
        assert response is not None
        assert b.id not in {line.id for line in register_lines(response, "vi")}
        assert b.id in {line.id for line in register_lines(response, "vi", resolved=True)}

        answer.value = 5  # it comes back: the same entry, open again
        db.session.commit()
        _return_and_resubmit(group)
        db.session.refresh(b)
        assert b.resolved_at is None and b.severity == 5
        assert db.session.scalar(select(func.count()).select_from(Bottleneck)
                                 .where(Bottleneck.response_id == b.response_id,
                                        Bottleneck.question_code == b.question_code)) == 1


@pytest.mark.usefixtures("demo")
def test_lead_agencies_are_rows_from_the_dated_routing(app: Flask, runner: FlaskCliRunner) -> None:
    """After the 2025 merger the DIC's groups go to Science and Technology."""
    with app.app_context():
        rnd = db.session.scalars(select(Round)).one()
        dic = db.session.scalars(select(Unit).filter_by(code="STTTT")).one()
        dost = db.session.scalars(select(Unit).filter_by(code="SKHCN")).one()
        led_by_dic = set(db.session.scalars(bottlenecks_led_by(dic.id, rnd.id)))
        assert led_by_dic and {b.group_code for b in led_by_dic} <= {"infrastructure", "data", "security"}
        merger = date(2025, 3, 1)
        for rule in db.session.scalars(select(RoutingRule).filter_by(unit_id=dic.id)):
            rule.valid_to = merger
            db.session.add(RoutingRule(scope=rule.scope, unit=dost, role=rule.role, valid_from=merger))
        rnd.opens_on = max(rnd.opens_on, date(2025, 6, 1))
        db.session.commit()
        ids = {b.id for b in led_by_dic if b.response_group.status in ("submitted", "accepted")}
        dic_id, dost_id = dic.id, dost.id
    runner.invoke(args=["scores", "recompute", "--round", "P06-DIEM-NGHEN"])
    with app.app_context():
        # Recompute rescoring handed-in groups only: a group the lead returned keeps
        # the register of its last submission (and its leads) until it is resubmitted.
        still_dic = [b for b in db.session.scalars(bottlenecks_led_by(dic_id)) if b.response_group.status
                     in ("submitted", "accepted")]
        assert still_dic == []
        now_dost = {b.id for b in db.session.scalars(bottlenecks_led_by(dost_id))}
        assert ids <= now_dost  # the same entries (same ids), now led by the new department
        handed_in = {(g.response_id, g.group_code) for g in db.session.scalars(select(ResponseGroup))
                     if g.status in ("submitted", "accepted")}
        leads = {line.lead_agencies for r in db.session.scalars(select(Response))
                 for line in register_lines(r, "vi") if line.group_code in ("infrastructure", "data", "security")
                 and (r.id, line.group_code) in handed_in}
    assert leads == {("SKHCN",)}


@pytest.mark.usefixtures("demo")
def test_recompute_reports_stored_values_the_one_door_refuses(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        answer = db.session.scalars(
            select(Answer).join(BankQuestion, BankQuestion.id == Answer.question_id)
            .join(ResponseGroup, (ResponseGroup.response_id == Answer.response_id)
                  & (ResponseGroup.group_code == "security"))
            .where(BankQuestion.code == "AN-10", ResponseGroup.status == "submitted")).first()
        assert answer is not None
        answer.value = ["none", "access_log"]  # "none of these" and an item: contradictory
        db.session.commit()
        response_id = answer.response_id
    result = runner.invoke(args=["scores", "recompute", "--round", "P06-DIEM-NGHEN"])
    assert result.exit_code == 0 and "not valid" in result.output and "AN-10" in result.output
    with app.app_context():
        group = db.session.scalars(select(ResponseGroup).filter_by(response_id=response_id,
                                                                     group_code="security")).one()
        assert "AN-10" in (group.missing or [])  # counted as unanswered and listed, never scored


@pytest.mark.usefixtures("demo")
def test_the_index_is_derived_and_right_after_parallel_submissions(app: Flask) -> None:
    """Finding 8: five groups of one unit submitted at once never leave the index wrong."""
    with app.app_context():
        response = db.session.scalars(
            select(Response).join(Unit, Unit.id == Response.unit_id)
            .where(Unit.kind == "department").order_by(Response.id)).first()
        assert response is not None
        db.session.execute(update(ResponseGroup).where(ResponseGroup.response_id == response.id)
                           .values(status="draft"))
        db.session.commit()
        rid = response.id
        gids = list(db.session.scalars(select(ResponseGroup.id).filter_by(response_id=rid)))
        postgres = db.engine.dialect.name == "postgresql"
    barrier = threading.Barrier(len(gids)) if postgres else None
    errors: list[BaseException] = []

    def submit(gid: int) -> None:
        try:
            with app.app_context():
                group = db.session.get(ResponseGroup, gid)
                assert group is not None
                group.status = "submitted"
                db.session.flush()
                if barrier is not None:
                    barrier.wait(timeout=30)
                score_response_group(group)
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # reported below
            errors.append(exc)

    if postgres:  # truly in parallel: each thread has its own connection
        threads = [threading.Thread(target=submit, args=(gid,)) for gid in gids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:  # SQLite serialises writers: the submissions follow one another
        for gid in gids:
            submit(gid)
    assert errors == []
    with app.app_context():
        response = db.session.get(Response, rid)
        assert response is not None
        after_submits = unit_index_view(response)
        assert after_submits.counted_groups == after_submits.applicable_groups == 5
        recompute_round("P06-DIEM-NGHEN")
        db.session.expire_all()
        response = db.session.get(Response, rid)
        assert response is not None
        assert unit_index_view(response) == after_submits
        assert indexes_for_round(response.round_id)[rid] == after_submits
        bank = bank_for(response.round.bank_version)
        values, comments = response_answers(rid)
        fresh = score_unit(bank, response.unit.kind, values, comments)
        assert (fresh.index, fresh.band) == (after_submits.index, after_submits.band)


@pytest.mark.usefixtures("demo")
def test_a_partial_index_shows_its_coverage(app: Flask) -> None:
    with app.app_context():
        views = indexes_for_round(db.session.scalars(select(Round.id)).one())
        partial = [v for v in views.values() if v.index is not None and not v.complete]
        assert partial and all(0 < v.counted_groups < v.applicable_groups for v in partial)


@pytest.mark.usefixtures("demo")
def test_show_prints_scores_bands_and_bottleneck_counts(app: Flask, runner: FlaskCliRunner) -> None:
    table = runner.invoke(args=["scores", "show", "--round", "P06-DIEM-NGHEN"])
    assert table.exit_code == 0 and "bottlenecks" in table.output.splitlines()[0]
    rows = json.loads(runner.invoke(args=["scores", "show", "--round", "P06-DIEM-NGHEN", "--format", "json"]).output)
    submitted = [r for r in rows if r["status"] == "submitted"]
    assert submitted and all(r["band"] in ("red", "yellow", "green") for r in submitted)
    assert all(0 <= r["score"] <= 100 for r in submitted)
    unit = submitted[0]["unit"]
    only = json.loads(runner.invoke(args=["scores", "show", "--round", "P06-DIEM-NGHEN", "--unit", unit,
                                          "--format", "json"]).output)
    assert {r["unit"] for r in only} == {unit} and len(only) == 5


@pytest.mark.usefixtures("demo")
def test_show_names_an_unknown_round_or_unit(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["scores", "show", "--round", "NOPE"]).exit_code == 1
    result = runner.invoke(args=["scores", "show", "--round", "P06-DIEM-NGHEN", "--unit", "NOPE"])
    assert result.exit_code == 1 and "unit NOPE" in result.output
    assert runner.invoke(args=["scores", "recompute", "--round", "NOPE"]).exit_code == 1
