"""Benchmark: score and aggregate a whole round of 10,000 units.

Loads the shipped bank (``survey_app/questionnaires/banks/de-an-06``),
generates one valid answer per unit and question in memory with a seeded
NumPy generator (about 5 % left unanswered), then times

1. ``score_round`` (every question, section, group, index, band and the
   bottleneck register) plus the aggregations of ``survey_app.scoring``
   (gap share per question, score distribution per group, top bottlenecks
   per group and per section, units ranked per group); and
2. the floor: a plain NumPy pass over the same answers already turned into a
   units × questions matrix of points (weighted group means, index, bands,
   gap share per question), i.e. the arithmetic with the JSON parsing and
   the bookkeeping taken away.

For scale it also prints the time of a bare Python loop over the answer values
and, with ``--per-unit N``, of ``score_unit`` called unit by unit.

Run: ``.venv/bin/python benchmarks/scoring.py [--units N] [--repeat R] [--per-unit N]``.
Results are recorded in ``docs/benchmarks.md`` (section "Scoring").
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from survey_app.questionnaires.loader import load_bank
from survey_app.questionnaires.schema import Bank, ColumnType, Question, QuestionType
from survey_app.scoring import (
    RoundScores,
    group_score_distribution,
    question_gap_share,
    rank_units,
    score_round,
    score_unit,
    top_bottlenecks,
)

BANK = Path(__file__).resolve().parents[1] / "survey_app" / "questionnaires" / "banks" / "de-an-06"
T = QuestionType
Rng = np.random.Generator


def _dates(rng: Rng, n: int, around: date) -> list[str]:
    days = rng.integers(-200, 200, n).tolist()
    return [(around + timedelta(days=d)).isoformat() for d in days]


def _cell(rng: Rng, column_type: ColumnType, codes: list[str]) -> object:
    if column_type is ColumnType.NUMBER:
        return int(rng.integers(0, 5000))
    if column_type is ColumnType.DATE:
        return (date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 365)))).isoformat()
    if column_type is ColumnType.YES_NO:
        return "yes" if rng.random() < 0.6 else "no"
    if column_type is ColumnType.CHOICE and codes:
        return codes[int(rng.integers(len(codes)))]
    return f"mục {int(rng.integers(1000))}"


def values_for(q: Question, rng: Rng, n: int) -> list[object]:
    """``n`` valid answers to ``q``, in the JSON shapes of docs/question-bank.md."""
    t = q.type
    if t is T.YES_NO:
        return ["yes" if x else "no" for x in (rng.random(n) < 0.6).tolist()]
    if t is T.SINGLE_CHOICE:
        codes = [o.code for o in q.options]
        return [codes[i] for i in rng.integers(0, len(codes), n).tolist()]
    if t is T.MULTIPLE_CHOICE:
        codes = [o.code for o in q.options]
        picks = rng.random((n, len(codes))) < 0.45
        return [[c for c, p in zip(codes, row, strict=True) if p] for row in picks.tolist()]
    if t is T.RATIO:
        b = rng.integers(0, 60, n)
        a = (rng.random(n) * (b + 1)).astype(np.int64).clip(0, b)
        return [{"numerator": x, "denominator": y} for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    if t is T.NUMBER:
        lo = q.min_value if q.min_value is not None else 0.0
        hi = q.max_value if q.max_value is not None else 2 * (q.scoring.target or 30.0)
        return list(np.round(lo + rng.random(n) * (hi - lo), 1).tolist())
    if t is T.SEVERITY:
        return list(rng.integers(1, 6, n).tolist())
    if t is T.DATE:
        return list(_dates(rng, n, q.scoring.on_or_before or date(2024, 6, 30)))
    if t is T.TEXT:
        return [f"Ghi chú {i}" for i in rng.integers(0, 100, n).tolist()]
    if t is T.TABLE:
        cols = [(c.code, c.type, [o.code for o in c.options]) for c in q.columns]
        return [[{code: _cell(rng, ct, codes) for code, ct, codes in cols} for _ in range(k)]
                for k in rng.integers(0, 4, n).tolist()]
    if t is T.EVIDENCE:
        return [{"document_number": f"{i}/QĐ-UBND", "document_date": "2024-04-22", "files": [i]}
                for i in rng.integers(1, 999, n).tolist()]
    raise ValueError(t)


def make_round(bank: Bank, n_units: int, seed: int = 2026) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Units (code, kind) and their answers (about 95 % of unit × question pairs)."""
    rng = np.random.default_rng(seed)
    kinds = [k.code for k in bank.unit_kinds]
    codes = [f"U{i:05d}" for i in range(n_units)]
    units = pd.DataFrame({"unit_code": codes, "kind": [kinds[i] for i in rng.integers(0, len(kinds), n_units)]})
    parts = []
    for q in bank.questions:
        keep = rng.random(n_units) < 0.95
        vals = np.empty(n_units, dtype=object)
        vals[:] = values_for(q, rng, n_units)
        parts.append(pd.DataFrame({"unit_code": np.array(codes, dtype=object)[keep], "question_code": q.code,
                                   "value": vals[keep]}))
    return units, pd.concat(parts, ignore_index=True)


