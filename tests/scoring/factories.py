"""Small banks built in code, and random answers for them."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from survey_app.questionnaires.schema import (
    Band,
    BandThresholds,
    Bank,
    BankScoring,
    Column,
    ColumnType,
    Condition,
    Group,
    Option,
    Question,
    QuestionType,
    RoutingRule,
    Scoring,
    Section,
    Text,
    UnitKind,
)

T = QuestionType
KINDS = ("department", "district", "commune")


def txt(s: str) -> Text:
    return Text(s, s)


def opt(code: str, points: float, bottleneck: bool = False) -> Option:
    return Option(code, txt(code.upper()), points, bottleneck)


YES_NO = (opt("yes", 1.0), opt("no", 0.0))


def q(code: str, qtype: QuestionType, *, group: str = "g1", section: str | None = None, **kw: Any) -> Question:
    """A question; ``section`` defaults to ``<group>-s1``."""
    scoring = kw.pop("scoring", None) or Scoring(**{k: kw.pop(k) for k in list(kw) if k in _SCORING_FIELDS})
    return Question(code=code, group=group, section=section or f"{group}-s1", type=qtype, text=txt(code),
                    scoring=scoring, **kw)


_SCORING_FIELDS = {"empty", "target", "inverse", "bands", "max_points", "on_or_before", "late_points", "row_share",
                   "scored_if_present", "severity_threshold", "fail_below", "numerator_le_denominator"}


def yes_no(code: str, **kw: Any) -> Question:
    kw.setdefault("options", YES_NO)
    return q(code, T.YES_NO, **kw)


def single(code: str, points: Sequence[float] = (1.0, 0.5, 0.0), **kw: Any) -> Question:
    kw.setdefault("options", tuple(opt(f"l{i}", p) for i, p in enumerate(points)))
    return q(code, T.SINGLE_CHOICE, **kw)


def multi(code: str, points: Sequence[float] = (0.25, 0.25, 0.25, 0.25), **kw: Any) -> Question:
    kw.setdefault("options", tuple(opt(f"o{i}", p) for i, p in enumerate(points)))
    return q(code, T.MULTIPLE_CHOICE, **kw)


def ratio(code: str, **kw: Any) -> Question:
    return q(code, T.RATIO, **kw)


def number(code: str, **kw: Any) -> Question:
    if "bands" not in kw and "target" not in kw and "scoring" not in kw:
        kw["bands"] = (Band(0, 1.0), Band(8, 0.75), Band(24, 0.5), Band(None, 0.0))
    return q(code, T.NUMBER, **kw)


def severity(code: str, **kw: Any) -> Question:
    kw.setdefault("scored", False)
    return q(code, T.SEVERITY, **kw)


def date_q(code: str, **kw: Any) -> Question:
    kw.setdefault("scored", "on_or_before" in kw)
    return q(code, T.DATE, **kw)


def text_q(code: str, **kw: Any) -> Question:
    kw.setdefault("scored", False)
    return q(code, T.TEXT, **kw)


COLUMNS = (
    Column("name", txt("Name")),
    Column("amount", txt("Amount"), ColumnType.NUMBER),
    Column("done", txt("Done"), ColumnType.YES_NO),
)


def table(code: str, **kw: Any) -> Question:
    kw.setdefault("columns", COLUMNS)
    kw.setdefault("scored", "row_share" in kw)
    return q(code, T.TABLE, **kw)


def evidence(code: str, **kw: Any) -> Question:
    kw.setdefault("scored", bool(kw.get("scored_if_present")))
    return q(code, T.EVIDENCE, **kw)


def make_bank(
    questions: Iterable[Question],
    *,
    group_weights: dict[str, float] | None = None,
    green: float = 0.8,
    yellow: float = 0.5,
    gap: float = 0.5,
    severity_threshold: int = 4,
    routing: Sequence[RoutingRule] | None = None,
) -> Bank:
    """A bank of ``questions``; groups and sections in order of first appearance."""
    groups: dict[str, dict[str, list[Question]]] = {}
    for qq in questions:
        groups.setdefault(qq.group, {}).setdefault(qq.section, []).append(qq)
    weights = group_weights or {}
    built = tuple(
        Group(g, txt(g), weights.get(g, 0.2),
              tuple(Section(s, g, txt(s), tuple(qs)) for s, qs in secs.items()))
        for g, secs in groups.items()
    )
    if routing is None:
        routing = tuple(RoutingRule(g, (f"LEAD-{g}",)) for g in groups)
    return Bank(
        code="test", version="1", title=txt("Test bank"),
        unit_kinds=tuple(UnitKind(k, txt(k)) for k in KINDS),
        scoring=BankScoring(BandThresholds(green, yellow), gap, severity_threshold),
        groups=built, routing=tuple(routing),
    )


def with_weights(bank: Bank, group: str | None, factor: float | Decimal) -> Bank:
    """``bank`` with every question weight of ``group`` (of every group when None, and
    the group weights too) multiplied by ``factor``.

    A :class:`~decimal.Decimal` factor scales the weights as the decimals a
    bank file writes (0.2 × 0.1 = 0.02), which is what the method promises
    is harmless; a float factor scales them in binary.
    """
    def times(w: float) -> float:
        if isinstance(factor, Decimal):
            return float(Decimal(repr(w)) * factor)
        return w * factor

    def scale(g: Group) -> Group:
        if group is not None and g.code != group:
            return g
        return replace(g, weight=g.weight if group is not None else times(g.weight), sections=tuple(
            replace(s, questions=tuple(replace(x, weight=times(x.weight)) for x in s.questions))
            for s in g.sections))
    return replace(bank, groups=tuple(scale(g) for g in bank.groups))


def without_question(bank: Bank, code: str) -> Bank:
    """``bank`` without question ``code``."""
    return replace(bank, groups=tuple(
        replace(g, sections=tuple(
            replace(s, questions=tuple(x for x in s.questions if x.code != code)) for s in g.sections))
        for g in bank.groups))


# --- random banks and answers ---------------------------------------------


def random_bank(rnd: random.Random, n_questions: int = 30, n_groups: int = 3) -> Bank:
    """A bank with every type, conditions, applicability, critical questions and bottleneck flags."""
    makers: list[Callable[..., Question]] = [
        lambda c, **k: yes_no(c, **k),
        lambda c, **k: single(c, points=(1.0, 0.6, 0.3, 0.0), **k),
        lambda c, **k: multi(c, points=(0.5, 0.25, 0.25, 0.0),
                             options=(opt("o0", 0.5), opt("o1", 0.25), opt("o2", 0.25), opt("o3", 0.0, True)), **k),
        lambda c, **k: ratio(c, **k),
        lambda c, **k: ratio(c, inverse=True, **k),
        lambda c, **k: ratio(c, target=0.8, fail_below=0.3, **k),
        lambda c, **k: number(c, **k),
        lambda c, **k: number(c, target=12.0, **k),
        lambda c, **k: number(c, target=10.0, inverse=True, **k),
        lambda c, **k: severity(c, **k),
        lambda c, **k: date_q(c, on_or_before=date(2024, 6, 30), late_points=0.4, **k),
        lambda c, **k: date_q(c, **k),
        lambda c, **k: text_q(c, **k),
        lambda c, **k: table(c, row_share=("done", "yes"), **k),
        lambda c, **k: table(c, bottleneck_rows=True, **k),
        lambda c, **k: evidence(c, scored_if_present=True, **k),
        lambda c, **k: evidence(c, **k),
    ]
    qs: list[Question] = []
    for i in range(n_questions):
        g = f"g{i % n_groups}"
        kw: dict[str, Any] = {"group": g, "section": f"{g}-s{rnd.randrange(2)}",
                              "weight": rnd.choice([1, 1, 2, 0.5, 3]), "required": rnd.random() < 0.8}
        if rnd.random() < 0.25:
            kw["applies_to"] = tuple(rnd.sample(KINDS, rnd.randint(1, 2)))
        maker = rnd.choice(makers)
        candidate = maker(f"Q{i:02d}", **kw)
        if rnd.random() < 0.2 and qs:
            src = rnd.choice(qs)
            cond = _condition_on(src, rnd)
            if cond is not None:
                candidate = replace(candidate, condition=cond)
        if _is_scorable(candidate) and rnd.random() < 0.2:
            candidate = replace(candidate, critical=True)
        qs.append(candidate)
    qs.sort(key=lambda x: (x.group, x.section, int(x.code[1:])))
    # conditions must point to earlier questions in bank order
    order = {x.code: i for i, x in enumerate(qs)}
    qs = [x if x.condition is None or order[x.condition.question] < order[x.code] else replace(x, condition=None)
          for x in qs]
    weights = {f"g{i}": rnd.choice([0.1, 0.2, 0.3, 1.0]) for i in range(n_groups)}
    routing = [RoutingRule(f"g{i}", (f"LEAD{i}",)) for i in range(n_groups)] + [RoutingRule("g0-s1", ("SEC-LEAD",))]
    return make_bank(qs, group_weights=weights, routing=routing)


def _is_scorable(x: Question) -> bool:
    from survey_app.scoring import is_scored

    return is_scored(x)


def _condition_on(src: Question, rnd: random.Random) -> Condition | None:
    if src.type is T.YES_NO:
        return Condition(src.code, equals=rnd.choice(["yes", "no"]))
    if src.type in (T.SINGLE_CHOICE, T.MULTIPLE_CHOICE):
        return Condition(src.code, any_of=tuple(o.code for o in src.options[:2]))
    if src.type in (T.NUMBER, T.SEVERITY):
        return Condition(src.code, at_least=rnd.choice([1, 3, 10]))
    return None


def random_value(x: Question, rnd: random.Random, *, malformed: bool = True) -> object:
    """A random answer to ``x``: usually valid, sometimes missing or malformed."""
    r = rnd.random()
    if r < 0.1:
        return None
    if malformed and r < 0.15:
        return rnd.choice(["", "maybe", -1, [1], {"numerator": "a"}, float("nan"), True, {}, [None]])
    t = x.type
    if t is T.YES_NO:
        return rnd.choice(["yes", "no"])
    if t is T.SINGLE_CHOICE:
        return rnd.choice(x.options).code
    if t is T.MULTIPLE_CHOICE:
        return [o.code for o in x.options if rnd.random() < 0.5]
    if t is T.RATIO:
        b = rnd.choice([0, 1, 4, 10, 40])
        return {"numerator": rnd.randint(0, b + 2), "denominator": b}
    if t is T.NUMBER:
        return rnd.choice([0, 1, 3.5, 8, 9, 12, 24, 30])
    if t is T.SEVERITY:
        return rnd.randint(1, 5)
    if t is T.DATE:
        return rnd.choice(["2024-06-30", "2024-07-01", "2023-01-15"])
    if t is T.TEXT:
        return rnd.choice(["ghi chú", "  "])
    if t is T.TABLE:
        return [{"name": f"row{i}", "amount": rnd.randint(0, 500), "done": rnd.choice(["yes", "no"])}
                for i in range(rnd.randint(0, 3))]
    if t is T.EVIDENCE:
        return rnd.choice([{"document_number": "12/QĐ-UBND", "document_date": "2024-04-22"}, {"files": [3]},
                           {"document_number": ""}])
    return None


def random_answers(bank: Bank, rnd: random.Random, *, malformed: bool = True) -> dict[str, object]:
    return {x.code: random_value(x, rnd, malformed=malformed) for x in bank.questions if rnd.random() < 0.95}
