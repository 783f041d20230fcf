"""The demo province: units, users, routing, one open round and answers.

Modelled on the April 2024 letter of seed 000 (Công văn 1470/UBND-NC): about
twenty provincial departments and boards and eleven district-level People's
Committees survey themselves; the Office leads legal, the DIC infrastructure,
data and security, Finance (with Planning and Investment) budget, Home
Affairs people; the Provincial Police and the Office consolidate.
Names are generic: the data are invented and belong to no real province.

Seeding is idempotent: what exists (by code or username) is left as it is.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, or_, select
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import (
    Answer,
    GroupEvent,
    GroupStatus,
    Membership,
    Response,
    ResponseGroup,
    Role,
    Round,
    RoundUnit,
    RoutingRule,
    Unit,
    UnitKind,
    User,
    utcnow,
)
from ..questionnaires import Bank, bank_path
from ..workflow import Action
from .answers import transition
from .banks import load_bank_version, question_ids
from .demo_answers import sample_answers, sample_evidence
from .demo_review import seed_review
from .demo_security import secure_demo_accounts
from .rounds import province_today
from .scoring import store_scores

DEMO_PASSWORD = "Khao-sat-P06-2024"  # passes the password rules (services/passwords.py)
#: The demo round: this year's survey, so its code carries no year (its name does).
ROUND_CODE = "P06-DIEM-NGHEN"
ROUTING_FROM = date(2024, 4, 22)  # the day of Công văn 1470/UBND-NC

# (code, Vietnamese name, English name, kind)
DEPARTMENTS: tuple[tuple[str, str, str, UnitKind], ...] = (
    ("VP-UBND", "Văn phòng UBND tỉnh", "Office of the Provincial People's Committee", UnitKind.DEPARTMENT),
    ("CA-TINH", "Công an tỉnh", "Provincial Police", UnitKind.BOARD),
    ("STTTT", "Sở Thông tin và Truyền thông", "Department of Information and Communications", UnitKind.DEPARTMENT),
    ("STC", "Sở Tài chính", "Department of Finance", UnitKind.DEPARTMENT),
    ("SKHDT", "Sở Kế hoạch và Đầu tư", "Department of Planning and Investment", UnitKind.DEPARTMENT),
    ("SNV", "Sở Nội vụ", "Department of Home Affairs", UnitKind.DEPARTMENT),
    ("STP", "Sở Tư pháp", "Department of Justice", UnitKind.DEPARTMENT),
    ("SCT", "Sở Công Thương", "Department of Industry and Trade", UnitKind.DEPARTMENT),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "Department of Agriculture and Rural Development",
     UnitKind.DEPARTMENT),
    ("STNMT", "Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment", UnitKind.DEPARTMENT),
    ("SXD", "Sở Xây dựng", "Department of Construction", UnitKind.DEPARTMENT),
    ("SGTVT", "Sở Giao thông vận tải", "Department of Transport", UnitKind.DEPARTMENT),
    ("SKHCN", "Sở Khoa học và Công nghệ", "Department of Science and Technology", UnitKind.DEPARTMENT),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism", UnitKind.DEPARTMENT),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "Department of Education and Training", UnitKind.DEPARTMENT),
    ("SYT", "Sở Y tế", "Department of Health", UnitKind.DEPARTMENT),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội", "Department of Labour, War Invalids and Social Affairs",
     UnitKind.DEPARTMENT),
    ("TTRA", "Thanh tra tỉnh", "Provincial Inspectorate", UnitKind.DEPARTMENT),
    ("BDT", "Ban Dân tộc", "Ethnic Minorities Board", UnitKind.BOARD),
    ("BQLKKT", "Ban Quản lý Khu kinh tế", "Economic Zone Management Board", UnitKind.BOARD),
)

# Eleven district-level People's Committees, as in the province of seed 000:
# one city, three towns, seven districts.
DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("UBND-TPAP", "UBND thành phố An Phú", "An Phu City People's Committee"),
    ("UBND-TXBA", "UBND thị xã Bình An", "Binh An Town People's Committee"),
    ("UBND-TXPH", "UBND thị xã Phước Hòa", "Phuoc Hoa Town People's Committee"),
    ("UBND-TXTT", "UBND thị xã Tân Thành", "Tan Thanh Town People's Committee"),
    ("UBND-HDL", "UBND huyện Đông Lâm", "Dong Lam District People's Committee"),
    ("UBND-HTL", "UBND huyện Tây Lộc", "Tay Loc District People's Committee"),
    ("UBND-HBS", "UBND huyện Bắc Sơn Hà", "Bac Son Ha District People's Committee"),
    ("UBND-HNT", "UBND huyện Nam Thạnh", "Nam Thanh District People's Committee"),
    ("UBND-HPR", "UBND huyện Phú Riêng Hạ", "Phu Rieng Ha District People's Committee"),
    ("UBND-HLN", "UBND huyện Lộc Ninh Thượng", "Loc Ninh Thuong District People's Committee"),
    ("UBND-HDP", "UBND huyện Đồng Phước", "Dong Phuoc District People's Committee"),
)

# Demo users beyond each unit's head and editor: (username, unit code, role, full name)
STAFF: tuple[tuple[str, str, Role, str], ...] = (
    ("admin", "VP-UBND", Role.ADMIN, "Quản trị hệ thống"),
    ("catinh-coordinator", "CA-TINH", Role.COORDINATOR, "Nguyễn Văn Thường Trực"),
    ("vpubnd-coordinator", "VP-UBND", Role.COORDINATOR, "Trần Thị Tổng Hợp"),
    ("vpubnd-reviewer", "VP-UBND", Role.REVIEWER, "Lê Văn Pháp Lý"),
    ("stttt-reviewer", "STTTT", Role.REVIEWER, "Phạm Thị Hạ Tầng"),
    ("stc-reviewer", "STC", Role.REVIEWER, "Hoàng Văn Ngân Sách"),
    ("skhdt-reviewer", "SKHDT", Role.REVIEWER, "Vũ Thị Đầu Tư"),
    ("snv-reviewer", "SNV", Role.REVIEWER, "Đỗ Văn Nhân Lực"),
)


@dataclass
class SeedReport:
    """What a seed run created, for the command to print."""

    units: int = 0
    users: int = 0
    routing_rules: int = 0
    round_created: bool = False
    responses: int = 0
    answers: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def seed_demo(extra_units: int = 0, seed: int = 2024, today: date | None = None) -> SeedReport:
    """Build (or complete) the demo province; returns what was added.

    ``extra_units`` adds that many generated commune-level units to the round,
    with answers, for benchmarks at national scale; ``seed`` makes every
    generated answer reproducible.
    """
    today = today or province_today()
    report = SeedReport()
    bank = load_bank_version(bank_path()).bank
    units = _ensure_units(report, extra_units)
    _ensure_users(report, units)
    secure_demo_accounts()
    _ensure_routing(report, bank, units)
    rnd = _ensure_round(report, units, today)
    db.session.commit()
    _ensure_answers(report, bank, rnd, units, seed)
    _return_one_group(rnd)
    db.session.commit()
    seed_review(today)  # the lead agencies' review so far (services/demo_review.py)
    _date_history(rnd, today)
    return report


def _date_history(rnd: Round, today: date) -> None:
    """Seeded for another day than the real one (a backup test, a demo of a past
    round), the history keeps to the demo's calendar: what the services stamped
    with the clock's time moves to the working day after the group was handed
    in, between the round's opening and ``today``."""
    start = datetime.combine(rnd.opens_on, time(0), UTC)
    end = datetime.combine(today + timedelta(days=1), time(0), UTC)
    outside = db.session.scalars(
        select(GroupEvent).join(ResponseGroup, ResponseGroup.id == GroupEvent.response_group_id)
        .join(Response, Response.id == ResponseGroup.response_id)
        .where(Response.round_id == rnd.id, or_(GroupEvent.at >= end, GroupEvent.at < start))
    ).all()
    for event in outside:
        handed = event.response_group.submitted_at
        day = min(handed.date() + timedelta(days=1), today) if handed is not None else today
        event.at = datetime.combine(day, time(10, 30), UTC)
    db.session.commit()


