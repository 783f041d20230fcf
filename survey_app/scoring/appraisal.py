"""A scope's score as the unit scored itself, and as the lead agency appraised it.

One rule, used by the review pages and the workbooks alike: the lead's
appraised score (0–1) of an answer takes the place of the unit's own
question score, and the scope's score is the same weighted mean, rounded
half up once, as every other score (:func:`~survey_app.scoring.index.shown_score`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from survey_app.questionnaires.schema import Question

from .bands import exact
from .index import shown_score
from .results import QuestionResult


def scope_scores(questions: Iterable[Question], results: Mapping[str, QuestionResult],
                 appraised: Mapping[str, float]) -> tuple[float | None, float | None]:
    """The scope's score (0–100, as displayed) from the unit's own question
    scores, and with the lead's ``appraised`` scores (0–1, by question code)
    in place of the unit's own.

    ``results`` are the unit's question results (:func:`score_group`); a
    question without an exact score counts in the appraised score only if
    the lead appraised it.
    """
    self_pairs: list[tuple[Fraction, Fraction]] = []
    appraised_pairs: list[tuple[Fraction, Fraction]] = []
    for q in questions:
        result = results.get(q.code)
        mine = result.exact if result is not None else None
        if mine is not None:
            self_pairs.append((exact(q.weight), mine))
        theirs = exact(appraised[q.code]) if q.code in appraised else mine
        if theirs is not None:
            appraised_pairs.append((exact(q.weight), theirs))
    self_score, appraised_score = shown_score(self_pairs), shown_score(appraised_pairs)
    return (None if self_score is None else float(self_score),
            None if appraised_score is None else float(appraised_score))
