"""Command groups of ``flask --app survey_app``; each docstring is the help."""

from __future__ import annotations

from flask import Flask

from .admin import accounts_cli, audit_cli, reminders_cli
from .bank import bank_cli
from .demo import demo_cli
from .export import export_command
from .scores import scores_cli
from .users import users_cli


def init_app(app: Flask) -> None:
    for group in (bank_cli, demo_cli, scores_cli, users_cli, accounts_cli, audit_cli, reminders_cli):
        app.cli.add_command(group)
    app.cli.add_command(export_command)
