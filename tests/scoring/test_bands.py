"""Rounding half up for display, and band cut-offs that follow the displayed value."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_app.questionnaires.schema import BandThresholds
from survey_app.scoring import Band, BandCuts, round_score
from survey_app.scoring.bands import band_codes, exact, round_array, round_half_up


@pytest.mark.parametrize(("value", "places", "shown"), [
    (2.675, 2, "2.68"), (0.125, 2, "0.13"), (0.135, 2, "0.14"), (79.995, 2, "80.00"), (79.99499, 2, "79.99"),
    (66.66666666666667, 2, "66.67"), (100.0, 2, "100.00"), (0.0, 2, "0.00"), (0.62035, 4, "0.6204"),
    (0.62034999, 4, "0.6203"), (0.5, 4, "0.5000"),
])
def test_round_half_up(value: float, places: int, shown: str) -> None:
    assert round_score(value, places) == Decimal(shown)
    assert str(round_score(value, places)) == shown


scores = st.floats(0.0, 100.0, allow_nan=False) | st.integers(0, 10_000).map(lambda i: i / 100) | st.integers(
    0, 100_000).map(lambda i: i / 1000)


@given(st.integers(0, 10**9), st.integers(1, 10**9), st.integers(0, 6))
def test_round_half_up_is_exact(n: int, d: int, places: int) -> None:
    value = Fraction(n, d)
    shown = round_half_up(value, places)
    step = Fraction(1, 10**places)
    assert Fraction(shown) - step / 2 <= value < Fraction(shown) + step / 2


@given(st.decimals(0, 1000, places=3), st.integers(1, 100))
def test_exact_reads_floats_as_their_decimals(d: Decimal, k: int) -> None:
    assert exact(float(d)) == Fraction(d)
    assert exact(k) == k


@given(st.lists(scores, max_size=50))
def test_round_array_matches_round_score(values: list[float]) -> None:
    got = round_array(np.array(values, dtype=float))
    assert got.tolist() == [float(round_score(v)) for v in values]


def test_round_array_keeps_nan() -> None:
    assert np.isnan(round_array(np.array([np.nan]))[0])


def test_band_cuts() -> None:
    cuts = BandCuts(BandThresholds(green=0.8, yellow=0.5))
    # bands are read from displayed (already rounded) values
    assert [cuts.score_band(s) for s in (100, 80, 80.0, 79.99, 50, 49.99, 0)] == [
        Band.GREEN, Band.GREEN, Band.GREEN, Band.YELLOW, Band.YELLOW, Band.RED, Band.RED]
    assert cuts.score_band(None) is None
    assert cuts.score_band(95, critical_failed=True) is Band.RED
    assert cuts.score_band(None, critical_failed=True) is Band.RED
    assert [cuts.index_band(i) for i in (0.8, 0.7999, 0.5)] == [Band.GREEN, Band.YELLOW, Band.YELLOW]


def test_band_codes_vectorised() -> None:
    cuts = BandCuts(BandThresholds(green=0.8, yellow=0.5))
    values = np.array([90.0, 60.0, 10.0, np.nan, 95.0, np.nan])
    failed = np.array([False, False, False, False, True, True])
    assert band_codes(values, cuts.score_green, cuts.score_yellow, failed).tolist() == [2, 1, 0, -1, 0, 0]
