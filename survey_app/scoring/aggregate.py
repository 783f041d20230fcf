"""Aggregation over the units of a round, with pandas.

Inputs are the frames of :class:`~.batch.RoundScores` (from
:func:`~.batch.score_round` or :func:`~.batch.frames_from_results`), or the
same columns as plain records. Outputs are DataFrames in bank order.

One denominator throughout: the units that *answered* the question (for a
critical question, an unanswered one counts as an answer that failed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from .bands import BAND_CODES, round_array
from .results import BottleneckKind

Frame: TypeAlias = pd.DataFrame | Iterable[Mapping[str, object]]


def _frame(data: Frame) -> pd.DataFrame:
    return data if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))


def question_gap_share(questions: Frame) -> pd.DataFrame:
    """Per question: how many units it applied to, answered (scored answers), had a gap, and the share.

    ``share`` = units with a gap ÷ units whose applicable answer was scored
    (NaN when none was: unscored questions, or nobody answered). Also the
    number of units where the question is critical and failed.
    """
    df = _frame(questions)
    counted = df["applicable"].to_numpy(bool) & df["answered"].to_numpy(bool) & df["score"].notna().to_numpy()
    work = pd.DataFrame({
        "question": df["question"],
        "applicable": df["applicable"].astype(bool),
        "answered": counted,
        "gaps": df["gap"].to_numpy(bool) & counted,
        "critical_failed": df["failed_critical"].astype(bool),
    })
    out = work.groupby("question", observed=False, sort=True).sum()
    where = df.drop_duplicates("question").set_index("question")[["group", "section"]]
    out = where.reindex(out.index).join(out)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share"] = np.where(out["answered"] > 0, out["gaps"] / out["answered"].replace(0, 1), np.nan)
    return out.reset_index()[["question", "group", "section", "applicable", "answered", "gaps", "share",
                              "critical_failed"]]


def group_score_distribution(groups: Frame) -> pd.DataFrame:
    """Per group: units with a score, mean, std, min, quartiles, max, and units per band."""
    df = _frame(groups)
    by = df.groupby("group", observed=False, sort=True)["score"]
    out = by.agg(units="count", mean="mean", std="std", min="min", max="max")
    q = by.quantile(np.array([0.25, 0.5, 0.75])).unstack()
    out["q1"], out["median"], out["q3"] = q[0.25], q[0.5], q[0.75]
    out["no_score"] = by.size() - out["units"]
    bands = pd.crosstab(df["group"], pd.Categorical(df["band"], categories=[b.value for b in BAND_CODES]),
                        dropna=False)
    for b in BAND_CODES:
        out[b.value] = bands[b.value].reindex(out.index, fill_value=0) if b.value in bands else 0
    return out.reset_index()[["group", "units", "mean", "std", "min", "q1", "median", "q3", "max",
                              "red", "yellow", "green", "no_score"]]


def top_bottlenecks(
    bottlenecks: Frame,
    per: Literal["group", "section"] = "group",
    n: int = 10,
    questions: Frame | None = None,
) -> pd.DataFrame:
    """The most frequent bottlenecks per group or section ("top failed indicators").

    A bottleneck is a question and kind, and for ``option`` entries the
    option picked. ``units`` counts the units with it, ``entries`` its
    register rows (a table can give several per unit). With ``questions``,
    ``answered`` and ``rate`` = units ÷ answered are added. Ties are broken
    by bank order.
    """
    if per not in ("group", "section"):
        raise ValueError("per must be 'group' or 'section'")
    df = _frame(bottlenecks)
    item = df["item_key"].where(df["kind"] == BottleneckKind.OPTION.value, "")
    work = pd.DataFrame({per: df[per], "question": df["question"], "kind": df["kind"], "item": item})
    out = _units_and_entries(work, df["unit"])
    if questions is not None:
        answered = _answered_per_question(_frame(questions))
        out["answered"] = out["question"].map(answered).astype("int64")
        out["rate"] = out["units"] / out["answered"].where(out["answered"] > 0)
    out = out.sort_values([per, "units", "question", "kind", "item"], ascending=[True, False, True, True, True],
                          kind="stable")
    out["rank"] = out.groupby(per, observed=True).cumcount() + 1
    return out[out["rank"] <= n].reset_index(drop=True)


def _codes(column: pd.Series) -> npt.NDArray[np.int64]:
    """Integer codes of a column's values, -1 for a missing value."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(column.cat.codes, dtype=np.int64)
    return np.asarray(pd.factorize(column)[0], dtype=np.int64)


