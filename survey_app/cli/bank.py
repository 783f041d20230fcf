from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..questionnaires import BankValidationError, load_bank

bank_cli = AppGroup("bank", help="Validate and load question-bank versions.")


@bank_cli.command("validate")
@click.argument("path", type=click.Path(file_okay=False))
def validate(path: str) -> None:
    """Check the bank in folder PATH; list every problem at once.

    Exits 0 with a summary (groups and questions per group), or 1 with the
    problems, each naming its file, question and field.
    """
    try:
        bank = load_bank(path)
    except BankValidationError as exc:
        click.echo(f"{len(exc.errors)} problem(s) in {path}:", err=True)
        for problem in exc.errors:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    click.echo(f"Bank {bank.code} version {bank.version}: {len(bank.groups)} groups, "
               f"{len(bank.questions)} questions")
    for group in bank.groups:
        click.echo(f"  {group.code:<16} {len(group.questions):>3} questions  weight {group.weight:g}  "
                   f"sections: {', '.join(s.code for s in group.sections)}")


@bank_cli.command("load")
@click.argument("path", type=click.Path(file_okay=False))
def load(path: str) -> None:
    """Load the bank in folder PATH as a version into the database.

    Loading the same content again changes nothing; changing a version that
    a survey round already uses is refused.
    """
    from ..services.banks import BankInUse, load_bank_version

    try:
        outcome = load_bank_version(path)
    except BankValidationError as exc:
        click.echo(f"{len(exc.errors)} problem(s) in {path}; nothing loaded:", err=True)
        for problem in exc.errors:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except BankInUse as exc:
        click.echo(f"Refused: {exc}", err=True)
        sys.exit(1)
    bank = outcome.bank
    click.echo(f"Bank {bank.code} version {bank.version}: {outcome.status.value} "
               f"({len(bank.questions)} questions).")
