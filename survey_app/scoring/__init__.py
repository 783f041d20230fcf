"""The scoring engine: question scores, group and section scores, the
overall index, bands, the bottleneck register, and aggregation over a round.

Pure: imports only the standard library, NumPy, pandas and the bank schema
(never Flask, SQLAlchemy or the models). The method is described in
``docs/scoring.md``.
"""

from __future__ import annotations

from .aggregate import group_score_distribution, question_gap_share, rank_units, top_bottlenecks
from .appraisal import scope_scores
from .bands import Band, BandCuts, round_score
from .batch import question_scores, score_round
from .bottlenecks import default_leads, lead_agencies
from .conditions import applies_to_kind, condition_holds, visibility
from .engine import evaluate_question, score_group, score_unit, unit_index
from .frames import RoundScores, answers_frame, frames_from_results
from .results import Bottleneck, BottleneckKind, GroupResult, QuestionResult, SectionResult, UnitResult
from .scorers import SCORERS, Outcome, Scorer, Status, is_scored, score_answer

__all__ = [
    "SCORERS",
    "Band",
    "BandCuts",
    "Bottleneck",
    "BottleneckKind",
    "GroupResult",
    "Outcome",
    "QuestionResult",
    "RoundScores",
    "Scorer",
    "SectionResult",
    "Status",
    "UnitResult",
    "answers_frame",
    "applies_to_kind",
    "condition_holds",
    "default_leads",
    "evaluate_question",
    "frames_from_results",
    "group_score_distribution",
    "is_scored",
    "lead_agencies",
    "question_gap_share",
    "question_scores",
    "rank_units",
    "round_score",
    "scope_scores",
    "score_answer",
    "score_group",
    "score_round",
    "score_unit",
    "top_bottlenecks",
    "unit_index",
    "visibility",
]
