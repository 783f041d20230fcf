"""Exact values, rounding for display, and the red / yellow / green bands.

Every number of the method is a rational number: the bank's weights, points,
targets and thresholds are read as the decimals they are written as (0.2 is
one fifth, not the nearest binary float), and answers are whole numbers or
decimals. :func:`exact` turns such a number into a :class:`~fractions.Fraction`.

A displayed figure is the exact result of its formula rounded half up once
(:func:`round_half_up`): 2 decimals for 0–100 scores, 4 for the index. The
band is cut on that displayed value, so what the official sees decides the
colour, and scaling all weights by a constant changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from survey_app.questionnaires.schema import BandThresholds

#: Decimals shown for 0–100 scores and for the 0–1 index.
SCORE_PLACES = 2
INDEX_PLACES = 4

#: How close (in units of the last displayed decimal) a float may come to a
#: rounding boundary before the exact value is computed instead. Float sums
#: of a bank's few dozen terms are off by far less than this.
NEAR_HALF = 1e-6


class Band(StrEnum):
    """Traffic-light band of a score."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


def exact(x: float | int | Fraction | Decimal) -> Fraction:
    """The exact value of a bank or answer number: a float is read as the
    shortest decimal that prints it (0.1 is 1/10)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def round_half_up(value: Fraction, places: int = SCORE_PLACES) -> Decimal:
    """The exact ``value`` rounded half up to ``places`` decimals."""
    scale = 10**places
    n = value * scale
    whole: int = (n.numerator * 2 + n.denominator) // (2 * n.denominator)  # floor(n + 1/2)
    return Decimal(whole).scaleb(-places)


def round_score(value: float | Fraction, places: int = SCORE_PLACES) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, for display.

    A float is read through its shortest decimal form (``repr``), so 2.675
    gives 2.68, not the 2.67 its binary value would give.
    """
    return round_half_up(exact(value), places)


class BandCuts:
    """A bank's band thresholds on the 0–100 and the 0–1 scale, as exact decimals.

    Bands are always read from a *displayed* (already rounded) value.
    """

    __slots__ = ("index_green", "index_yellow", "score_green", "score_yellow")

    def __init__(self, thresholds: BandThresholds) -> None:
        green, yellow = exact(thresholds.green), exact(thresholds.yellow)
        self.score_green = green * 100
        self.score_yellow = yellow * 100
        self.index_green = green
        self.index_yellow = yellow

    def score_band(self, shown: float | Decimal | None, critical_failed: bool = False) -> Band | None:
        """Band of a displayed 0–100 score; red when a critical question failed."""
        if critical_failed:
            return Band.RED
        if shown is None:
            return None
        return _pick(exact(shown), self.score_green, self.score_yellow)

    def index_band(self, shown: float | Decimal | None, critical_failed: bool = False) -> Band | None:
        """Band of a displayed 0–1 index; red when a critical question failed."""
        if critical_failed:
            return Band.RED
        if shown is None:
            return None
        return _pick(exact(shown), self.index_green, self.index_yellow)


def _pick(value: Fraction, green: Fraction, yellow: Fraction) -> Band:
    if value >= green:
        return Band.GREEN
    if value >= yellow:
        return Band.YELLOW
    return Band.RED


#: Codes of the bands in the arrays of a whole round: -1 none, then these.
BAND_CODES: tuple[Band, ...] = (Band.RED, Band.YELLOW, Band.GREEN)


def band_codes(
    shown: npt.NDArray[np.float64], green: Fraction, yellow: Fraction, critical_failed: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int8]:
    """Vectorised bands of displayed values: index into :data:`BAND_CODES`;
    -1 where ``shown`` is NaN and no critical question failed.

    ``shown`` holds floats of decimals with few places and the thresholds
    are such decimals too, so the float comparison is the exact one.
    """
    g, y = float(green), float(yellow)
    with np.errstate(invalid="ignore"):
        codes = np.where(shown >= g, 2, np.where(shown >= y, 1, 0)).astype(np.int8)
    codes[np.isnan(shown)] = -1
    codes[critical_failed] = 0
    return codes


def near_half(values: npt.NDArray[np.float64], places: int) -> npt.NDArray[np.bool_]:
    """Where a float is too close to a rounding boundary to be rounded as a float."""
    scaled = values * 10.0**places
    with np.errstate(invalid="ignore"):
        return np.asarray(np.abs(scaled - np.floor(scaled) - 0.5) < NEAR_HALF, dtype=bool)


def round_floats(values: npt.NDArray[np.float64], places: int) -> tuple[npt.NDArray[np.float64],
                                                                      npt.NDArray[np.bool_]]:
    """Floats rounded half up to ``places`` decimals (NaN stays NaN), and where
    that is not safe (:func:`near_half`): the caller puts the exact result there."""
    scale = 10.0**places
    return np.floor(values * scale + 0.5) / scale, near_half(values, places)


def round_array(values: npt.ArrayLike, places: int = SCORE_PLACES) -> npt.NDArray[np.float64]:
    """:func:`round_score` over an array of floats, as floats (NaN stays NaN).

    Values within a hair of a half step go through :func:`round_score`
    itself, so the result always matches it.
    """
    x = np.asarray(values, dtype=np.float64)
    out, near = round_floats(x, places)
    for i in np.flatnonzero(near).tolist():
        out.flat[i] = float(round_score(float(x.flat[i]), places))
    return out
