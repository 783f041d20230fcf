from __future__ import annotations

import time

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="The demo province.")


@demo_cli.command("seed")
@click.option("--units", "extra_units", type=click.IntRange(min=0), default=0,
              help="Add this many generated commune-level units (for benchmarks).")
@click.option("--seed", type=int, default=2024, show_default=True, help="Seed of the generated answers.")
def seed(extra_units: int, seed: int) -> None:
    """Build the demo province: units, users, routing, an open round, answers.

    Idempotent: running it again adds only what is missing.
    """
    from ..services.demo import seed_demo

    started = time.perf_counter()
    report = seed_demo(extra_units=extra_units, seed=seed)
    click.echo(f"Demo province ready in {time.perf_counter() - started:.1f} s: {report.units} units, "
               f"{report.users} users, {report.routing_rules} routing rules, "
               f"{'a new round' if report.round_created else 'round kept'}, {report.responses} responses, "
               f"{report.answers} answers added.")
    click.echo("Demo logins (every demo user has the same password):")
    for username, password in report.logins:
        click.echo(f"  {username:<22} {password}")
