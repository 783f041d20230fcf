"""The workbook and how a value goes into a cell, safely.

Every text a person typed is written with ``write_string`` (never ``write``),
so it stays text: ``=HYPERLINK(…)``, ``+1+1`` or ``@SUM(A1)`` never become a
formula or a link, and the workbook's ``strings_to_formulas`` and
``strings_to_urls`` options are off as a second guard. Texts are stored in
NFC. A text longer than an Excel cell holds (32,767 UTF-16 units) is cut
with a visible marker, and its full text goes to the "Long texts" sheet in
parts, so nothing is ever truncated silently.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .labels import Words

#: Most UTF-16 code units an Excel cell holds.
CELL_LIMIT = 32_767
#: Size of each part of a long text on the "Long texts" sheet (PART_SIZE
#: characters never exceed the cell limit, even outside the BMP).
PART_SIZE = 16_000
LONG_HEADER_ROW = 3

BAND_COLOURS = {"green": ("#C6EFCE", "#006100"), "yellow": ("#FFEB9C", "#9C5700"), "red": ("#FFC7CE", "#9C0006")}


# XlsxWriter's public cell writers without their decorator, which first tries
# each call's row argument as A1 notation ("B3"). Every cell here is given by
# row and column numbers, and a province's workbook has two million cells.
_write_string = getattr(Worksheet.write_string, "__wrapped__", Worksheet.write_string)
_write_number = getattr(Worksheet.write_number, "__wrapped__", Worksheet.write_number)
_write_datetime = getattr(Worksheet.write_datetime, "__wrapped__", Worksheet.write_datetime)


def utf16_len(text: str) -> int:
    """Length as Excel counts it: characters outside the BMP take two units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) if not text.isascii() else len(text)


def utf16_cut(text: str, units: int) -> str:
    """The longest prefix of ``text`` within ``units`` UTF-16 units."""
    if utf16_len(text) <= units:
        return text
    count = 0
    for i, ch in enumerate(text):
        count += 2 if ord(ch) > 0xFFFF else 1
        if count > units:
            return text[:i]
    return text


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (the form Vietnamese text is compared and stored in)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def too_long(text: str) -> bool:
    return len(text) > CELL_LIMIT // 2 and utf16_len(text) > CELL_LIMIT


