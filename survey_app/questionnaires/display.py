"""Answer values as an official reads them: labels, dd/mm/yyyy, 1.234,5.

Used wherever a stored value is shown as text (answer history, conflicts,
bottleneck details); forms show values in their own fields instead.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, get_group_symbol, parse_decimal

from .schema import ColumnType, Question, QuestionType

# The one rule for numbers typed and shown, used by the forms and, through
# the symbols rendered into the page, by the page's script (static/respond.js
# follows parse_number step by step; tests/browser/test_numbers.py checks
# that both read the same texts the same way).
NUMBER_SHAPE = re.compile(r"-?[0-9.,]*[0-9][0-9.,]*")


def _babel_locale(locale: str) -> str:
    return "en" if locale == "en" else "vi"


def number_symbols(locale: str) -> dict[str, str]:
    """Decimal and group separators of ``locale``, then of the other language
    (read second, since people type both): what the page's script needs."""
    first, other = _babel_locale(locale), "vi" if _babel_locale(locale) == "en" else "en"
    return {"decimal": get_decimal_symbol(first), "group": get_group_symbol(first),
            "alt_decimal": get_decimal_symbol(other), "alt_group": get_group_symbol(other)}


def parse_number(text: str, locale: str) -> Decimal:
    """Read a number written for ``locale`` (vi: 1.234,5; en: 1,234.5).

    Group separators must stand every three digits, so ``1.5`` is no
    Vietnamese number; it is then read in the other language's convention
    (1.5), since people type both.

    :raises ValueError: when neither convention reads ``text``.
    """
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if not NUMBER_SHAPE.fullmatch(text):  # no exponent, no underscores, no other scripts' digits
        raise ValueError(text)
    first = _babel_locale(locale)
    for loc in (first, "vi" if first == "en" else "en"):
        try:
            return parse_decimal(text, locale=loc, strict=True)
        except NumberFormatError:
            continue
    raise ValueError(text)


def _exact(value: float | Decimal) -> Decimal:
    """The shortest decimal that reads back as the same float: 0.1, not 0.1000000000000000055."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value))) if isinstance(value, float) \
        else Decimal(value)


def format_input(value: float | Decimal, locale: str) -> str:
    """A number as a form field shows it: every digit it has, no grouping,
    no exponent; read back by :func:`parse_number` it is the same number
    (``12345678.125`` → ``12345678,125``, ``1e10`` → ``10000000000``)."""
    return format_decimal(_exact(value), format="0.###", locale=_babel_locale(locale), decimal_quantization=False)


def format_number(value: float | Decimal, locale: str) -> str:
    """``1234.5`` → ``1.234,5`` in Vietnamese, ``1,234.5`` in English; never rounded."""
    return format_decimal(_exact(value), format="#,##0.###", locale=_babel_locale(locale), decimal_quantization=False)


def format_fixed(value: float, places: int, locale: str) -> str:
    """A score with exactly ``places`` decimals: ``86,52`` in Vietnamese, ``86.52`` in English."""
    return format_decimal(value, format="#,##0." + "0" * places, locale="vi" if locale != "en" else "en")


def format_percent(numerator: float, denominator: float, locale: str) -> str:
    """A ratio as a percentage with one decimal, as the group page shows it: ``66,7%``."""
    return format_fixed(100 * numerator / denominator, 1, locale) + "%"


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
        text += f" ({format_percent(a, b, locale)})"
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
