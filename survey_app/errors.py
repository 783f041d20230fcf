"""Error pages: a friendly page in the user's language, never a stack trace.

Every unexpected exception ends in the one 500 handler, which rolls the
database session back and logs the traceback. In debug mode Flask lets the
exception through to the debugger instead (``PROPAGATE_EXCEPTIONS``).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


def wants_json() -> bool:
    """Background requests of the pages' scripts (autosave) read JSON, not a page."""
    return request.headers.get("X-Requested-With") == "fetch" or request.accept_mimetypes.best == "application/json"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def form_expired(exc: CSRFError) -> ResponseReturnValue:
        """An expired or missing form token: say so in the user's language."""
        if wants_json():
            return jsonify(ok=False, expired=True, version=None, saved_at=None, errors={}, theirs_html={},
                           message=_("The form expired. Please reload the page.")), 400
        return render_template("errors/error.html", code=400, csrf=True), 400

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