def _ensure_units(report: SeedReport, extra: int) -> dict[str, Unit]:
    existing = {u.code: u for u in db.session.scalars(select(Unit))}
    wanted: list[tuple[str, str, str, str]] = [(c, vi, en, k.value) for c, vi, en, k in DEPARTMENTS]
    wanted += [(c, vi, en, UnitKind.DISTRICT.value) for c, vi, en in DISTRICTS]
    wanted += [(f"XA-{i:05d}", f"UBND xã Mẫu số {i}", f"Sample Commune {i} People's Committee",
                UnitKind.COMMUNE.value) for i in range(1, extra + 1)]
    new = [
        {"code": code, "name_vi": vi, "name_en": en, "kind": kind, "sort_order": order}
        for order, (code, vi, en, kind) in enumerate(wanted, start=1)
        if code not in existing
    ]
    for chunk in _chunks(new, 5000):
        db.session.execute(insert(Unit), chunk)
    report.units = len(new)
    return {u.code: u for u in db.session.scalars(select(Unit))}


def _ensure_users(report: SeedReport, units: dict[str, Unit]) -> None:
    """One head and one editor per demo unit, plus the staff of lead and
    standing agencies, all sharing the printed demo password."""
    password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: seeding stays fast
    people = [(u, c, r, n) for u, c, r, n in STAFF]
    for code, _vi, _en, *_ in (*DEPARTMENTS, *DISTRICTS):
        slug = code.lower().replace("-", "")
        people.append((f"{slug}-head", code, Role.HEAD, f"Thủ trưởng {code}"))
        people.append((f"{slug}-editor", code, Role.EDITOR, f"Chuyên viên {code}"))
    existing = set(db.session.scalars(select(User.username)))
    for username, code, role, name in people:
        if username in existing:
            continue
        user = User(username=username, full_name=name, password_hash=password_hash, locale="vi")
        user.memberships.append(Membership(unit=units[code], role=role.value))
        db.session.add(user)
        report.users += 1
    report.logins = [(u, DEMO_PASSWORD) for u in
                     ("admin", "catinh-coordinator", "stttt-reviewer", "stp-head", "stp-editor", "ubndhdl-head")]


