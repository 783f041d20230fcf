"""Default settings, overridden from ``SURVEY_*`` environment variables.

Every key below can be set as ``SURVEY_<KEY>``; values are parsed as JSON
when they look like it (``SURVEY_MAX_EVIDENCE_MB=20``). The one most
deployments set is ``SURVEY_DATABASE_URL``::

    SURVEY_DATABASE_URL=postgresql+psycopg://user:pass@db.example/survey

Without it the app uses SQLite in the instance folder, so a first run needs
nothing installed. ``SURVEY_ENV=production`` makes the app refuse to start
with the development secret key.
"""

from __future__ import annotations

DEV_SECRET_KEY = "dev-only-not-secret"

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": DEV_SECRET_KEY,
    "ENV": "development",
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ["vi", "en"],
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "MAX_EVIDENCE_MB": 10,
    "MAX_FORM_PARTS": 5000,  # a group page with long tables posts many fields
    "WTF_CSRF_TIME_LIMIT": None,  # a form left open all afternoon still saves
    # Review by lead agencies: returns per scope and round, days after which a
    # submission waiting for review stands out, and the reasons for a return
    # ({"code": {"vi": ..., "en": ...}}; None: the defaults of services/review/scopes.py).
    "REVIEW_MAX_RETURNS": 2,
    "REVIEW_STALE_DAYS": 14,
    "REVIEW_RETURN_REASONS": None,
}


def database_uri(url: str | None, instance_path: str) -> str:
    """The SQLAlchemy URI for ``url``, defaulting to SQLite in the instance folder.

    Plain ``postgresql://`` and ``postgres://`` URLs are pointed at psycopg 3,
    the driver this app ships with.
    """
    if not url:
        return f"sqlite:///{instance_path}/survey.sqlite3"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
