"""Send a workbook; the service decides who may have it and records the download.

The workbook is built in constant memory into a temporary file that is
streamed to the browser and removed when the response closes, so a large
workbook never sits in a worker's memory.
"""

from __future__ import annotations

import tempfile

from flask import Blueprint, abort, send_file
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_required

from ..exports import WorkbookKind
from ..services.access import NotAllowed
from ..services.exports import Target, export_workbook

bp = Blueprint("downloads", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _send(round_code: str, target: Target) -> ResponseReturnValue:
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (closed by send_file when the response ends)
    try:
        result = export_workbook(current_user, round_code, target, str(get_locale() or "vi"), handle)
    except (LookupError, NotAllowed):
        handle.close()
        abort(404)
    handle.seek(0)
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=result.filename)


@bp.get("/rounds/<round_code>/units/<unit_code>/workbook.xlsx")
@login_required
def unit_workbook(round_code: str, unit_code: str) -> ResponseReturnValue:
    return _send(round_code, Target(WorkbookKind.UNIT, unit_code))


@bp.get("/rounds/<round_code>/leads/<unit_code>/workbook.xlsx")
@login_required
def lead_workbook(round_code: str, unit_code: str) -> ResponseReturnValue:
    return _send(round_code, Target(WorkbookKind.LEAD, unit_code))


@bp.get("/rounds/<round_code>/province/workbook.xlsx")
@login_required
def province_workbook(round_code: str) -> ResponseReturnValue:
    return _send(round_code, Target(WorkbookKind.PROVINCE))
