"""The frames of a round's scores, and how to build them from per-unit results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey_app.questionnaires.schema import Bank, Question

from .bands import BAND_CODES
from .results import KIND_ORDER, UnitResult

Cat: TypeAlias = "pd.Categorical[str]"

BAND_CATEGORIES = [b.value for b in BAND_CODES]
KIND_CATEGORIES = [k.value for k in KIND_ORDER]
REGISTER_COLUMNS = ["unit", "group", "section", "question", "kind", "severity", "comment", "item_key", "row",
                    "lead_agencies"]


@dataclass(frozen=True)
class RoundScores:
    """The scores of a round, one frame per level.

    - ``questions``: unit, group, section, question, applicable, answered,
      score (0–1, NaN when none), gap, failed_critical, invalid (a stored
      value the one door refuses); one row per unit and bank question,
      hidden questions included.
    - ``sections``: unit, group, section, score (0–100, displayed), band.
    - ``groups``: unit, group, score (0–100, displayed), band,
      critical_failed, missing (number of questions keeping the group from
      being handed in).
    - ``units``: unit, kind, index (0–1, displayed), band, critical_failed,
      counted_groups, applicable_groups.
    - ``bottlenecks``: unit, group, section, question, kind, severity,
      comment, item_key, row, lead_agencies; in unit, bank and register order.

    ``unit``, ``group``, ``section``, ``question``, ``kind`` and ``band`` are
    categoricals in the order of the input units and of the bank.
    """

    questions: pd.DataFrame
    sections: pd.DataFrame
    groups: pd.DataFrame
    units: pd.DataFrame
    bottlenecks: pd.DataFrame


class Layout:
    """Positions of the bank's groups, sections and questions."""

    def __init__(self, bank: Bank) -> None:
        self.questions: list[Question] = list(bank.questions)
        self.q_codes = [q.code for q in self.questions]
        self.q_index = {c: i for i, c in enumerate(self.q_codes)}
        self.g_codes = [g.code for g in bank.groups]
        self.s_codes = [s.code for s in bank.sections]
        s_index = {c: i for i, c in enumerate(self.s_codes)}
        self.q_group = np.array([self.g_codes.index(q.group) for q in self.questions], dtype=np.intp)
        self.q_section = np.array([s_index[q.section] for q in self.questions], dtype=np.intp)
        self.s_group = np.array([self.g_codes.index(s.group) for s in bank.sections], dtype=np.intp)

    def categorical(self, codes: npt.ArrayLike, level: str) -> Cat:
        cats = {"group": self.g_codes, "section": self.s_codes, "question": self.q_codes}[level]
        return categorical(codes, cats)


def categorical(codes: npt.ArrayLike, categories: list[str] | pd.Index[str]) -> Cat:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.intp), categories=pd.Index(categories))


def tile_units(unit_cat: Cat, per_unit: int) -> Cat:
    return categorical(np.repeat(unit_cat.codes, per_unit), unit_cat.categories)


def band_categorical(codes: npt.NDArray[np.int8]) -> Cat:
    return categorical(codes, BAND_CATEGORIES)


def frames_from_results(bank: Bank, results: Iterable[tuple[str, str, UnitResult]]) -> RoundScores:
    """The frames of :class:`RoundScores` from per-unit results ``(unit_code, kind, result)``."""
    lay = Layout(bank)
    rows_q: list[tuple[object, ...]] = []
    rows_s: list[tuple[object, ...]] = []
    rows_g: list[tuple[object, ...]] = []
    rows_u: list[tuple[object, ...]] = []
    rows_b: list[tuple[object, ...]] = []
    for code, kind, res in results:
        for gi, g in enumerate(res.groups):
            for r in g.questions:
                j = lay.q_index[r.code]
                rows_q.append((code, lay.q_group[j], lay.q_section[j], j, r.applicable, r.answered,
                               np.nan if r.score is None else r.score, r.gap, r.failed_critical, r.invalid))
            for s in g.sections:
                rows_s.append((code, gi, lay.s_codes.index(s.code), np.nan if s.score is None else s.score,
                               s.band.value if s.band else None))
            rows_g.append((code, gi, np.nan if g.score is None else g.score, g.band.value if g.band else None,
                           g.critical_failed, len(g.missing)))
            for b in g.bottlenecks:
                rows_b.append((code, gi, lay.s_codes.index(b.section), lay.q_index[b.question], b.kind.value,
                               b.severity, b.comment, b.item_key, b.row, b.lead_agencies))
        rows_u.append((code, kind, np.nan if res.index is None else res.index, res.band.value if res.band else None,
                       res.critical_failed, res.counted_groups, res.applicable_groups))
    codes = [str(r[0]) for r in rows_u]
    return RoundScores(
        questions=_frame(rows_q, ["unit", "group", "section", "question", "applicable", "answered", "score",
                                  "gap", "failed_critical", "invalid"], codes, lay),
        sections=_frame(rows_s, ["unit", "group", "section", "score", "band"], codes, lay),
        groups=_frame(rows_g, ["unit", "group", "score", "band", "critical_failed", "missing"], codes, lay),
        units=_frame(rows_u, ["unit", "kind", "index", "band", "critical_failed", "counted_groups",
                              "applicable_groups"], codes, lay),
        bottlenecks=_frame(rows_b, REGISTER_COLUMNS, codes, lay),
    )


_BOOL_COLUMNS = {"applicable", "answered", "gap", "failed_critical", "critical_failed", "invalid"}


def _frame(rows: list[tuple[object, ...]], columns: list[str], unit_codes: list[str], lay: Layout) -> pd.DataFrame:
    data: dict[str, object] = {}
    for i, name in enumerate(columns):
        col = [r[i] for r in rows]
        if name == "unit":
            data[name] = pd.Categorical(col, categories=unit_codes)
        elif name in ("group", "section", "question"):
            data[name] = lay.categorical(np.array(col, dtype=np.intp).reshape(-1), name)
        elif name == "band":
            data[name] = pd.Categorical(col, categories=BAND_CATEGORIES)
        elif name == "kind" and columns is REGISTER_COLUMNS:
            data[name] = pd.Categorical(col, categories=KIND_CATEGORIES)
        elif name == "severity":
            none = np.array([x is None for x in col], dtype=bool)
            data[name] = pd.arrays.IntegerArray(np.array([0 if x is None else x for x in col], dtype=np.int64), none)
        elif name in ("score", "index"):
            data[name] = np.array(col, dtype=np.float64)
        elif name in _BOOL_COLUMNS:
            data[name] = np.array(col, dtype=bool)
        elif name in ("missing", "counted_groups", "applicable_groups"):
            data[name] = np.array(col, dtype=np.int64)
        else:
            arr = np.empty(len(col), dtype=object)
            arr[:] = col
            data[name] = arr
    return pd.DataFrame(data)


def answers_frame(answers: Mapping[str, Mapping[str, object]],
                  comments: Mapping[str, Mapping[str, str]] | None = None) -> pd.DataFrame:
    """A long answers frame (unit_code, question_code, value[, comment]) from per-unit mappings."""
    rows = []
    for unit, per_q in answers.items():
        notes = (comments or {}).get(unit, {})
        for code, value in per_q.items():
            rows.append((unit, code, value, notes.get(code, "")))
    for unit, notes in (comments or {}).items():
        for code, note in notes.items():
            if code not in answers.get(unit, {}):
                rows.append((unit, code, None, note))
    frame = pd.DataFrame(rows, columns=["unit_code", "question_code", "value", "comment"])
    frame["value"] = frame["value"].astype(object)
    return frame
