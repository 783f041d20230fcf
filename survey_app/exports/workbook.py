"""Build a whole workbook from :class:`~.model.WorkbookData`.

One function for the three workbooks (province, lead agency, unit): what a
workbook holds is decided by the data the service gives it, and the sheets
are the same for all three, so a lead's file and the province's read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .book import Book
from .labels import Words
from .model import WorkbookData
from .registers import write_about, write_bank, write_bottlenecks, write_progress
from .tables import write_scope, write_summary


@dataclass(frozen=True, slots=True)
class BuildStats:
    """What a build wrote: sheet names, cells written, texts cut into the long-text sheet."""

    sheets: tuple[str, ...]
    cells: int
    cut_texts: int
    strings: int = 0  # how many of the cells are strings
    string_chars: int = 0  # and their total length


def build_workbook(data: WorkbookData, target: str | Path | IO[bytes]) -> BuildStats:
    """Write the workbook of ``data`` to ``target`` (a path or a binary file).

    Sheets: summary; one per scope; bottlenecks; progress; the question
    bank; about; and "Long texts" only when a text is too long for its cell.
    Written in XlsxWriter's constant-memory mode, row by row.
    """
    words = Words(data.locale)
    book = Book(target, words, data.timezone, f"{words.title(data.kind.value)} — {data.subject}", data.generated_by)
    try:
        write_summary(book, data)
        for position, scope in enumerate(data.scopes, start=1):
            write_scope(book, data, scope, position)
        write_bottlenecks(book, data)
        write_progress(book, data)
        write_bank(book, data)
        write_about(book, data)
        book.write_long_sheet()
        sheets = tuple(ws.name for ws in book.wb.worksheets())
    finally:
        book.close()
    return BuildStats(sheets, book.cells, book.cut_count, book.strings, book.chars)
