"""Default settings, overridden from ``SURVEY_*`` environment variables.

Every key below can be set as ``SURVEY_<KEY>``; values are parsed as JSON
when they look like it (``SURVEY_MAX_EVIDENCE_MB=20``). The one most
deployments set is ``SURVEY_DATABASE_URL``::

    SURVEY_DATABASE_URL=postgresql+psycopg://user:pass@db.example/survey

Without it the app uses SQLite in the instance folder, so a first run needs
nothing installed. ``SURVEY_ENV=production`` makes the app refuse to start
with the development secret key or one shorter than 32 bytes, and marks the
cookies ``Secure`` (the site is then served over HTTPS only).
"""

from __future__ import annotations

from datetime import timedelta

DEV_SECRET_KEY = "dev-only-not-secret"

#: Production settings applied over the defaults when ENV is "production".
PRODUCTION: dict[str, object] = {
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
}

MIN_SECRET_KEY_BYTES = 32

DEFAULTS: dict[str, object] = {
    "SECRET_KEY": DEV_SECRET_KEY,
    "ENV": "development",
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "ROUND_TIMEZONE": "Asia/Ho_Chi_Minh",  # whose calendar says when a round opens and is due
    "LANGUAGES": ["vi", "en"],
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": timedelta(days=7),  # a remembered login ends 7 days after it began
    "SESSION_IDLE_MINUTES": 30,  # a session unused this long ends
    "SESSION_MAX_HOURS": 12,  # and any session ends this long after login
    # True: administrators must use a second factor (TOTP), and everyone who
    # enrolled one is asked for a code. Only tests turn it off.
    "TWO_FACTOR": True,
    # Login throttling (per account name; an address gets LOGIN_ADDRESS_FACTOR times more):
    "LOGIN_FREE_FAILURES": 3,  # failures before each attempt must wait 2, 4, 8 … seconds
    "LOGIN_MAX_DELAY_SECONDS": 60,
    "LOGIN_LOCK_AFTER": 10,  # failures within LOGIN_LOCK_MINUTES that lock the account name
    "LOGIN_LOCK_MINUTES": 15,
    "LOGIN_ADDRESS_FACTOR": 5,
    # How many proxies (nginx) stand in front of the app and set X-Forwarded-For/-Proto.
    "PROXY_COUNT": 0,
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
