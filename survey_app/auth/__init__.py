"""Login, logout, the second factor, password changes and the language switch."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from ..extensions import login_manager


def init_login(app: Flask) -> None:
    from . import sessions

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(sessions.load_user)
    sessions.init_app(app)
