"""The dashboards' counts agree with the rows they show.

:meth:`Filters.keep` and :func:`call_in` define which units a filter keeps
and which are called in; a board keeps its totals up to date as units change
and reads a page without a filter off its order. Here both meet on the demo
province: the rows of every page, read without filter, are filtered and
counted here and compared with what the dashboard counted and kept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Round
from survey_app.services.banks import bank_for
from survey_app.services.review import dashboards
from survey_app.services.review.dashboards import HANDED_IN, Filters, call_in, dashboard
from survey_app.services.review.scopes import ReviewSettings, routing_for


def all_rows(rnd: Any, routing: Any, settings: ReviewSettings, today: Any) -> list[dashboards.UnitRow]:
    rows: list[dashboards.UnitRow] = []
    page = 1
    while True:
        board = dashboard(rnd, routing, routing.scopes, Filters(page=page), settings, today)
        rows += board.rows
        if page >= board.pages:
            return rows
        page += 1


def bins(scores: list[float | None]) -> list[int]:
    out = [0] * 10
    for score in scores:
        if score is not None:
            out[min(int(score // 10), 9)] += 1
    return out


@pytest.mark.parametrize("days_after_due", [-30, 5])
def test_counts_and_filters_agree_with_the_rows(review: Any, monkeypatch: pytest.MonkeyPatch,
                                                days_after_due: int) -> None:
    monkeypatch.setattr(dashboards, "PAGE_SIZE", 7)  # the demo's 31 units over five pages
    settings = ReviewSettings(stale_days=2)
    with review.app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=review.round))
        routing = routing_for(rnd, bank_for(rnd.bank_version))
        scopes = routing.scopes
        today = rnd.due_on + timedelta(days=days_after_due)
        rows = all_rows(rnd, routing, settings, today)
        board = dashboard(rnd, routing, scopes, Filters(), settings, today)

        assert len({r.unit_id for r in rows}) == len(rows) == board.total == 31
        assert any(s.code != s.group for s in scopes), "the demo splits a group into sections"
        split = [i for i, s in enumerate(scopes) if s.code != s.group]
        assert any(r.cells[i].score is not None for r in rows for i in split), "section scores are read"
        for i, p in enumerate(board.progress):
            cells = [r.cells[i] for r in rows]
            assert (p.participating, p.submitted, p.accepted, p.returned, p.waiting_long) == (
                len(cells), sum(c.status in HANDED_IN for c in cells), sum(c.status == "accepted" for c in cells),
                sum(c.status == "returned" for c in cells), sum(c.stale for c in cells))
            assert board.distribution[p.scope.code] == bins([c.score for c in cells if c.status in HANDED_IN])
        assert board.late_units == sum(r.late for r in rows)
        assert board.call_in_units == sum(call_in(r) for r in rows)
        if days_after_due > 0:
            assert board.late_units and any(r.stale for r in rows) and any(r.red_groups for r in rows)
        else:
            assert board.late_units == 0

        kinds = sorted({r.kind for r in rows})
        assert list(board.kinds) == kinds
        statuses = sorted({c.status for r in rows for c in r.cells})
        bands = sorted({c.band for r in rows for c in r.cells if c.band})
        assert len(statuses) >= 4 and len(bands) >= 2
        filters = [Filters(kind=k) for k in kinds] + [Filters(status=s) for s in statuses] \
            + [Filters(band=b) for b in bands] + [Filters(only=o) for o in ("late", "stale", "call_in")] \
            + [Filters(kind="commune", status="returned", band="red", only="call_in"), Filters(status="draft")]
        paged = 0
        for f in filters:
            expected = [r.unit_id for r in rows if f.keep(r)]
            # Paging under a filter is checked on the first two filters that keep more
            # than a page; the others are read as one page (each page is a whole
            # dashboard query, and ~20 filters × 5 pages made this test the suite's slowest).
            if len(expected) > 7 and paged < 2:
                paged += 1
                monkeypatch.setattr(dashboards, "PAGE_SIZE", 7)
            else:
                monkeypatch.setattr(dashboards, "PAGE_SIZE", 100)
            kept: list[int] = []
            page = 1
            while True:
                shown = dashboard(rnd, routing, scopes, Filters(f.kind, f.status, f.band, f.only, page), settings,
                                  today)
                assert shown.total == len(expected), f
                kept += [r.unit_id for r in shown.rows]
                if page >= shown.pages:
                    break
                page += 1
            assert kept == expected, f
        assert paged == 2, "two filters were read over several pages"
        db.session.remove()
