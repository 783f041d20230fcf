"""Reminders to units that have not finished, reviewers' daily digest, and the e-mail outbox.

A reminder adds a notice on the unit's home page and, when a mail server is
configured, queues one message to the unit's head and editors. Nothing here
talks to the mail server except :func:`send_outbox`, which the command
``flask reminders send`` runs: no request ever waits on SMTP.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import select, update

from ...extensions import db
from ...models import (
    GroupStatus,
    Membership,
    Notice,
    OutboxMessage,
    Response,
    ResponseGroup,
    Role,
    Round,
    RoundUnit,
    Unit,
    User,
    utcnow,
)
from ...models.routing import RoutingRole, rules_on
from ..banks import bank_for
from . import log_change

NOT_STARTED, PARTIAL, RETURNED = "not_started", "partial", "returned"
KINDS = (NOT_STARTED, PARTIAL, RETURNED)
DONE = {GroupStatus.SUBMITTED.value, GroupStatus.ACCEPTED.value}
CLAIM_TIMEOUT = timedelta(minutes=15)

# E-mails go out in Vietnamese, the province's working language.
SUBJECTS = {
    NOT_STARTED: "[Khảo sát Đề án 06] Nhắc nhở: đơn vị chưa bắt đầu trả lời",
    PARTIAL: "[Khảo sát Đề án 06] Nhắc nhở: đơn vị chưa hoàn thành phiếu khảo sát",
    RETURNED: "[Khảo sát Đề án 06] Nhắc nhở: phần trả lời bị trả lại chưa được nộp lại",
}
BODIES = {
    NOT_STARTED: "{unit} chưa bắt đầu trả lời đợt khảo sát \"{round}\". Hạn nộp: {due}.",
    PARTIAL: "{unit} đã trả lời một phần đợt khảo sát \"{round}\" nhưng còn {left} nhóm vấn đề chưa nộp. "
             "Hạn nộp: {due}.",
    RETURNED: "Cơ quan chủ trì đã trả lại phần trả lời của {unit} trong đợt khảo sát \"{round}\" để chỉnh sửa; "
              "đề nghị đơn vị chỉnh sửa và nộp lại. Hạn nộp: {due}.",
}
FOOTER = "\n\nĐăng nhập hệ thống khảo sát để tiếp tục. Thư này được gửi tự động, vui lòng không trả lời."


@dataclass(frozen=True, slots=True)
class LateUnit:
    unit: Unit
    kind: str
    groups_left: int
    due_on: date


def late_units(rnd: Round) -> list[LateUnit]:
    """The round's units that are not started, partly done, or returned and not resubmitted."""
    bank = bank_for(rnd.bank_version)
    parts = db.session.execute(select(Unit, RoundUnit.due_on).join(RoundUnit, RoundUnit.unit_id == Unit.id)
                               .where(RoundUnit.round_id == rnd.id).order_by(Unit.sort_order, Unit.code)).all()
    statuses: dict[int, dict[str, str]] = {}
    for unit_id, group, status in db.session.execute(
            select(Response.unit_id, ResponseGroup.group_code, ResponseGroup.status)
            .join(ResponseGroup, ResponseGroup.response_id == Response.id).where(Response.round_id == rnd.id)):
        statuses.setdefault(unit_id, {})[group] = status
    late = []
    for unit, own_due in parts:
        groups = [g.code for g in bank.groups
                  if any(not q.applies_to or unit.kind in q.applies_to for q in g.questions)]
        mine = statuses.get(unit.id, {})
        left = sum(1 for g in groups if mine.get(g) not in DONE)
        if any(s == GroupStatus.RETURNED.value for s in mine.values()):
            kind = RETURNED
        elif all(mine.get(g, GroupStatus.NOT_STARTED.value) == GroupStatus.NOT_STARTED.value for g in groups):
            kind = NOT_STARTED
        elif left:
            kind = PARTIAL
        else:
            continue
        late.append(LateUnit(unit, kind, left, own_due or rnd.due_on))
    return late


def remind(actor: User | None, rnd: Round, kinds: tuple[str, ...] = KINDS, *, email: bool) -> int:
    """Remind every late unit of ``kinds``: a notice, and a queued e-mail when ``email``; returns how many units."""
    reminded = []
    for late in late_units(rnd):
        if late.kind not in kinds:
            continue
        notice = Notice(unit=late.unit, round=rnd, kind=late.kind, created_by_id=actor.id if actor else None)
        db.session.add(notice)
        db.session.flush()
        recipients = _unit_recipients(late.unit)
        if email and recipients:
            body = BODIES[late.kind].format(unit=late.unit.name_vi, round=rnd.name_vi,
                                            due=late.due_on.strftime("%d/%m/%Y"), left=late.groups_left)
            db.session.add(OutboxMessage(dedup_key=f"notice:{notice.id}", recipient=", ".join(recipients),
                                         subject=SUBJECTS[late.kind], body=body + FOOTER))
        reminded.append(f"{late.unit.code}:{late.kind}")
    log_change(actor, "round.remind", "round", rnd.code, round_id=rnd.id, before=None,
               after={"units": reminded, "email": email})
    db.session.commit()
    return len(reminded)


