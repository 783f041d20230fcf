"""Rounding for display, and the red / yellow / green bands.

Scores are kept as floats; they are rounded only to be shown, half up
(2.675 → 2.68, as an official rounds by hand), by :func:`round_score`.

The band of a score is read from its *displayed* value, so what an official
sees decides the colour: a group shown as 80.00 is green when green starts at
0.80, even if the float behind it is 79.99999999999999. To make this cheap for
a whole round, each threshold is turned once into a float cut-off ``c`` with
``x >= c`` exactly when ``round_score(x) >= threshold`` (see :func:`cutoff`).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from survey_app.questionnaires.schema import BandThresholds

#: Decimals shown for 0–100 scores and for the 0–1 index.
SCORE_PLACES = 2
INDEX_PLACES = 4


class Band(StrEnum):
    """Traffic-light band of a score."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def round_score(value: float, places: int = SCORE_PLACES) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, for display.

    The float is read through its shortest decimal form (``repr``), so 2.675
    gives 2.68, not the 2.67 its binary value would give.
    """
    return Decimal(repr(float(value))).quantize(_quantum(places), rounding=ROUND_HALF_UP)


def cutoff(threshold: Decimal, places: int) -> float:
    """The float ``c`` such that ``x >= c`` iff ``round_score(x, places) >= threshold``.

    A displayed value is a multiple of 10^-places, so it reaches the
    threshold when it reaches the threshold rounded up to that grid; the
    value before display does so from half a step below. The shortest-repr
    reading of :func:`round_score` makes the comparison exact for floats.
    """
    step = _quantum(places)
    grid = threshold.quantize(step, rounding=ROUND_CEILING)
    return float(grid - step / 2)


class BandCuts:
    """Cut-offs of a bank's band thresholds, on the 0–100 and the 0–1 scale."""

    __slots__ = ("index_green", "index_yellow", "score_green", "score_yellow")

    def __init__(self, thresholds: BandThresholds) -> None:
        green = Decimal(repr(float(thresholds.green)))
        yellow = Decimal(repr(float(thresholds.yellow)))
        self.score_green = cutoff(green * 100, SCORE_PLACES)
        self.score_yellow = cutoff(yellow * 100, SCORE_PLACES)
        self.index_green = cutoff(green, INDEX_PLACES)
        self.index_yellow = cutoff(yellow, INDEX_PLACES)

    def score_band(self, score: float | None, critical_failed: bool = False) -> Band | None:
        """Band of a 0–100 score; red when a critical question failed."""
        if critical_failed:
            return Band.RED
        if score is None:
            return None
        return _pick(score, self.score_green, self.score_yellow)

    def index_band(self, index: float | None, critical_failed: bool = False) -> Band | None:
        """Band of a 0–1 index; red when a critical question failed."""
        if critical_failed:
            return Band.RED
        if index is None:
            return None
        return _pick(index, self.index_green, self.index_yellow)


def _pick(value: float, green: float, yellow: float) -> Band:
    if value >= green:
        return Band.GREEN
    if value >= yellow:
        return Band.YELLOW
    return Band.RED


#: Codes of the bands in the arrays of a whole round: -1 none, then these.
BAND_CODES: tuple[Band, ...] = (Band.RED, Band.YELLOW, Band.GREEN)


def band_codes(
    values: npt.NDArray[np.float64], green: float, yellow: float, critical_failed: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int8]:
    """Vectorised bands: index into :data:`BAND_CODES`; -1 where ``values`` is NaN
    and no critical question failed."""
    with np.errstate(invalid="ignore"):
        codes = np.where(values >= green, 2, np.where(values >= yellow, 1, 0)).astype(np.int8)
    codes[np.isnan(values)] = -1
    codes[critical_failed] = 0
    return codes


def round_array(values: npt.ArrayLike, places: int = SCORE_PLACES) -> npt.NDArray[np.float64]:
    """:func:`round_score` over an array, as floats (NaN stays NaN).

    Values within a hair of a half step go through :func:`round_score`
    itself, so the result always matches it.
    """
    x = np.asarray(values, dtype=np.float64)
    scale = 10.0**places
    scaled = x * scale
    out = np.floor(scaled + 0.5) / scale
    with np.errstate(invalid="ignore"):
        close = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for i in np.flatnonzero(close).tolist():
        out.flat[i] = float(round_score(float(x.flat[i]), places))
    return out
