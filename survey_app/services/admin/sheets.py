"""Reading a list (units, users) from the first sheet of an uploaded workbook.

The first row names the columns; every problem is reported by row and
column, and the caller stores nothing unless there are none.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ...questionnaires.xlsx import MAX_UPLOAD_BYTES, check_workbook_zip
from . import Msg


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int | None
    column: str | None
    message: str


class ImportRejected(Exception):
    """Nothing was imported; ``problems`` lists why, by row and column."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def read_rows(data: bytes, required: tuple[str, ...],
              optional: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each filled row of the first sheet.

    :raises ImportRejected: for a file that is not a workbook, too large,
        with wrong columns, or with empty rows between filled ones.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRejected([RowProblem(None, None, Msg("the file is %(size)d MB; the limit is %(limit)d MB",
                                             size=len(data) // (1024 * 1024),
                                             limit=MAX_UPLOAD_BYTES // (1024 * 1024)))])
    zip_problems = check_workbook_zip(data)
    if zip_problems:
        raise ImportRejected([RowProblem(None, None, p.message) for p in zip_problems])
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise ImportRejected([RowProblem(None, None, Msg("the workbook could not be read"))]) from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        problems = [RowProblem(1, name, Msg("required column is missing")) for name in required if name not in header]
        problems += [RowProblem(1, name, Msg("unknown column")) for name in header
                     if name and name not in required and name not in optional]
        out: list[tuple[int, dict[str, str]]] = []
        blank: list[int] = []
        for number, raw in enumerate(rows, start=2):
            cells = {header[i]: _text(v) for i, v in enumerate(raw) if i < len(header) and header[i] and _text(v)}
            if not cells:
                blank.append(number)
                continue
            problems += [RowProblem(b, None, Msg("empty row between rows; delete it")) for b in blank]
            blank = []
            out.append((number, cells))
    finally:
        book.close()
    if not out and not problems:
        problems.append(RowProblem(2, None, Msg("the sheet has no rows")))
    if problems:
        raise ImportRejected(problems)
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def workbook(header: list[str], rows: list[list[Any]], sheet: str = "Sheet1") -> bytes:
    """A one-sheet workbook (exports, templates)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "default_date_format": "dd/mm/yyyy"})
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, header, bold)
    ws.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)
            if value is None:
                continue
            ws.write(r, c, value)
    ws.autofilter(0, 0, max(len(rows), 1), max(len(header) - 1, 0))
    book.close()
    return buffer.getvalue()
