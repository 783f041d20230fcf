"""Warming a process before it serves (gunicorn's master, before the fork).

``survey_app.warm`` fills caches keyed by content (templates by name, banks
and forms by the bank's fingerprint), reads the open rounds' dashboard boards,
and must leave no database connection open: a connection opened in gunicorn's master and inherited by every worker
would be shared by all of them.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Round, RoundUnit
from survey_app.respond import forms
from survey_app.scoring import applies_to_kind
from survey_app.services.banks import bank_for, open_round_banks
from survey_app.services.review import counted, dashboards
from survey_app.services.review.scopes import ReviewSettings, routing_for
from survey_app.services.rounds import province_today
from survey_app.warm import warm


def test_warming_fills_the_caches_and_leaves_no_connection_open(demo: Flask) -> None:
    forms._FORM_CLASSES.clear()
    demo.jinja_env.cache.clear()  # type: ignore[union-attr]
    counted.forget()
    warm(demo)
    with demo.app_context():
        pool = db.engine.pool
        assert (pool.checkedout(), pool.checkedin()) == (0, 0)  # type: ignore[attr-defined]
        banks = open_round_banks()
        rnd = db.session.scalar(select(Round).where(Round.closed_at.is_(None)))
        board = dashboards.board(rnd, routing_for(rnd, bank_for(rnd.bank_version)),
                                 ReviewSettings.from_config(demo.config), province_today())
        assert board.top is not None, "the open round's board was read before the first request"
        assert len(board.totals) >= 2, "the province view's totals and the reviewing units' were counted"
        assert len(board.order) == db.session.scalar(select(func.count()).select_from(RoundUnit)
                                                     .where(RoundUnit.round_id == rnd.id))
        db.session.remove()
    assert banks  # the demo's round is open
    names = {t.name for t in demo.jinja_env.cache.values()}  # type: ignore[union-attr]
    assert {"respond/group.html", "respond/_question.html", "review/dashboard.html", "base.html"} <= names
    for fingerprint, bank, kinds in banks:
        for group in bank.groups:
            expected = {(fingerprint, group.code, frozenset(q.code for q in group.questions if applies_to_kind(q, k)),
                         language) for k in kinds for language in ("vi", "en")}
            assert expected <= set(forms._FORM_CLASSES)
