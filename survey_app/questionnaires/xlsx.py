"""A question bank as an Excel workbook, and back.

The workbook is another spelling of the bank's source (the dictionaries the
TOML files hold): one sheet per list of things, one row per thing, one
column per field. Nested tables become dotted columns (``text.vi``,
``scoring.target``), lists of codes become comma-separated cells, and lists
of tables become their own sheets linked by code (``options``, ``bands``).
Columns come from the schema's dataclasses, so a field added to
:class:`~.schema.Question` is one column more. ``docs/question-bank.md``
describes the layout.

Reading is lossless: a workbook written by :func:`write_workbook` reads back
to the very same source, hence the same fingerprint. Reading never stops at
the first mistake: every problem names its sheet, row and column.

Pure: openpyxl reads, XlsxWriter writes; nothing here knows Flask or the
database.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import types
import typing
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from .loader import BankValidationError, bank_from_source
from .problems import BANK_FILE, BankProblem
from .schema import Band, Bank, Column, Group, Option, Question, RoutingRule, Section, Text, UnitKind

__all__ = ["SHEETS", "SheetProblem", "WorkbookRejected", "read_workbook", "source_fingerprint", "write_workbook"]

#: Limits on what a workbook may unpack to: a real bank is well under 1 MB.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 30 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 200

EMPTY_LIST = "[]"  # a list written explicitly empty, so it reads back as such


@dataclasses.dataclass(frozen=True, slots=True)
class SheetProblem:
    """One problem in a workbook: where (sheet, row, column) and what."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f", row {self.row}" if self.row else "")
        where += f", column {self.column}" if self.column else ""
        return f"{where}: {self.message}"


class WorkbookRejected(Exception):
    """The workbook could not be read or does not make a valid bank."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# ---------------------------------------------------------------- columns from the schema


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _unwrap(hint: Any) -> Any:
    """``X | None`` → ``X``."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0] if len(args) == 1 else hint
    return hint


def _child_type(hint: Any) -> type | None:
    """The dataclass of a ``tuple[Dataclass, ...]`` field (a child sheet), else None."""
    hint = _unwrap(hint)
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if args and dataclasses.is_dataclass(args[0]):
            return typing.cast(type, args[0])
    return None


def _is_list(hint: Any) -> bool:
    hint = _unwrap(hint)
    return typing.get_origin(hint) is tuple and _child_type(hint) is None


def _columns(cls: type, prefix: str = "", skip: Iterable[str] = ()) -> list[tuple[str, Any]]:
    """(dotted column, type hint) for every scalar field of ``cls``, nested dataclasses flattened."""
    out: list[tuple[str, Any]] = []
    for name, hint in _hints(cls).items():
        if name in skip:
            continue
        inner = _unwrap(hint)
        if _child_type(hint) is not None:
            continue
        if inner is Text:
            out += [(f"{prefix}{name}.vi", str), (f"{prefix}{name}.en", str)]
        elif dataclasses.is_dataclass(inner):
            out += _columns(typing.cast(type, inner), f"{prefix}{name}.")
        else:
            out.append((f"{prefix}{name}", hint))
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class _Sheet:
    name: str
    links: tuple[str, ...]  # columns naming the parent row(s)
    columns: tuple[tuple[str, Any], ...]


def _sheets() -> tuple[_Sheet, ...]:
    question_cols = _columns(Question, skip=("group", "section", "code"))
    return (
        _Sheet("bank", (), ()),  # key / value
        _Sheet("unit_kinds", (), tuple(_columns(UnitKind))),
        _Sheet("routing", (), tuple(_columns(RoutingRule))),
        _Sheet("groups", (), tuple(_columns(Group))),
        _Sheet("sections", ("group",), tuple(_columns(Section, skip=("group",)))),
        _Sheet("questions", ("group",), (("code", str), ("section", str), *question_cols)),
        _Sheet("options", ("question",), tuple(_columns(Option))),
        _Sheet("columns", ("question",), tuple(_columns(Column))),
        _Sheet("column_options", ("question", "column"), tuple(_columns(Option))),
        _Sheet("bands", ("question",), tuple(_columns(Band))),
    )


SHEETS = _sheets()
_BY_NAME = {s.name: s for s in SHEETS}