class Book:
    """One workbook being written in constant memory, with its formats.

    In constant-memory mode each sheet is written row by row, in order, to
    its own temporary file; a row left behind cannot be written again. The
    sheet builders respect this: they write each row once, top to bottom.
    """

    def __init__(self, target: str | Path | IO[bytes], words: Words, timezone: str, title: str, author: str) -> None:
        self.words = words
        self.zone = ZoneInfo(timezone)
        self.wb = xlsxwriter.Workbook(target if not isinstance(target, Path) else str(target), {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_format_properties": {"font_name": "Times New Roman", "font_size": 12},
        })
        self.wb.set_properties({"title": title, "author": author, "comments": "survey_app"})
        self.long_texts: list[tuple[str, str]] = []  # (where, full text) of each text cut in its cell
        self.cut_count = 0
        self.cells = 0
        self.strings = 0  # of the cells, how many are strings, and their characters (for the benchmark's floor)
        self.chars = 0
        self.f = self._formats()

    def _formats(self) -> dict[str, Format | None]:
        add = self.wb.add_format
        border: dict[str, Any] = {"border": 1, "border_color": "#A6A6A6"}
        f: dict[str, Format | None] = {
            # Plain text and whole numbers need no format of their own: every
            # format is an attribute on each of a million cells.
            "text": None,
            "int": None,
            "title": add({"bold": True, "font_size": 14}),
            "subtitle": add({"italic": True}),
            "header": add({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                           "bg_color": "#D9E1F2", **border}),
            "wrap": add({"valign": "top", "text_wrap": True}),
            "bold": add({"bold": True}),
            "num": add({"num_format": "#,##0.00", "valign": "top"}),
            "whole": add({"num_format": "#,##0", "valign": "top"}),
            "score": add({"num_format": "0.00", "valign": "top"}),
            "index": add({"num_format": "0.0000", "valign": "top"}),
            "pct": add({"num_format": "0.0%", "valign": "top"}),
            "date": add({"num_format": "dd/mm/yyyy", "valign": "top", "align": "left"}),
            "datetime": add({"num_format": "dd/mm/yyyy hh:mm", "valign": "top", "align": "left"}),
            "cut": add({"valign": "top", "font_color": "#9C0006"}),
        }
        for band, (fill, font) in BAND_COLOURS.items():
            f[f"score.{band}"] = add({"num_format": "0.00", "bg_color": fill, "font_color": font, "valign": "top"})
            f[f"index.{band}"] = add({"num_format": "0.0000", "bg_color": fill, "font_color": font, "valign": "top"})
            f[f"band.{band}"] = add({"bg_color": fill, "font_color": font, "bold": True, "valign": "top"})
        return f

    # -- sheets -------------------------------------------------------------------------------------------

    def sheet(self, name: str) -> Worksheet:
        """A new sheet with the print settings officials expect: A4 landscape,
        one page wide, a footer with the sheet's name and page numbers."""
        ws = self.wb.add_worksheet(sheet_name(name, self.wb.sheetnames))
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(f"&L&A&R{self.words('page')} &P/&N")
        return ws

    def write_long_sheet(self) -> None:
        """The last sheet: every text too long for its cell, whole, in parts.

        The cut cells name the rows here; they were counted as the texts were
        met, and the few long texts kept until now.
        """
        if not self.long_texts:
            return
        ws = self.sheet(self.words("sheet.long"))
        ws.write_string(0, 0, self.words("sheet.long"), self.f["title"])
        ws.write_string(1, 0, self.words("about.limit_text"), self.f["subtitle"])
        for col, (key, width) in enumerate((("no", 8), ("long.where", 40), ("long.part", 8), ("long.text", 120))):
            ws.write_string(LONG_HEADER_ROW, col, self.words(key), self.f["header"])
            ws.set_column(col, col, width)
        row = LONG_HEADER_ROW + 1
        for place, value in self.long_texts:
            parts = [value[i:i + PART_SIZE] for i in range(0, len(value), PART_SIZE)]
            for n, part in enumerate(parts, start=1):
                ws.write_number(row, 0, row - LONG_HEADER_ROW, self.f["int"])
                ws.write_string(row, 1, place, self.f["wrap"])
                ws.write_string(row, 2, f"{n}/{len(parts)}", self.f["text"])
                ws.write_string(row, 3, part, self.f["text"])
                row += 1
        ws.freeze_panes(LONG_HEADER_ROW + 1, 0)
        ws.repeat_rows(LONG_HEADER_ROW)

    # -- cells --------------------------------------------------------------------------------------------

    def text(self, ws: Worksheet, row: int, col: int, value: str | None, fmt: str = "text",
             where: str = "") -> None:
        """Write ``value`` as a plain string (never a formula or link), in NFC.

        A text too long for one cell is cut with a marker naming the row of
        the "Long texts" sheet where it is kept whole.
        """
        if not value:
            return
        # nfc() and too_long(), inlined: this runs for each of a million cells.
        if not value.isascii() and not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        if len(value) > CELL_LIMIT // 2 and utf16_len(value) > CELL_LIMIT:
            value = self._spill(ws, row, col, value, where)
            fmt = "cut"
        _write_string(ws, row, col, value, self.f[fmt])
        self.cells += 1
        self.strings += 1
        self.chars += len(value)

    def _spill(self, ws: Worksheet, row: int, col: int, value: str, where: str) -> str:
        first = LONG_HEADER_ROW + 2 + sum(-(-len(v) // PART_SIZE) for _, v in self.long_texts)
        marker = " " + self.words("long.marker").format(row=first)
        place = f"{ws.name}!{xl_rowcol_to_cell(row, col)}" + (f" · {where}" if where else "")
        self.long_texts.append((place, value))
        self.cut_count += 1
        return utf16_cut(value, CELL_LIMIT - utf16_len(marker)) + marker

    def number(self, ws: Worksheet, row: int, col: int, value: float | None, fmt: str = "num") -> None:
        if value is None:
            return
        if fmt == "auto":
            whole = float(value).is_integer()
            fmt = ("int" if abs(value) < 1000 else "whole") if whole else "num"
        _write_number(ws, row, col, value, self.f[fmt])
        self.cells += 1

    def banded(self, ws: Worksheet, row: int, col: int, value: float | None, band: str | None,
               kind: str = "score") -> None:
        """A score whose cell is coloured by its band (the band's name is in the next column)."""
        if value is None:
            return
        _write_number(ws, row, col, value, self.f[f"{kind}.{band}" if band in BAND_COLOURS else kind])
        self.cells += 1

    def band(self, ws: Worksheet, row: int, col: int, band: str | None) -> None:
        """The band's name, on its colour: colour is never the only sign."""
        if band is None:
            return
        label = self.words.band(band)
        _write_string(ws, row, col, label, self.f.get(f"band.{band}", self.f["text"]))
        self.cells += 1
        self.strings += 1
        self.chars += len(label)

    def when(self, ws: Worksheet, row: int, col: int, value: datetime | date | None) -> None:
        """A date, or a time shown in the province's zone, as a real Excel date."""
        if value is None:
            return
        if isinstance(value, datetime):
            _write_datetime(ws, row, col, self.local(value), self.f["datetime"])
        else:
            _write_datetime(ws, row, col, value, self.f["date"])
        self.cells += 1

    def local(self, value: datetime) -> datetime:
        """An aware time as a naive one in the province's zone (Excel has no zones)."""
        return value.astimezone(self.zone).replace(tzinfo=None)

    def header_row(self, ws: Worksheet, row: int, labels: list[str], widths: list[float]) -> None:
        for col, (label, width) in enumerate(zip(labels, widths, strict=True)):
            ws.write_string(row, col, label, self.f["header"])
            ws.set_column(col, col, width)

    def close(self) -> None:
        self.wb.close()


_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(name: str, taken: list[str]) -> str:
    """A valid, unique sheet name: no ``[]:*?/\\``, at most 31 characters."""
    base = nfc(name).translate(_FORBIDDEN).strip().strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    lowered = {t.lower() for t in taken}
    while candidate.lower() in lowered:
        suffix = f" ({n})"
        candidate = base[:31 - len(suffix)] + suffix
        n += 1
    return candidate
