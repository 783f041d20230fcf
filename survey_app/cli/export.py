from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..exports import WorkbookKind


@click.command("export")
@click.option("--round", "round_code", required=True, help="Code of the survey round.")
@click.option("--lead", "lead", default=None, metavar="CODE", help="A lead agency's workbook: its scopes only.")
@click.option("--unit", "unit", default=None, metavar="CODE", help="One unit's workbook.")
@click.option("--province", is_flag=True, help="The province's workbook: every unit and scope.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The .xlsx file to write.")
@click.option("--lang", "locale", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of sheet names and headers.")
@with_appcontext
def export_command(round_code: str, lead: str | None, unit: str | None, province: bool, out: Path,
                   locale: str) -> None:
    """Write a consolidated Excel workbook of a round: a lead agency's, a unit's or the province's.

    Built in constant memory, so a national round does not need a large
    server; the export is recorded in the audit trail.
    """
    from ..services.exports import Target, export_workbook

    chosen = [kind for kind, given in ((WorkbookKind.LEAD, lead), (WorkbookKind.UNIT, unit),
                                       (WorkbookKind.PROVINCE, province)) if given]
    if len(chosen) != 1:
        click.echo("Choose exactly one of --lead CODE, --unit CODE or --province.", err=True)
        sys.exit(2)
    kind = chosen[0]
    target = Target(kind, lead if kind is WorkbookKind.LEAD else unit)
    try:
        result = export_workbook(None, round_code, target, locale, out, channel="cli")
    except LookupError as exc:
        click.echo(f"Not found: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {out}: {result.units} unit(s), {len(result.stats.sheets)} sheets, "
               f"{result.stats.cells} cells" + (f", {result.stats.cut_texts} long text(s) continued on their own "
                                               "sheet" if result.stats.cut_texts else "") + ".")
