"""Scoring a whole round at once, as DataFrames.

:func:`score_round` gives, for every unit, the same numbers as
:func:`~.engine.score_unit` (the tests check it on random rounds): each answer
goes through the same scorer, and the weighted sums run question by question
in bank order, so even the floats agree. The work per question is done on
whole columns of units with NumPy instead of per-unit Python objects.
:func:`~.frames.frames_from_results` builds the same frames from per-unit results.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey_app.questionnaires.schema import Bank, Question, QuestionType

from .bands import BandCuts, band_codes
from .bottlenecks import (
    UNANSWERED_DETAIL,
    Leads,
    default_leads,
    lead_agencies,
    row_formatter,
    severity_threshold,
)
from .conditions import condition_test
from .frames import KIND_CATEGORIES, Cat, Layout, RoundScores, band_categorical, categorical, tile_units
from .results import KIND_ORDER, BottleneckKind
from .scorers import (
    Status,
    fail_threshold,
    is_scored,
    value_scorer,
    zero_when_unanswered,
)
from .values import selected_options, severity_value, table_rows

F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

_SCORED, _UNANSWERED, _NOT_APPLICABLE, _NOT_SCORED = 0, 1, 2, 3
_STATUS_CODE: dict[object, int] = {
    Status.UNANSWERED: _UNANSWERED,
    Status.NOT_APPLICABLE: _NOT_APPLICABLE,
    Status.NOT_SCORED: _NOT_SCORED,
}
_KIND_RANK = {k: i for i, k in enumerate(KIND_ORDER)}


def _matrix(frame: pd.DataFrame, column: str, u: npt.NDArray[np.intp], q: npt.NDArray[np.intp],
            shape: tuple[int, int]) -> npt.NDArray[np.object_]:
    m = np.full(shape, None, dtype=object)
    m[q, u] = frame[column].to_numpy(dtype=object)
    return m


def _outcomes(q: Question, values: list[object]) -> tuple[npt.NDArray[np.int8], F64]:
    score = value_scorer(q)
    out = [score(v) for v in values]
    status = np.array([_STATUS_CODE.get(o, _SCORED) for o in out], dtype=np.int8)
    raw = np.array([o if o.__class__ is float else np.nan for o in out], dtype=np.float64)
    return status, raw


def score_round(
    bank: Bank, units: pd.DataFrame, answers: pd.DataFrame, leads: Leads | None = None
) -> RoundScores:
    """Score every unit of a round.

    ``units`` has columns ``unit_code`` (unique) and ``kind``; ``answers`` has
    ``unit_code``, ``question_code``, ``value`` (the JSON shape, None when
    unanswered) and optionally ``comment``. Answers of unknown units or
    questions are ignored; of duplicate answers the last counts.
    """
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

    gap_threshold = bank.scoring.gap_threshold
    visible = np.zeros((nq, n), dtype=bool)
    answered = np.zeros((nq, n), dtype=bool)
    applicable = np.zeros((nq, n), dtype=bool)
    score = np.full((nq, n), np.nan)
    gap = np.zeros((nq, n), dtype=bool)
    failed = np.zeros((nq, n), dtype=bool)
    missing = np.zeros((len(lay.g_codes), n), dtype=np.int64)
    for j, q in enumerate(lay.questions):
        vis = np.isin(kinds, list(q.applies_to)) if q.applies_to else np.ones(n, dtype=bool)
        cond = q.condition
        if cond is not None:
            k = lay.q_index.get(cond.question, nq)
            if k >= j:  # unknown or later question: never met
                vis[:] = False
            else:
                test = condition_test(cond, lay.questions[k])
                holds = np.fromiter((test(v) for v in values[k]), dtype=bool, count=n)
                vis &= visible[k] & holds
        visible[j] = vis
        status, raw = _outcomes(q, values[j].tolist())
        ans = vis & (status != _UNANSWERED)
        answered[j] = ans
        applicable[j] = vis & (status != _NOT_APPLICABLE)
        if q.required:
            missing[lay.q_group[j]] += vis & ~ans
        if is_scored(q):
            has = vis & (status == _SCORED)
            unans = vis & (status == _UNANSWERED)
            s = np.where(has, raw, np.nan)
            if zero_when_unanswered(q):
                s[unans] = 0.0
            score[j] = s
            with np.errstate(invalid="ignore"):
                gap[j] = has & (raw < fail_threshold(q, gap_threshold))
            if q.critical:
                failed[j] = gap[j] | unans

    cuts = BandCuts(bank.scoring.bands)
    sec_score, sec_failed = _weighted(lay.questions, score, failed, lay.q_section, len(lay.s_codes))
    grp_score, grp_failed = _weighted(lay.questions, score, failed, lay.q_group, len(lay.g_codes))
    idx_num, idx_den = np.zeros(n), np.zeros(n)
    for gi, g in enumerate(bank.groups):
        has = ~np.isnan(grp_score[gi])
        idx_num += np.where(has, g.weight * (grp_score[gi] / 100.0), 0.0)
        idx_den += np.where(has, g.weight, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(idx_den > 0, idx_num / idx_den, np.nan)
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
    })
    register = _register(bank, lay, leads, values, comments, visible, answered, gap, failed, unit_cat)
    return RoundScores(q_frame, s_frame, g_frame, u_frame, register)


def _weighted(questions: list[Question], score: F64, failed: Bools, owner: npt.NDArray[np.intp],
              size: int) -> tuple[F64, Bools]:
    """Per owner (section or group) and unit: 100 × Σ w·q ÷ Σ w, in bank order; any critical failed."""
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
        result = np.where(den > 0, 100.0 * num / den, np.nan)
    return result, any_failed


def _register(bank: Bank, lay: Layout, leads: Leads, values: npt.NDArray[np.object_],
              comments: npt.NDArray[np.object_] | None, visible: Bools, answered: Bools, gap: Bools,
              failed: Bools, unit_cat: Cat) -> pd.DataFrame:
    """The bottleneck register of every unit (see :mod:`.bottlenecks` for the rules)."""
    units: list[npt.NDArray[np.intp]] = []
    qs: list[npt.NDArray[np.intp]] = []
    kinds: list[npt.NDArray[np.intp]] = []
    subs: list[npt.NDArray[np.intp]] = []
    sevs: list[npt.NDArray[np.float64]] = []
    details: list[npt.NDArray[np.object_]] = []

    def add(j: int, kind: BottleneckKind, who: npt.ArrayLike, detail: str | list[object] = "",
            sub: npt.ArrayLike = 0, sev: npt.ArrayLike = np.nan) -> None:
        at = np.asarray(who, dtype=np.intp)
        m = len(at)
        units.append(at)
        qs.append(np.full(m, j, dtype=np.intp))
        kinds.append(np.full(m, _KIND_RANK[kind], dtype=np.intp))
        subs.append(np.broadcast_to(np.asarray(sub, dtype=np.intp), (m,)))
        sevs.append(np.broadcast_to(np.asarray(sev, dtype=np.float64), (m,)))
        d = np.empty(m, dtype=object)
        d[:] = detail
        details.append(d)

    for j, q in enumerate(lay.questions):
        if q.critical:
            who = np.flatnonzero(failed[j])
            add(j, BottleneckKind.CRITICAL_FAILED, who,
                detail=np.where(answered[j][who], "", UNANSWERED_DETAIL).tolist())
        if q.type is QuestionType.SEVERITY:
            who = np.flatnonzero(visible[j])
            sev = np.array([severity_value(v) or 0 for v in values[j][who]], dtype=np.float64)
            hit = sev >= severity_threshold(q, bank.scoring.severity_threshold)
            add(j, BottleneckKind.SEVERITY, who[hit], sev=sev[hit])
        if q.type is QuestionType.TABLE and q.bottleneck_rows:
            who_rows: list[int] = []
            row_no: list[int] = []
            texts: list[object] = []
            detail = row_formatter(q)
            for i in np.flatnonzero(visible[j]).tolist():
                for r, row in enumerate(table_rows(values[j][i]) or ()):
                    who_rows.append(i)
                    row_no.append(r)
                    texts.append(detail(row))
            add(j, BottleneckKind.TABLE_ROW, who_rows, detail=texts, sub=row_no)
        add(j, BottleneckKind.GAP, np.flatnonzero(gap[j] & ~failed[j]))
        flagged = [(k, o) for k, o in enumerate(q.options) if o.bottleneck]
        if flagged:
            who_opt: list[int] = []
            opt_no: list[int] = []
            labels: list[object] = []
            for i in np.flatnonzero(visible[j]).tolist():
                picked = selected_options(q, values[j][i]) or ()
                for k, o in flagged:
                    if o.code in picked:
                        who_opt.append(i)
                        opt_no.append(k)
                        labels.append(o.label.vi)
            add(j, BottleneckKind.OPTION, who_opt, detail=labels, sub=opt_no)

    unit = np.concatenate(units)
    qj = np.concatenate(qs)
    kind = np.concatenate(kinds)
    order = np.lexsort((np.concatenate(subs), kind, qj, unit))
    unit, qj, kind = unit[order], qj[order], kind[order]
    sev = np.concatenate(sevs)[order]
    comment = np.full(len(unit), "", dtype=object)
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
        "detail": np.concatenate(details)[order],
        "lead_agencies": q_leads[qj],
    })


