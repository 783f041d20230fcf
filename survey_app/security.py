"""What every request and response goes through: headers, hostile input, the access log.

- Headers: a Content-Security-Policy that allows no inline script or style and
  no framing, ``nosniff``, a strict referrer policy, HSTS over HTTPS, and
  ``Cache-Control: no-store`` on everything but the static files (pages and
  downloads carry a unit's data).
- Hostile input: a NUL or another control character in the path, the query,
  a header or a form value, or a line break where a single line is expected,
  is answered 400 with a message in the user's language, before any view or
  database sees it (PostgreSQL refuses NUL in text, and a line break in a
  redirect target would break the response headers).
- One access-log line per request (logger ``survey_app.access``) with the
  user and the request id.
- Behind ``PROXY_COUNT`` proxies, the client's address and scheme come from
  ``X-Forwarded-For`` and ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask import Flask, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # the QR code of the two-factor enrolment is a data: image
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"

#: Control characters no field may hold (tab, line feed and carriage return are allowed in text).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LINE_BREAK = re.compile(r"[\r\n]")
#: Form fields that are one line by nature: names, buttons, redirect targets, tokens.
SINGLE_LINE_FIELDS = frozenset({"username", "password", "next", "action", "csrf_token", "code", "current", "new",
                                "confirm", "version"})

#: Views that check every posted value themselves and answer with a message next to
#: the field, keeping what was typed (the group form and its autosave): the guard
#: leaves their field values to them, and still checks everything else.
SELF_CHECKED = frozenset({"respond.group_page", "respond.autosave"})

access_log = logging.getLogger("survey_app.access")


def hostile_input() -> str | None:
    """What is wrong with the request's text, or None."""
    if CONTROL.search(request.path) or LINE_BREAK.search(request.path):
        return "path"
    for name, value in request.headers.items():
        if CONTROL.search(value) or LINE_BREAK.search(value):
            return f"header {name}"
    for key, value in request.args.items(multi=True):
        if CONTROL.search(key) or CONTROL.search(value) or LINE_BREAK.search(key) or LINE_BREAK.search(value):
            return f"query {key!r}"
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        self_checked = request.endpoint in SELF_CHECKED
        for key, value in request.form.items(multi=True):
            if self_checked and key not in ("csrf_token", "base_version"):
                value = ""  # the view checks it and answers next to the field
            if CONTROL.search(key) or CONTROL.search(value) or LINE_BREAK.search(key):
                return f"field {key!r}"
            if (key in SINGLE_LINE_FIELDS or key.endswith("-version")) and LINE_BREAK.search(value):
                return f"field {key!r}"
        for key, file in request.files.items(multi=True):
            if CONTROL.search(key) or CONTROL.search(file.filename or "") or LINE_BREAK.search(file.filename or ""):
                return f"file {key!r}"
    return None


def note_user(user: Any) -> None:
    """Remember the name of the session's user, as loaded, for the request's access line:
    a save commits, which expires the user, and reading the name again would cost a query."""
    g.access_user = (user, user.username)


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    @app.before_request
    def _start() -> ResponseReturnValue | None:
        g.started = time.perf_counter()
        problem = hostile_input()
        if problem is None:
            return None
        app.logger.warning("Refused a request with control characters in its %s", problem)
        message = _("The request contains characters that cannot be saved (control characters or line breaks "
                    "where one line is expected). Remove them, or go back and reload the page, and try again.")
        return render_template("errors/error.html", code=400, csrf=False, message=message), 400

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.after_request
    def _access_log(response: Response) -> Response:
        started = g.get("started")
        millis = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        noted = g.get("access_user")
        if noted is not None and noted[0] is current_user._get_current_object():
            user = noted[1]  # as loaded: no query, even after a commit expired the user
        else:
            try:
                user = current_user.username if current_user.is_authenticated else "-"
            except Exception:  # the user could not be loaded (a broken database): still log the line
                user = "?"
        access_log.info('%s "%s %s" %s %s %.1fms user=%s rid=%s', request.remote_addr, request.method,
                        request.full_path.rstrip("?"), response.status_code,
                        response.calculate_content_length() or "-", millis, user, g.get("request_id", "-"))
        return response
