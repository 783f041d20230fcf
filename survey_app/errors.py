"""Error pages: a friendly page in the user's language, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        return render_template("errors/error.html", code=exc.code or 500, csrf=isinstance(exc, CSRFError)), (
            exc.code or 500
        )

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> ResponseReturnValue:
        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=exc)
        return render_template("errors/error.html", code=500, csrf=False), InternalServerError.code
