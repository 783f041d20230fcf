"""The lead agencies' review in the workbooks, read back (openpyxl) and checked
against the review tables of the demo province: statuses, acceptances and
returns, appraisals and appraised scope scores, proposals; and nothing from
outside the workbook's scopes or unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from openpyxl.workbook import Workbook
from sqlalchemy import func, select

from survey_app.exports import WorkbookKind
from survey_app.extensions import db
from survey_app.models import Bottleneck, GroupEvent, Response, ResponseGroup, Round, RoundUnit, Unit, User
from survey_app.models.review import Appraisal, Proposal, ScopeEvent, ScopeReview
from survey_app.models.routing import rules_on
from survey_app.services.access import scope_grants
from survey_app.services.banks import bank_for
from survey_app.services.export_scopes import scopes_of
from survey_app.services.exports import Target, export_workbook
from survey_app.services.review.proposals import ProposalInput, create
from survey_app.services.review.scopes import DEFAULT_REASONS, ReviewSettings, routing_for
from survey_app.services.review.unit import appraise, scope_view

from .conftest import ROUND, header_index, open_book, rows

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS_VI = {"not_started": "Chưa bắt đầu", "draft": "Đang nhập", "submitted": "Đã nộp", "returned": "Bị trả lại",
             "accepted": "Đã chấp nhận"}
LEVEL_VI = {"central": "Trung ương", "province": "Tỉnh", "unit": "Đơn vị"}
PROPOSAL_STATUS_VI = {"proposed": "Đề xuất", "in_progress": "Đang thực hiện", "done": "Hoàn thành"}
PEOPLE_REASON = "Chưa có quyết định phân công cán bộ chuyên trách chuyển đổi số (kiểm tra lại)."


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _local(value: datetime) -> datetime:
    return _utc(value).astimezone(ZONE).replace(tzinfo=None)


def _export(app: Flask, username: str, target: Target, path: Path, locale: str = "vi") -> Workbook:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(username=username))
        export_workbook(user, ROUND, target, locale, path)
    return open_book(path)


@dataclass
class Review:
    """What the database holds of the review, keyed by unit code and scope code."""

    scope_names: dict[str, str]  # scope code → its name in the workbook (vi)
    scope_of_question: dict[str, str]
    statuses: dict[tuple[str, str], str]  # every (unit, scope) with a group: scope row, else group status
    accepted: dict[tuple[str, str], tuple[datetime, str]]  # last acceptance: at, by
    returns: dict[tuple[str, str], list[tuple[str, str]]]  # (reason code, text) of each return
    appraisals: dict[tuple[str, str], tuple[float, str]]  # (unit, question) → score, reason
    appraised: dict[tuple[str, str], float | None]  # (unit, scope) → the review page's appraised score
    proposals: list[dict[str, Any]]
    bottlenecks: dict[str, set[str]]  # unit → questions of its open bottlenecks


def _review(app: Flask) -> Review:
    with app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=ROUND))
        assert rnd is not None
        bank = bank_for(rnd.bank_version)
        scopes = scopes_of(bank, rules_on(rnd.opens_on), "vi")
        names = {s.code: s.name for s in scopes}
        of_question = {q.code: s.code for s in scopes for q in s.questions}
        groups = {(u, g): st for u, g, st in db.session.execute(
            select(Unit.code, ResponseGroup.group_code, ResponseGroup.status)
            .join(Response, Response.unit_id == Unit.id).join(ResponseGroup, ResponseGroup.response_id == Response.id)
            .where(Response.round_id == rnd.id))}
        rows_ = {(u, s): (rid, st) for rid, u, s, st in db.session.execute(
            select(ScopeReview.id, Unit.code, ScopeReview.scope, ScopeReview.status)
            .join(Response, Response.id == ScopeReview.response_id).join(Unit, Unit.id == Response.unit_id))}
        statuses: dict[tuple[str, str], str] = {}
        for (unit, group), status in groups.items():
            for s in scopes:
                if s.group == group:
                    row = rows_.get((unit, s.code))
                    statuses[(unit, s.code)] = row[1] if row is not None else status
        by_row = {rid: key for key, (rid, _st) in rows_.items()}
        accepted: dict[tuple[str, str], tuple[datetime, str]] = {}
        returns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for rid, action, at, who, code, reason in db.session.execute(
                select(ScopeEvent.scope_review_id, ScopeEvent.action, ScopeEvent.at, User.full_name,
                       ScopeEvent.reason_code, ScopeEvent.reason)
                .outerjoin(User, User.id == ScopeEvent.actor_id).order_by(ScopeEvent.id)):
            if action == "accept":
                accepted[by_row[rid]] = (at, who)
            elif action == "return":
                returns.setdefault(by_row[rid], []).append((code, reason))
        # Groups returned before their scopes had a row: the group's events stand in.
        for unit, group, action, at, who, reason in db.session.execute(
                select(Unit.code, ResponseGroup.group_code, GroupEvent.action, GroupEvent.at, User.full_name,
                       GroupEvent.reason)
                .join(ResponseGroup, ResponseGroup.id == GroupEvent.response_group_id)
                .join(Response, Response.id == ResponseGroup.response_id).join(Unit, Unit.id == Response.unit_id)
                .outerjoin(User, User.id == GroupEvent.actor_id).order_by(GroupEvent.id)):
            for s in scopes:
                if s.group == group and (unit, s.code) not in rows_:
                    if action == "accept":
                        accepted[(unit, s.code)] = (at, who)
                    elif action == "return":
                        returns.setdefault((unit, s.code), []).append(("", reason))
        appraisals = {(u, q): (score, reason) for u, q, score, reason in db.session.execute(
            select(Unit.code, Appraisal.question_code, Appraisal.score, Appraisal.reason)
            .join(Response, Response.id == Appraisal.response_id).join(Unit, Unit.id == Response.unit_id))}
        coordinator = db.session.scalar(select(User).filter_by(username="catinh-coordinator"))
        assert coordinator is not None
        grants = scope_grants(coordinator, rnd.opens_on)
        routing = routing_for(rnd, bank)
        appraised = {(unit, of_question[q]): scope_view(rnd, bank, routing, of_question[q], unit, grants,
                                                        ReviewSettings()).appraised_score
                     for unit, q in appraisals}
        proposals = [dict(p._mapping) for p in db.session.execute(
            select(Proposal.id, Proposal.scope, Proposal.question_code, Proposal.solution, Proposal.deadline,
                   Proposal.level, Proposal.status, Proposal.bottleneck_id, Unit.name_vi.label("responsible"),
                   Response.unit_id)
            .join(Unit, Unit.id == Proposal.responsible_unit_id)
            .outerjoin(Response, Response.id == Proposal.response_id))]
        codes = dict(db.session.execute(select(Unit.id, Unit.code)).all())
        for p in proposals:
            p["unit"] = codes.get(p.pop("unit_id"))
        bottlenecks: dict[str, set[str]] = {}
        for unit, q in db.session.execute(
                select(Unit.code, Bottleneck.question_code).join(Response, Response.id == Bottleneck.response_id)
                .join(Unit, Unit.id == Response.unit_id).where(Bottleneck.resolved_at.is_(None))):
            bottlenecks.setdefault(unit, set()).add(q)
        return Review(names, of_question, statuses, accepted, returns, appraisals, appraised, proposals, bottlenecks)


def _scope_columns(book: Workbook) -> dict[str, tuple[str, dict[tuple[str, str], int]]]:
    """Question code → (its scope sheet, {(question, column label): 0-based column})."""
    out: dict[str, tuple[str, dict[tuple[str, str], int]]] = {}
    for ws in book.worksheets[1:]:
        if not ws.title[:1].isdigit():
            continue
        labels = [c.value for c in ws[5]]
        current = None
        for i, cell in enumerate(ws[4]):
            if isinstance(cell.value, str) and ". " in cell.value:
                current = cell.value.split(". ")[0]
            if current is not None and labels[i]:
                out.setdefault(current, (ws.title, {}))[1][(current, labels[i])] = i
    return out


def _unit_rows(book: Workbook, sheet: str, first: int) -> dict[str, tuple[Any, ...]]:
    return {r[1]: r for r in rows(book[sheet], first) if isinstance(r[0], int) and isinstance(r[1], str)}


def _check_appraisals(book: Workbook, review: Review, units: set[str], questions: set[str]) -> None:
    """Every appraisal of these units and questions is in its cell, and no other cell holds one."""
    columns = _scope_columns(book)
    seen: dict[tuple[str, str], tuple[Any, Any]] = {}
    for q, (sheet, cols) in columns.items():
        table = _unit_rows(book, sheet, 6)
        if (q, "Điểm thẩm định") not in cols:
            continue
        for unit, row in table.items():
            score, reason = row[cols[(q, "Điểm thẩm định")]], row[cols[(q, "Lý do thẩm định")]]
            if score is not None or reason is not None:
                seen[(unit, q)] = (score, reason)
    expected = {k: v for k, v in review.appraisals.items() if k[0] in units and k[1] in questions}
    assert seen == expected


def _check_summary(book: Workbook, review: Review, units: set[str], scopes: list[str]) -> None:
    """Statuses from the review tables, and the appraised scope scores of the review pages."""
    summary = book.worksheets[0]
    names = [c.value for c in summary[3]]
    sub = [c.value for c in summary[4]]
    start = {code: names.index(review.scope_names[code]) for code in scopes}
    table = _unit_rows(book, summary.title, 5)
    assert set(table) == units
    appraised_seen = 0
    for unit, row in table.items():
        for code in scopes:
            c = start[code]
            assert sub[c] == "Trạng thái" and sub[c + 3] == "Điểm thẩm định"
            status = review.statuses.get((unit, code))
            assert row[c] == (STATUS_VI[status] if status else None), (unit, code)
            expected = review.appraised.get((unit, code))
            assert row[c + 3] == expected, (unit, code)
            appraised_seen += expected is not None
    assert appraised_seen == sum(1 for (u, s) in review.appraised if u in units and s in scopes)


def _check_progress(book: Workbook, review: Review, units: set[str], scopes: list[str],
                    reasons: dict[str, dict[str, str]]) -> None:
    """One row per unit and scope: status, the last acceptance, every return with its reason."""
    sheet = book["Tiến độ"]
    cols = header_index(sheet, 3)
    names = {review.scope_names[c]: c for c in scopes}
    found = 0
    for r in rows(sheet, 4):
        if not isinstance(r[0], int):
            continue
        unit = r[cols["Mã đơn vị"]]
        scope = names[r[cols["Phạm vi"]]]
        assert unit in units
        found += 1
        assert r[cols["Trạng thái"]] == STATUS_VI[review.statuses[(unit, scope)]]
        accepted = review.accepted.get((unit, scope))
        if accepted is None:
            assert r[cols["Xem xét lúc"]] is None and r[cols["Người xem xét"]] is None
        else:
            assert abs(r[cols["Xem xét lúc"]] - _local(accepted[0])) < timedelta(seconds=1)
            assert r[cols["Người xem xét"]] == accepted[1]
        returns = review.returns.get((unit, scope), [])
        assert (r[cols["Số lần trả lại"]] or 0) == len(returns)
        text = r[cols["Lý do trả lại"]] or ""
        lines = text.split("\n") if text else []
        assert len(lines) == len(returns)
        for line, (code, reason) in zip(lines, returns, strict=True):
            assert reason in line
            if code:
                assert reasons[code]["vi"] in line
    assert found == sum(1 for (u, s) in review.statuses if u in units and s in scopes)


def _proposal_rows(book: Workbook, locale: str = "vi") -> list[dict[str, Any]]:
    sheet = book["Điểm nghẽn" if locale == "vi" else "Bottlenecks"]
    cols = header_index(sheet, 3)
    out = []
    for r in rows(sheet, 4):
        if isinstance(r[0], int):
            out.append({label: r[i] for label, i in cols.items()})
    return out


def _check_proposals(book: Workbook, review: Review, expected: list[dict[str, Any]]) -> None:
    """Each expected proposal once, with its responsible unit, deadline (a date cell), level
    and status; and no other proposal."""
    listed = [r for r in _proposal_rows(book) if r["Đề xuất giải pháp"]]
    assert sorted(r["Đề xuất giải pháp"] for r in listed) == sorted(p["solution"] for p in expected)
    sheet = book["Điểm nghẽn"]
    deadline_col = header_index(sheet, 3)["Thời hạn"] + 1
    for p in expected:
        (row,) = [r for r in listed if r["Đề xuất giải pháp"] == p["solution"]]
        assert row["Câu hỏi"] == p["question_code"]
        assert row["Đơn vị chịu trách nhiệm"] == p["responsible"]
        assert row["Thời hạn"].date() == p["deadline"] and row["Thời hạn"].time() == datetime.min.time()
        assert row["Cấp thực hiện"] == LEVEL_VI[p["level"]]
        assert row["Tình trạng"] == PROPOSAL_STATUS_VI[p["status"]]
        if p["unit"] is None:
            assert row["Mã đơn vị"] is None
            assert row["Đơn vị"] == "Các đơn vị có điểm nghẽn ở câu hỏi này (đề xuất chung)"
        else:
            assert row["Mã đơn vị"] == p["unit"]
    for cells in sheet.iter_rows(min_row=4, min_col=deadline_col, max_col=deadline_col):
        if cells[0].value is not None:
            assert cells[0].number_format == "dd/mm/yyyy" and isinstance(cells[0].value, datetime)


def _add_people_appraisal_and_unit_proposal(app: Flask) -> tuple[str, str]:
    """Home Affairs appraises one people answer of a unit it accepted, and Finance
    proposes a solution to one unit's own budget bottleneck (through the services).
    Returns the two unit codes."""
    with app.app_context():
        rnd = db.session.scalar(select(Round).filter_by(code=ROUND))
        assert rnd is not None
        bank = bank_for(rnd.bank_version)
        routing = routing_for(rnd, bank)
        snv = db.session.scalar(select(User).filter_by(username="snv-reviewer"))
        stc = db.session.scalar(select(User).filter_by(username="stc-reviewer"))
        assert snv is not None and stc is not None
        accepted = db.session.scalars(
            select(Unit.code).join(Response, Response.unit_id == Unit.id)
            .join(ScopeReview, ScopeReview.response_id == Response.id)
            .where(ScopeReview.scope == "resources-people", ScopeReview.status == "accepted")
            .order_by(Unit.code)).first()
        assert accepted is not None
        view = scope_view(rnd, bank, routing, "resources-people", accepted, scope_grants(snv, rnd.opens_on),
                          ReviewSettings())
        question = next(line.question.code for line in view.lines if line.question.scored and line.answer)
        appraise(view, question, 0.0, PEOPLE_REASON, snv)
        budget = db.session.execute(
            select(Unit.code, Bottleneck.question_code).join(Response, Response.unit_id == Unit.id)
            .join(Bottleneck, Bottleneck.response_id == Response.id)
            .join(ResponseGroup, ResponseGroup.id == Bottleneck.response_group_id)
            .where(Bottleneck.section_code == "resources-budget", Bottleneck.resolved_at.is_(None),
                   ResponseGroup.status.in_(("submitted", "accepted", "returned")))
            .order_by(Unit.sort_order, Bottleneck.id)).first()
        assert budget is not None
        create(rnd, routing, scope_grants(stc, rnd.opens_on), stc, ProposalInput(
            "resources-budget", budget[1], "Bố trí kinh phí riêng cho đơn vị trong dự toán năm sau.", "STC",
            date(2025, 3, 31), "unit", budget[0]))
        return accepted, budget[0]


@pytest.mark.parametrize("rescored", [False, True], ids=["by-id", "by-natural-key"])
def test_province_workbook_holds_the_whole_review(demo: Flask, tmp_path: Path, rescored: bool) -> None:
    _add_people_appraisal_and_unit_proposal(demo)
    if rescored:  # a re-scoring replaced the bottleneck rows: proposals keep their natural key only
        with demo.app_context():
            for p in db.session.scalars(select(Proposal).where(Proposal.bottleneck_id.is_not(None))):
                p.bottleneck_id = None
            db.session.commit()
    review = _review(demo)
    assert review.appraisals and review.proposals and review.returns and review.accepted
    assert any(u is not None for u in review.appraised.values())
    book = _export(demo, "catinh-coordinator", Target(WorkbookKind.PROVINCE), tmp_path / "province.xlsx")
    with demo.app_context():
        units = set(db.session.scalars(select(Unit.code).join(RoundUnit, RoundUnit.unit_id == Unit.id)))
    scopes = list(review.scope_names)
    _check_appraisals(book, review, units, set(review.scope_of_question))
    _check_summary(book, review, units, scopes)
    _check_progress(book, review, units, scopes, DEFAULT_REASONS)
    _check_proposals(book, review, review.proposals)
    # The unit's proposal is on its bottleneck's line, not on a line of its own.
    (own,) = [p for p in review.proposals if p["unit"] is not None]
    (line,) = [r for r in _proposal_rows(book) if r["Đề xuất giải pháp"] == own["solution"]]
    assert line["Mã đơn vị"] == own["unit"] and line["Loại điểm nghẽn"]
    with demo.app_context():
        entries = db.session.scalar(
            select(func.count()).select_from(Bottleneck).join(Response, Response.id == Bottleneck.response_id)
            .join(Unit, Unit.id == Response.unit_id)
            .where(Unit.code == own["unit"], Bottleneck.question_code == own["question_code"],
                   Bottleneck.resolved_at.is_(None)))
    same = [r for r in _proposal_rows(book) if (r["Mã đơn vị"], r["Câu hỏi"]) == (own["unit"], own["question_code"])]
    assert len(same) == entries


def test_lead_workbook_holds_only_its_scopes_review(demo: Flask, tmp_path: Path) -> None:
    people_unit, _budget_unit = _add_people_appraisal_and_unit_proposal(demo)
    review = _review(demo)
    with demo.app_context():
        units = set(db.session.scalars(select(Unit.code).join(RoundUnit, RoundUnit.unit_id == Unit.id)))
    # Finance: budget only; the people appraisal and proposal, and the data returns, stay out.
    book = _export(demo, "stc-reviewer", Target(WorkbookKind.LEAD, "STC"), tmp_path / "stc.xlsx")
    budget = {q for q, s in review.scope_of_question.items() if s == "resources-budget"}
    _check_appraisals(book, review, units, budget)
    _check_summary(book, review, units, ["resources-budget"])
    _check_progress(book, review, units, ["resources-budget"], DEFAULT_REASONS)
    _check_proposals(book, review, [p for p in review.proposals if p["scope"] == "resources-budget"])
    text = "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None)
    assert PEOPLE_REASON not in text
    assert all(p["solution"] not in text for p in review.proposals if p["scope"] != "resources-budget")
    assert all(reason not in text for (_u, scope), rs in review.returns.items() if scope != "resources-budget"
               for _c, reason in rs)
    # Home Affairs: its people appraisal and its scope's appraised score are there.
    book = _export(demo, "snv-reviewer", Target(WorkbookKind.LEAD, "SNV"), tmp_path / "snv.xlsx")
    people = {q for q, s in review.scope_of_question.items() if s == "resources-people"}
    assert any(u == people_unit and q in people for u, q in review.appraisals)
    _check_appraisals(book, review, units, people)
    _check_summary(book, review, units, ["resources-people"])
    _check_proposals(book, review, [p for p in review.proposals if p["scope"] == "resources-people"])


def test_unit_workbook_holds_only_its_own_review(demo: Flask, tmp_path: Path) -> None:
    _people_unit, budget_unit = _add_people_appraisal_and_unit_proposal(demo)
    review = _review(demo)
    appraised_units = {u for u, _q in review.appraisals}
    returned_units = {u for u, _s in review.returns}
    chosen = sorted(appraised_units)[:1] + sorted(returned_units - appraised_units)[:1] + [budget_unit]
    for unit in chosen:
        book = _export(demo, "catinh-coordinator", Target(WorkbookKind.UNIT, unit), tmp_path / f"{unit}.xlsx")
        scopes = list(review.scope_names)
        _check_appraisals(book, review, {unit}, set(review.scope_of_question))
        _check_summary(book, review, {unit}, scopes)
        _check_progress(book, review, {unit}, scopes, DEFAULT_REASONS)
        mine = review.bottlenecks.get(unit, set())
        _check_proposals(book, review, [p for p in review.proposals if p["unit"] == unit
                                        or (p["unit"] is None and p["question_code"] in mine)])


def test_return_reasons_follow_the_workbook_language(demo: Flask, tmp_path: Path) -> None:
    review = _review(demo)
    book = _export(demo, "catinh-coordinator", Target(WorkbookKind.PROVINCE), tmp_path / "en.xlsx", locale="en")
    sheet = book["Progress"]
    cols = header_index(sheet, 3)
    texts = [r[cols["Reasons for return"]] for r in rows(sheet, 4) if isinstance(r[0], int)]
    coded = [(c, t) for rs in review.returns.values() for c, t in rs if c]
    assert coded
    for code, reason in coded:
        assert any(t and DEFAULT_REASONS[code]["en"] in t and reason in t for t in texts)
        assert not any(t and DEFAULT_REASONS[code]["vi"] in t for t in texts)
