"""Excel workbooks of a survey round: the province's, a lead agency's, a unit's.

Pure: takes :class:`WorkbookData` (plain frozen values a service reads) and
writes an ``.xlsx`` with XlsxWriter in constant memory. Imports nothing from
Flask, SQLAlchemy or the models (import-linter contract in ``setup.cfg``).
"""

from __future__ import annotations

from .book import CELL_LIMIT, PART_SIZE, nfc, utf16_len
from .model import (
    AnswerCell,
    AnswerShape,
    BottleneckLine,
    OptionInfo,
    Proposal,
    QuestionInfo,
    ReturnInfo,
    RoutingLine,
    Scope,
    ScopeState,
    SectionInfo,
    UnitLine,
    WorkbookData,
    WorkbookKind,
)
from .workbook import BuildStats, build_workbook

__all__ = [
    "CELL_LIMIT",
    "PART_SIZE",
    "AnswerCell",
    "AnswerShape",
    "BottleneckLine",
    "BuildStats",
    "OptionInfo",
    "Proposal",
    "QuestionInfo",
    "ReturnInfo",
    "RoutingLine",
    "Scope",
    "ScopeState",
    "SectionInfo",
    "UnitLine",
    "WorkbookData",
    "WorkbookKind",
    "build_workbook",
    "nfc",
    "utf16_len",
]