# ---------------------------------------------------------------- source ↔ rows


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _unflatten(cells: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in cells.items():
        node = out
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def _cell(value: Any) -> Any:
    """What a source value looks like in a cell."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else EMPTY_LIST
    if isinstance(value, float) and value.is_integer():
        return repr(value)  # "1.0" as text, so it reads back as a float, not the integer 1
    return value


def _rows(items: list[dict[str, Any]], links: dict[str, str]) -> list[dict[str, Any]]:
    """One row per item: its scalar fields flattened, lists of tables left to their own sheets."""
    rows = []
    for item in items:
        flat = {k: v for k, v in _flatten(item).items()
                if not (isinstance(v, list) and v and all(isinstance(x, dict) for x in v))}
        rows.append({**links, **{k: _cell(v) for k, v in flat.items()}})
    return rows


def _source_rows(source: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    root = source["bank"]
    rows: dict[str, list[dict[str, Any]]] = {s.name: [] for s in SHEETS}
    scalar_root = {k: v for k, v in root.items() if k not in ("unit_kinds", "routing", "groups")}
    rows["bank"] = [{"key": k, "value": _cell(v)} for k, v in _flatten(scalar_root).items()]
    rows["unit_kinds"] = _rows(root.get("unit_kinds") or [], {})
    rows["routing"] = _rows(root.get("routing") or [], {})
    for _file, group in source["groups"]:
        g = {k: v for k, v in group.items() if k not in ("sections", "questions")}
        rows["groups"] += _rows([g], {})
        gcode = str(group.get("code", ""))
        rows["sections"] += _rows(group.get("sections") or [], {"group": gcode})
        for q in group.get("questions") or []:
            qcode = str(q.get("code", ""))
            plain = {k: v for k, v in q.items() if k not in ("options", "columns")}
            bands = (plain.get("scoring") or {}).get("bands")
            if isinstance(bands, list):
                plain = {**plain, "scoring": {k: v for k, v in plain["scoring"].items() if k != "bands"}}
                rows["bands"] += _rows(bands, {"question": qcode})
            rows["questions"] += _rows([plain], {"group": gcode})
            rows["options"] += _rows(q.get("options") or [], {"question": qcode})
            for column in q.get("columns") or []:
                ccode = str(column.get("code", ""))
                rows["columns"] += _rows([{k: v for k, v in column.items() if k != "options"}],
                                         {"question": qcode})
                rows["column_options"] += _rows(column.get("options") or [],
                                                {"question": qcode, "column": ccode})
    return rows


def write_workbook(source: dict[str, Any]) -> bytes:
    """The bank ``source`` as an .xlsx workbook in the documented layout."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for sheet, rows in _source_rows(source).items():
        spec = _BY_NAME[sheet]
        header = ["key", "value"] if sheet == "bank" else [*spec.links, *(c for c, _ in spec.columns)]
        extra = sorted({k for r in rows for k in r} - set(header))
        header += extra
        ws = book.add_worksheet(sheet)
        ws.freeze_panes(1, 0)
        for c, name in enumerate(header):
            ws.write_string(0, c, name, head)
            texts = name.endswith((".vi", ".en"))
            ws.set_column(c, c, 40 if texts else 16, wrap if texts else None)
        for r, row in enumerate(rows, start=1):
            for c, name in enumerate(header):
                value = row.get(name)
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


# ---------------------------------------------------------------- reading


def check_workbook_zip(data: bytes) -> list[SheetProblem]:
    """Refuse what is not an .xlsx, or what would unpack to far more than a bank."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [SheetProblem("-", None, None, "the file is not an Excel workbook (.xlsx)")]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
            return [SheetProblem("-", None, None, "the file is a zip archive but not an Excel workbook (.xlsx)")]
        total = sum(m.file_size for m in members)
        packed = max(1, sum(m.compress_size for m in members))
        if len(members) > MAX_MEMBERS or total > MAX_UNPACKED_BYTES or total / packed > MAX_RATIO:
            return [SheetProblem("-", None, None, "the workbook unpacks to far more data than a question bank "
                                 f"({total // (1024 * 1024)} MB); it was not opened")]
    return []


def _value(raw: Any, hint: Any) -> Any:
    """A cell's value as the source would hold it."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return None
    if hint is None:
        return raw
    inner = _unwrap(hint)
    if _is_list(hint):
        text = str(raw)
        return [] if text == EMPTY_LIST else [p.strip() for p in text.split(",") if p.strip()]
    if isinstance(raw, str) and (inner in (float, int) or float in typing.get_args(inner)):
        try:
            return float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        except ValueError:
            return raw
    if inner is str and isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    return raw


def _read_sheet(book: Any, spec: _Sheet, problems: list[SheetProblem]) -> list[tuple[int, dict[str, Any]]]:
    if spec.name not in book.sheetnames:
        if spec.name in ("bank", "groups", "sections", "questions"):
            problems.append(SheetProblem(spec.name, None, None, "sheet is missing"))
        return []
    ws = book[spec.name]
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        problems.append(SheetProblem(spec.name, 1, None, "the sheet has no header row"))
        return []
    header = [str(h).strip() if h is not None else "" for h in header_row]
    known = {"key": str, "value": None} if spec.name == "bank" else {
        **{link: str for link in spec.links}, **dict(spec.columns)}
    for i, name in enumerate(header):
        if name and name not in known:
            problems.append(SheetProblem(spec.name, 1, _letter(i) + f" ({name})", "unknown column"))
    needed = ("key", "value") if spec.name == "bank" else (*spec.links, "code") if any(
        c == "code" for c, _ in spec.columns) else spec.links
    for name in needed:
        if name not in header:
            problems.append(SheetProblem(spec.name, 1, name, "required column is missing"))
    out: list[tuple[int, dict[str, Any]]] = []
    blank: list[int] = []
    for number, raw in enumerate(rows, start=2):
        cells = {}
        for i, value in enumerate(raw):
            if i < len(header) and header[i]:
                parsed = _value(value, known.get(header[i]))
                if parsed is not None:
                    cells[header[i]] = parsed
        if not cells:
            blank.append(number)
            continue
        problems.extend(SheetProblem(spec.name, b, None, "empty row between rows; delete it") for b in blank)
        blank = []
        out.append((number, cells))
    return out


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class _Where:
    """Where each thing was read, to place the loader's problems on sheet, row and column."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, ...], tuple[str, int]] = {}
        self.headers: dict[str, list[str]] = {}

    def problem(self, p: BankProblem, group_of_file: dict[str, str]) -> SheetProblem:
        field = p.field
        if p.file == BANK_FILE and p.question is None:
            for sheet in ("unit_kinds", "routing"):
                if field.startswith(sheet):
                    index = field[len(sheet):].split("]")[0].lstrip("[")
                    row = int(index) + 2 if index.isdigit() else None
                    column = field.split("].", 1)[1] if "]." in field else None
                    return SheetProblem(sheet, row, column, p.message)
            if field == "groups":
                return SheetProblem("groups", None, None, p.message)
            located = self.rows.get(("bank", field))
            return SheetProblem("bank", located[1] if located else None, None if located else field, p.message)
        group = group_of_file.get(p.file, p.file.removesuffix(".toml"))
        if p.question is None:
            if field.startswith("sections"):
                code = field.split(".", 1)[1] if field.startswith("sections.") else None
                located = self.rows.get(("sections", group, code or ""))
                return SheetProblem("sections", located[1] if located else None, None, f"group {group}: {p.message}")
            located = self.rows.get(("groups", group))
            return SheetProblem("groups", located[1] if located else None, field, p.message)
        q = p.question
        parts = field.split(".")
        if parts[0] == "options" and len(parts) > 1:
            located = self.rows.get(("options", q, parts[1]))
            if located:
                return SheetProblem("options", located[1], parts[2] if len(parts) > 2 else None, p.message)
        if parts[0] == "columns" and len(parts) > 1:
            located = self.rows.get(("columns", q, parts[1]))
            if located:
                return SheetProblem("columns", located[1], parts[2] if len(parts) > 2 else None, p.message)
        if field.startswith("scoring.bands"):
            index = field.split("[", 1)[1].split("]")[0] if "[" in field else ""
            located = self.rows.get(("bands", q, index)) or self.rows.get(("bands", q, "0"))
            if located:
                return SheetProblem("bands", located[1], parts[-1] if "]." in field else None, f"{q}: {p.message}")
        _sheet, row = self.rows.get(("questions", q), ("questions", 0))
        header = self.headers.get("questions", [])
        column = field if field in header else f"{field}.vi" if f"{field}.vi" in header else next(
            (h for h in header if h.startswith(field + ".")), field)
        return SheetProblem("questions", row or None, column, f"{q}: {p.message}")


def read_workbook(data: bytes) -> tuple[Bank, dict[str, Any], str]:
    """The bank in an .xlsx workbook, its source and fingerprint (as :func:`~.loader.read_bank`).

    :raises WorkbookRejected: with every problem, each naming sheet, row and column.
    """
    problems = check_workbook_zip(data)
    if problems:
        raise WorkbookRejected(problems)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise WorkbookRejected([SheetProblem("-", None, None, f"the workbook could not be read ({type(exc).__name__})")]
                               ) from exc
    try:
        source, where = _assemble(book, problems)
    finally:
        book.close()
    if problems:
        raise WorkbookRejected(problems)
    try:
        bank = bank_from_source(source)
    except BankValidationError as exc:
        files = {f"{g}.toml": g for g in source["bank"].get("groups", [])}
        raise WorkbookRejected([where.problem(p, files) for p in exc.errors]) from exc
    return bank, source, source_fingerprint(source)


def source_fingerprint(source: dict[str, Any]) -> str:
    """The SHA-256 the loader computes over a bank source."""
    canonical = json.dumps(source, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _assemble(book: Any, problems: list[SheetProblem]) -> tuple[dict[str, Any], _Where]:
    where = _Where()
    sheets = {spec.name: _read_sheet(book, spec, problems) for spec in SHEETS}
    root_cells: dict[str, Any] = {}
    for number, cells in sheets["bank"]:
        key = str(cells.get("key", ""))
        if not key:
            problems.append(SheetProblem("bank", number, "key", "is empty"))
            continue
        root_cells[key] = _value(cells.get("value"), _bank_hint(key))
        where.rows[("bank", key)] = ("bank", number)
    root = _unflatten(root_cells)
    root["unit_kinds"] = [_unflatten(c) for _n, c in sheets["unit_kinds"]]
    root["routing"] = [_unflatten(c) for _n, c in sheets["routing"]]
    groups: list[list[Any]] = []
    by_group: dict[str, dict[str, Any]] = {}
    for number, cells in sheets["groups"]:
        group = _unflatten(cells)
        code = str(group.get("code", ""))
        where.rows[("groups", code)] = ("groups", number)
        if code in by_group:
            problems.append(SheetProblem("groups", number, "code", f"duplicate group code {code!r}"))
            continue
        by_group[code] = group
        groups.append([f"{code}.toml", group])
    root["groups"] = list(by_group)
    _attach(sheets["sections"], "sections", "group", by_group, where, problems, key=lambda g, c: ("sections", g, c))
    where.headers["questions"] = [c for c, _ in _BY_NAME["questions"].columns]
    questions: dict[str, dict[str, Any]] = {}
    for number, cells in sheets["questions"]:
        gcode, code = str(cells.pop("group", "")), str(cells.get("code", ""))
        if gcode not in by_group:
            problems.append(SheetProblem("questions", number, "group", f"unknown group {gcode!r}"))
            continue
        if code in questions:
            problems.append(SheetProblem("questions", number, "code", f"duplicate question code {code!r}"))
            continue
        question = _unflatten(cells)
        questions[code] = question
        where.rows[("questions", code)] = ("questions", number)
        by_group[gcode].setdefault("questions", []).append(question)
    _attach(sheets["options"], "options", "question", questions, where, problems,
            key=lambda q, c: ("options", q, c))
    columns: dict[str, dict[str, Any]] = {}
    for number, cells in sheets["columns"]:
        qcode = str(cells.pop("question", ""))
        if qcode not in questions:
            problems.append(SheetProblem("columns", number, "question", f"unknown question {qcode!r}"))
            continue
        column = _unflatten(cells)
        columns[f"{qcode}\x00{column.get('code', '')}"] = column
        where.rows[("columns", qcode, str(column.get("code", "")))] = ("columns", number)
        questions[qcode].setdefault("columns", []).append(column)
    for number, cells in sheets["column_options"]:
        target = columns.get(f"{cells.pop('question', '')}\x00{cells.pop('column', '')}")
        if target is None:
            problems.append(SheetProblem("column_options", number, "column", "unknown question or column"))
            continue
        target.setdefault("options", []).append(_unflatten(cells))
    for number, cells in sheets["bands"]:
        qcode = str(cells.pop("question", ""))
        if qcode not in questions:
            problems.append(SheetProblem("bands", number, "question", f"unknown question {qcode!r}"))
            continue
        bands = questions[qcode].setdefault("scoring", {}).setdefault("bands", [])
        where.rows[("bands", qcode, str(len(bands)))] = ("bands", number)
        bands.append(_unflatten(cells))
    return {"bank": root, "groups": groups}, where


def _attach(rows: list[tuple[int, dict[str, Any]]], sheet: str, link: str, parents: dict[str, dict[str, Any]],
            where: _Where, problems: list[SheetProblem], key: Any) -> None:
    for number, cells in rows:
        parent = str(cells.pop(link, ""))
        if parent not in parents:
            problems.append(SheetProblem(sheet, number, link, f"unknown {link} {parent!r}"))
            continue
        item = _unflatten(cells)
        where.rows[key(parent, str(item.get("code", "")))] = (sheet, number)
        parents[parent].setdefault(sheet, []).append(item)


def _bank_hint(key: str) -> Any:
    if key in ("code", "version") or key.startswith("title."):
        return str
    return None
