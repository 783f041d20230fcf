"""One rule for numbers: what is typed is read one way, and what is shown reads back the same."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey_app.questionnaires.display import format_input, format_number, parse_number


@pytest.mark.parametrize(("text", "locale", "expected"), [
    ("0,5", "vi", "0.5"),
    ("12.345.678,125", "vi", "12345678.125"),
    ("1.5", "vi", "1.5"),  # not a Vietnamese grouping: read the English way
    ("1.234", "vi", "1234"),
    ("0.5", "vi", "0.5"),
    ("1,234.5", "en", "1234.5"),
    ("1,5", "en", "1.5"),  # not an English grouping: read the Vietnamese way
    ("-3", "en", "-3"),
])
def test_typed_numbers_are_read_by_the_locale_then_the_other(text: str, locale: str, expected: str) -> None:
    assert parse_number(text, locale) == Decimal(expected)


@pytest.mark.parametrize("text", ["1e5", "1_000", "١٢", "mười lăm", "1.2.3", "1.234,", "", "--1", "Infinity"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text, "vi")


@pytest.mark.parametrize(("value", "vi", "en"), [
    (12345678.125, "12345678,125", "12345678.125"),
    (1e10, "10000000000", "10000000000"),
    (1.5, "1,5", "1.5"),
    (0.1, "0,1", "0.1"),
    (7, "7", "7"),
])
def test_a_field_shows_every_digit_and_no_exponent(value: float, vi: str, en: str) -> None:
    assert (format_input(value, "vi"), format_input(value, "en")) == (vi, en)


def test_shown_numbers_are_grouped_but_never_rounded() -> None:
    assert format_number(12345678.125, "vi") == "12.345.678,125"
    assert format_number(12345678.125, "en") == "12,345,678.125"


@given(st.floats(min_value=-1e14, max_value=1e14, allow_nan=False, allow_infinity=False), st.sampled_from(["vi", "en"]))
def test_a_value_read_back_is_the_same_value(value: float, locale: str) -> None:
    assert float(parse_number(format_input(value, locale), locale)) == value


@pytest.mark.parametrize(("locale", "message"), [("en", "Must be at least 1,000.5."),
                                                 ("vi", "Phải từ 1.000,5 trở lên.")])
def test_bounds_are_written_in_the_user_s_language(locale: str, message: str) -> None:
    from wtforms import Form

    from survey_app import create_app
    from survey_app.respond.fields import NumberField

    class F(Form):
        n = NumberField("n", minimum=1000.5)

    app: Flask = create_app({"SECRET_KEY": "t", "DATABASE_URL": "sqlite://", "TESTING": True})
    with app.test_request_context(), force_locale(locale):
        form = F(MultiDict({"n": "12"}))
        assert not form.validate()
        assert [str(e) for e in form.n.errors] == [message]
