"""Stored scores: computed on submission or on an explicit recompute, the same either way."""

from __future__ import annotations

import json
from datetime import date

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update

from survey_app.extensions import db
from survey_app.models import Bottleneck, Response, ResponseGroup, Round, RoutingRule, Unit
from survey_app.services.scoring import score_response_group


def snapshot() -> tuple[list[object], list[object], list[object]]:
    groups = [(g.id, g.score, g.band, g.section_scores, g.missing, g.critical_failed)
              for g in db.session.scalars(select(ResponseGroup).order_by(ResponseGroup.id))]
    register = db.session.execute(
        select(Bottleneck.response_group_id, Bottleneck.question_code, Bottleneck.kind, Bottleneck.detail,
               Bottleneck.severity, Bottleneck.lead_agencies)
        .order_by(Bottleneck.response_group_id, Bottleneck.question_code, Bottleneck.kind, Bottleneck.detail)
    ).all()
    indexes = [(r.id, r.overall_index, r.band) for r in db.session.scalars(select(Response).order_by(Response.id))]
    return groups, [tuple(r) for r in register], indexes


def test_round_scoring_stores_what_a_single_submission_stores(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed", "--units", "30", "--seed", "3"])
    with app.app_context():
        bulk = snapshot()
        assert any(g[1] is not None for g in bulk[0]) and bulk[1]
        for group in db.session.scalars(select(ResponseGroup).where(ResponseGroup.status == "submitted")):
            score_response_group(group)
        db.session.commit()
        assert snapshot() == bulk


def test_recompute_restores_scores_and_nothing_changes_silently(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed"])
    with app.app_context():
        before = snapshot()
        submitted = ResponseGroup.status == "submitted"
        db.session.execute(update(ResponseGroup).where(submitted).values(score=0.0, band="red"))
        db.session.commit()
    result = runner.invoke(args=["scores", "recompute", "--round", "P06-2024"])
    assert result.exit_code == 0 and "Recomputed" in result.output
    with app.app_context():
        after = snapshot()
    assert after[0] == before[0] and after[1] == before[1]


def test_lead_agencies_follow_the_dated_routing(app: Flask, runner: FlaskCliRunner) -> None:
    """After the 2025 merger the DIC's groups go to Science and Technology."""
    runner.invoke(args=["demo", "seed"])
    with app.app_context():
        rnd = db.session.scalars(select(Round)).one()
        dic = db.session.scalars(select(Unit).filter_by(code="STTTT")).one()
        dost = db.session.scalars(select(Unit).filter_by(code="SKHCN")).one()
        merger = date(2025, 3, 1)
        for rule in db.session.scalars(select(RoutingRule).filter_by(unit_id=dic.id)):
            rule.valid_to = merger
            db.session.add(RoutingRule(scope=rule.scope, unit=dost, role=rule.role, valid_from=merger))
        rnd.opens_on = max(rnd.opens_on, date(2025, 6, 1))
        db.session.commit()
    runner.invoke(args=["scores", "recompute", "--round", "P06-2024"])
    with app.app_context():
        leads = {tuple(b.lead_agencies) for b in db.session.scalars(
            select(Bottleneck).where(Bottleneck.group_code.in_(["infrastructure", "data", "security"])))}
    assert leads == {("SKHCN",)}


def test_show_prints_scores_bands_and_bottleneck_counts(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed"])
    table = runner.invoke(args=["scores", "show", "--round", "P06-2024"])
    assert table.exit_code == 0 and "bottlenecks" in table.output.splitlines()[0]
    rows = json.loads(runner.invoke(args=["scores", "show", "--round", "P06-2024", "--format", "json"]).output)
    submitted = [r for r in rows if r["status"] == "submitted"]
    assert submitted and all(r["band"] in ("red", "yellow", "green") for r in submitted)
    assert all(0 <= r["score"] <= 100 for r in submitted)
    unit = submitted[0]["unit"]
    only = json.loads(runner.invoke(args=["scores", "show", "--round", "P06-2024", "--unit", unit,
                                          "--format", "json"]).output)
    assert {r["unit"] for r in only} == {unit} and len(only) == 5


def test_show_names_an_unknown_round_or_unit(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["demo", "seed"])
    assert runner.invoke(args=["scores", "show", "--round", "NOPE"]).exit_code == 1
    result = runner.invoke(args=["scores", "show", "--round", "P06-2024", "--unit", "NOPE"])
    assert result.exit_code == 1 and "unit NOPE" in result.output
    assert runner.invoke(args=["scores", "recompute", "--round", "NOPE"]).exit_code == 1
