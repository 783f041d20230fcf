"""Database models, re-exported for Alembic autogenerate and ``flask shell``."""

from .admin import Notice, OutboxMessage
from .audit import AuditEvent
from .bank import BankGroup, BankOption, BankQuestion, BankSection, BankVersion
from .responses import (
    Answer,
    AnswerRevision,
    Bottleneck,
    BottleneckLead,
    EvidenceFile,
    GroupEvent,
    GroupStatus,
    Response,
    ResponseGroup,
)
from .review import Appraisal, Proposal, ScopeEvent, ScopeReview
from .rounds import KeptResult, Round, RoundChange, RoundUnit
from .routing import RoutingRole, RoutingRule
from .security import LoginThrottle, RecoveryCode, TwoFactor
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
    "BottleneckLead",
    "EvidenceFile",
    "GroupEvent",
    "GroupStatus",
    "KeptResult",
    "LoginThrottle",
    "Membership",
    "Notice",
    "OutboxMessage",
    "Proposal",
    "RecoveryCode",
    "Response",
    "ResponseGroup",
    "Role",
    "Round",
    "RoundChange",
    "RoundUnit",
    "RoutingRole",
    "RoutingRule",
    "ScopeEvent",
    "ScopeReview",
    "TwoFactor",
    "Unit",
    "UnitKind",
    "User",
    "utcnow",
]
