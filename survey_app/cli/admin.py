"""Commands for the operators' scheduler: inactive accounts, audit retention, reminders."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

accounts_cli = AppGroup("accounts", help="Account hygiene (TCVN 14423:2026): disable unused accounts.")
audit_cli = AppGroup("audit", help="The audit log's retention.")
reminders_cli = AppGroup("reminders", help="Reviewers' daily digest and the e-mail outbox.")


@accounts_cli.command("disable-inactive")
@click.option("--days", type=int, default=None, help="Days without login (default: INACTIVITY_DAYS, 45).")
def disable_inactive(days: int | None) -> None:
    """Disable every account unused for DAYS days; run it nightly. An admin re-enables."""
    from ..services.admin.users import disable_inactive as run

    days = days or int(current_app.config.get("INACTIVITY_DAYS", 45))
    names = run(days)
    click.echo(f"{len(names)} account(s) disabled after {days} days without login"
               + (f": {', '.join(names)}" if names else "."))


@audit_cli.command("purge")
@click.option("--months", type=int, default=None, help="Keep this many months (default: AUDIT_RETENTION_MONTHS, "
              "at least 12).")
def purge(months: int | None) -> None:
    """Delete audit events older than the retention period; the purge itself is recorded."""
    from ..services.admin.audit_log import purge as run

    months = months or int(current_app.config.get("AUDIT_RETENTION_MONTHS", 12))
    try:
        count = run(months)
    except ValueError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{count} audit event(s) older than {months} months deleted.")


@reminders_cli.command("digest")
def digest() -> None:
    """Queue today's digest for each reviewer with answers awaiting review (once a day)."""
    from ..services.admin.reminders import queue_digests

    click.echo(f"{queue_digests(date.today())} digest(s) queued.")


@reminders_cli.command("send")
def send() -> None:
    """Send the queued e-mails through MAIL_SERVER; failures stay queued for the next run."""
    from ..services.admin.reminders import SmtpSettings, pending, send_outbox

    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        click.echo(f"MAIL_SERVER is not set; {pending()} message(s) stay queued.", err=True)
        sys.exit(1)
    settings = SmtpSettings(host=str(cfg["MAIL_SERVER"]), port=int(cfg.get("MAIL_PORT", 25)),
                            sender=str(cfg.get("MAIL_FROM", "khaosat@localhost")),
                            username=cfg.get("MAIL_USERNAME"), password=cfg.get("MAIL_PASSWORD"),
                            starttls=bool(cfg.get("MAIL_STARTTLS", False)))
    sent, failed = send_outbox(settings)
    click.echo(f"{sent} sent, {failed} failed (kept for the next run).")
    if failed:
        sys.exit(1)
