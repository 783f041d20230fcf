"""Answer values as an official reads them: labels, dd/mm/yyyy, 1.234,5.

Used wherever a stored value is shown as text (answer history, conflicts,
bottleneck details); forms show values in their own fields instead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.numbers import format_decimal

from .schema import ColumnType, Question, QuestionType


def format_number(value: float, locale: str) -> str:
    """``1234.5`` → ``1.234,5`` in Vietnamese, ``1,234.5`` in English."""
    return format_decimal(value, format="#,##0.##", locale="vi" if locale != "en" else "en")


def format_fixed(value: float, places: int, locale: str) -> str:
    """A score with exactly ``places`` decimals: ``86,52`` in Vietnamese, ``86.52`` in English."""
    return format_decimal(value, format="#,##0." + "0" * places, locale="vi" if locale != "en" else "en")


def format_date(value: str, locale: str = "vi") -> str:
    """ISO ``2024-04-22`` → ``22/04/2024`` (the same in both languages)."""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return str(value)


def format_value(q: Question, value: Any, locale: str) -> str:
    """A stored answer as one line of text; empty when unanswered."""
    if value is None:
        return ""
    label = {o.code: o.label.get(locale) for o in q.options}
    match q.type:
        case QuestionType.YES_NO | QuestionType.SINGLE_CHOICE:
            return label.get(str(value), str(value))
        case QuestionType.MULTIPLE_CHOICE:
            return "; ".join(label.get(str(v), str(v)) for v in value) if isinstance(value, list) else str(value)
        case QuestionType.RATIO:
            return _ratio(value, locale)
        case QuestionType.NUMBER:
            unit = f" {q.unit.get(locale)}" if q.unit else ""
            return (format_number(value, locale) + unit) if isinstance(value, int | float) else str(value)
        case QuestionType.SEVERITY:
            return f"{value}/5"
        case QuestionType.DATE:
            return format_date(value)
        case QuestionType.TABLE:
            return _table(q, value, locale)
        case QuestionType.EVIDENCE:
            return format_evidence(value)
    return str(value)


def format_evidence(value: Any) -> str:
    if not isinstance(value, dict):
        return ""
    parts = [str(value.get("document_number") or "")]
    if value.get("document_date"):
        parts.append(format_date(value["document_date"]))
    files = value.get("files") or []
    if files:
        parts.append(f"{len(files)} tệp/file(s)")
    return ", ".join(p for p in parts if p)


def _ratio(value: Any, locale: str) -> str:
    if not isinstance(value, dict):
        return str(value)
    a, b = value.get("numerator"), value.get("denominator")
    text = f"{format_number(a, locale) if isinstance(a, int | float) else a} / " \
           f"{format_number(b, locale) if isinstance(b, int | float) else b}"
    if isinstance(a, int | float) and isinstance(b, int | float) and b:
        text += f" ({format_number(100 * a / b, locale)}%)"
    return text


def _table(q: Question, value: Any, locale: str) -> str:
    if not isinstance(value, list):
        return str(value)
    if not value:
        return "—"
    rows = []
    for row in value:
        cells = []
        for c in q.columns:
            cell = row.get(c.code) if isinstance(row, dict) else None
            if cell in (None, ""):
                continue
            if c.type is ColumnType.DATE:
                cell = format_date(str(cell))
            elif c.type is ColumnType.CHOICE:
                cell = next((o.label.get(locale) for o in c.options if o.code == cell), cell)
            cells.append(f"{c.label.get(locale)}: {cell}")
        rows.append(", ".join(cells))
    return " | ".join(rows)