def score_and_aggregate(bank: Bank, units: pd.DataFrame, answers: pd.DataFrame) -> RoundScores:
    scores = score_round(bank, units, answers)
    question_gap_share(scores.questions)
    group_score_distribution(scores.groups)
    top_bottlenecks(scores.bottlenecks, "group", questions=scores.questions)
    top_bottlenecks(scores.bottlenecks, "section", questions=scores.questions)
    rank_units(scores.groups)
    return scores


def points_matrix(scores: RoundScores, n_units: int, n_questions: int) -> npt.NDArray[np.float64]:
    """The answers as a units × questions matrix of points (NaN: not counted), for the floor."""
    return np.asarray(scores.questions["score"].to_numpy(np.float64)).reshape(n_units, n_questions)


def numpy_floor(points: npt.NDArray[np.float64], weights: npt.NDArray[np.float64],
                members: npt.NDArray[np.float64], group_weights: npt.NDArray[np.float64],
                gap: float) -> npt.NDArray[np.float64]:
    """Weighted group means, index, bands and gap share per question, in plain NumPy."""
    counted = ~np.isnan(points)
    p = np.where(counted, points, 0.0)
    num = (p * weights) @ members
    den = (counted * weights) @ members
    with np.errstate(invalid="ignore", divide="ignore"):
        groups = 100.0 * num / den
        has = den > 0
        index = (np.where(has, groups / 100.0, 0.0) @ group_weights) / (has @ group_weights)
    _bands = np.where(groups >= 80.0, 2, np.where(groups >= 50.0, 1, 0))
    _share = ((p < gap) & counted).sum(axis=0) / counted.sum(axis=0).clip(1)
    return index


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-unit", type=int, default=0, help="also time score_unit on this many units")
    args = parser.parse_args()

    bank = load_bank(BANK)
    nq = len(bank.questions)
    t0 = time.perf_counter()
    units, answers = make_round(bank, args.units)
    gen = time.perf_counter() - t0
    print(f"bank {bank.code} {bank.version}: {len(bank.groups)} groups, {len(bank.sections)} sections, "
          f"{nq} questions ({', '.join(sorted({q.type.value for q in bank.questions}))})")
    print(f"round: {len(units):,} units, {len(answers):,} answers (generated in {gen:.2f} s)")
    print(f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")

    scores = score_and_aggregate(bank, units, answers)  # warm-up, and the result for the floor
    full = best_of(args.repeat, lambda: score_and_aggregate(bank, units, answers))
    only = best_of(args.repeat, lambda: score_round(bank, units, answers))
    print(f"bottleneck entries: {len(scores.bottlenecks):,}")

    points = points_matrix(scores, len(units), nq)
    weights = np.array([q.weight for q in bank.questions])
    g_codes = [g.code for g in bank.groups]
    members = np.zeros((nq, len(g_codes)))
    members[np.arange(nq), [g_codes.index(q.group) for q in bank.questions]] = 1.0
    g_weights = np.array([g.weight for g in bank.groups])
    floor = best_of(max(args.repeat, 5),
                    lambda: numpy_floor(points, weights, members, g_weights, bank.scoring.gap_threshold))

    values = answers["value"].tolist()
    touch = best_of(max(args.repeat, 5), lambda: sum(1 for v in values if v is not None and type(v) is not str))

    print(f"score_round:              {only:.3f} s")
    print(f"score_round + aggregate:  {full:.3f} s  (best of {args.repeat})")
    print(f"NumPy floor:              {floor * 1000:.1f} ms")
    print(f"ratio:                    {full / floor:.0f}x the floor (goal: within 100x; budget: under 1 s)")
    print(f"(Python loop touching each answer once: {touch * 1000:.1f} ms)")
    if args.per_unit:
        by_unit = answers.groupby("unit_code", sort=False)
        chosen = units.head(args.per_unit)
        per = {code: dict(zip(df["question_code"], df["value"], strict=True)) for code, df in by_unit
               if code in set(chosen["unit_code"])}
        t0 = time.perf_counter()
        for code, kind in zip(chosen["unit_code"], chosen["kind"], strict=True):
            score_unit(bank, kind, per.get(code, {}))
        dt = time.perf_counter() - t0
        print(f"score_unit x {len(chosen):,}:      {dt:.3f} s  ({dt / len(chosen) * 1e6:.0f} µs per unit)")


if __name__ == "__main__":
    main()
