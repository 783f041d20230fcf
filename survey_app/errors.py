"""Error pages: a friendly page in the user's language, never a stack trace.

Every unexpected exception ends in the one 500 handler, which rolls the
database session back and logs the traceback. In debug mode Flask lets the
exception through to the debugger instead (``PROPAGATE_EXCEPTIONS``).
"""

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

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError) -> ResponseReturnValue:
        try:
            db.session.rollback()
        except Exception:  # the database itself may be what failed
            app.logger.exception("Rollback after an error failed")
        app.logger.error("Unhandled error", exc_info=exc.original_exception or exc)
        return render_template("errors/error.html", code=500, csrf=False), 500
