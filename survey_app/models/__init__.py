"""Database models, re-exported for Alembic autogenerate and ``flask shell``."""

from .audit import AuditEvent
from .bank import BankGroup, BankOption, BankQuestion, BankSection, BankVersion
from .responses import (
    Answer,
    AnswerRevision,
    Bottleneck,
    EvidenceFile,
    GroupEvent,
    GroupStatus,
    Response,
    ResponseGroup,
)
from .review import Appraisal, Proposal, ScopeEvent, ScopeReview
from .rounds import Round, RoundUnit
from .routing import RoutingRole, RoutingRule
from .units import Membership, Role, Unit, UnitKind, User, utcnow

__all__ = [
    "Answer",
    "AnswerRevision",
    "Appraisal",
    "AuditEvent",
    "BankGroup",
    "BankOption",
    "BankQuestion",
    "BankSection",
    "BankVersion",
    "Bottleneck",
    "EvidenceFile",
    "GroupEvent",
    "GroupStatus",
    "Membership",
    "Proposal",
    "Response",
    "ResponseGroup",
    "Role",
    "Round",
    "RoundUnit",
    "RoutingRole",
    "RoutingRule",
    "ScopeEvent",
    "ScopeReview",
    "Unit",
    "UnitKind",
    "User",
    "utcnow",
]
