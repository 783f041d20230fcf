from __future__ import annotations

import json
import sys
from dataclasses import asdict

import click
from flask.cli import AppGroup

scores_cli = AppGroup("scores", help="Stored scores, bands and bottlenecks of a round.")


@scores_cli.command("show")
@click.option("--round", "round_code", required=True, help="Code of the survey round.")
@click.option("--unit", "unit_code", default=None, help="Only this unit.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def show(round_code: str, unit_code: str | None, fmt: str) -> None:
    """Print, per unit and group, the stored score (0–100), band and number of bottlenecks."""
    from ..services.scoring import score_lines

    try:
        lines = score_lines(round_code, unit_code)
    except LookupError as exc:
        click.echo(f"Not found: {exc}", err=True)
        sys.exit(1)
    if fmt == "json":
        click.echo(json.dumps([asdict(line) for line in lines], ensure_ascii=False, indent=2))
        return
    click.echo(f"{'unit':<14} {'group':<16} {'status':<12} {'score':>7} {'band':<7} {'bottlenecks':>11}")
    for line in lines:
        score = "" if line.score is None else f"{line.score:.2f}"
        click.echo(f"{line.unit:<14} {line.group:<16} {line.status:<12} {score:>7} {line.band or '':<7} "
                   f"{line.bottlenecks:>11}")


@scores_cli.command("recompute")
@click.option("--round", "round_code", required=True, help="Code of the survey round.")
def recompute(round_code: str) -> None:
    """Recompute the stored scores of every submitted group of a round.

    Run it after correcting a bank's scoring rules; scores never change
    otherwise once a group is submitted.
    """
    from ..services.scoring import recompute_round

    try:
        report = recompute_round(round_code)
    except LookupError:
        click.echo(f"Not found: round {round_code}", err=True)
        sys.exit(1)
    click.echo(f"Recomputed {report.groups} submitted group(s) of round {round_code}.")
    if report.invalid:
        click.echo(f"{len(report.invalid)} stored answer(s) are not valid and were counted as unanswered:")
        for unit, question in report.invalid:
            click.echo(f"  {unit} {question}")
