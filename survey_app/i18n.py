"""Interface language: Vietnamese by default, English per user.

The language is the user's saved choice when logged in, otherwise the one
picked on the login page (kept in the signed session cookie). Source strings
are English; ``translations/vi`` holds the Vietnamese catalog, compiled by
``make`` (``pybabel compile``), never by hand.
"""

from __future__ import annotations

from flask import Flask, current_app, session
from flask_babel import get_locale
from flask_login import current_user

from .extensions import babel
from .questionnaires.display import format_fixed


def select_locale() -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    if current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = session.get("locale")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.template_filter("decimal")
    def decimal_filter(value: float, places: int = 2) -> str:
        """Scores in the interface language's convention (86,52 / 86.52)."""
        return format_fixed(value, places, str(get_locale() or "vi"))

    @app.context_processor
    def inject_locale() -> dict[str, object]:
        return {"current_locale": str(get_locale() or "vi")}