def _ensure_routing(report: SeedReport, bank: Bank, units: dict[str, Unit]) -> None:
    have = {(r.scope, r.unit_id, r.role) for r in db.session.scalars(select(RoutingRule))}
    for rule in bank.routing:
        for role, codes in (("lead", rule.lead), ("coordinating", rule.coordinating)):
            for code in codes:
                unit = units.get(code)
                if unit is None or (rule.scope, unit.id, role) in have:
                    continue
                db.session.add(RoutingRule(scope=rule.scope, unit=unit, role=role, valid_from=ROUTING_FROM))
                report.routing_rules += 1


def _ensure_round(report: SeedReport, units: dict[str, Unit], today: date) -> Round:
    from ..models import BankVersion

    rnd = db.session.scalar(select(Round).filter_by(code=ROUND_CODE))
    if rnd is None:
        opens_on = today - timedelta(days=14)
        version = db.session.scalars(select(BankVersion).order_by(BankVersion.id.desc())).first()
        assert version is not None  # loaded by seed_demo just before
        rnd = Round(
            code=ROUND_CODE,
            name_vi=f"Khảo sát 05 nhóm vấn đề điểm nghẽn Đề án 06 năm {opens_on.year}",
            name_en=f"Survey of the five groups of Project 06 bottlenecks, {opens_on.year}",
            bank_version=version, opens_on=opens_on, due_on=today + timedelta(days=21),
        )
        db.session.add(rnd)
        db.session.flush()
        report.round_created = True
    taking_part = set(db.session.scalars(select(RoundUnit.unit_id).filter_by(round_id=rnd.id)))
    new = [{"round_id": rnd.id, "unit_id": u.id} for u in units.values()
           if u.id not in taking_part and u.kind != UnitKind.PROVINCE]
    for chunk in _chunks(new, 5000):
        db.session.execute(insert(RoundUnit), chunk)
    return rnd


