"""Warm a process's caches before it serves, so that no user waits for them.

gunicorn loads the app once in its master (``preload_app``) and forks the
workers from it: what :func:`warm` fills there, every worker inherits. It
compiles the templates, loads the interface's translations and Babel's
locale data (number separators, date formats), reads the
question banks of the rounds not yet closed and builds their group forms,
and reads those rounds' dashboard boards (every unit's row, which a worker
then only brings up to date: ``services/review/dashboards.py``); then it
closes every database connection it opened, so that no worker inherits a
connection of the master's (``deploy/gunicorn.conf.py``).

Everything warmed is a cache keyed by content (a bank's fingerprint, a
template's name) or checked against the database before use (a board reads
the round's changes since it was read): a bank published later is read on
first use as before, and nothing here is state that another server would lack.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, format_datetime, get_translations

from .clock import now
from .extensions import db
from .questionnaires.display import number_symbols
from .respond.forms import group_form_class
from .scoring import applies_to_kind
from .services.banks import open_round_banks
from .services.review import dashboards
from .services.review.scopes import ReviewSettings
from .services.rounds import province_today

TEMPLATE_SUFFIXES = (".html", ".txt")


def warm(app: Flask) -> None:
    """Fill the process's caches from ``app``; leave no database connection open."""
    for name in app.jinja_env.list_templates():
        if name.endswith(TEMPLATE_SUFFIXES):
            app.jinja_env.get_template(name)
    languages: list[str] = app.config["LANGUAGES"]
    with app.test_request_context():
        for language in languages:
            with force_locale(language):
                get_translations()
                number_symbols(language)  # Babel reads the language's locale data on first use
                format_datetime(now(), "HH:mm")
        try:
            for fingerprint, bank, kinds in open_round_banks():
                for group in bank.groups:
                    for kind in kinds:
                        shown = frozenset(q.code for q in group.questions if applies_to_kind(q, kind))
                        for language in languages:
                            group_form_class(fingerprint, group, shown, language)
            dashboards.warm(ReviewSettings.from_config(app.config), province_today())
        finally:
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()  # the workers open their own connections
