"""Small typed factories: just the rows a test needs, without the demo province.

Call them inside an app context; each returns the object it added (flushed,
so it has its id). The caller commits.
"""

from __future__ import annotations

from datetime import date, timedelta

from werkzeug.security import generate_password_hash

from survey_app.extensions import db
from survey_app.models import BankVersion, Membership, Round, RoundUnit, Unit, UnitKind, User
from survey_app.questionnaires import bank_path
from survey_app.services.banks import load_bank_version
from survey_app.services.rounds import province_today
from survey_app.workflow import Role

PASSWORD = "test-password"
_QUICK_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")  # tests need no slow hash


def bank_version() -> BankVersion:
    """The shipped bank, loaded once per database."""
    return load_bank_version(bank_path()).version


def unit(code: str, kind: UnitKind = UnitKind.DEPARTMENT, name: str | None = None) -> Unit:
    row = Unit(code=code, name_vi=name or f"Đơn vị {code}", name_en=name or f"Unit {code}", kind=kind.value,
               sort_order=0)
    db.session.add(row)
    db.session.flush()
    return row


def user(username: str, member_of: Unit | None = None, role: Role = Role.EDITOR) -> User:
    row = User(username=username, full_name=f"Người dùng {username}", password_hash=_QUICK_HASH, locale="vi")
    if member_of is not None:
        row.memberships.append(Membership(unit=member_of, role=role.value))
    db.session.add(row)
    db.session.flush()
    return row


def survey_round(code: str, units: list[Unit], opens_on: date | None = None, due_on: date | None = None) -> Round:
    """A round of the shipped bank, open today by default."""
    today = province_today()
    row = Round(code=code, name_vi=f"Đợt {code}", name_en=f"Round {code}", bank_version=bank_version(),
                opens_on=opens_on or today - timedelta(days=7), due_on=due_on or today + timedelta(days=14))
    row.participants = [RoundUnit(unit=u) for u in units]
    db.session.add(row)
    db.session.flush()
    return row
