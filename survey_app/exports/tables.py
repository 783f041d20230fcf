"""The summary sheet and one sheet per scope: units × scopes, units × questions."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from .book import Book, nfc
from .model import AnswerCell, AnswerShape, QuestionInfo, Scope, WorkbookData

#: Columns of each scope on the summary sheet.
SCOPE_COLUMNS = ("status", "score", "band", "appraised", "bottleneck_count")
KEY_COLUMNS = 3  # STT, unit code, unit name: frozen on every sheet


def title_block(book: Book, ws: Worksheet, data: WorkbookData, title: str, line: str) -> None:
    """Rows 0–1: the title, then what the figures cover and when they were taken."""
    ws.write_string(0, 0, title, book.f["title"])
    taken = book.local(data.generated_at).strftime("%d/%m/%Y %H:%M")
    as_of = f"(Số liệu tính đến {taken})" if data.locale != "en" else f"(Figures as of {taken})"
    book.text(ws, 1, 0, f"{line} {as_of}", "subtitle")


def write_summary(book: Book, data: WorkbookData) -> None:
    """Units × scopes: status, score and band, appraised score, bottleneck
    count; the overall index with its coverage; a chart of the scope scores."""
    w = book.words
    ws = book.sheet(w("sheet.summary"))
    title_block(book, ws, data, w.title(data.kind.value), f"{data.round_name} — {data.subject}")
    head, sub = 2, 3
    fixed = [w("no"), w("unit_code"), w("unit"), w("kind")]
    widths: list[float] = [6, 14, 40, 18]
    starts = {scope.code: len(fixed) + i * len(SCOPE_COLUMNS) for i, scope in enumerate(data.scopes)}
    index_col = len(fixed) + len(data.scopes) * len(SCOPE_COLUMNS)
    tail = [w("index"), w("index_band"), w("coverage")] if data.show_index else []
    # Constant memory: each row is written whole before the next one.
    ws.set_row(head, 32)
    for col, width in enumerate(widths):
        ws.write_string(head, col, "", book.f["header"])
        ws.set_column(col, col, width)
    for scope in data.scopes:
        c = starts[scope.code]
        _span(book, ws, head, c, c + len(SCOPE_COLUMNS) - 1, scope.name)
        ws.set_column(c, c, 13)
        ws.set_column(c + 1, c + len(SCOPE_COLUMNS) - 1, 10)
    for i in range(len(tail)):
        ws.write_string(head, index_col + i, "", book.f["header"])
        ws.set_column(index_col + i, index_col + i, 12)
    ws.set_row(sub, 45)
    for col, label in enumerate(fixed):
        ws.write_string(sub, col, label, book.f["header"])
    for scope in data.scopes:
        for i, key in enumerate(SCOPE_COLUMNS):
            ws.write_string(sub, starts[scope.code] + i, w(key), book.f["header"])
    for i, label in enumerate(tail):
        ws.write_string(sub, index_col + i, label, book.f["header"])
    last_col = index_col + len(tail) - 1
    row = sub + 1
    for n, unit in enumerate(data.units, start=1):
        book.number(ws, row, 0, n, "int")
        book.text(ws, row, 1, unit.code)
        book.text(ws, row, 2, unit.name)
        book.text(ws, row, 3, unit.kind)
        for scope in data.scopes:
            state = unit.scopes.get(scope.code)
            if state is None:
                continue
            c = starts[scope.code]
            book.text(ws, row, c, w.status(state.status))
            book.banded(ws, row, c + 1, state.score, state.band)
            book.band(ws, row, c + 2, state.band)
            book.number(ws, row, c + 3, state.appraised_score, "score")
            book.number(ws, row, c + 4, state.bottlenecks, "int")
        if data.show_index:
            book.banded(ws, row, index_col, unit.index, unit.index_band, "index")
            book.band(ws, row, index_col + 1, unit.index_band)
            book.number(ws, row, index_col + 2, unit.coverage, "pct")
        row += 1
    last_unit_row = row - 1
    ws.freeze_panes(sub + 1, KEY_COLUMNS)
    ws.autofilter(sub, 0, max(last_unit_row, sub), last_col)
    ws.repeat_rows(head, sub)
    ws.print_area(0, 0, max(last_unit_row, sub), last_col)
    _chart(book, ws, data, row + 1, last_col)


def _chart(book: Book, ws: Worksheet, data: WorkbookData, row: int, last_col: int) -> None:
    """Below the table, the average score per scope; beside it, a column chart of it."""
    w = book.words
    ws.write_string(row, 2, w("chart.title"), book.f["bold"])
    first = row + 1
    for i, scope in enumerate(data.scopes):
        scores = [s.score for u in data.units if (s := u.scopes.get(scope.code)) is not None and s.score is not None]
        book.text(ws, first + i, 2, scope.name)
        book.number(ws, first + i, 3, round(sum(scores) / len(scores), 2) if scores else None, "score")
    last = first + len(data.scopes) - 1
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({
        "name": w("chart.title"),
        "categories": [ws.name, first, 2, last, 2],
        "values": [ws.name, first, 3, last, 3],
        "data_labels": {"value": True, "num_format": "0.00"},
        "fill": {"color": "#4472C4"},
    })
    chart.set_title({"name": w("chart.title"), "name_font": {"size": 12}})
    chart.set_y_axis({"min": 0, "max": 100, "major_gridlines": {"visible": True}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 640, "height": 320})
    ws.insert_chart(xl_rowcol_to_cell(2, last_col + 2), chart)


def question_columns(q: QuestionInfo) -> list[str]:
    """The columns one question takes on its scope sheet."""
    cols = ["answer"]
    if q.shape is AnswerShape.RATIO:
        cols.append("percent")
    if q.scored:
        cols.append("q_score")
    cols.append("comment")
    if q.scored:
        cols += ["q_appraised", "reason"]
    return cols


_WIDTH = {"answer": 24.0, "percent": 9.0, "q_score": 9.0, "comment": 26.0, "q_appraised": 10.0, "reason": 24.0}


def write_scope(book: Book, data: WorkbookData, scope: Scope, position: int) -> None:
    """Units × the scope's questions: header rows of sections, questions and
    columns; then one row per unit with its readable answers and scores."""
    w = book.words
    ws = book.sheet(f"{position}. {scope.short_name or scope.name}")
    leads = ", ".join(scope.lead_units)
    title_block(book, ws, data, scope.name.upper(), f"{w('lead')}: {leads}" if leads else data.round_name)
    sec_row, q_row, col_row = 2, 3, 4
    fixed = [w("no"), w("unit_code"), w("unit"), w("status"), w("scope_score"), w("band")]
    widths: list[float] = [6, 14, 36, 13, 10, 9]
    layout: list[tuple[QuestionInfo, int, list[str]]] = []
    spans: list[tuple[str, int, int]] = []
    col = len(fixed)
    for section in scope.sections:
        first = col
        for q in (q for q in scope.questions if q.section == section.code):
            cols = question_columns(q)
            layout.append((q, col, cols))
            col += len(cols)
        if col > first:
            spans.append((section.name, first, col - 1))
    last_col = col - 1
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    for q, start, cols in layout:
        for i, key in enumerate(cols):
            ws.set_column(start + i, start + i,
                          12.0 if key == "answer" and q.shape is not AnswerShape.TEXT else _WIDTH[key])
    # Constant memory: each header row is written whole before the next one.
    ws.set_row(sec_row, 30)
    for c in range(len(fixed)):
        ws.write_string(sec_row, c, "", book.f["header"])
    for name, first, last in spans:
        _span(book, ws, sec_row, first, last, name)
    ws.set_row(q_row, 90)
    for c in range(len(fixed)):
        ws.write_string(q_row, c, "", book.f["header"])
    for q, start, cols in layout:
        label = f"{q.code}. {q.text}" + (f" ({q.unit_label})" if q.unit_label else "")
        _span(book, ws, q_row, start, start + len(cols) - 1, label)
    ws.set_row(col_row, 32)
    for c, label in enumerate(fixed):
        ws.write_string(col_row, c, label, book.f["header"])
    for _q, start, cols in layout:
        for i, key in enumerate(cols):
            ws.write_string(col_row, start + i, w(key), book.f["header"])
    plan = [_Columns(q, start, cols) for q, start, cols in layout]
    row = col_row + 1
    for n, unit in enumerate(data.units, start=1):
        state = unit.scopes.get(scope.code)
        book.number(ws, row, 0, n, "int")
        book.text(ws, row, 1, unit.code)
        book.text(ws, row, 2, unit.name)
        if state is not None:
            book.text(ws, row, 3, w.status(state.status))
            book.banded(ws, row, 4, state.score, state.band)
            book.band(ws, row, 5, state.band)
        cells = data.answers.get(unit.code)
        if cells:
            for columns in plan:
                cell = cells.get(columns.code)
                if cell is not None:
                    columns.write(book, ws, row, cell, unit.code)
        row += 1
    ws.freeze_panes(col_row + 1, KEY_COLUMNS)
    ws.autofilter(col_row, 0, max(row - 1, col_row), max(last_col, len(fixed) - 1))
    ws.repeat_rows(sec_row, col_row)


class _Columns:
    """Where one question's cells go on its scope sheet (see :func:`question_columns`),
    worked out once per sheet rather than once per unit."""

    __slots__ = ("appraised", "code", "comment", "day", "number", "percent", "reason", "score", "start")

    def __init__(self, q: QuestionInfo, start: int, cols: list[str]) -> None:
        at = {key: start + i for i, key in enumerate(cols)}
        self.code = q.code
        self.start = start
        self.number = q.shape is AnswerShape.NUMBER
        self.day = q.shape is AnswerShape.DATE
        self.percent = at.get("percent")
        self.score = at.get("q_score")
        self.comment = at["comment"]
        self.appraised = at.get("q_appraised")
        self.reason = at.get("reason")

    def write(self, book: Book, ws: Worksheet, row: int, cell: AnswerCell, unit: str) -> None:
        """The answer's cells, left to right: answer, percentage, score, comment,
        appraised score, the lead's reason."""
        where = f"{unit} · {self.code}"
        if self.number and cell.number is not None:
            book.number(ws, row, self.start, cell.number, "auto")
        elif self.day and cell.day is not None:
            book.when(ws, row, self.start, cell.day)
        else:
            book.text(ws, row, self.start, cell.text, where=where)
        if self.percent is not None:
            book.number(ws, row, self.percent, cell.number, "pct")
        if self.score is not None:
            book.number(ws, row, self.score, cell.score, "pct")
        book.text(ws, row, self.comment, cell.comment, where=where)
        if self.appraised is not None:
            book.number(ws, row, self.appraised, cell.appraised_score, "pct")
        if self.reason is not None:
            book.text(ws, row, self.reason, cell.appraisal_reason, where=where)


def _span(book: Book, ws: Worksheet, row: int, first: int, last: int, label: str) -> None:
    """A header over columns ``first``–``last``, written as a string (never interpreted)."""
    if last > first:
        ws.merge_range(row, first, row, last, "", book.f["header"])
    ws.write_string(row, first, nfc(label), book.f["header"])
