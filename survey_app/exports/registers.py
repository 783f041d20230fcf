"""The list sheets: bottlenecks with proposals, progress, the question bank, about."""

from __future__ import annotations

from .book import Book
from .model import WorkbookData
from .tables import KEY_COLUMNS, title_block


def write_bottlenecks(book: Book, data: WorkbookData) -> None:
    """One row per bottleneck, with the lead's proposal beside it ("5 rõ")."""
    w = book.words
    ws = book.sheet(w("sheet.bottlenecks"))
    title_block(book, ws, data, w("sheet.bottlenecks").upper(), f"{data.round_name} — {data.subject}")
    columns = [("no", 6), ("unit_code", 14), ("unit", 30), ("group", 18), ("question", 9), ("question_text", 40),
               ("b_kind", 18), ("severity", 9), ("detail", 36), ("comment", 30), ("lead", 22), ("proposal", 36),
               ("responsible", 22), ("deadline", 12), ("level", 12), ("p_status", 14)]
    book.header_row(ws, 2, [w(k) for k, _ in columns], [float(x) for _, x in columns])
    ws.set_row(2, 32)
    row = 3
    for n, b in enumerate(data.bottlenecks, start=1):
        where = f"{b.unit_code} · {b.question}"
        book.number(ws, row, 0, n, "int")
        book.text(ws, row, 1, b.unit_code)
        book.text(ws, row, 2, w("across_units") if b.across else b.unit_name, "wrap")
        book.text(ws, row, 3, b.group_name, "wrap")
        book.text(ws, row, 4, b.question)
        book.text(ws, row, 5, b.question_text, "wrap")
        book.text(ws, row, 6, w.bottleneck_kind(b.kind) if b.kind else "", "wrap")
        book.number(ws, row, 7, b.severity, "int")
        book.text(ws, row, 8, b.detail, "wrap", where)
        book.text(ws, row, 9, b.comment, "wrap", where)
        book.text(ws, row, 10, b.lead_units, "wrap")
        if b.proposal is not None:
            p = b.proposal
            book.text(ws, row, 11, p.solution, "wrap", where)
            book.text(ws, row, 12, p.responsible_unit, "wrap")
            book.when(ws, row, 13, p.deadline)
            book.text(ws, row, 14, w.level(p.level))
            book.text(ws, row, 15, w.proposal_status(p.status))
        row += 1
    ws.freeze_panes(3, KEY_COLUMNS)
    ws.autofilter(2, 0, max(row - 1, 2), len(columns) - 1)
    ws.repeat_rows(2)


def write_progress(book: Book, data: WorkbookData) -> None:
    """Per unit and scope: status, who submitted and reviewed when, returns and why."""
    w = book.words
    ws = book.sheet(w("sheet.progress"))
    title_block(book, ws, data, w("sheet.progress").upper(), f"{data.round_name} — {data.subject}")
    columns = [("no", 6), ("unit_code", 14), ("unit", 30), ("scope", 22), ("status", 14), ("submitted_at", 16),
               ("submitted_by", 22), ("reviewed_at", 16), ("reviewed_by", 22), ("returns", 9),
               ("return_reasons", 60)]
    book.header_row(ws, 2, [w(k) for k, _ in columns], [float(x) for _, x in columns])
    ws.set_row(2, 32)
    row = 3
    n = 0
    for unit in data.units:
        for scope in data.scopes:
            state = unit.scopes.get(scope.code)
            if state is None:
                continue
            n += 1
            book.number(ws, row, 0, n, "int")
            book.text(ws, row, 1, unit.code)
            book.text(ws, row, 2, unit.name, "wrap")
            book.text(ws, row, 3, scope.name, "wrap")
            book.text(ws, row, 4, w.status(state.status))
            book.when(ws, row, 5, state.submitted_at)
            book.text(ws, row, 6, state.submitted_by)
            book.when(ws, row, 7, state.reviewed_at)
            book.text(ws, row, 8, state.reviewed_by)
            book.number(ws, row, 9, len(state.returns), "int")
            reasons = "\n".join(f"{book.local(r.at).strftime('%d/%m/%Y')} ({r.by}): "
                                + " — ".join(part for part in (r.reason_label, r.reason) if part)
                                for r in state.returns)
            book.text(ws, row, 10, reasons, "wrap", f"{unit.code} · {scope.code}")
            row += 1
    ws.freeze_panes(3, KEY_COLUMNS)
    ws.autofilter(2, 0, max(row - 1, 2), len(columns) - 1)
    ws.repeat_rows(2)