def _unit_recipients(unit: Unit) -> list[str]:
    return sorted(set(db.session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.unit_id == unit.id, Membership.role.in_([Role.HEAD.value, Role.EDITOR.value]),
               User.active.is_(True), User.email.is_not(None), User.email != ""))))


def notices_for(user: User, limit: int = 5) -> list[Notice]:
    """Recent reminders to the user's units in rounds not closed, newest first."""
    unit_ids = {m.unit_id for m in user.memberships if m.role in (Role.HEAD.value, Role.EDITOR.value)}
    if not unit_ids:
        return []
    return list(db.session.scalars(
        select(Notice).join(Round, Round.id == Notice.round_id)
        .where(Notice.unit_id.in_(unit_ids), Round.closed_at.is_(None))
        .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def queue_digests(today: date) -> int:
    """Queue one digest per reviewer (with an e-mail) who has groups awaiting review today; returns how many.

    Running it twice on the same day queues nothing more.
    """
    rules = [r for r in rules_on(today) if r.role == RoutingRole.LEAD]
    open_rounds = list(db.session.scalars(select(Round).where(Round.closed_at.is_(None))))
    queued = 0
    reviewers = db.session.execute(select(User, Membership.unit_id).join(Membership, Membership.user_id == User.id)
                                   .where(Membership.role == Role.REVIEWER.value, User.active.is_(True),
                                          User.email.is_not(None))).all()
    lines_by_user: dict[int, tuple[User, list[str]]] = {}
    for user, unit_id in reviewers:
        scopes = {r.scope for r in rules if r.unit_id == unit_id}
        for rnd in open_rounds:
            bank = bank_for(rnd.bank_version)
            groups = {g.code for g in bank.groups if g.code in scopes or any(s.code in scopes for s in g.sections)}
            if not groups:
                continue
            waiting = db.session.scalar(select(db.func.count()).select_from(ResponseGroup)
                                        .join(Response, Response.id == ResponseGroup.response_id)
                                        .where(Response.round_id == rnd.id, ResponseGroup.group_code.in_(groups),
                                               ResponseGroup.status == GroupStatus.SUBMITTED.value)) or 0
            if waiting:
                entry = lines_by_user.setdefault(user.id, (user, []))
                entry[1].append(f"- {rnd.name_vi}: {waiting} nhóm vấn đề đã nộp đang chờ thẩm định")
    for user, lines in lines_by_user.values():
        key = f"digest:{user.id}:{today.isoformat()}"
        if db.session.scalar(select(OutboxMessage.id).filter_by(dedup_key=key)) is not None:
            continue
        db.session.add(OutboxMessage(
            dedup_key=key, recipient=str(user.email),
            subject=f"[Khảo sát Đề án 06] Tổng hợp ngày {today.strftime('%d/%m/%Y')}: phần trả lời chờ thẩm định",
            body="Kính gửi " + user.full_name + ",\n\n" + "\n".join(lines) + FOOTER))
        queued += 1
    db.session.commit()
    return queued


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "khaosat@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 20.0


def send_outbox(settings: SmtpSettings, now: datetime | None = None) -> tuple[int, int]:
    """Send every queued message once; returns (sent, failed).

    Each message is claimed in its own committed update before it is sent,
    so two workers never send it both; a failure releases the claim and
    keeps the error, and the next run retries it.
    """
    now = now or utcnow()
    sent = failed = 0
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))
                             .order_by(OutboxMessage.id)).all()
    for message_id in ids:
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
                   (OutboxMessage.claimed_at.is_(None)) | (OutboxMessage.claimed_at < now - CLAIM_TIMEOUT))
            .values(claimed_at=now, attempts=OutboxMessage.attempts + 1))
        db.session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        message = db.session.get_one(OutboxMessage, message_id)
        try:
            _deliver(settings, message)
        except (OSError, smtplib.SMTPException) as exc:
            message.claimed_at = None
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            failed += 1
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


def _deliver(settings: SmtpSettings, message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=message.dedup_key.replace(":", "."))
    email.set_content(message.body, charset="utf-8")
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(email)


def pending() -> int:
    return len(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))).all())