def _units_and_entries(keys: pd.DataFrame, unit: pd.Series) -> pd.DataFrame:
    """Per distinct row of ``keys`` (rows with a missing key left out): the keys,
    ``units`` (distinct values of ``unit``) and ``entries`` (rows), on integer
    codes instead of a groupby and a drop_duplicates over the strings."""
    codes = [_codes(keys[k]) for k in keys.columns]
    kept = np.flatnonzero(np.logical_and.reduce([c >= 0 for c in codes])) if codes else np.arange(len(keys))
    dims = tuple(int(c.max(initial=-1)) + 1 for c in codes)
    group = np.ravel_multi_index(tuple(c[kept] for c in codes), dims) if len(kept) else kept
    distinct, first, which, entries = np.unique(group, return_index=True, return_inverse=True, return_counts=True)
    who = _codes(unit)[kept] + 1  # 0: a missing unit, counted as one
    span = int(who.max(initial=0)) + 1
    pairs = np.sort(which * span + who)  # (group, unit), each distinct pair counted once below
    new_pair = np.ones(len(pairs), dtype=bool)
    new_pair[1:] = pairs[1:] != pairs[:-1]
    units = np.bincount(pairs[new_pair] // span, minlength=len(distinct))
    out = keys.iloc[kept[first]].reset_index(drop=True).infer_objects()  # dtypes as a groupby's keys
    out["units"] = units.astype(np.int64)
    out["entries"] = entries.astype(np.int64)
    return out


def _answered_per_question(df: pd.DataFrame) -> pd.Series:
    counted = df["applicable"].astype(bool) & (df["answered"].astype(bool) | df["failed_critical"].astype(bool))
    return counted.groupby(df["question"], observed=False).sum()


def rank_units(group_scores: Frame) -> pd.DataFrame:
    """Units ranked per group by their displayed score, best first, like with like.

    Equal displayed scores share a rank (dense ranking: 1, 1, 2); a unit
    without a score has no rank. Pass ``RoundScores.groups``. To rank the
    index, pass ``RoundScores.units`` with ``index`` renamed ``score`` and a
    constant ``group``: when the frame has ``counted_groups`` and
    ``applicable_groups``, only complete indexes (every applicable group
    counted) are ranked, among themselves; a partial index has no rank and
    keeps its ``coverage`` ("3/5") for display.
    """
    df = _frame(group_scores)
    shown = pd.Series(round_array(df["score"].to_numpy(np.float64)), index=df.index)
    if "counted_groups" in df and "applicable_groups" in df:
        counted = df["counted_groups"].to_numpy(np.int64)
        applicable = df["applicable_groups"].to_numpy(np.int64)
        complete = (counted == applicable) & (applicable > 0)
        shown = shown.where(complete)
        coverage = [f"{c}/{a}" for c, a in zip(counted.tolist(), applicable.tolist(), strict=True)]
    else:
        coverage = None
    rank = shown.groupby(df["group"], observed=True).rank(method="dense", ascending=False)
    out = pd.DataFrame({"group": df["group"], "unit": df["unit"], "score": df["score"],
                        "rank": rank.astype("Int64")})
    if coverage is not None:
        out["coverage"] = coverage
    return out.sort_values(["group", "rank", "unit"], kind="stable", na_position="last").reset_index(drop=True)
