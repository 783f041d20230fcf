from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name, as shown in the interface.")
@click.option("--unit", "unit_code", required=True, help="Code of the user's unit.")
@click.option("--role", "roles", multiple=True, required=True,
              help="editor, head, reviewer, coordinator or admin; repeat for several.")
@click.option("--email", default=None)
@click.option("--locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.password_option(help="Asked for when not given.")
def create(username: str, full_name: str, unit_code: str, roles: tuple[str, ...], email: str | None,
           locale: str, password: str) -> None:
    """Create user USERNAME with roles in one unit."""
    from ..services.users import UserError, create_user

    try:
        create_user(username, full_name, password, unit_code, list(roles), email=email, locale=locale)
    except UserError as exc:
        click.echo(f"Not created: {exc}", err=True)
        sys.exit(1)
    click.echo(f"User {username} created in {unit_code} as {', '.join(roles)}.")
