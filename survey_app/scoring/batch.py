"""Scoring a whole round at once, as DataFrames.

:func:`score_round` gives, for every unit, the same numbers as
:func:`~.engine.score_unit` (the tests check it on random rounds): each answer
goes through the same scorer, and the weighted sums run question by question
in bank order, so even the floats agree. The work per question is done on
whole columns of units with NumPy instead of per-unit Python objects.
:func:`~.frames.frames_from_results` builds the same frames from per-unit results.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey_app.questionnaires.answers import Refusal, read_values
from survey_app.questionnaires.schema import Bank, Question

from .bands import INDEX_PLACES, SCORE_PLACES, BandCuts, band_codes, exact, round_floats
from .bottlenecks import (
    Leads,
    critical_failed,
    default_leads,
    flag_kinds,
    gap_test,
    lead_agencies,
    value_items,
)
from .conditions import applies_to_kind, condition_source, read_condition_test
from .frames import KIND_CATEGORIES, Cat, Layout, RoundScores, band_categorical, categorical, tile_units
from .index import applicable_groups, index_value, shown_score
from .results import KIND_RANK
from .scorers import (
    Status,
    exact_read_scorer,
    exact_scorer,
    fail_threshold,
    is_missing,
    is_scored,
    read_scorer,
    zero_when_unanswered,
)

F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

_SCORED, _UNANSWERED, _NOT_APPLICABLE, _NOT_SCORED, _INVALID = 0, 1, 2, 3, 4
_STATUS_CODE: dict[object, int] = {
    Status.UNANSWERED: _UNANSWERED,
    Status.NOT_APPLICABLE: _NOT_APPLICABLE,
    Status.NOT_SCORED: _NOT_SCORED,
    Status.INVALID: _INVALID,
}


def _matrix(frame: pd.DataFrame, column: str, u: npt.NDArray[np.intp], q: npt.NDArray[np.intp],
            shape: tuple[int, int]) -> npt.NDArray[np.object_]:
    m = np.full(shape, None, dtype=object)
    m[q, u] = frame[column].to_numpy(dtype=object)
    return m


def _outcomes(q: Question, values: list[object]) -> tuple[npt.NDArray[np.int8], F64, list[object]]:
    """Status and float score of each value, and the values as the one door read them."""
    parsed = read_values(q, values)
    rule = read_scorer(q)
    unanswered, invalid, not_applicable = Status.UNANSWERED, Status.INVALID, Status.NOT_APPLICABLE
    out = [unanswered if p is None else invalid if p.__class__ is Refusal else rule(p) for p in parsed]
    nan, code = np.nan, _STATUS_CODE.get
    raw = np.array([o if o.__class__ is float else nan for o in out], dtype=np.float64)
    status = np.full(len(out), _SCORED, dtype=np.int8)
    odd = np.flatnonzero(np.isnan(raw)).tolist()  # no float score (or a NaN one): the status says why
    # the usual statuses by identity first: hashing an enum member is a Python call
    status[odd] = [_SCORED if o.__class__ is float else _UNANSWERED if o is unanswered
                   else _INVALID if o is invalid else _NOT_APPLICABLE if o is not_applicable
                   else code(o, _SCORED) for o in map(out.__getitem__, odd)]
    return status, raw, parsed


def score_round(
    bank: Bank, units: pd.DataFrame, answers: pd.DataFrame, leads: Leads | None = None
) -> RoundScores:
    """Score every unit of a round.

    ``units`` has columns ``unit_code`` (unique) and ``kind``; ``answers`` has
    ``unit_code``, ``question_code``, ``value`` (the JSON shape, None when
    unanswered) and optionally ``comment``. Answers of unknown units or
    questions are ignored; of duplicate answers the last counts.
    """
    with _collector_paused():
        return _score_round(bank, units, answers, leads)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of a round pass.

    The pass allocates hundreds of thousands of small containers (read
    values, table rows, register entries), which reference counting frees;
    they form no cycles. With the collector on, those allocations set off
    hundreds of collections, and a full one walks every answer value of the
    round: about a tenth of the pass's CPU. Anything the pass leaves behind
    is collected once the collector runs again. If it was already off, it
    stays off.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _score_round(bank: Bank, units: pd.DataFrame, answers: pd.DataFrame, leads: Leads | None) -> RoundScores:
    lay = Layout(bank)
    leads = default_leads(bank) if leads is None else leads
    unit_codes = units["unit_code"].astype(str).tolist()
    if len(set(unit_codes)) != len(unit_codes):
        raise ValueError("unit codes must be unique")
    kinds = units["kind"].astype(str).to_numpy()
    n, nq = len(unit_codes), len(lay.questions)
    u = pd.Index(unit_codes).get_indexer(pd.Index(answers["unit_code"].astype(str))).astype(np.intp)
    qi = pd.Index(lay.q_codes).get_indexer(pd.Index(answers["question_code"].astype(str))).astype(np.intp)
    known = np.flatnonzero((u >= 0) & (qi >= 0))
    last = ~pd.Series(u[known] * nq + qi[known]).duplicated(keep="last").to_numpy()
    rows = known[last]
    sub = answers.iloc[rows]
    u, qi = u[rows], qi[rows]
    values = _matrix(sub, "value", u, qi, (nq, n))
    comments = _matrix(sub, "comment", u, qi, (nq, n)) if "comment" in sub.columns else None

    passed = _question_pass(bank, lay, kinds, values, comments)
    visible, answered, applicable, invalid = passed.visible, passed.answered, passed.applicable, passed.invalid
    score, gap, failed, missing, parsed = passed.score, passed.gap, passed.failed, passed.missing, passed.parsed

    cuts = BandCuts(bank.scoring.bands)
    exact_of = _ExactScores(lay, values, score)
    sec_score, sec_failed = _weighted(lay.questions, score, failed, lay.q_section, len(lay.s_codes), exact_of)
    grp_score, grp_failed = _weighted(lay.questions, score, failed, lay.q_group, len(lay.g_codes), exact_of)
    g_codes = lay.g_codes
    index = _index(bank, grp_score)
    kind_groups = {k: applicable_groups(bank, k) for k in set(kinds.tolist())}
    has_score = ~np.isnan(grp_score)
    counted = np.zeros(n, dtype=np.int64)
    n_applicable = np.zeros(n, dtype=np.int64)
    for kind, codes in kind_groups.items():
        of_kind = kinds == kind
        members = [g_codes.index(c) for c in codes]
        counted[of_kind] = has_score[members][:, of_kind].sum(axis=0) if members else 0
        n_applicable[of_kind] = len(members)
    unit_failed: Bools = np.asarray(grp_failed.any(axis=0), dtype=bool)

    unit_cat = categorical(np.arange(n), unit_codes)
    q_frame = pd.DataFrame({
        "unit": tile_units(unit_cat, nq),
        "group": lay.categorical(np.tile(lay.q_group, n), "group"),
        "section": lay.categorical(np.tile(lay.q_section, n), "section"),
        "question": lay.categorical(np.tile(np.arange(nq), n), "question"),
        "applicable": applicable.T.ravel(),
        "answered": answered.T.ravel(),
        "score": score.T.ravel(),
        "gap": gap.T.ravel(),
        "failed_critical": failed.T.ravel(),
        "invalid": invalid.T.ravel(),
    })
    ns = len(lay.s_codes)
    s_frame = pd.DataFrame({
        "unit": tile_units(unit_cat, ns),
        "group": lay.categorical(np.tile(lay.s_group, n), "group"),
        "section": lay.categorical(np.tile(np.arange(ns), n), "section"),
        "score": sec_score.T.ravel(),
        "band": band_categorical(band_codes(sec_score, cuts.score_green, cuts.score_yellow, sec_failed).T.ravel()),
    })
    ng = len(lay.g_codes)
    g_frame = pd.DataFrame({
        "unit": tile_units(unit_cat, ng),
        "group": lay.categorical(np.tile(np.arange(ng), n), "group"),
        "score": grp_score.T.ravel(),
        "band": band_categorical(band_codes(grp_score, cuts.score_green, cuts.score_yellow, grp_failed).T.ravel()),
        "critical_failed": grp_failed.T.ravel(),
        "missing": missing.T.ravel(),
    })
    u_frame = pd.DataFrame({
        "unit": unit_cat,
        "kind": kinds.astype(object),
        "index": index,
        "band": band_categorical(band_codes(index, cuts.index_green, cuts.index_yellow, unit_failed)),
        "critical_failed": unit_failed,
        "counted_groups": counted,
        "applicable_groups": n_applicable,
    })
    register = _register(bank, lay, leads, parsed, comments, visible, answered, gap, failed, unit_cat)
    return RoundScores(q_frame, s_frame, g_frame, u_frame, register)


#: How far (on the 0–1 scale) a float score may be from its threshold before
#: :func:`~.bottlenecks.is_gap` decides on the exact score instead. A score is
#: a few float operations away from its exact value, far closer than this.
NEAR_THRESHOLD = 1e-9


def _gaps(q: Question, has: Bools, raw: F64, parsed: list[object], gap_threshold: float) -> Bools:
    """:func:`~.bottlenecks.is_gap` over a column of units: the float comparison
    where it is clear, the exact rule on the exact score near the threshold.

    ``parsed`` holds the values as the one door read them. Units near the
    threshold often share a value (a level worth exactly the threshold), so
    each distinct value is decided once.
    """
    threshold = fail_threshold(q, gap_threshold)
    with np.errstate(invalid="ignore"):
        out: Bools = has & (raw < threshold)
        near = np.flatnonzero(has & (np.abs(raw - threshold) <= NEAR_THRESHOLD))
    if len(near) == 0:
        return out
    score, below = exact_read_scorer(q), gap_test(q, gap_threshold)
    decided: dict[object, bool] = {}
    for i in near.tolist():
        got = parsed[i]
        try:
            out[i] = decided[got]
            continue
        except (KeyError, TypeError):  # not seen yet, or unhashable (table rows)
            pass
        s = score(got)
        gap = isinstance(s, Fraction) and below(s)
        out[i] = gap
        with suppress(TypeError):
            decided[got] = gap
    return out


@dataclass(frozen=True, slots=True)
class _Pass:
    """Questions × units: what the question pass found (see :func:`_question_pass`)."""

    visible: Bools
    answered: Bools
    applicable: Bools
    invalid: Bools
    score: F64
    gap: Bools
    failed: Bools
    missing: npt.NDArray[np.int64]  # groups × units: required answers lacking
    parsed: list[list[object]]  # the values as the one door read them; None where hidden


def _question_pass(bank: Bank, lay: Layout, kinds: npt.NDArray[np.object_], values: npt.NDArray[np.object_],
                   comments: npt.NDArray[np.object_] | None) -> _Pass:
    """Visibility, outcome and score of every question for every unit, question
    by question in bank order, on whole columns of units."""
    nq, n = len(lay.questions), int(values.shape[1])
    distinct_kinds, kind_of = np.unique(kinds, return_inverse=True)
    kind_names: list[str] = distinct_kinds.tolist()
    gap_threshold = bank.scoring.gap_threshold
    visible = np.zeros((nq, n), dtype=bool)
    answered = np.zeros((nq, n), dtype=bool)
    applicable = np.zeros((nq, n), dtype=bool)
    invalid = np.zeros((nq, n), dtype=bool)
    score = np.full((nq, n), np.nan)
    gap = np.zeros((nq, n), dtype=bool)
    failed = np.zeros((nq, n), dtype=bool)
    missing = np.zeros((len(lay.g_codes), n), dtype=np.int64)
    parsed: list[list[object]] = [[] for _ in lay.questions]
    for j, q in enumerate(lay.questions):
        vis = np.array([applies_to_kind(q, k) for k in kind_names], dtype=bool)[kind_of]
        cond = q.condition
        if cond is not None:
            k = condition_source(cond, lay.q_index, j)
            if k is None:
                vis[:] = False
            else:
                test = read_condition_test(cond, lay.questions[k])
                holds = np.fromiter(map(test, parsed[k]), dtype=bool, count=n)
                vis &= visible[k] & holds
        visible[j] = vis
        # a hidden question's answer is ignored: not read at all (every use below is masked by vis)
        column = values[j].copy()
        column[~vis] = None
        status, raw, parsed[j] = _outcomes(q, column.tolist())
        bad = vis & (status == _INVALID)
        ans = vis & (status != _UNANSWERED) & ~bad
        invalid[j] = bad
        answered[j] = ans
        not_applicable = vis & (status == _NOT_APPLICABLE)
        applicable[j] = vis & ~not_applicable
        unjustified = not_applicable.copy()
        if unjustified.any():
            unjustified &= ~_has_text(comments[j] if comments is not None else None, n)
        missing[lay.q_group[j]] += is_missing(q, vis & ~ans, bad, unjustified)
        if is_scored(q):
            has = vis & (status == _SCORED)
            unans = vis & ((status == _UNANSWERED) | bad)
            s = np.where(has, raw, np.nan)
            if zero_when_unanswered(q):
                s[unans] = 0.0
            score[j] = s
            gap[j] = _gaps(q, has, raw, parsed[j], gap_threshold)
            failed[j] = critical_failed(q, gap[j], unans)

    return _Pass(visible, answered, applicable, invalid, score, gap, failed, missing, parsed)


def question_scores(bank: Bank, kinds: Sequence[str], answers: Iterable[tuple[int, str, object]]) -> F64:
    """Each question's score (0–1; NaN when it does not count) for each unit:
    questions in bank order × units, by the same pass as :func:`score_round`.

    ``kinds`` are the units' kinds, by position; ``answers`` are
    ``(unit position, question code, value)``; answers to unknown questions
    are ignored, and of duplicate answers the last counts.
    """
    lay = Layout(bank)
    values = np.full((len(lay.questions), len(kinds)), None, dtype=object)
    index = lay.q_index
    for unit, code, value in answers:
        j = index.get(code)
        if j is not None:
            values[j, unit] = value
    return _question_pass(bank, lay, np.array(list(kinds), dtype=object), values, None).score


def _has_text(comments: npt.NDArray[np.object_] | None, n: int) -> Bools:
    if comments is None:
        return np.zeros(n, dtype=bool)
    return np.fromiter((isinstance(c, str) and bool(c.strip()) for c in comments), dtype=bool, count=n)


class _ExactScores:
    """Exact question scores of one unit, computed only when a float sum needs them."""

    def __init__(self, lay: Layout, values: npt.NDArray[np.object_], score: F64) -> None:
        self.lay, self.values, self.score = lay, values, score
        self.scorers: dict[int, tuple[Fraction, Callable[[object], Fraction | Status]]] = {}

    def pairs(self, js: list[int], unit: int) -> list[tuple[Fraction, Fraction]]:
        out = []
        for j in js:
            if self.score[j, unit] != self.score[j, unit]:  # NaN: not counted
                continue
            found = self.scorers.get(j)
            if found is None:
                q = self.lay.questions[j]
                found = self.scorers[j] = (exact(q.weight), exact_scorer(q))
            weight, score_of = found
            s = score_of(self.values[j, unit])
            out.append((weight, s if isinstance(s, Fraction) else Fraction(0)))
        return out


def _weighted(questions: list[Question], score: F64, failed: Bools, owner: npt.NDArray[np.intp],
              size: int, exact_of: _ExactScores) -> tuple[F64, Bools]:
    """Per owner (section or group) and unit: the displayed 100 × Σ w·q ÷ Σ w; any critical failed.

    Summed in floats; where a sum lands within a hair of a rounding boundary
    the exact weighted mean of :mod:`.index` decides.
    """
    n = score.shape[1]
    num, den = np.zeros((size, n)), np.zeros((size, n))
    any_failed = np.zeros((size, n), dtype=bool)
    for j, q in enumerate(questions):
        s = score[j]
        has = ~np.isnan(s)
        o = owner[j]
        num[o] += np.where(has, q.weight * s, 0.0)
        den[o] += np.where(has, q.weight, 0.0)
        any_failed[o] |= failed[j]
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, 100.0 * num / den, np.nan)
    shown, near = round_floats(value, SCORE_PLACES)
    for o, unit in zip(*np.nonzero(near), strict=True):
        js = [j for j in range(len(questions)) if owner[j] == o]
        exact_shown = shown_score(exact_of.pairs(js, int(unit)))
        shown[o, unit] = np.nan if exact_shown is None else float(exact_shown)
    return shown, any_failed


def _index(bank: Bank, shown: F64) -> F64:
    """The displayed index of every unit from its displayed group scores (groups × units).

    The float sum decides wherever it is clear of a rounding boundary; elsewhere
    :func:`~.index.index_value` (the one definition) decides exactly.
    """
    weights = np.array([g.weight for g in bank.groups])[:, None]
    has = ~np.isnan(shown)
    num = np.where(has, weights * shown, 0.0).sum(axis=0)
    den = np.where(has, weights, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, num / den / 100.0, np.nan)
    index, near = round_floats(value, INDEX_PLACES)
    codes = [g.code for g in bank.groups]
    for i in np.flatnonzero(near).tolist():
        exact_value = index_value(bank, {c: float(shown[gi, i]) for gi, c in enumerate(codes) if has[gi, i]})
        index[i] = np.nan if exact_value is None else float(exact_value)
    return index


def _register(bank: Bank, lay: Layout, leads: Leads, parsed: list[list[object]],
              comments: npt.NDArray[np.object_] | None, visible: Bools, answered: Bools, gap: Bools,
              failed: Bools, unit_cat: Cat) -> pd.DataFrame:
    """The bottleneck register of every unit, by the rules of :mod:`.bottlenecks`:
    :func:`~.bottlenecks.flag_kinds` on whole columns of flags, and
    :func:`~.bottlenecks.value_items` on each question's column of visible values.

    ``parsed`` holds, per question and unit, the value as the one door read it
    (None: no answer, or a hidden question; a refusal raises nothing but a
    critical failure).
    """
    units: list[npt.NDArray[np.intp]] = []
    qs: list[npt.NDArray[np.intp]] = []
    kinds: list[npt.NDArray[np.intp]] = []
    for j in range(len(lay.questions)):  # the flag-dependent kinds, vectorised
        for flag_kind, raised in flag_kinds(failed[j], gap[j]):
            who = np.flatnonzero(raised)
            units.append(who)
            qs.append(np.full(len(who), j, dtype=np.intp))
            kinds.append(np.full(len(who), KIND_RANK[flag_kind], dtype=np.intp))
    n_flags = sum(len(w) for w in units)

    # the value-dependent kinds, on each question's column of visible values
    v_order: list[npt.NDArray[np.intp]] = []
    v_sev: list[int | None] = []
    v_key: list[str] = []
    v_row: list[object] = []
    bank_severity = bank.scoring.severity_threshold
    rank = KIND_RANK.__getitem__
    for j, q in enumerate(lay.questions):
        items = value_items(q, bank_severity)
        if items is None:
            continue
        column = parsed[j]
        shown = np.flatnonzero(visible[j])
        got = items([column[i] for i in shown.tolist()])
        units.append(shown[np.array(got.at, dtype=np.intp)])
        qs.append(np.full(len(got.at), j, dtype=np.intp))
        kinds.append(np.array(list(map(rank, got.kind)), dtype=np.intp))
        v_order.append(np.array(got.order, dtype=np.intp))
        v_sev.extend(got.severity)
        v_key.extend(got.item_key)
        v_row.extend(got.row)

    unit = np.concatenate(units)
    qj = np.concatenate(qs)
    kind = np.concatenate(kinds)
    m = len(unit)
    sub = np.zeros(m, dtype=np.intp)
    sub[n_flags:] = np.concatenate(v_order) if v_order else 0
    sev_all = np.full(m, np.nan)
    sev_all[n_flags:] = np.array(v_sev, dtype=np.float64)  # None: NaN
    key_all = np.full(m, "", dtype=object)
    key_all[n_flags:] = v_key
    row_all = np.full(m, None, dtype=object)
    row_all[n_flags:] = _objects(v_row)
    order = np.lexsort((sub, kind, qj, unit))
    unit, qj, kind = unit[order], qj[order], kind[order]
    sev = sev_all[order]
    comment = np.full(m, "", dtype=object)
    if comments is not None:
        raw = comments[qj, unit]
        comment[:] = [c if isinstance(c, str) else "" for c in raw]
    q_leads = np.empty(len(lay.questions), dtype=object)
    for j, q in enumerate(lay.questions):  # one by one: numpy would unpack the tuples
        q_leads[j] = lead_agencies(leads, q.group, q.section)
    no_sev = np.isnan(sev)
    return pd.DataFrame({
        "unit": categorical(unit, unit_cat.categories),
        "group": lay.categorical(lay.q_group[qj], "group"),
        "section": lay.categorical(lay.q_section[qj], "section"),
        "question": lay.categorical(qj, "question"),
        "kind": categorical(kind, KIND_CATEGORIES),
        "severity": pd.arrays.IntegerArray(np.where(no_sev, 0, sev).astype(np.int64), no_sev),
        "comment": comment,
        "item_key": key_all[order],
        "row": row_all[order],
        "lead_agencies": q_leads[qj],
    })


def _objects(items: list[object]) -> npt.NDArray[np.object_]:
    """``items`` as a 1-d object array (numpy would unpack tuples of tuples)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items if items else []
    return out
