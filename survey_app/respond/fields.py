"""Form fields for answers typed the Vietnamese way: 1.234,5 and dd/mm/yyyy.

Each field keeps exactly what the user typed when it cannot read it, so the
page shows the text again next to the message instead of losing it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..questionnaires.display import format_input, format_number, parse_number

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms < 3.3 takes (value, label) pairs
    SelectChoice = None

MAX_TEXT = 10_000
MAX_DIGITS = 15  # whole-number digits of a number answer (also exact in JavaScript)


class NumberField(StringField):
    """A number in the user's convention; ``data`` is a float or None."""

    def __init__(self, label: Any = None, validators: Any = None, *, minimum: float | None = None,
                 maximum: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})  # a phone shows its number keys
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.number: float | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw_data = valuelist
        self.data = valuelist[0] if valuelist else ""

    def process_data(self, value: Any) -> None:
        self.number = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        self.data = "" if self.number is None else format_input(self.number, _locale())

    def pre_validate(self, form: Any) -> None:
        text = (self.data or "").strip()
        self.number = None
        if not text:
            return
        if len(text) > 40:
            raise ValidationError(_l("Enter a number."))
        try:
            number = parse_number(text, _locale())
        except ValueError:
            raise ValidationError(_l("Enter a number, such as 1.234,5.")) from None
        if not number.is_finite() or number.adjusted() >= MAX_DIGITS:  # 1e999 would not even be a float
            raise ValidationError(_l("Enter a number."))
        if len(number.normalize().as_tuple().digits) > MAX_DIGITS:  # a float would not keep them all
            raise ValidationError(_l("Enter at most %(max)d significant digits.", max=MAX_DIGITS))
        if self.minimum is not None and number < Decimal(str(self.minimum)):
            raise ValidationError(_l("Must be at least %(min)s.", min=format_number(self.minimum, _locale())))
        if self.maximum is not None and number > Decimal(str(self.maximum)):
            raise ValidationError(_l("Must be at most %(max)s.", max=format_number(self.maximum, _locale())))
        self.number = int(number) if number == number.to_integral_value() else float(number)


def province_today() -> date:
    """Today where the province is (``TIMEZONE``, Asia/Ho_Chi_Minh unless configured), not on the server's clock."""
    zone = current_app.config.get("TIMEZONE", "Asia/Ho_Chi_Minh")
    return datetime.now(ZoneInfo(zone)).date()


def _locale() -> str:
    return str(get_locale() or "vi")


class DateTextField(StringField):
    """A date typed as dd/mm/yyyy (ISO yyyy-mm-dd is read too); ``iso`` holds it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
        super().__init__(*args, **kwargs)
        self.iso: str | None = None

    def process_data(self, value: Any) -> None:
        self.iso = value if isinstance(value, str) and value else None
        self.data = date.fromisoformat(value).strftime("%d/%m/%Y") if self.iso else ""

    def pre_validate(self, form: Any) -> None:
        text = (self.data or "").strip()
        self.iso = None
        if not text:
            return
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                parsed = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if not 1900 <= parsed.year <= 2100:
                break
            self.iso = parsed.isoformat()
            return
        raise ValidationError(_l("Enter a real date as dd/mm/yyyy, such as 22/04/2024."))


class MultiCheckboxField(SelectMultipleField):
    """Several options as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        known = {str(choice_value(c)) for c in self.choices or []}  # type: ignore[union-attr]
        if any(v not in known for v in self.data or []):
            raise ValidationError(_l("Choose among the options shown."))


def field_choices(pairs: list[tuple[str, Any]]) -> list[Any]:
    """(value, label) pairs as WTForms wants them: it deprecates plain tuples from 3.3 on."""
    if SelectChoice is None:  # WTForms < 3.3
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


def choice_value(choice: Any) -> Any:
    return choice[0] if isinstance(choice, tuple) else choice.value


def check_choice(field: Any, choices: list[tuple[str, Any]]) -> None:
    """A radio answer must be one of its options (or empty, in a draft)."""
    if field.data not in (None, "", "None") and field.data not in {c for c, _ in choices}:
        raise ValidationError(_l("Choose among the options shown."))
