"""The rules the group page's script applies while a person types.

They are computed here, from the same code the server uses, and rendered
into the page as data: the number separators of ``display.parse_number``
and, for each conditional question, the answers that show it, found by
asking ``scoring.conditions.condition_test`` about every option. The script
only looks answers up in these tables; it has no rules of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import get_template_attribute
from flask_babel import gettext as _

from ..questionnaires.display import number_symbols
from ..questionnaires.schema import Bank, Question, QuestionType
from ..scoring.conditions import condition_test
from .forms import field_name

if TYPE_CHECKING:
    from .page import GroupPage


def condition_rule(q: Question, source: Question) -> dict[str, Any] | None:
    """What the script needs to decide, from the source's answer on the page, whether ``q`` shows."""
    cond = q.condition
    assert cond is not None
    test = condition_test(cond, source)
    rule: dict[str, Any] = {"source": source.code}
    if source.type is QuestionType.MULTIPLE_CHOICE:  # "any picked option meets it", option by option
        rule["options"] = [o.code for o in source.options if test([o.code])]
    elif source.type in (QuestionType.YES_NO, QuestionType.SINGLE_CHOICE):
        rule["options"] = [o.code for o in source.options if test(o.code)]
    elif source.type is QuestionType.SEVERITY:
        rule["options"] = [str(level) for level in range(1, 6) if test(level)]
    elif source.type is QuestionType.NUMBER and cond.at_least is not None:
        rule["at_least"] = cond.at_least
    elif source.type is QuestionType.NUMBER and isinstance(cond.equals, int | float):
        rule["equals"] = float(cond.equals)
    elif source.type is QuestionType.TEXT and isinstance(cond.equals, str) and test(cond.equals):
        rule["texts"] = [cond.equals]
    else:
        return None  # not readable while typing: the server's rendering stands until the next load
    return rule


def condition_table(bank: Bank, on_page: Iterable[Question]) -> dict[str, dict[str, Any]]:
    """Conditional questions of the page whose source is on the page too, in bank order."""
    by_code = {q.code: q for q in bank.questions}
    page_codes = {q.code for q in on_page}
    table: dict[str, dict[str, Any]] = {}
    for q in bank.questions:
        if q.code not in page_codes or q.condition is None or q.condition.question not in page_codes:
            continue
        rule = condition_rule(q, by_code[q.condition.question])
        if rule is not None:
            table[q.code] = rule
    return table


def page_rules(bank: Bank, on_page: Iterable[Question], locale: str) -> dict[str, Any]:
    """Everything the script reads from ``#page-rules``."""
    return {
        "numbers": number_symbols(locale),
        "conditions": condition_table(bank, on_page),
        "messages": {
            "saving": _("Saving…"),
            "invalid": _("Some answers could not be saved: see the messages next to them. Everything else is saved."),
            "offline": _("Not saved: connection lost. Your answers are still on this page."),
            "failed": _("Not saved."),
        },
    }


def question_blocks(page: GroupPage, codes: Iterable[str]) -> dict[str, str]:
    """The rendered block of each question in ``codes``, as the page shows it now:
    autosave sends them back for questions another editor changed, so the
    script replaces the stale ones."""
    assert page.form is not None
    macro = get_template_attribute("respond/_question.html", "question")
    hidden, files = page.hidden_codes(), page.files()
    questions = {q.code: q for q in page.applicable}
    blocks: dict[str, str] = {}
    for code in codes:
        q = questions.get(code)
        name = field_name(code)
        if q is None or name not in page.form._fields:
            continue
        blocks[code] = str(macro(q, page.form[name].form, page.locale, code in hidden, files, page.ur, ()))
    return blocks