def _ensure_answers(report: SeedReport, bank: Bank, rnd: Round, units: dict[str, Unit], seed: int) -> None:
    """Answers for about two units in three: some groups submitted, some in
    draft; the rest of the units have not started."""
    answered = set(db.session.scalars(select(Response.unit_id).filter_by(round_id=rnd.id)))
    ids = question_ids(rnd.bank_version)
    questions = {q.code: q for q in bank.questions}
    codes = {u.id: u.code for u in units.values()}
    group_codes = [g.code for g in bank.groups]
    now = utcnow()
    responses: list[dict[str, Any]] = []
    plans: dict[int, tuple[dict[str, str], dict[str, Any]]] = {}
    for unit in sorted(units.values(), key=lambda u: u.code):
        rng = random.Random(f"{seed}:{unit.code}")  # per unit: adding units never changes others
        if unit.id in answered or unit.kind == UnitKind.PROVINCE or rng.random() < 0.3:
            continue
        statuses = {g: rng.choice((GroupStatus.SUBMITTED, GroupStatus.SUBMITTED, GroupStatus.DRAFT,
                                   GroupStatus.NOT_STARTED)).value for g in group_codes}
        started = {g for g, s in statuses.items() if s != GroupStatus.NOT_STARTED}
        answers = sample_answers(bank, unit.kind, rng.uniform(0.2, 0.95), rng, started)
        plans[unit.id] = (statuses, answers)
        responses.append({"round_id": rnd.id, "unit_id": unit.id, "created_at": now})
    for chunk in _chunks(responses, 5000):
        rows = db.session.execute(insert(Response).returning(Response.id, Response.unit_id), chunk)
        groups: list[dict[str, Any]] = []
        answers_rows: list[dict[str, Any]] = []
        for response_id, unit_id in rows:
            statuses, answers = plans[unit_id]
            unit_code = codes[unit_id]
            groups += [{"response_id": response_id, "group_code": g, "status": s, "version": 1,
                        "updated_at": now, "submitted_at": now if s == GroupStatus.SUBMITTED else None}
                       for g, s in statuses.items()]
            answers_rows += [{"response_id": response_id, "question_id": ids[code], "value": value,
                              "evidence": sample_evidence(questions[code], value, unit_code), "updated_at": now}
                             for code, value in answers.items() if value is not None]
        db.session.execute(insert(ResponseGroup), groups)
        for answer_chunk in _chunks(answers_rows, 20000):
            db.session.execute(insert(Answer), answer_chunk)
        report.responses += len(groups) // max(len(group_codes), 1)
        report.answers += len(answers_rows)
    if plans:  # submitted demo groups carry their stored scores, as real ones do
        store_scores(rnd, select(Response.id).where(Response.round_id == rnd.id, Response.unit_id.in_(plans)))


def _return_one_group(rnd: Round) -> None:
    """The Office returns one department's submitted legal group with a
    reason, so the demo shows what a returned group looks like."""
    returned = db.session.scalar(
        select(GroupEvent.id).join(ResponseGroup, ResponseGroup.id == GroupEvent.response_group_id)
        .join(Response, Response.id == ResponseGroup.response_id)
        .where(Response.round_id == rnd.id, GroupEvent.action == Action.RETURN.value)
    )
    reviewer = db.session.scalar(select(User).filter_by(username="vpubnd-reviewer"))
    group = db.session.scalars(
        select(ResponseGroup).join(Response, Response.id == ResponseGroup.response_id)
        .join(Unit, Unit.id == Response.unit_id)
        .where(Response.round_id == rnd.id, ResponseGroup.group_code == "legal",
               ResponseGroup.status == GroupStatus.SUBMITTED, Unit.kind == UnitKind.DEPARTMENT)
        .order_by(Unit.sort_order)
    ).first()
    if returned is not None or reviewer is None or group is None:
        return
    transition(group, Action.RETURN, reviewer, frozenset({Role.REVIEWER.value}), reason=_return_reason(group))


def _return_reason(group: ResponseGroup) -> str:
    """What a reviewer would really ask of this group: the scan of a document
    the unit cites by number only (demo answers carry no files)."""
    from ..models import BankQuestion

    cited = db.session.execute(
        select(BankQuestion.code, Answer.evidence).join(Answer, Answer.question_id == BankQuestion.id)
        .where(Answer.response_id == group.response_id, BankQuestion.code.like("PL-%"),
               Answer.evidence.is_not(None))
        .order_by(BankQuestion.position)
    ).all()
    for code, evidence in cited:
        if evidence and evidence.get("document_number") and not evidence.get("files"):
            return (f"Đề nghị đính kèm bản scan văn bản số {evidence['document_number']} (câu {code}) làm minh "
                    "chứng: đơn vị mới ghi số, ngày văn bản, chưa có tệp đính kèm.")
    return ("Đề nghị nêu cụ thể thủ tục hành chính và văn bản gây vướng mắc (câu PL-05) để Sở Tư pháp tổng hợp "
            "kiến nghị sửa đổi.")


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]
