"""survey_app: the five-group Project 06 self-assessment of a province."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

from .config import DEFAULTS, DEV_SECRET_KEY, MIN_SECRET_KEY_BYTES, PRODUCTION, database_uri


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    Settings come from :mod:`survey_app.config`, then ``SURVEY_*`` environment
    variables, then ``test_config`` (tests pass a dict instead of touching the
    environment).
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_prefixed_env("SURVEY")
    else:
        app.config.from_mapping(test_config)
    if app.config["ENV"] == "production":
        app.config.from_mapping(PRODUCTION)
    if isinstance(app.config["REMEMBER_COOKIE_DURATION"], int):  # seconds, from the environment
        app.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"])
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app.config["DATABASE_URL"], app.instance_path)
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_EVIDENCE_MB"]) + 1) * 1024 * 1024
    refuse_dev_secret_in_production(app)

    from .security import init_app as init_security

    init_security(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    from .errors import register_error_handlers

    register_error_handlers(app)
    register_request_origin(app)
    return app


def register_request_origin(app: Flask) -> None:
    """Tell the audit trail where each request comes from: address and request id.

    Behind nginx the request id comes from ``X-Request-Id``; otherwise one is made.
    """
    import uuid

    from flask import g, request

    from .services.audit import Origin, set_origin

    @app.before_request
    def _origin() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        rid = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        g.request_id = rid
        set_origin(Origin(source_ip=request.remote_addr, request_id=rid))


def refuse_dev_secret_in_production(app: Flask) -> None:
    """Stop a production start that would sign sessions with a public or guessable key."""
    if app.config["ENV"] != "production":
        return
    key = app.config["SECRET_KEY"] or ""
    size = len(key.encode() if isinstance(key, str) else key)
    if key == DEV_SECRET_KEY or size < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(
            f"SURVEY_SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_BYTES} bytes in "
            "production (SURVEY_ENV=production), e.g. python -c 'import secrets; print(secrets.token_hex(32))'; "
            "refusing to start."
        )


def register_extensions(app: Flask) -> None:
    from . import i18n, models  # noqa: F401  (models register their tables)
    from .auth import init_login
    from .extensions import csrf, db, migrate

    db.init_app(app)
    migrations = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
    migrate.init_app(app, db, render_as_batch=True, directory=migrations)
    csrf.init_app(app)
    init_login(app)
    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .admin.routes import bp as admin_bp
    from .auth.routes import bp as auth_bp
    from .downloads.routes import bp as downloads_bp
    from .main.routes import bp as main_bp
    from .respond.routes import bp as respond_bp
    from .review.routes import bp as review_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(downloads_bp)
    app.register_blueprint(review_bp)


def register_commands(app: Flask) -> None:
    from .cli import init_app as init_cli

    init_cli(app)