def write_bank(book: Book, data: WorkbookData) -> None:
    """The bank version used, for the scopes of this workbook: one row per option."""
    w = book.words
    ws = book.sheet(w("sheet.bank"))
    title_block(book, ws, data, f"{data.bank_title} ({data.bank_version})", data.round_name)
    columns = [("scope", 22), ("group_weight", 9), ("section", 22), ("code", 9), ("question_text", 50),
               ("type", 14), ("weight", 9), ("critical", 9), ("required", 9), ("scored", 9), ("applies_to", 18),
               ("option_code", 14), ("option", 36), ("points", 9), ("option_bottleneck", 10)]
    book.header_row(ws, 2, [w(k) for k, _ in columns], [float(x) for _, x in columns])
    ws.set_row(2, 32)
    row = 3
    for scope in data.scopes:
        sections = {s.code: s.name for s in scope.sections}
        for q in scope.questions:
            for option in q.options or (None,):
                book.text(ws, row, 0, scope.name, "wrap")
                book.number(ws, row, 1, scope.group_weight, "auto")
                book.text(ws, row, 2, sections.get(q.section, q.section), "wrap")
                book.text(ws, row, 3, q.code)
                book.text(ws, row, 4, q.text, "wrap")
                book.text(ws, row, 5, w.question_type(q.type))
                book.number(ws, row, 6, q.weight, "auto")
                book.text(ws, row, 7, w.yes_no(q.critical))
                book.text(ws, row, 8, w.yes_no(q.required))
                book.text(ws, row, 9, w.yes_no(q.scored))
                book.text(ws, row, 10, ", ".join(q.applies_to), "wrap")
                if option is not None:
                    book.text(ws, row, 11, option.code)
                    book.text(ws, row, 12, option.label, "wrap")
                    book.number(ws, row, 13, option.points, "auto")
                    book.text(ws, row, 14, w.yes_no(option.bottleneck))
                row += 1
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, max(row - 1, 2), len(columns) - 1)
    ws.repeat_rows(2)


def write_about(book: Book, data: WorkbookData) -> None:
    """Round, bank version, the routing in force, when and by whom the file was made."""
    w = book.words
    ws = book.sheet(w("sheet.about"))
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 4, 16)
    ws.write_string(0, 0, w.title(data.kind.value), book.f["title"])
    green, yellow = data.thresholds
    pairs: list[tuple[str, object]] = [
        ("about.subject", data.subject),
        ("about.round", data.round_name),
        ("about.round_code", data.round_code),
        ("about.period", f"{data.opens_on:%d/%m/%Y} – {data.due_on:%d/%m/%Y}"),
        ("about.bank", data.bank_title),
        ("about.bank_version", f"{data.bank_code} {data.bank_version}"),
        ("about.fingerprint", data.bank_fingerprint),
        ("about.routing_day", data.routing_day),
        ("about.bands", f"{w.band('green')} ≥ {green:.0%} · {w.band('yellow')} ≥ {yellow:.0%} · "
                        f"{w.band('red')} < {yellow:.0%}"),
        ("about.units", len(data.units)),
        ("about.generated_at", data.generated_at),
        ("about.generated_by", data.generated_by),
        ("about.timezone", data.timezone),
        ("about.limit", w("about.limit_text")),
    ]
    row = 2
    for key, value in pairs:
        ws.write_string(row, 0, w(key), book.f["bold"])
        if isinstance(value, str):
            book.text(ws, row, 1, value, "wrap")
        elif isinstance(value, int):
            book.number(ws, row, 1, value, "int")
        else:
            book.when(ws, row, 1, value)  # type: ignore[arg-type]
        row += 1
    for note in data.notes:
        book.text(ws, row, 1, note, "wrap")
        row += 1
    row += 1
    ws.write_string(row, 0, w("about.routing"), book.f["bold"])
    row += 1
    for col, key in enumerate(("scope", "unit", "about.role", "about.from", "about.to")):
        ws.write_string(row, col, w(key), book.f["header"])
    row += 1
    for line in data.routing:
        book.text(ws, row, 0, line.scope_name, "wrap")
        book.text(ws, row, 1, f"{line.unit_name} ({line.unit_code})", "wrap")
        book.text(ws, row, 2, w(f"role.{line.role}"))
        book.when(ws, row, 3, line.valid_from)
        book.when(ws, row, 4, line.valid_to)
        row += 1
